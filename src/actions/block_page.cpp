#include "actions/block_page.hpp"

#include "actions/page_parts.hpp"

#include <fmt/format.h>

namespace warden::actions {
namespace {

std::string shown_url(const BlockedRequest& r) {
  return actions::shown_url(r.scheme, r.host, r.port, r.path);
}

std::string html_page(const policy::PageStrings& s, const BlockedRequest& r) {
  std::string page = page_start(s.language, s.title);
  page +=
      fmt::format("<h1>{}</h1><p>{}</p><p class=\"url\" id=\"blocked-url\">{}</p><dl>",
                  html_escape(s.heading), html_escape(s.explanation), html_escape(shown_url(r)));
  if (!r.category.empty())
    page += fmt::format("<dt>{}</dt><dd id=\"category\">{}</dd>", html_escape(s.category_label),
                        html_escape(r.category));
  if (!r.user.empty())
    page += fmt::format("<dt>{}</dt><dd id=\"user\">{}</dd>", html_escape(s.user_label),
                        html_escape(r.user));
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
  if (!r.user.empty()) body += fmt::format("{}: {}\n", s.user_label, r.user);
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
  return page_response(
      403, html ? "text/html" : "text/plain",
      fmt::format("X-Warden-Decision: block\r\nX-Warden-Request-Id: {}\r\n", r.request_id),
      html ? html_page(strings, r) : text_body(strings, r), close, head_only);
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
