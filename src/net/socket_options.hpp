#pragma once
// Socket options Warden sets, in one place.

#include "net/types.hpp"

namespace warden::net {

// Upstream sockets: TCP_NODELAY (we write whole heads ourselves) and, when `mark` is non-zero,
// SO_MARK so capture rules can exempt Warden's own traffic (needs CAP_NET_ADMIN).
[[nodiscard]] error_code prepare_upstream_socket(Socket& s, int mark);

// Accepted client sockets: TCP_NODELAY.
[[nodiscard]] error_code prepare_client_socket(Socket& s);

}  // namespace warden::net
