#include "http/target.hpp"

#include "base/cidr.hpp"
#include "http/chars.hpp"

#include <charconv>

namespace warden::http {

std::string Authority::to_string(std::uint16_t default_port) const {
  std::string s;
  s.reserve(host.size() + 8);
  if (ipv6_literal) s += '[';
  s += host;
  if (ipv6_literal) s += ']';
  if (port != 0 && port != default_port) {
    s += ':';
    s += std::to_string(port);
  }
  return s;
}

namespace {

bool parse_port(std::string_view digits, std::uint16_t& port) {
  if (digits.empty() || digits.size() > 5) return false;
  unsigned value = 0;
  for (char c : digits) {
    if (!chars::is_digit(c)) return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value == 0 || value > 65535) return false;
  port = static_cast<std::uint16_t>(value);
  return true;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = chars::to_lower(c);
  return out;
}

}  // namespace

Checked<Authority> parse_authority(std::string_view text, bool port_required) {
  Authority a;
  std::string_view rest;
  if (text.empty()) return ParseError{400, "empty host"};
  if (text.front() == '[') {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos) return ParseError{400, "unterminated IPv6 literal"};
    const std::string addr(text.substr(1, close - 1));
    const auto bin = base::parse_ip(addr);
    if (!bin || addr.find(':') == std::string::npos) return ParseError{400, "invalid IPv6 literal"};
    a.host = lower(addr);
    a.ipv6_literal = true;
    rest = text.substr(close + 1);
  } else {
    const std::size_t colon = text.rfind(':');
    const std::string_view host = text.substr(0, colon);
    rest = colon == std::string_view::npos ? std::string_view{} : text.substr(colon);
    if (host.empty()) return ParseError{400, "empty host"};
    if (host.size() > 253 + 1) return ParseError{400, "host name too long"};
    for (char c : host)
      if (!chars::is_reg_name_char(c)) return ParseError{400, "invalid character in host"};
    a.host = lower(host);
  }
  if (!rest.empty()) {
    if (rest.front() != ':' || !parse_port(rest.substr(1), a.port))
      return ParseError{400, "invalid port"};
  } else if (port_required) {
    return ParseError{400, "port required"};
  }
  return a;
}

Checked<AbsoluteTarget> parse_absolute_target(std::string_view target) {
  const std::size_t colon = target.find("://");
  if (colon == std::string_view::npos || colon == 0) return ParseError{400, "not an absolute URI"};
  AbsoluteTarget t;
  t.scheme = lower(target.substr(0, colon));
  for (char c : t.scheme)
    if (!(chars::is_tchar(c) && c != '*')) return ParseError{400, "invalid scheme"};
  std::string_view rest = target.substr(colon + 3);
  const std::size_t path_start = rest.find_first_of("/?");
  const std::string_view authority = rest.substr(0, path_start);
  if (authority.find('@') != std::string_view::npos)
    return ParseError{400, "userinfo in the request target"};
  auto a = parse_authority(authority, false);
  if (!a) return a.error();
  t.authority = std::move(*a);
  if (t.authority.port == 0) {
    if (t.scheme == "http" || t.scheme == "ws")
      t.authority.port = 80;
    else if (t.scheme == "https" || t.scheme == "wss")
      t.authority.port = 443;
  }
  if (path_start == std::string_view::npos) {
    t.path.push_back('/');
  } else {
    const std::string_view path = rest.substr(path_start);
    if (path.front() == '?') t.path.push_back('/');  // "http://a?q" means "/?q"
    t.path.append(path);
  }
  return t;
}

}  // namespace warden::http
