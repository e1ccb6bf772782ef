#pragma once
// The dashboard's HTML (docs/admin.md): one layout with a navigation bar, escaping, tables and
// charts drawn as SVG by the server. No script and nothing from outside: the pages work with no
// internet, and the Content-Security-Policy forbids anything else.

#include "admin/accounts.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace warden::admin {

// Text for HTML content and attribute values.
[[nodiscard]] std::string esc(std::string_view text);

// Who is signed in, for the navigation bar and its sign-out form.
struct Viewer {
  std::string_view user;
  Role role = Role::Viewer;
  std::string_view csrf;
};

// A whole page; `current`: the navigation entry to mark ("now", "activity", ...). `viewer` null:
// the sign-in page (no navigation).
[[nodiscard]] std::string page(std::string_view title, const Viewer* viewer,
                               std::string_view current, std::string_view content);

// A response with the dashboard's security fields (no-store, CSP without scripts, no framing,
// nosniff, no referrer). `fields`: more header lines, each ending in CRLF.
[[nodiscard]] std::string html_response(unsigned status, std::string_view html, bool close,
                                        std::string_view fields = {});
[[nodiscard]] std::string redirect(std::string_view location, bool close,
                                   std::string_view fields = {});
[[nodiscard]] std::string csv_response(std::string_view name, std::string_view csv, bool close);

// Horizontal bars with their labels and values (a top-N list); `unit` singular ("request").
[[nodiscard]] std::string bar_list(const std::vector<std::pair<std::string, std::int64_t>>& rows,
                                   std::string_view unit);
// Columns over time: (label, value) in order, drawn as an SVG chart with a few labels below.
[[nodiscard]] std::string column_chart(
    const std::vector<std::pair<std::string, std::int64_t>>& columns, std::string_view title);

// "2026-12-07 14:03:05" in the machine's local time, from Unix milliseconds.
[[nodiscard]] std::string local_time_ms(std::int64_t ms);
// "1.2 MB", "830 B".
[[nodiscard]] std::string bytes_text(std::int64_t bytes);
// A CSV field, quoted when needed; a leading = + - @ is neutralised (spreadsheet formulas).
[[nodiscard]] std::string csv_field(std::string_view text);

}  // namespace warden::admin
