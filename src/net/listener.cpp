#include "net/listener.hpp"

#include "platform/sockets.hpp"

#include <boost/asio/ip/v6_only.hpp>
#include <fmt/format.h>

namespace warden::net {

bool port_sharing() {
  static const bool supported = [] {
    asio::io_context io;
    tcp::acceptor probe(io);
    error_code ec;
    probe.open(tcp::v4(), ec);
    return !ec && !platform::share_listening_port(probe.native_handle());
  }();
  return supported;
}

base::Result<Acceptor> open_listener(asio::io_context& io, const tcp::endpoint& endpoint,
                                     const ListenOptions& options) {
  Acceptor acceptor(io);
  error_code ec;
  const std::string where = fmt::format("{}:{}", endpoint.address().to_string(), endpoint.port());
  auto fail = [&](std::string_view step) {
    return base::Error{base::ErrorCode::Internal, base::ErrorSource::Internal,
                       fmt::format("cannot {} {}: {}", step, where, ec.message())};
  };
  acceptor.open(endpoint.protocol(), ec);
  if (ec) return fail("open a socket for");
  acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (options.shared) {
    ec = platform::share_listening_port(acceptor.native_handle());
    if (ec) return fail("share (SO_REUSEPORT) the port of");
  }
  if (endpoint.address().is_v6()) acceptor.set_option(asio::ip::v6_only(!options.dual_stack), ec);
  if (options.transparent) {
    ec = platform::accept_any_address(acceptor.native_handle(), endpoint.address().is_v6(),
                                      options.dual_stack);
    if (ec) return fail("set IP_TRANSPARENT (needs CAP_NET_ADMIN) on");
  }
  acceptor.bind(endpoint, ec);
  if (ec) return fail("listen on");
  acceptor.listen(options.backlog, ec);
  if (ec) return fail("listen on");
  return acceptor;
}

}  // namespace warden::net
