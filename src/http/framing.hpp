#pragma once
// Message semantics that decide framing and connection handling (RFC 9112 §6, §9; RFC 9110
// §7.6.1, §10.1.1). Ambiguity is refused, never guessed: both Content-Length and
// Transfer-Encoding, differing Content-Lengths, chunked not last or repeated, Connection naming a
// framing field. Pure functions over parsed heads.

#include "http/message.hpp"
#include "http/parse_result.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace warden::http {

enum class BodyKind : std::uint8_t {
  None,        // no body
  Length,      // exactly `length` bytes
  Chunked,     // chunked transfer coding
  UntilClose,  // response delimited by the connection closing
};

struct BodyFraming {
  BodyKind kind = BodyKind::None;
  std::uint64_t length = 0;
  // Whether a body follows (Content-Length: 0 is none).
  [[nodiscard]] bool has_body() const {
    return kind == BodyKind::Chunked || kind == BodyKind::UntilClose ||
           (kind == BodyKind::Length && length > 0);
  }
};

struct RequestSemantics {
  BodyFraming body;
  bool keep_alive = true;        // the client may send another request after this one
  bool expect_continue = false;  // Expect: 100-continue
  bool websocket = false;        // a WebSocket upgrade request
  std::vector<std::string> connection_options;  // lower-cased names listed in Connection
};

struct ResponseSemantics {
  BodyFraming body;
  bool keep_alive = true;      // the upstream connection may carry another request afterwards
  bool informational = false;  // 1xx other than 101
  bool switching = false;      // 101 Switching Protocols
  std::vector<std::string> connection_options;
};

// Validates framing and hop-by-hop fields of a request. Errors carry 400, 417 or 501.
[[nodiscard]] Checked<RequestSemantics> analyze_request(const RequestHead& head);

// Framing of a response to a request with `request_method`; `upgrade_requested` says whether a
// 101 is acceptable. Errors mean the response cannot be relayed safely (answer 502).
[[nodiscard]] Checked<ResponseSemantics> analyze_response(const ResponseHead& head,
                                                          std::string_view request_method,
                                                          bool upgrade_requested);

// Content-Length value(s) of a head: nullopt if absent; an error if malformed or differing.
// Accepts a list of identical values ("5, 5") and leading zeros (decimal, never octal).
struct ContentLength {
  bool present = false;
  std::uint64_t value = 0;
};
[[nodiscard]] Checked<ContentLength> parse_content_length(const MessageHead& head);

}  // namespace warden::http
