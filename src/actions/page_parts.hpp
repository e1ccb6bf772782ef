#pragma once
// What Warden's own pages share (the block page, the error page): the look, the URL as shown,
// the time as the school reads it.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace warden::actions {

// No external resource and no script: the pages' Content-Security-Policy forbids them anyway.
extern const std::string_view kPageStyle;
// The response head fields every page carries after Content-Length.
extern const std::string_view kPageSecurityFields;

// "https://host[:port]/path?query", cut after 300 characters.
[[nodiscard]] std::string shown_url(std::string_view scheme, std::string_view host,
                                    std::uint16_t port, std::string_view path);
[[nodiscard]] std::string local_time(std::chrono::system_clock::time_point when);

}  // namespace warden::actions
