#pragma once
// Relaying between two TCP streams inside the kernel, where the OS can: bytes never cross into
// user space (Linux: splice(2) through a pipe per direction, platform/linux/kernel_relay.cpp).
// Elsewhere (platform/windows/kernel_relay.cpp) it declines and relay() copies. Same contract
// as relay(): half-closes passed on, the watchdog pushed forward on every transfer, an error on
// either side ends both directions.

#include "net/relay.hpp"
#include "net/stream.hpp"
#include "net/watchdog.hpp"

#include <optional>

namespace warden::net {

// nullopt: not possible here (another OS, or no descriptors left for the pipes); nothing moved.
[[nodiscard]] Awaitable<std::optional<RelayResult>> kernel_relay(TcpStream& a, TcpStream& b,
                                                                 Watchdog& watchdog, Duration idle);

}  // namespace warden::net
