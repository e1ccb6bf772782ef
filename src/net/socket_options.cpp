#include "net/socket_options.hpp"

#include "platform/sockets.hpp"

namespace warden::net {

error_code prepare_upstream_socket(Socket& s, int mark) {
  error_code ec;
  s.set_option(tcp::no_delay(true), ec);
  if (ec) return ec;
  if (mark != 0)
    return platform::set_socket_mark(s.native_handle(), static_cast<std::uint32_t>(mark));
  return {};
}

error_code claim_local_port(Socket& s, const tcp::endpoint& to, base::PortClaims& claims,
                            std::uint16_t& port) {
  if (auto ec = platform::exclusive_address_use(s.native_handle())) return ec;
  error_code ec;
  const auto any = to.address().is_v6() ? asio::ip::address(asio::ip::address_v6::any())
                                        : asio::ip::address(asio::ip::address_v4::any());
  s.bind(tcp::endpoint(any, 0), ec);
  if (ec) return ec;
  port = s.local_endpoint(ec).port();
  if (ec) return ec;
  claims.claim(port);
  return {};
}

error_code prepare_client_socket(Socket& s) {
  error_code ec;
  s.set_option(tcp::no_delay(true), ec);
  return ec;
}

}  // namespace warden::net
