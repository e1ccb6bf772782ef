#pragma once
// The socket calls Warden makes beside Asio's, for the target OS (platform/linux/sockets.cpp,
// platform/windows/sockets.cpp). Handles are Asio's native ones. Errors come back as values;
// what an OS cannot do says so (operation_not_supported) instead of pretending.

#include "base/cidr.hpp"

#include <boost/asio/ip/tcp.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace warden::platform {

using NativeSocket = boost::asio::ip::tcp::socket::native_handle_type;
using boost::system::error_code;

// The result of a non-blocking receive or send.
struct Transfer {
  enum class Status : std::uint8_t { Done, WouldBlock, Closed, Failed };
  std::size_t bytes = 0;  // Done: how many
  Status status = Status::Failed;
};

// recv() / send() now, never blocking (the socket is non-blocking) and never raising SIGPIPE.
[[nodiscard]] Transfer receive_now(NativeSocket s, char* out, std::size_t size);
[[nodiscard]] Transfer send_now(NativeSocket s, const char* in, std::size_t size);

// Whether bytes wait to be read (without reading them): Nothing, Data, or Closed (EOF/error).
enum class Pending : std::uint8_t { Nothing, Data, Closed };
[[nodiscard]] Pending pending_input(NativeSocket s);

// close() sends a reset instead of a FIN (SO_LINGER 0): the other side fails at once.
void reset_on_close(NativeSocket s);

// Linux: SO_MARK, so capture rules let Warden's own connections through. Elsewhere: not
// supported (Windows keeps its own connections out of capture by their ports instead).
[[nodiscard]] error_code set_socket_mark(NativeSocket s, std::uint32_t mark);
// No other socket may bind this one's address and port (Windows: SO_EXCLUSIVEADDRUSE, without
// which another program's SO_REUSEADDR socket could take it over). Linux already refuses that
// across users: nothing to do.
[[nodiscard]] error_code exclusive_address_use(NativeSocket s);
// Several listeners on one port, one per worker (SO_REUSEPORT). Windows has no such option: not
// supported (the engine then listens on one worker).
[[nodiscard]] error_code share_listening_port(NativeSocket s);
// Accepts connections for any address (tproxy: IP_TRANSPARENT / IPV6_TRANSPARENT). Linux only.
[[nodiscard]] error_code accept_any_address(NativeSocket s, bool v6, bool dual_stack);

// Where a NATed connection was going before the kernel redirected it to us (Linux:
// SO_ORIGINAL_DST / IP6T_SO_ORIGINAL_DST, `v6` by the accepted socket's family). Windows has no
// such NAT: nullopt.
[[nodiscard]] std::optional<boost::asio::ip::tcp::endpoint> nat_original_destination(NativeSocket s,
                                                                                     bool v6);

// The account owning the local TCP socket client -> remote (a connection this host made, that
// capture handed to Warden): Linux the uid, by NETLINK_SOCK_DIAG; Windows the owning process's
// user's RID (the last part of its SID), by the TCP table and the process token. nullopt when
// the socket is not (or no longer) in the table.
[[nodiscard]] std::optional<std::uint32_t> local_socket_owner(
    const boost::asio::ip::tcp::endpoint& client, const boost::asio::ip::tcp::endpoint& remote);

// This host's addresses, every interface, IPv4 as IPv4-mapped.
[[nodiscard]] std::vector<base::IpBytes> interface_addresses();

}  // namespace warden::platform
