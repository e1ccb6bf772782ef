#include "net/socket_options.hpp"

#include <sys/socket.h>

namespace warden::net {

error_code prepare_upstream_socket(Socket& s, int mark) {
  error_code ec;
  s.set_option(tcp::no_delay(true), ec);
  if (ec) return ec;
  if (mark != 0) {
    if (::setsockopt(s.native_handle(), SOL_SOCKET, SO_MARK, &mark, sizeof mark) != 0)
      return {errno, boost::system::system_category()};
  }
  return {};
}

error_code prepare_client_socket(Socket& s) {
  error_code ec;
  s.set_option(tcp::no_delay(true), ec);
  return ec;
}

}  // namespace warden::net
