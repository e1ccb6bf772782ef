#include "base/cidr.hpp"

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <string>

namespace warden::base {

IpBytes ip_bytes_v4(const std::array<std::uint8_t, 4>& v4) {
  IpBytes out{};
  out[10] = out[11] = 0xff;
  std::copy(v4.begin(), v4.end(), out.begin() + 12);
  return out;
}

std::optional<IpBytes> parse_ip(std::string_view text) {
  // (Asio's parser is the platform's inet_pton; a zone, "fe80::1%eth0", is not an address here.)
  if (text.empty() || text.find('%') != std::string_view::npos) return std::nullopt;
  boost::system::error_code ec;
  const auto a = boost::asio::ip::make_address(std::string(text), ec);
  if (ec) return std::nullopt;
  if (a.is_v4()) return ip_bytes_v4(a.to_v4().to_bytes());
  return a.to_v6().to_bytes();
}

bool is_ipv4_mapped(const IpBytes& ip) {
  return std::all_of(ip.begin(), ip.begin() + 10, [](auto b) { return b == 0; }) &&
         ip[10] == 0xff && ip[11] == 0xff;
}

std::string format_ip(const IpBytes& ip) {
  if (is_ipv4_mapped(ip))
    return boost::asio::ip::address_v4({ip[12], ip[13], ip[14], ip[15]}).to_string();
  return boost::asio::ip::address_v6(ip).to_string();
}

std::optional<std::array<std::uint8_t, 4>> parse_ipv4_any_form(std::string_view text) {
  // As browsers (the URL Standard's IPv4 parser) and inet_aton read it: 1 to 4 numbers, each
  // decimal, octal (leading 0) or hex (0x), the last filling the bytes the others left.
  std::array<std::uint64_t, 4> parts{};
  std::size_t count = 0;
  while (true) {
    const std::size_t dot = text.find('.');
    std::string_view part = text.substr(0, dot);
    if (part.empty() || count == 4) return std::nullopt;
    int base = 10;
    if (part.size() > 1 && part[0] == '0' && (part[1] == 'x' || part[1] == 'X')) {
      base = 16;
      part.remove_prefix(2);
    } else if (part.size() > 1 && part[0] == '0') {
      base = 8;
      part.remove_prefix(1);
    }
    std::uint64_t value = 0;
    if (!part.empty()) {
      const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), value, base);
      if (ec != std::errc() || end != part.data() + part.size()) return std::nullopt;
    }
    parts[count++] = value;
    if (dot == std::string_view::npos) break;
    text.remove_prefix(dot + 1);
  }
  for (std::size_t i = 0; i + 1 < count; ++i)
    if (parts[i] > 255) return std::nullopt;
  const std::uint64_t last = parts[count - 1];
  if (last >= (std::uint64_t{1} << (8 * (5 - count)))) return std::nullopt;
  std::uint32_t value = static_cast<std::uint32_t>(last);
  for (std::size_t i = 0; i + 1 < count; ++i)
    value |= static_cast<std::uint32_t>(parts[i]) << (8 * (3 - i));
  return std::array<std::uint8_t, 4>{
      static_cast<std::uint8_t>(value >> 24), static_cast<std::uint8_t>(value >> 16),
      static_cast<std::uint8_t>(value >> 8), static_cast<std::uint8_t>(value)};
}

std::optional<Cidr> parse_cidr(std::string_view text) {
  const std::size_t slash = text.find('/');
  const std::string_view addr = text.substr(0, slash);
  auto ip = parse_ip(addr);
  if (!ip) return std::nullopt;
  const bool v4 = addr.find(':') == std::string_view::npos;
  unsigned bits = v4 ? 32 : 128;
  if (slash != std::string_view::npos) {
    const std::string_view n = text.substr(slash + 1);
    const auto [end, ec] = std::from_chars(n.data(), n.data() + n.size(), bits);
    if (n.empty() || n.size() > 3 || ec != std::errc() || end != n.data() + n.size() ||
        bits > (v4 ? 32u : 128u))
      return std::nullopt;
  }
  return Cidr{*ip, v4 ? bits + 96 : bits};
}

bool any_contains(const std::vector<Cidr>& blocks, const IpBytes& ip) {
  return std::any_of(blocks.begin(), blocks.end(), [&](const Cidr& c) { return c.contains(ip); });
}

bool Cidr::contains(const IpBytes& ip) const {
  unsigned left = prefix;
  for (std::size_t i = 0; i < 16 && left > 0; ++i) {
    const unsigned take = std::min(left, 8u);
    const auto mask = static_cast<std::uint8_t>(0xff << (8 - take));
    if ((ip[i] & mask) != (address[i] & mask)) return false;
    left -= take;
  }
  return true;
}

}  // namespace warden::base
