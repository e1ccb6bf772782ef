#pragma once
// What a pupil sees when the policy blocks a request: an HTML page for page loads (readable on a
// phone, in the school's language, self-contained: no external resource, no script) and a short
// text body for everything else (an image, a fetch() call). Both are 403 and never cached. The
// page says what was blocked (host and path), which category or rule matched, when, the request
// id (the access-log line), and whom to ask.

#include "policy/policy.hpp"

#include <chrono>
#include <string>
#include <string_view>

namespace warden::actions {

struct BlockedRequest {
  std::string_view scheme;  // "http", "https"
  std::string_view host;
  std::uint16_t port = 0;
  std::string_view path;      // path and query
  std::string_view category;  // empty when a rule (not a list) matched
  std::string_view rule;
  std::string_view request_id;
  std::chrono::system_clock::time_point when;
  std::string_view user;  // who signed in (auth); empty: nobody did
};

enum class PageKind { Html, Text };

// HTML when the client says it is loading a page: Sec-Fetch-Dest document/iframe/frame, or (for
// clients without Fetch Metadata) an Accept that names text/html.
[[nodiscard]] PageKind page_kind(std::string_view sec_fetch_dest, std::string_view accept);

// The complete 403 response; `head_only` leaves the body out (a HEAD request), `close` adds
// Connection: close.
[[nodiscard]] std::string render_block_response(const policy::PageStrings& strings,
                                                const BlockedRequest& r, PageKind kind,
                                                bool head_only, bool close);

// A `reject` at the request stage: 403 with an empty body, no page.
[[nodiscard]] std::string render_reject_response(std::string_view request_id, bool close);

// Text made safe inside HTML element content and attribute values.
[[nodiscard]] std::string html_escape(std::string_view text);

}  // namespace warden::actions
