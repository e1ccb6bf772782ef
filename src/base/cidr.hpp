#pragma once
// IP addresses and CIDR blocks as 16 bytes, IPv4 in its IPv4-mapped IPv6 form (::ffff:a.b.c.d),
// so one comparison serves both families and "::ffff:127.0.0.1" is the same address as
// "127.0.0.1". Used by policy groups, capture exceptions and the destination deny-list.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace warden::base {

using IpBytes = std::array<std::uint8_t, 16>;

struct Cidr {
  IpBytes address{};    // IPv4 as IPv4-mapped IPv6
  unsigned prefix = 0;  // in IPv6 bits
  [[nodiscard]] bool contains(const IpBytes& ip) const;
};

// Whether one of `blocks` contains `ip`.
[[nodiscard]] bool any_contains(const std::vector<Cidr>& blocks, const IpBytes& ip);

// "192.0.2.0/24", "2001:db8::/32", or an address alone (a /32 or /128).
[[nodiscard]] std::optional<Cidr> parse_cidr(std::string_view text);
// An address in the IPv4-mapped IPv6 form Cidr uses; nullopt if not an IP literal.
[[nodiscard]] std::optional<IpBytes> parse_ip(std::string_view text);
// An IPv4 address in any form a browser resolves: "127.0.0.1", "127.1", "2130706433",
// "0x7f.1", "0177.0.0.1" (the URL Standard's IPv4 parser, as inet_aton reads them).
[[nodiscard]] std::optional<std::array<std::uint8_t, 4>> parse_ipv4_any_form(std::string_view text);
// Whether `ip` is an IPv4 address (::ffff:a.b.c.d).
[[nodiscard]] bool is_ipv4_mapped(const IpBytes& ip);
// The text form: dotted quad for IPv4 (and IPv4-mapped), RFC 5952 for IPv6.
[[nodiscard]] std::string format_ip(const IpBytes& ip);
// The same from raw bytes: 4 (IPv4) or 16 (IPv6).
[[nodiscard]] IpBytes ip_bytes_v4(const std::array<std::uint8_t, 4>& v4);

}  // namespace warden::base
