#include "actions/block_page.hpp"

#include <fmt/format.h>

#include <ctime>

namespace warden::actions {
namespace {

constexpr std::size_t kMaxShownUrl = 300;  // a long query string must not push the rest away

std::string shown_url(const BlockedRequest& r) {
  std::string url = fmt::format("{}://", r.scheme);
  if (r.host.find(':') != std::string_view::npos) {
    url += fmt::format("[{}]", r.host);
  } else {
    url += r.host;
  }
  const std::uint16_t default_port = r.scheme == "https" ? 443 : 80;
  if (r.port != 0 && r.port != default_port) url += fmt::format(":{}", r.port);
  url += r.path;
  if (url.size() > kMaxShownUrl) {
    url.resize(kMaxShownUrl);
    url += "\u2026";  // (a cut UTF-8 sequence is replaced by the browser, never executed)
  }
  return url;
}

std::string local_time(std::chrono::system_clock::time_point when) {
  const std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm tm{};
  ::localtime_r(&t, &tm);
  char out[64];
  const std::size_t n = std::strftime(out, sizeof out, "%Y-%m-%d %H:%M:%S %Z", &tm);
  return std::string(out, n);
}

// No external resource and no script: the Content-Security-Policy below forbids them anyway.
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

std::string html_page(const policy::PageStrings& s, const BlockedRequest& r) {
  std::string page = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
      "<meta name=\"robots\" content=\"noindex\">"
      "<title>{}</title><style>{}</style></head><body><main>"
      "<h1>{}</h1><p>{}</p><p class=\"url\" id=\"blocked-url\">{}</p><dl>",
      html_escape(s.language), html_escape(s.title), kStyle, html_escape(s.heading),
      html_escape(s.explanation), html_escape(shown_url(r)));
  if (!r.category.empty())
    page += fmt::format("<dt>{}</dt><dd id=\"category\">{}</dd>", html_escape(s.category_label),
                        html_escape(r.category));
  page += fmt::format(
      "<dt>{}</dt><dd id=\"rule\">{}</dd><dt>{}</dt><dd id=\"time\">{}</dd>"
      "<dt>{}</dt><dd id=\"request-id\">{}</dd></dl><p class=\"contact\">{}</p>"
      "</main></body></html>\n",
      html_escape(s.rule_label), html_escape(r.rule), html_escape(s.time_label),
      html_escape(local_time(r.when)), html_escape(s.request_label), html_escape(r.request_id),
      html_escape(s.contact));
  return page;
}

std::string text_body(const policy::PageStrings& s, const BlockedRequest& r) {
  std::string body = fmt::format("{}: {}\n", s.heading, shown_url(r));
  if (!r.category.empty()) body += fmt::format("{}: {}\n", s.category_label, r.category);
  body += fmt::format("{}: {}\n{}: {}\n", s.rule_label, r.rule, s.request_label, r.request_id);
  return body;
}

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

PageKind page_kind(std::string_view sec_fetch_dest, std::string_view accept) {
  if (!sec_fetch_dest.empty())
    return sec_fetch_dest == "document" || sec_fetch_dest == "iframe" || sec_fetch_dest == "frame"
               ? PageKind::Html
               : PageKind::Text;
  return accept.find("text/html") != std::string_view::npos ? PageKind::Html : PageKind::Text;
}

std::string render_block_response(const policy::PageStrings& strings, const BlockedRequest& r,
                                  PageKind kind, bool head_only, bool close) {
  const bool html = kind == PageKind::Html;
  const std::string body = html ? html_page(strings, r) : text_body(strings, r);
  std::string out = fmt::format(
      "HTTP/1.1 403 Forbidden\r\n"
      "Content-Type: {}; charset=utf-8\r\n"
      "Content-Length: {}\r\n"
      "Cache-Control: no-store\r\n"
      "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'\r\n"
      "X-Content-Type-Options: nosniff\r\n"
      "Referrer-Policy: no-referrer\r\n"
      "X-Warden-Decision: block\r\n"
      "X-Warden-Request-Id: {}\r\n"
      "{}\r\n",
      html ? "text/html" : "text/plain", body.size(), r.request_id,
      close ? "Connection: close\r\n" : "");
  if (!head_only) out += body;
  return out;
}

std::string render_reject_response(std::string_view request_id, bool close) {
  return fmt::format(
      "HTTP/1.1 403 Forbidden\r\n"
      "Content-Length: 0\r\n"
      "Cache-Control: no-store\r\n"
      "X-Warden-Decision: reject\r\n"
      "X-Warden-Request-Id: {}\r\n"
      "{}\r\n",
      request_id, close ? "Connection: close\r\n" : "");
}

}  // namespace warden::actions
