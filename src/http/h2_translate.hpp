#pragma once
// Between an HTTP/2 stream and the HTTP/1.1 model the rest of Warden uses (policy, block pages,
// logging): a request's pseudo-headers become a request line and Host, and are read by the same
// hardened parser as any HTTP/1.1 head; Warden's own HTTP/1.1 responses (block and error pages)
// become a :status, fields and a body. Connection-specific fields (RFC 9113 §8.2.2) never cross.

#include "http/h2_server.hpp"
#include "http/head_parser.hpp"
#include "http/message.hpp"
#include "http/parse_result.hpp"

#include <span>
#include <string>
#include <string_view>

namespace warden::http::h2 {

// The request as an HTTP/1.1 head ("GET /path HTTP/1.1", Host from :authority, Cookie crumbs
// joined with "; " per RFC 9113 §8.2.3); a 400 error when it does not make a valid one.
[[nodiscard]] Checked<RequestHead> http1_request_head(const Request& r, const HeadLimits& limits);

// The fields to send upstream over HTTP/2: the client's, without Host (it is :authority) and
// connection-specific ones, with X-Forwarded-For appended when `forwarded_for` is not empty.
// `set` (lower-case names) replaces the client's fields of the same names, never merged.
[[nodiscard]] Fields upstream_fields(const Request& r, std::string_view forwarded_for,
                                     std::span<const std::pair<std::string, std::string>> set = {});

struct LocalResponse {
  unsigned status = 0;
  Fields fields;
  std::string body;
};
// One of Warden's own complete HTTP/1.1 responses, for an HTTP/2 stream.
[[nodiscard]] Checked<LocalResponse> local_response(std::string_view http1);

// True for fields that must not appear in HTTP/2 (RFC 9113 §8.2.2).
[[nodiscard]] bool connection_specific(std::string_view lower_name);

}  // namespace warden::http::h2
