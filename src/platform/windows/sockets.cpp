#include "platform/sockets.hpp"

#include <winsock2.h>
#include <ws2tcpip.h>
// (after winsock2.h)
#include <cstring>
#include <iphlpapi.h>

namespace warden::platform {
namespace {

error_code not_supported() { return boost::asio::error::operation_not_supported; }

int clamp(std::size_t size) { return static_cast<int>(std::min<std::size_t>(size, 1 << 30)); }

Transfer outcome(int n) {
  if (n > 0) return {static_cast<std::size_t>(n), Transfer::Status::Done};
  if (n == 0) return {0, Transfer::Status::Closed};
  const int e = ::WSAGetLastError();
  if (e == WSAEWOULDBLOCK || e == WSAEINTR) return {0, Transfer::Status::WouldBlock};
  return {0, Transfer::Status::Failed};
}

}  // namespace

// (Asio makes the socket non-blocking, FIONBIO; Windows raises no SIGPIPE.)
Transfer receive_now(NativeSocket s, char* out, std::size_t size) {
  return outcome(::recv(s, out, clamp(size), 0));
}

Transfer send_now(NativeSocket s, const char* in, std::size_t size) {
  const Transfer t = outcome(::send(s, in, clamp(size), 0));
  return t.status == Transfer::Status::Closed ? Transfer{0, Transfer::Status::Done} : t;
}

Pending pending_input(NativeSocket s) {
  char byte;
  const int n = ::recv(s, &byte, 1, MSG_PEEK);
  if (n > 0) return Pending::Data;
  if (n < 0 && ::WSAGetLastError() == WSAEWOULDBLOCK) return Pending::Nothing;
  return Pending::Closed;
}

void reset_on_close(NativeSocket s) {
  const linger l{1, 0};
  (void)::setsockopt(s, SOL_SOCKET, SO_LINGER, reinterpret_cast<const char*>(&l), sizeof l);
}

error_code set_socket_mark(NativeSocket, std::uint32_t) { return not_supported(); }

error_code exclusive_address_use(NativeSocket s) {
  const BOOL on = TRUE;
  if (::setsockopt(s, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, reinterpret_cast<const char*>(&on),
                   sizeof on) != 0)
    return error_code(::WSAGetLastError(), boost::system::system_category());
  return {};
}
error_code share_listening_port(NativeSocket) { return not_supported(); }
error_code accept_any_address(NativeSocket, bool, bool) { return not_supported(); }

std::optional<boost::asio::ip::tcp::endpoint> nat_original_destination(NativeSocket, bool) {
  return std::nullopt;
}

std::vector<base::IpBytes> interface_addresses() {
  std::vector<base::IpBytes> out;
  ULONG size = 16 * 1024;
  std::vector<unsigned char> buffer;
  ULONG rc = ERROR_BUFFER_OVERFLOW;
  for (int attempt = 0; attempt < 3 && rc == ERROR_BUFFER_OVERFLOW; ++attempt) {
    buffer.resize(size);
    rc = ::GetAdaptersAddresses(
        AF_UNSPEC, GAA_FLAG_SKIP_ANYCAST | GAA_FLAG_SKIP_MULTICAST | GAA_FLAG_SKIP_DNS_SERVER,
        nullptr, reinterpret_cast<IP_ADAPTER_ADDRESSES*>(buffer.data()), &size);
  }
  if (rc != NO_ERROR) return out;
  for (auto* a = reinterpret_cast<IP_ADAPTER_ADDRESSES*>(buffer.data()); a != nullptr;
       a = a->Next) {
    for (auto* u = a->FirstUnicastAddress; u != nullptr; u = u->Next) {
      const sockaddr* sa = u->Address.lpSockaddr;
      if (sa->sa_family == AF_INET) {
        sockaddr_in sin{};
        std::memcpy(&sin, sa, sizeof sin);
        std::array<std::uint8_t, 4> b{};
        std::memcpy(b.data(), &sin.sin_addr, 4);
        out.push_back(base::ip_bytes_v4(b));
      } else if (sa->sa_family == AF_INET6) {
        sockaddr_in6 sin6{};
        std::memcpy(&sin6, sa, sizeof sin6);
        base::IpBytes b{};
        std::memcpy(b.data(), &sin6.sin6_addr, 16);
        out.push_back(b);
      }
    }
  }
  // Loopback is not always listed: it is this host's all the same.
  out.push_back(*base::parse_ip("127.0.0.1"));
  out.push_back(*base::parse_ip("::1"));
  return out;
}

}  // namespace warden::platform
