#include "capture/original_destination.hpp"

#include <cstring>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6/ip6_tables.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace warden::capture {
net::tcp::endpoint unmapped(const net::tcp::endpoint& e) {
  const auto a = e.address();
  if (a.is_v6() && a.to_v6().is_v4_mapped())
    return {net::asio::ip::make_address_v4(net::asio::ip::v4_mapped, a.to_v6()), e.port()};
  return e;
}

std::optional<net::tcp::endpoint> original_destination(int fd, CaptureMode mode,
                                                       const net::tcp::endpoint& local) {
  if (mode == CaptureMode::Explicit) return std::nullopt;
  const net::tcp::endpoint here = unmapped(local);
  if (mode == CaptureMode::Tproxy) return here;
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (here.address().is_v4()) {
    if (::getsockopt(fd, SOL_IP, SO_ORIGINAL_DST, &ss, &len) != 0 || ss.ss_family != AF_INET)
      return std::nullopt;
    sockaddr_in sin{};
    std::memcpy(&sin, &ss, sizeof sin);
    net::asio::ip::address_v4::bytes_type b{};
    std::memcpy(b.data(), &sin.sin_addr, 4);
    const net::tcp::endpoint original(net::asio::ip::address_v4(b), ntohs(sin.sin_port));
    if (original == here) return std::nullopt;
    return original;
  }
  if (::getsockopt(fd, SOL_IPV6, IP6T_SO_ORIGINAL_DST, &ss, &len) != 0 || ss.ss_family != AF_INET6)
    return std::nullopt;
  sockaddr_in6 sin6{};
  std::memcpy(&sin6, &ss, sizeof sin6);
  net::asio::ip::address_v6::bytes_type b{};
  std::memcpy(b.data(), &sin6.sin6_addr, 16);
  const net::tcp::endpoint original(net::asio::ip::address_v6(b), ntohs(sin6.sin6_port));
  if (original == here) return std::nullopt;
  return original;
}

}  // namespace warden::capture
