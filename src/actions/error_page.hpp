#pragma once
// What a pupil's browser shows when Warden answers instead of the site because it could not
// serve it safely or at all (the upstream's certificate failed verification, the server could
// not be reached or answered garbage): the block page's look, saying what happened in one
// sentence, the stable ERR_ code, the address and the request id. For page loads only (see
// page_kind); every other client gets http::render_error_response's short text.

#include "http/error_response.hpp"
#include "policy/policy.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace warden::actions {

struct FailedRequest {
  std::string_view scheme;  // "http", "https"
  std::string_view host;
  std::uint16_t port = 0;
  std::string_view path;  // path and query
  std::chrono::system_clock::time_point when;
};

// The complete response (status and headers as http::render_error_response, HTML body);
// `head_only` leaves the body out (a HEAD request).
[[nodiscard]] std::string render_error_page_response(const policy::PageStrings& strings,
                                                     const http::ErrorResponse& e,
                                                     const FailedRequest& r, bool head_only);

}  // namespace warden::actions
