#include "platform/sockets.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace warden::platform {
namespace asio = boost::asio;
namespace {

// One NETLINK_SOCK_DIAG socket per worker thread, opened on first use. An exact lookup (no
// dump) costs the kernel one hash-table probe, whatever the number of sockets (reading
// /proc/net/tcp cost a formatted line per socket, milliseconds with many in TIME_WAIT).
class DiagSocket {
 public:
  DiagSocket() : fd_(::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG)) {}
  ~DiagSocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  DiagSocket(const DiagSocket&) = delete;
  DiagSocket& operator=(const DiagSocket&) = delete;
  [[nodiscard]] int fd() const { return fd_; }

 private:
  int fd_;
};

void put_address(const asio::ip::address& a, bool v6, std::uint32_t (&out)[4]) {
  std::memset(out, 0, sizeof out);
  if (!v6) {
    const auto b = a.to_v4().to_bytes();
    std::memcpy(out, b.data(), 4);
    return;
  }
  const auto b = (a.is_v4() ? asio::ip::make_address_v6(asio::ip::v4_mapped, a.to_v4()) : a.to_v6())
                     .to_bytes();
  std::memcpy(out, b.data(), 16);
}

// The uid of the TCP socket client -> remote in `family`'s table, if there is one.
std::optional<std::uint32_t> lookup(int fd, int family, const asio::ip::tcp::endpoint& client,
                                    const asio::ip::tcp::endpoint& remote) {
  struct {
    nlmsghdr header;
    inet_diag_req_v2 request;
  } message{};
  message.header.nlmsg_len = sizeof message;
  message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  message.header.nlmsg_flags = NLM_F_REQUEST;
  message.request.sdiag_family = static_cast<std::uint8_t>(family);
  message.request.sdiag_protocol = IPPROTO_TCP;
  message.request.idiag_states = ~0u;
  inet_diag_sockid& id = message.request.id;
  id.idiag_sport = htons(client.port());
  id.idiag_dport = htons(remote.port());
  put_address(client.address(), family == AF_INET6, id.idiag_src);
  put_address(remote.address(), family == AF_INET6, id.idiag_dst);
  id.idiag_cookie[0] = id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
  if (::send(fd, &message, sizeof message, 0) < 0) return std::nullopt;
  alignas(nlmsghdr) std::array<char, 1024> reply{};
  const ssize_t n = ::recv(fd, reply.data(), reply.size(), 0);
  if (n < static_cast<ssize_t>(sizeof(nlmsghdr))) return std::nullopt;
  nlmsghdr header{};
  std::memcpy(&header, reply.data(), sizeof header);
  if (header.nlmsg_type != SOCK_DIAG_BY_FAMILY ||
      static_cast<std::size_t>(n) < NLMSG_LENGTH(sizeof(inet_diag_msg)))
    return std::nullopt;  // NLMSG_ERROR: no such socket
  inet_diag_msg diag{};
  std::memcpy(&diag, reply.data() + NLMSG_HDRLEN, sizeof diag);
  return diag.idiag_uid;
}

}  // namespace

std::optional<std::uint32_t> local_socket_owner(const asio::ip::tcp::endpoint& client,
                                                const asio::ip::tcp::endpoint& remote) {
  thread_local const DiagSocket diag;
  if (diag.fd() < 0) return std::nullopt;
  // IPv4 clients use AF_INET sockets, or AF_INET6 ones with IPv4-mapped addresses.
  if (client.address().is_v4() && remote.address().is_v4())
    if (auto uid = lookup(diag.fd(), AF_INET, client, remote)) return uid;
  return lookup(diag.fd(), AF_INET6, client, remote);
}

}  // namespace warden::platform
