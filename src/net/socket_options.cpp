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

error_code prepare_client_socket(Socket& s) {
  error_code ec;
  s.set_option(tcp::no_delay(true), ec);
  return ec;
}

}  // namespace warden::net
