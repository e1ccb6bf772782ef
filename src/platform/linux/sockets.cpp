#include "platform/sockets.hpp"

#include <cerrno>
#include <cstring>
#include <ifaddrs.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6/ip6_tables.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace warden::platform {
namespace {

error_code last_error() { return {errno, boost::system::system_category()}; }

Transfer outcome(ssize_t n) {
  if (n > 0) return {static_cast<std::size_t>(n), Transfer::Status::Done};
  if (n == 0) return {0, Transfer::Status::Closed};
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
    return {0, Transfer::Status::WouldBlock};
  return {0, Transfer::Status::Failed};
}

error_code set_int(NativeSocket s, int level, int name, int value) {
  if (::setsockopt(s, level, name, &value, sizeof value) != 0) return last_error();
  return {};
}

}  // namespace

Transfer receive_now(NativeSocket s, char* out, std::size_t size) {
  return outcome(::recv(s, out, size, MSG_DONTWAIT));
}

Transfer send_now(NativeSocket s, const char* in, std::size_t size) {
  const Transfer t = outcome(::send(s, in, size, MSG_NOSIGNAL | MSG_DONTWAIT));
  return t.status == Transfer::Status::Closed ? Transfer{0, Transfer::Status::Done} : t;
}

Pending pending_input(NativeSocket s) {
  char byte;
  const ssize_t n = ::recv(s, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n > 0) return Pending::Data;
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return Pending::Nothing;
  return Pending::Closed;
}

void reset_on_close(NativeSocket s) {
  const linger l{1, 0};
  (void)::setsockopt(s, SOL_SOCKET, SO_LINGER, &l, sizeof l);
}

error_code set_socket_mark(NativeSocket s, std::uint32_t mark) {
  return set_int(s, SOL_SOCKET, SO_MARK, static_cast<int>(mark));
}

error_code exclusive_address_use(NativeSocket) { return {}; }

error_code share_listening_port(NativeSocket s) { return set_int(s, SOL_SOCKET, SO_REUSEPORT, 1); }

error_code accept_any_address(NativeSocket s, bool v6, bool dual_stack) {
  // A dual-stack listener needs both: IPv4 packets are matched by IP_TRANSPARENT.
  if (v6)
    if (auto ec = set_int(s, SOL_IPV6, IPV6_TRANSPARENT, 1)) return ec;
  if (!v6 || dual_stack) return set_int(s, SOL_IP, IP_TRANSPARENT, 1);
  return {};
}

std::optional<boost::asio::ip::tcp::endpoint> nat_original_destination(NativeSocket s, bool v6) {
  namespace ip = boost::asio::ip;
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (!v6) {
    if (::getsockopt(s, SOL_IP, SO_ORIGINAL_DST, &ss, &len) != 0 || ss.ss_family != AF_INET)
      return std::nullopt;
    sockaddr_in sin{};
    std::memcpy(&sin, &ss, sizeof sin);
    ip::address_v4::bytes_type b{};
    std::memcpy(b.data(), &sin.sin_addr, 4);
    return ip::tcp::endpoint(ip::address_v4(b), ntohs(sin.sin_port));
  }
  if (::getsockopt(s, SOL_IPV6, IP6T_SO_ORIGINAL_DST, &ss, &len) != 0 || ss.ss_family != AF_INET6)
    return std::nullopt;
  sockaddr_in6 sin6{};
  std::memcpy(&sin6, &ss, sizeof sin6);
  ip::address_v6::bytes_type b{};
  std::memcpy(b.data(), &sin6.sin6_addr, 16);
  return ip::tcp::endpoint(ip::address_v6(b), ntohs(sin6.sin6_port));
}

std::vector<base::IpBytes> interface_addresses() {
  std::vector<base::IpBytes> out;
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return out;
  for (const ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
    if (i->ifa_addr == nullptr) continue;
    if (i->ifa_addr->sa_family == AF_INET) {
      sockaddr_in sin{};
      std::memcpy(&sin, i->ifa_addr, sizeof sin);
      std::array<std::uint8_t, 4> b{};
      std::memcpy(b.data(), &sin.sin_addr, 4);
      out.push_back(base::ip_bytes_v4(b));
    } else if (i->ifa_addr->sa_family == AF_INET6) {
      sockaddr_in6 sin6{};
      std::memcpy(&sin6, i->ifa_addr, sizeof sin6);
      base::IpBytes b{};
      std::memcpy(b.data(), &sin6.sin6_addr, 16);
      out.push_back(b);
    }
  }
  ::freeifaddrs(list);
  return out;
}

}  // namespace warden::platform
