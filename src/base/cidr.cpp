#include "base/cidr.hpp"

#include <algorithm>
#include <arpa/inet.h>
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
  const std::string s(text);
  std::array<std::uint8_t, 4> a4{};
  if (::inet_pton(AF_INET, s.c_str(), a4.data()) == 1) return ip_bytes_v4(a4);
  IpBytes a6{};
  if (::inet_pton(AF_INET6, s.c_str(), a6.data()) == 1) return a6;
  return std::nullopt;
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
