#pragma once
// Socket options Warden sets, in one place.

#include "base/port_claims.hpp"
#include "net/types.hpp"

#include <cstdint>

namespace warden::net {

// Upstream sockets: TCP_NODELAY (we write whole heads ourselves) and, when `mark` is non-zero,
// SO_MARK so capture rules can exempt Warden's own traffic (needs CAP_NET_ADMIN).
[[nodiscard]] error_code prepare_upstream_socket(Socket& s, int mark);

// Binds `s` to an ephemeral port of `to`'s family, exclusively (no other socket may share the
// port: Windows' SO_EXCLUSIVEADDRUSE), and claims it in `claims`; the caller releases it.
[[nodiscard]] error_code claim_local_port(Socket& s, const tcp::endpoint& to,
                                          base::PortClaims& claims, std::uint16_t& port);

// Accepted client sockets: TCP_NODELAY.
[[nodiscard]] error_code prepare_client_socket(Socket& s);

}  // namespace warden::net
