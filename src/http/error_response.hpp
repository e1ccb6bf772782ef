#pragma once
// Responses Warden writes itself when it cannot or will not forward: a short plain-text body
// that says what happened, the stable error code and the request id (so a pupil can quote it
// and the IT person can find the access-log line). Never cached.

#include <string>
#include <string_view>

namespace warden::http {

[[nodiscard]] std::string_view reason_phrase(unsigned status);

struct ErrorResponse {
  unsigned status = 500;
  std::string_view error_code;  // "ERR_CONNECT_REFUSED"
  std::string detail;           // one sentence for people; never echoes raw request bytes
  std::string_view request_id;
  bool close = true;           // add Connection: close
  std::string extra_fields{};  // more header fields, each "Name: value\r\n" (Proxy-Authenticate)
};

// The complete response: head and body.
[[nodiscard]] std::string render_error_response(const ErrorResponse& e);

}  // namespace warden::http
