#pragma once
// Heads Warden sends on: the request to the upstream and the response to the client. Fields are
// copied in order except hop-by-hop ones (RFC 9110 §7.6.1: Connection and the names it lists,
// Keep-Alive, Proxy-Connection, Proxy-Authorization, TE, Transfer-Encoding, Upgrade), framing is
// written from what was parsed (never copied), and Via is appended.

#include "http/framing.hpp"
#include "http/message.hpp"
#include "http/target.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace warden::http {

struct ForwardOptions {
  std::string_view via;            // our Via entry, e.g. "1.1 warden"
  std::string_view forwarded_for;  // client address appended to X-Forwarded-For; empty: none
  // Fields set by policy (YouTube-Restrict, header rules): the client's own of the same name are
  // dropped, never merged.
  std::span<const std::pair<std::string, std::string>> set_fields = {};
};

// "GET /path HTTP/1.1" with Host from the target (RFC 9112 §3.2.2: the target wins over Host).
// `body` is the framing to announce (Chunked or Length); a WebSocket upgrade keeps
// Connection: Upgrade and the Upgrade field.
[[nodiscard]] std::string upstream_request_head(const RequestHead& head,
                                                const RequestSemantics& semantics,
                                                const AbsoluteTarget& target,
                                                const ForwardOptions& options);

struct ClientFraming {
  BodyKind kind = BodyKind::None;  // what the client will receive
  std::uint64_t length = 0;        // for Length
  bool close = false;              // we close the client connection after this response
};

// "HTTP/1.1 200 OK" plus end-to-end fields, Via, and framing per `framing`. For bodyless
// responses (HEAD, 204, 304, 1xx) a received Content-Length is kept as metadata.
[[nodiscard]] std::string client_response_head(const ResponseHead& head,
                                               const ResponseSemantics& semantics,
                                               const ClientFraming& framing, std::string_view via);

}  // namespace warden::http
