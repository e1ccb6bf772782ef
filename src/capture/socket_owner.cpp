#include "capture/socket_owner.hpp"

#include <fmt/format.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

namespace warden::capture {
namespace {

// How /proc/net/tcp{,6} writes an address: 32-bit words in host byte order, as hex, then
// ":PORT" in hex. IPv4 clients of IPv6 sockets appear in tcp6 as ::ffff:a.b.c.d.
std::string proc_address(const net::asio::ip::address& a, std::uint16_t port, bool v6_table) {
  std::uint8_t bytes[16] = {};
  std::size_t n = 16;
  if (a.is_v4() && !v6_table) {
    const auto b = a.to_v4().to_bytes();
    std::memcpy(bytes, b.data(), 4);
    n = 4;
  } else {
    const auto v6 =
        a.is_v4() ? net::asio::ip::make_address_v6(net::asio::ip::v4_mapped, a.to_v4()) : a.to_v6();
    const auto b = v6.to_bytes();
    std::memcpy(bytes, b.data(), 16);
  }
  std::string out;
  for (std::size_t w = 0; w < n; w += 4) {
    std::uint32_t word = 0;
    std::memcpy(&word, bytes + w, 4);
    out += fmt::format("{:08X}", word);
  }
  return out + fmt::format(":{:04X}", port);
}

std::optional<std::uint32_t> find_in(const char* table, const std::string& local,
                                     const std::string& remote) {
  std::ifstream in(table);
  std::string line;
  std::getline(in, line);  // the header
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string slot, l, r, state, queues, timer, retransmits;
    std::uint32_t uid = 0;
    if (!(fields >> slot >> l >> r >> state >> queues >> timer >> retransmits >> uid)) continue;
    if (l == local && r == remote) return uid;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::uint32_t> local_socket_owner(const net::tcp::endpoint& client,
                                                const net::tcp::endpoint& remote) {
  if (client.address().is_v4() && remote.address().is_v4())
    if (auto uid = find_in("/proc/net/tcp", proc_address(client.address(), client.port(), false),
                           proc_address(remote.address(), remote.port(), false)))
      return uid;
  return find_in("/proc/net/tcp6", proc_address(client.address(), client.port(), true),
                 proc_address(remote.address(), remote.port(), true));
}

}  // namespace warden::capture
