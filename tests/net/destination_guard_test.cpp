// The destination deny-list: what is refused by default, how "self" and exceptions work, and
// that the connector refuses before connect() (the listener never sees the connection).
#include "net/destination_guard.hpp"

#include "net/connector.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <gtest/gtest.h>

namespace warden::net {
namespace {

using namespace std::chrono_literals;

asio::ip::address ip(const char* text) { return asio::ip::make_address(text); }

struct Guarded {
  DestinationRules rules;
  OwnAddresses own;
  DestinationGuard guard{rules, own};
  Guarded() {
    own.set_for_test({*base::parse_ip("198.18.7.1"), *base::parse_ip("2001:db8:7::1")},
                     Clock::now());
  }
  std::string refusal(const char* a) { return guard.refusal(ip(a), Clock::now()); }
};

TEST(DestinationGuard, RefusesLoopbackLinkLocalMulticastUnspecifiedByDefault) {
  Guarded g;
  EXPECT_EQ(g.refusal("127.0.0.1"), "a loopback address");
  EXPECT_EQ(g.refusal("127.255.0.9"), "a loopback address");
  EXPECT_EQ(g.refusal("::1"), "a loopback address");
  EXPECT_EQ(g.refusal("::ffff:127.0.0.1"), "a loopback address");   // IPv4-mapped
  EXPECT_EQ(g.refusal("169.254.169.254"), "a link-local address");  // cloud metadata
  EXPECT_EQ(g.refusal("fe80::1"), "a link-local address");
  EXPECT_EQ(g.refusal("0.0.0.0"), "an unspecified address");
  EXPECT_EQ(g.refusal("::"), "an unspecified address");
  EXPECT_EQ(g.refusal("224.0.0.251"), "a multicast address");
  EXPECT_EQ(g.refusal("ff02::1"), "a multicast address");
  EXPECT_FALSE(g.refusal("255.255.255.255").empty());
}

TEST(DestinationGuard, AllowsPrivateAndPublicAddresses) {
  Guarded g;
  for (const char* a : {"10.1.2.3", "192.168.0.10", "172.16.0.1", "198.18.7.2", "fd00::1",
                        "2001:db8:7::2", "93.184.216.34"})
    EXPECT_EQ(g.refusal(a), "") << a;
}

TEST(DestinationGuard, RefusesTheHostsOwnAddressesUnlessSelfIsLeftOut) {
  Guarded g;
  EXPECT_EQ(g.refusal("198.18.7.1"), "this filter's own address");
  EXPECT_EQ(g.refusal("::ffff:198.18.7.1"), "this filter's own address");
  EXPECT_EQ(g.refusal("2001:db8:7::1"), "this filter's own address");
  g.rules.deny_own = false;
  EXPECT_EQ(g.refusal("198.18.7.1"), "");
}

TEST(DestinationGuard, AnAllowedBlockWinsOverTheDenyList) {
  Guarded g;
  g.rules.allow = {*base::parse_cidr("127.0.0.0/8"), *base::parse_cidr("198.18.7.1")};
  EXPECT_EQ(g.refusal("127.0.0.1"), "");
  EXPECT_EQ(g.refusal("198.18.7.1"), "");
  EXPECT_EQ(g.refusal("::1"), "a loopback address");  // not in the exception
}

TEST(DestinationGuard, AConnectionWhoseLocalAddressIsItsRemoteOneReachedThisHost) {
  Guarded g;
  const tcp::endpoint here(ip("198.18.9.9"), 40000);
  EXPECT_TRUE(g.guard.reached_this_host(here, {ip("198.18.9.9"), 80}));
  EXPECT_FALSE(g.guard.reached_this_host(here, {ip("198.18.9.10"), 80}));
  g.rules.allow = {*base::parse_cidr("198.18.9.0/24")};
  EXPECT_FALSE(g.guard.reached_this_host(here, {ip("198.18.9.9"), 80}));
}

TEST(DestinationGuard, TheRealInterfaceListHoldsLoopback) {
  OwnAddresses own;
  EXPECT_TRUE(own.contains(*base::parse_ip("127.0.0.1"), Clock::now()));
}

template <class T>
Awaitable<void> store(Awaitable<T> op, std::optional<T>* out) {
  out->emplace(co_await std::move(op));
}

TEST(DestinationGuard, TheConnectorRefusesBeforeConnecting) {
  asio::io_context io;
  Acceptor listener(io, {ip("127.0.0.1"), 0});
  const auto port = listener.local_endpoint().port();
  Guarded g;
  std::optional<base::Result<Connected>> r;
  asio::co_spawn(io, store(connect_upstream("127.0.0.1", port, {5s, 250ms, 0, &g.guard}), &r),
                 asio::detached);
  io.run_for(10s);
  ASSERT_TRUE(r && !*r);
  EXPECT_EQ(r->error().code, base::ErrorCode::DestinationDenied);
  EXPECT_NE(r->error().context.find("127.0.0.1 is a loopback address"), std::string::npos)
      << r->error().context;
  // Nothing reached the listener: no connection is waiting to be accepted.
  listener.non_blocking(true);
  error_code ec;
  (void)listener.accept(ec);
  EXPECT_EQ(ec, asio::error::would_block);

  // Allowed explicitly: connected.
  g.rules.allow = {*base::parse_cidr("127.0.0.1")};
  r.reset();
  io.restart();
  asio::co_spawn(io, store(connect_upstream("127.0.0.1", port, {5s, 250ms, 0, &g.guard}), &r),
                 asio::detached);
  io.run_for(10s);
  ASSERT_TRUE(r && *r) << (*r).error().context;
}

TEST(DestinationGuard, ADeniedAddressIsSkippedAndTheNextOneTried) {
  asio::io_context io;
  Acceptor listener(io, {ip("127.0.0.2"), 0});
  Guarded g;
  g.rules.allow = {*base::parse_cidr("127.0.0.2")};
  std::optional<base::Result<Connected>> r;
  const auto port = listener.local_endpoint().port();
  asio::co_spawn(io,
                 store(connect_endpoints({{ip("127.0.0.1"), port}, {ip("127.0.0.2"), port}}, "test",
                                         {5s, 2s, 0, &g.guard}),
                       &r),
                 asio::detached);
  const auto start = Clock::now();
  io.run_for(10s);
  ASSERT_TRUE(r && *r);
  EXPECT_EQ((*r)->endpoint.address(), ip("127.0.0.2"));
  EXPECT_LT(Clock::now() - start, 1s);  // no attempt delay for an address never tried
}

}  // namespace
}  // namespace warden::net
