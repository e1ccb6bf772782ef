#include "actions/page_parts.hpp"

#include "actions/block_page.hpp"
#include "http/error_response.hpp"
#include "platform/os.hpp"

#include <fmt/format.h>

#include <ctime>

namespace warden::actions {

namespace {

constexpr std::size_t kMaxShownUrl = 300;  // a long query string must not push the rest away

// No external resource and no script: the Content-Security-Policy forbids them anyway.
constexpr std::string_view kStyle =
    "body{margin:0;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
    "background:#f3f4f6;color:#111827;line-height:1.5}"
    "main{max-width:36rem;margin:8vh auto;padding:1.5rem;background:#fff;border-radius:12px;"
    "box-shadow:0 1px 4px rgba(0,0,0,.12);border-top:6px solid #b91c1c}"
    "h1{font-size:1.5rem;margin:0 0 .5rem}"
    "p{margin:.5rem 0}"
    ".url{font-family:ui-monospace,monospace;font-size:.95rem;background:#f9fafb;padding:.5rem;"
    "border-radius:6px;overflow-wrap:anywhere}"
    "dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:1rem 0}"
    "dt{color:#4b5563}dd{margin:0;overflow-wrap:anywhere}"
    ".contact{border-top:1px solid #e5e7eb;padding-top:.75rem;color:#374151}"
    "@media (max-width:30rem){main{margin:0;border-radius:0;min-height:100vh}"
    "dl{grid-template-columns:1fr}dd{margin-bottom:.5rem}}";

}  // namespace

std::string page_start(std::string_view language, std::string_view title) {
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
      "<meta name=\"robots\" content=\"noindex\">"
      "<title>{}</title><style>{}</style></head><body><main>",
      html_escape(language), html_escape(title), kStyle);
}

std::string page_response(unsigned status, std::string_view content_type,
                          std::string_view warden_fields, std::string_view body, bool close,
                          bool head_only) {
  std::string out = fmt::format(
      "HTTP/1.1 {} {}\r\n"
      "Content-Type: {}; charset=utf-8\r\n"
      "Content-Length: {}\r\n"
      "Cache-Control: no-store\r\n"
      "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'\r\n"
      "X-Content-Type-Options: nosniff\r\n"
      "Referrer-Policy: no-referrer\r\n"
      "{}{}\r\n",
      status, http::reason_phrase(status), content_type, body.size(), warden_fields,
      close ? "Connection: close\r\n" : "");
  if (!head_only) out += body;
  return out;
}

std::string shown_url(std::string_view scheme, std::string_view host, std::uint16_t port,
                      std::string_view path) {
  std::string url = fmt::format("{}://", scheme);
  if (host.find(':') != std::string_view::npos) {
    url += fmt::format("[{}]", host);
  } else {
    url += host;
  }
  const std::uint16_t default_port = scheme == "https" ? 443 : 80;
  if (port != 0 && port != default_port) url += fmt::format(":{}", port);
  url += path;
  if (url.size() > kMaxShownUrl) {
    url.resize(kMaxShownUrl);
    url += "\u2026";  // (a cut UTF-8 sequence is replaced by the browser, never executed)
  }
  return url;
}

std::string local_time(std::chrono::system_clock::time_point when) {
  const std::time_t t = std::chrono::system_clock::to_time_t(when);
  const std::tm tm = platform::local_time(t);
  char out[64];
  const std::size_t n = std::strftime(out, sizeof out, "%Y-%m-%d %H:%M:%S %Z", &tm);
  return std::string(out, n);
}

}  // namespace warden::actions
