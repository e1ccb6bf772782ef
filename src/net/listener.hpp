#pragma once
// Listening sockets. Each worker opens its own acceptor on the same address with SO_REUSEPORT,
// and the kernel spreads new connections across them: no shared accept queue, no locks. Where
// the OS cannot share a port (Windows), one worker listens (port_sharing() says which).

#include "base/result.hpp"
#include "net/types.hpp"

namespace warden::net {

struct ListenOptions {
  int backlog = 4096;
  bool transparent = false;  // IP_TRANSPARENT (TPROXY capture)
  bool dual_stack = false;   // an IPv6 listener that takes IPv4 clients too (IPV6_V6ONLY off)
  bool shared = true;        // SO_REUSEPORT: other workers listen on the same port
};

// Whether several workers may listen on one port here.
[[nodiscard]] bool port_sharing();

// Binds and listens; `endpoint` port 0 picks a free port (read it back from local_endpoint()).
[[nodiscard]] base::Result<Acceptor> open_listener(asio::io_context& io,
                                                   const tcp::endpoint& endpoint,
                                                   const ListenOptions& options = {});

}  // namespace warden::net
