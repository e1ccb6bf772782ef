#pragma once
// What Warden's own pages share (the block page, the error page): the document's start with
// its look, the response around a body, the URL as shown, the time as the school reads it.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace warden::actions {

// "<!DOCTYPE html>...<body><main>": everything before a page's own content.
[[nodiscard]] std::string page_start(std::string_view language, std::string_view title);
// The complete response: status line, `content_type` ("text/html", "text/plain"), length, the
// security fields every page carries (no-store, a CSP that forbids scripts and external
// resources, nosniff, no referrer), `warden_fields` (X-Warden-* lines, each ending in CRLF),
// Connection: close when `close`, then `body` unless `head_only` (a HEAD request).
[[nodiscard]] std::string page_response(unsigned status, std::string_view content_type,
                                        std::string_view warden_fields, std::string_view body,
                                        bool close, bool head_only);

// "https://host[:port]/path?query", cut after 300 characters.
[[nodiscard]] std::string shown_url(std::string_view scheme, std::string_view host,
                                    std::uint16_t port, std::string_view path);
[[nodiscard]] std::string local_time(std::chrono::system_clock::time_point when);

}  // namespace warden::actions
