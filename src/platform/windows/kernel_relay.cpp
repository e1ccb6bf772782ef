#include "net/kernel_relay.hpp"

namespace warden::net {

// Windows has no splice(2); TransmitPackets sends files, not sockets. relay() copies.
Awaitable<std::optional<RelayResult>> kernel_relay(TcpStream&, TcpStream&, Watchdog&, Duration) {
  co_return std::nullopt;
}

}  // namespace warden::net
