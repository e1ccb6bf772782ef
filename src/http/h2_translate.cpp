#include "http/h2_translate.hpp"

#include "http/chars.hpp"

#include <algorithm>

namespace warden::http::h2 {

bool connection_specific(std::string_view n) {
  return n == "connection" || n == "keep-alive" || n == "proxy-connection" ||
         n == "transfer-encoding" || n == "upgrade" || n == "te";
}

namespace {

bool all_of(std::string_view s, bool (*allowed)(char)) {
  for (char c : s)
    if (!allowed(c)) return false;
  return true;
}

}  // namespace

Checked<RequestHead> http1_request_head(const Request& r, const HeadLimits& limits) {
  if (r.method.empty() || r.path.empty())
    return ParseError{400, "an HTTP/2 request without :method or :path"};
  // Each piece is checked on its own before it is joined into text: a CR, LF or space inside
  // one must not be able to make a different head (request smuggling).
  if (!chars::is_token(r.method) || !all_of(r.path, chars::is_target_char) ||
      !all_of(r.authority, chars::is_target_char))
    return ParseError{400, "an HTTP/2 request with an invalid :method, :path or :authority"};
  for (const auto& [name, value] : r.fields)
    if (!chars::is_token(name) || !all_of(value, chars::is_field_value_char))
      return ParseError{400, "an HTTP/2 request with an invalid field"};
  std::string text;
  text.reserve(256);
  text.append(r.method).append(" ").append(r.path).append(" HTTP/1.1\r\n");
  bool host = false;
  if (!r.authority.empty()) {
    text.append("host: ").append(r.authority).append("\r\n");
    host = true;
  }
  std::string cookie;
  for (const auto& [name, value] : r.fields) {
    if (name == "cookie") {
      if (!cookie.empty()) cookie.append("; ");
      cookie.append(value);
      continue;
    }
    if (name == "host") {
      if (host) continue;  // :authority wins (RFC 9113 §8.3.1)
      host = true;
    }
    text.append(name).append(": ").append(value).append("\r\n");
  }
  if (!cookie.empty()) text.append("cookie: ").append(cookie).append("\r\n");
  text.append("\r\n");
  RequestHeadParser parser(limits);
  const ParseResult result = parser.parse(text);
  if (result.status == ParseStatus::Done && result.consumed == text.size()) return parser.take();
  if (result.status == ParseStatus::Invalid) return result.error;
  return ParseError{400, "an HTTP/2 request that is not a valid HTTP request"};
}

Fields upstream_fields(const Request& r, std::string_view forwarded_for,
                       std::span<const std::pair<std::string, std::string>> set) {
  Fields out;
  out.reserve(r.fields.size() + 1 + set.size());
  std::string* xff = nullptr;
  for (const auto& [name, value] : r.fields) {
    if (name == "host" || (connection_specific(name) && !(name == "te" && value == "trailers")))
      continue;  // (TE: trailers is the one TE HTTP/2 allows, and gRPC needs it)
    if (std::any_of(set.begin(), set.end(), [&](const auto& s) { return s.first == name; }))
      continue;
    out.emplace_back(name, value);
    if (name == "x-forwarded-for") xff = &out.back().second;
  }
  if (!forwarded_for.empty()) {
    if (xff != nullptr) {
      xff->append(", ").append(forwarded_for);
    } else {
      out.emplace_back("x-forwarded-for", std::string(forwarded_for));
    }
  }
  out.insert(out.end(), set.begin(), set.end());
  return out;
}

Checked<LocalResponse> local_response(std::string_view http1) {
  ResponseHeadParser parser(HeadLimits{});
  const ParseResult result = parser.parse(http1);
  if (result.status != ParseStatus::Done) return ParseError{500, "not a complete response"};
  const ResponseHead head = parser.take();
  LocalResponse out;
  out.status = head.status();
  for (std::size_t i = 0; i < head.field_count(); ++i) {
    std::string name(head.field(i).name);
    for (char& c : name) c = chars::to_lower(c);
    if (connection_specific(name)) continue;
    out.fields.emplace_back(std::move(name), std::string(head.field(i).value));
  }
  out.body = http1.substr(result.consumed);
  return out;
}

}  // namespace warden::http::h2
