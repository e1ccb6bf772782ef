#include "capture/original_destination.hpp"

#include "platform/sockets.hpp"

namespace warden::capture {
net::tcp::endpoint unmapped(const net::tcp::endpoint& e) {
  const auto a = e.address();
  if (a.is_v6() && a.to_v6().is_v4_mapped())
    return {net::asio::ip::make_address_v4(net::asio::ip::v4_mapped, a.to_v6()), e.port()};
  return e;
}

std::optional<net::tcp::endpoint> original_destination(net::tcp::socket::native_handle_type socket,
                                                       CaptureMode mode,
                                                       const net::tcp::endpoint& local) {
  if (mode == CaptureMode::Explicit) return std::nullopt;
  const net::tcp::endpoint here = unmapped(local);
  if (mode == CaptureMode::Tproxy) return here;
  auto original = platform::nat_original_destination(socket, here.address().is_v6());
  if (!original || *original == here) return std::nullopt;
  return original;
}

}  // namespace warden::capture
