#pragma once
// Request targets a proxy receives (RFC 9112 §3.2): absolute-form ("http://host:port/path?q")
// for forwarding and authority-form ("host:port") for CONNECT; plus Host header syntax.
// Hosts are lower-cased here once, so policy and forwarding see the same name.

#include "http/parse_result.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace warden::http {

struct Authority {
  std::string host;        // lower case; an IPv6 literal without brackets
  std::uint16_t port = 0;  // 0 when absent
  bool ipv6_literal = false;

  // "host:port" for logs and Host headers, with brackets around IPv6 literals; the port is left
  // out when it equals `default_port`.
  [[nodiscard]] std::string to_string(std::uint16_t default_port = 0) const;
};

struct AbsoluteTarget {
  std::string scheme;   // lower case: "http", "https", "ws"...
  Authority authority;  // port filled in from the scheme when absent
  std::string path;     // origin-form: path and query, "/" when empty
};

// host [":" port], where host is a reg-name, an IPv4 address or "[" IPv6 "]". No userinfo.
[[nodiscard]] Checked<Authority> parse_authority(std::string_view text, bool port_required);

// absolute-URI with an authority; refuses userinfo and fragments.
[[nodiscard]] Checked<AbsoluteTarget> parse_absolute_target(std::string_view target);

}  // namespace warden::http
