#include "admin/html.hpp"

#include "actions/block_page.hpp"
#include "actions/page_parts.hpp"
#include "http/error_response.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace warden::admin {
namespace {

constexpr std::string_view kStyle =
    "*{box-sizing:border-box}body{margin:0;font-family:system-ui,-apple-system,'Segoe UI',"
    "Roboto,sans-serif;background:#f3f4f6;color:#111827;line-height:1.45}"
    "header{background:#1f2937;color:#fff;padding:.5rem 1rem;display:flex;flex-wrap:wrap;"
    "align-items:center;gap:.25rem 1rem}header b{margin-right:1rem}"
    "header a{color:#d1d5db;text-decoration:none;padding:.25rem .1rem}"
    "header a.on{color:#fff;border-bottom:2px solid #60a5fa}"
    "header form{margin-left:auto;display:flex;gap:.5rem;align-items:center;color:#9ca3af}"
    "main{max-width:72rem;margin:1rem auto;padding:0 1rem}"
    "section{background:#fff;border-radius:10px;box-shadow:0 1px 3px rgba(0,0,0,.1);"
    "padding:1rem;margin-bottom:1rem;overflow-x:auto}"
    "h1{font-size:1.4rem;margin:.25rem 0 1rem}h2{font-size:1.1rem;margin:0 0 .75rem}"
    ".cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(10rem,1fr));gap:.75rem}"
    ".card{background:#fff;border-radius:10px;box-shadow:0 1px 3px rgba(0,0,0,.1);"
    "padding:.75rem}.card .n{font-size:1.6rem;font-weight:600}.card .l{color:#4b5563;"
    "font-size:.9rem}"
    "table{border-collapse:collapse;width:100%;font-size:.9rem}"
    "th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #e5e7eb;"
    "vertical-align:top}th{color:#374151;background:#f9fafb}"
    "td.u{font-family:ui-monospace,monospace;overflow-wrap:anywhere;max-width:28rem}"
    ".block{color:#b91c1c;font-weight:600}.allow{color:#047857}"
    "form.f{display:flex;flex-wrap:wrap;gap:.5rem;align-items:flex-end}"
    "form.f label{display:flex;flex-direction:column;font-size:.8rem;color:#4b5563}"
    "input,select,button,textarea{font:inherit;padding:.35rem .5rem;border:1px solid #d1d5db;"
    "border-radius:6px}button{background:#2563eb;color:#fff;border-color:#2563eb;"
    "cursor:pointer}button.q{background:#fff;color:#374151;border-color:#d1d5db}"
    ".bar{display:grid;grid-template-columns:minmax(8rem,16rem) 1fr 5rem;gap:.5rem;"
    "align-items:center;font-size:.9rem;margin:.15rem 0}.bar span{overflow-wrap:anywhere}"
    ".bar i{display:block;height:.8rem;background:#60a5fa;border-radius:3px}"
    ".bar em{font-style:normal;text-align:right;color:#374151}"
    ".muted{color:#6b7280}.warn{background:#fef3c7;padding:.5rem;border-radius:6px}"
    ".err{background:#fee2e2;padding:.5rem;border-radius:6px}"
    ".login{max-width:22rem;margin:12vh auto}.login label{display:block;margin:.5rem 0}"
    ".login input{width:100%}"
    "@media (max-width:40rem){.bar{grid-template-columns:1fr 4rem}.bar i{display:none}"
    "header form span{display:none}}";

struct NavEntry {
  std::string_view key, href, label;
  Role least;
};

constexpr NavEntry kNav[] = {{"now", "/", "Now", Role::Viewer},
                             {"activity", "/activity", "Activity", Role::Viewer},
                             {"reports", "/reports", "Reports", Role::Viewer},
                             {"alerts", "/alerts", "Alerts", Role::Safeguarding},
                             {"policy", "/policy", "Policy", Role::Viewer}};

bool may(Role who, Role least) {
  if (least == Role::Viewer) return true;
  if (least == Role::Safeguarding) return who == Role::Safeguarding || who == Role::Admin;
  return who == Role::Admin;
}

constexpr std::string_view kSecurityFields =
    "Cache-Control: no-store\r\n"
    "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; img-src 'self' "
    "data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'\r\n"
    "X-Frame-Options: DENY\r\nX-Content-Type-Options: nosniff\r\n"
    // (not no-referrer: then a browser's form posts say "Origin: null", and same_origin() in
    // dashboard.cpp could no longer tell the dashboard's own forms from another site's)
    "Referrer-Policy: same-origin\r\n";

}  // namespace

std::string esc(std::string_view text) { return actions::html_escape(text); }

std::string page(std::string_view title, const Viewer* viewer, std::string_view current,
                 std::string_view content) {
  std::string out = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
      "<meta name=\"robots\" content=\"noindex\"><title>{} \u2014 Warden</title>"
      "<style>{}</style></head><body>",
      esc(title), kStyle);
  if (viewer != nullptr) {
    out += "<header><b>Warden</b>";
    for (const NavEntry& e : kNav)
      if (may(viewer->role, e.least))
        out += fmt::format("<a href=\"{}\"{}>{}</a>", e.href,
                           e.key == current ? " class=\"on\"" : "", e.label);
    out += fmt::format(
        "<form method=\"post\" action=\"/logout\"><span>{} ({})</span>"
        "<input type=\"hidden\" name=\"csrf\" value=\"{}\"><button class=\"q\">Sign out</button>"
        "</form></header>",
        esc(viewer->user), role_name(viewer->role), esc(viewer->csrf));
  }
  out += "<main>";
  out += content;
  out += "</main></body></html>\n";
  return out;
}

std::string html_response(unsigned status, std::string_view html, bool close,
                          std::string_view fields) {
  return fmt::format(
      "HTTP/1.1 {} {}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n{}{}{}"
      "\r\n{}",
      status, http::reason_phrase(status), html.size(), kSecurityFields, fields,
      close ? "Connection: close\r\n" : "", html);
}

std::string redirect(std::string_view location, bool close, std::string_view fields) {
  return fmt::format("HTTP/1.1 303 See Other\r\nLocation: {}\r\nContent-Length: 0\r\n{}{}{}\r\n",
                     location, kSecurityFields, fields, close ? "Connection: close\r\n" : "");
}

std::string csv_response(std::string_view name, std::string_view csv, bool close) {
  return fmt::format(
      "HTTP/1.1 200 OK\r\nContent-Type: text/csv; charset=utf-8\r\nContent-Length: {}\r\n"
      "Content-Disposition: attachment; filename=\"{}\"\r\n{}{}\r\n{}",
      csv.size(), name, kSecurityFields, close ? "Connection: close\r\n" : "", csv);
}

std::string bar_list(const std::vector<std::pair<std::string, std::int64_t>>& rows,
                     std::string_view unit) {
  if (rows.empty()) return "<p class=\"muted\">Nothing in this period.</p>";
  std::int64_t most = 1;
  for (const auto& r : rows) most = std::max(most, r.second);
  std::string out;
  for (const auto& [label, value] : rows)
    out += fmt::format(
        "<div class=\"bar\"><span>{}</span><i style=\"width:{}%\"></i><em>{} {}{}</em></div>",
        esc(label), std::max<std::int64_t>(1, value * 100 / most), value, unit,
        value == 1 || unit.empty() ? "" : "s");
  return out;
}

std::string column_chart(const std::vector<std::pair<std::string, std::int64_t>>& columns,
                         std::string_view title) {
  if (columns.empty()) return "<p class=\"muted\">Nothing in this period.</p>";
  constexpr int kWidth = 720;
  constexpr int kHeight = 160;
  std::int64_t most = 1;
  for (const auto& c : columns) most = std::max(most, c.second);
  const double step = static_cast<double>(kWidth) / static_cast<double>(columns.size());
  std::string out = fmt::format(
      "<svg viewBox=\"0 0 {} {}\" width=\"100%\" role=\"img\" aria-label=\"{}\" "
      "xmlns=\"http://www.w3.org/2000/svg\"><title>{}</title>",
      kWidth, kHeight + 20, esc(title), esc(title));
  const double width = std::clamp(step - 2, 1.0, 40.0);  // one column is not a wall of red
  out += fmt::format("<line x1=\"0\" y1=\"{0}\" x2=\"{1}\" y2=\"{0}\" stroke=\"#9ca3af\"/>",
                     kHeight, kWidth);
  for (std::size_t i = 0; i < columns.size(); ++i) {
    const double h =
        static_cast<double>(columns[i].second) * (kHeight - 20) / static_cast<double>(most);
    out += fmt::format(
        "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"#ef4444\">"
        "<title>{}: {}</title></rect>",
        static_cast<double>(i) * step + (step - width) / 2, kHeight - h, width, h,
        esc(columns[i].first), columns[i].second);
  }
  const std::size_t every = std::max<std::size_t>(1, columns.size() / 6);
  for (std::size_t i = 0; i < columns.size(); i += every)
    out += fmt::format("<text x=\"{:.1f}\" y=\"{}\" font-size=\"11\" fill=\"#4b5563\">{}</text>",
                       static_cast<double>(i) * step + 1, kHeight + 15, esc(columns[i].first));
  out += fmt::format(
      "<text x=\"2\" y=\"10\" font-size=\"11\" fill=\"#4b5563\">most in an "
      "hour: {}</text></svg>",
      most);
  return out;
}

std::string local_time_ms(std::int64_t ms) {
  const std::string text = actions::local_time(std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::milliseconds(ms))));
  return text.substr(0, std::min<std::size_t>(text.size(), 19));  // without the zone
}

std::string bytes_text(std::int64_t bytes) {
  const auto b = static_cast<double>(bytes);
  if (bytes >= 1'000'000'000) return fmt::format("{:.1f} GB", b / 1e9);
  if (bytes >= 1'000'000) return fmt::format("{:.1f} MB", b / 1e6);
  if (bytes >= 1'000) return fmt::format("{:.1f} kB", b / 1e3);
  return fmt::format("{} B", bytes);
}

std::string csv_field(std::string_view text) {
  std::string value(text);
  if (!value.empty() && std::string_view("=+-@\t\r").find(value.front()) != std::string::npos)
    value.insert(0, "'");
  // (';' and tab too: spreadsheets in many locales split cells on them)
  if (value.find_first_of(",;\t\"\r\n") == std::string::npos) return value;
  std::string out = "\"";
  for (const char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace warden::admin
