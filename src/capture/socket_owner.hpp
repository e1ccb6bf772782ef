#pragma once
// Who on this device opened a connection that local or tun capture handed to Warden: the uid of
// the client socket, asked of the kernel's socket table with NETLINK_SOCK_DIAG (an exact lookup
// of one socket, the table ss(8) reads). Lets policy groups name local users.

#include "net/types.hpp"

#include <cstdint>
#include <optional>

namespace warden::capture {

// The uid owning the socket whose local address is `client` and remote address `remote` (the
// original destination), or nullopt if it is not in the table (gone, or not from here).
[[nodiscard]] std::optional<std::uint32_t> local_socket_owner(const net::tcp::endpoint& client,
                                                              const net::tcp::endpoint& remote);

}  // namespace warden::capture
