// platform/sockets.hpp's lookups against real sockets of this process (Linux here; Windows
// under Wine in make test-windows).

#include "platform/sockets.hpp"

#include "platform/os.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <gtest/gtest.h>

#include <cstdlib>

namespace warden::platform {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

TEST(SocketOwner, FindsThisProcessesAccountForItsOwnConnection) {
  asio::io_context io;
  tcp::acceptor listener(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  tcp::socket client(io);
  client.connect(listener.local_endpoint());
  tcp::socket server = listener.accept();
  const auto owner = local_socket_owner(client.local_endpoint(), listener.local_endpoint());
  if (!owner && compatibility_layer())
    GTEST_SKIP() << *compatibility_layer()
                 << " lists the connection in its TCP table with no owning process (pid 0)";
  ASSERT_TRUE(owner.has_value()) << "the connection is not in the OS's socket table";
  // The same answer as the account's name gives, where the environment names it.
  for (const char* var : {"USER", "USERNAME"}) {
    if (const char* name = std::getenv(var); name != nullptr && *name != '\0') {
      if (const auto by_name = user_id(name)) {
        EXPECT_EQ(*owner, *by_name) << var << "=" << name;
      }
      break;
    }
  }
  // A connection that does not exist has no owner.
  const tcp::endpoint nowhere(asio::ip::make_address("127.0.0.1"), 9);
  EXPECT_FALSE(local_socket_owner(client.local_endpoint(), nowhere).has_value());
}

TEST(NatOriginalDestination, AnUnredirectedConnectionHasNone) {
  asio::io_context io;
  tcp::acceptor listener(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  tcp::socket client(io);
  client.connect(listener.local_endpoint());
  tcp::socket server = listener.accept();
  const auto original = nat_original_destination(server.native_handle(), false);
  // Linux without an nft redirect: no conntrack NAT entry, so nothing (or, on kernels that
  // answer from conntrack anyway, this socket's own address); Windows: never.
  if (original) {
    EXPECT_EQ(*original, server.local_endpoint());
  }
}

}  // namespace
}  // namespace warden::platform
