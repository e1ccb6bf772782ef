#include "net/listener.hpp"

#include <boost/asio/ip/v6_only.hpp>
#include <fmt/format.h>

#include <netinet/in.h>
#include <sys/socket.h>

namespace warden::net {

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
  const int one = 1;
  if (::setsockopt(acceptor.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
    ec.assign(errno, boost::system::system_category());
  if (ec) return fail("set SO_REUSEPORT on");
  if (endpoint.address().is_v6()) acceptor.set_option(asio::ip::v6_only(!options.dual_stack), ec);
  if (options.transparent) {
    // A dual-stack listener needs both: IPv4 packets are matched by IP_TRANSPARENT.
    const bool v6 = endpoint.address().is_v6();
    if ((v6 && ::setsockopt(acceptor.native_handle(), SOL_IPV6, IPV6_TRANSPARENT, &one,
                            sizeof one) != 0) ||
        ((!v6 || options.dual_stack) &&
         ::setsockopt(acceptor.native_handle(), SOL_IP, IP_TRANSPARENT, &one, sizeof one) != 0)) {
      ec.assign(errno, boost::system::system_category());
      return fail("set IP_TRANSPARENT (needs CAP_NET_ADMIN) on");
    }
  }
  acceptor.bind(endpoint, ec);
  if (ec) return fail("listen on");
  acceptor.listen(options.backlog, ec);
  if (ec) return fail("listen on");
  return acceptor;
}

}  // namespace warden::net
