#pragma once
// Opens the upstream TCP connection for a flow: asynchronous DNS through Asio's resolver, then
// Happy Eyeballs v2 (RFC 8305): addresses interleaved by family starting with IPv6, a new
// attempt every `attempt_delay` (250 ms) or as soon as the previous one fails, the first
// connection to succeed wins and the others are closed. The whole operation is bounded by
// `timeout`. Failures come back as base::Error values that name what went wrong (DNS, refused,
// unreachable, timeout, a denied destination) for the client's page and the access log.

#include "base/port_claims.hpp"
#include "base/result.hpp"
#include "net/destination_guard.hpp"
#include "net/types.hpp"

#include <cstdint>
#include <string>

namespace warden::net {

struct ConnectOptions {
  Duration timeout{10'000};     // DNS and connect together
  Duration attempt_delay{250};  // RFC 8305 §5 "Connection Attempt Delay"
  int socket_mark = 0;          // SO_MARK on upstream sockets (0: none); used by capture
  // Addresses refused before connect() (ERR_DESTINATION_DENIED); null: none.
  const DestinationGuard* destinations = nullptr;
  // Windows capture: each socket is bound first and its port claimed until connect() ends
  // (base/port_claims.hpp), so WinDivert passes Warden's own connections; null: not bound.
  base::PortClaims* own_ports = nullptr;
};

struct Connected {
  Socket socket;
  tcp::endpoint endpoint;
};

// The addresses of `host` (a name, or an IP literal returned as it is), in the resolver's
// order; bounded by `deadline`.
[[nodiscard]] Awaitable<base::Result<std::vector<tcp::endpoint>>> resolve(
    std::string host, std::uint16_t port, Clock::time_point deadline);

// `host` is a name or an IP literal (IPv6 without brackets).
[[nodiscard]] Awaitable<base::Result<Connected>> connect_upstream(std::string host,
                                                                  std::uint16_t port,
                                                                  ConnectOptions options);

// Races connections to `endpoints` in the given order (Happy Eyeballs' connection attempts);
// `where` names the destination in error messages.
[[nodiscard]] Awaitable<base::Result<Connected>> connect_endpoints(
    std::vector<tcp::endpoint> endpoints, std::string where, ConnectOptions options);

// Orders resolved addresses for Happy Eyeballs: IPv6 first, then alternating families.
[[nodiscard]] std::vector<tcp::endpoint> interleave_families(std::vector<tcp::endpoint> in);

}  // namespace warden::net
