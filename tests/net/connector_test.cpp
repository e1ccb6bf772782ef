#include "net/connector.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <gtest/gtest.h>

#include <vector>

namespace warden::net {
namespace {

using namespace std::chrono_literals;

tcp::endpoint v4(const char* a, std::uint16_t p) { return {asio::ip::make_address(a), p}; }
tcp::endpoint v6(const char* a, std::uint16_t p) { return {asio::ip::make_address(a), p}; }

TEST(HappyEyeballs, InterleavesFamiliesStartingWithIpv6) {
  auto out = interleave_families({v4("10.0.0.1", 1), v4("10.0.0.2", 1), v6("2001:db8::1", 1),
                                  v6("2001:db8::2", 1), v6("2001:db8::3", 1)});
  ASSERT_EQ(out.size(), 5u);
  EXPECT_EQ(out[0].address().to_string(), "2001:db8::1");
  EXPECT_EQ(out[1].address().to_string(), "10.0.0.1");
  EXPECT_EQ(out[2].address().to_string(), "2001:db8::2");
  EXPECT_EQ(out[3].address().to_string(), "10.0.0.2");
  EXPECT_EQ(out[4].address().to_string(), "2001:db8::3");
}

template <class T>
Awaitable<void> store(Awaitable<T> op, std::optional<T>* out) {
  out->emplace(co_await std::move(op));
}

// Runs `op` to completion on `io` (bounded: 30 s).
template <class T>
T run(asio::io_context& io, Awaitable<T> op) {
  std::optional<T> result;
  asio::co_spawn(io, store(std::move(op), &result), asio::detached);
  io.run_for(30s);
  return std::move(*result);
}

// A listener whose accept queue is full: further SYNs are dropped, connects hang (Linux, and
// Wine, which runs on it; a Windows host may refuse them instead).
struct Blackhole {
  Blackhole() : listener(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    listener.listen(0);
    port = listener.local_endpoint().port();
    for (int i = 0; i < 4; ++i) {
      // Started (the SYN goes out now) and never completed: `io` is not run.
      fillers.emplace_back(io, tcp::v4());
      fillers.back().async_connect(listener.local_endpoint(), [](error_code) {});
    }
  }
  asio::io_context io;
  tcp::acceptor listener;
  std::vector<tcp::socket> fillers;
  std::uint16_t port = 0;
};

TEST(HappyEyeballs, NextAddressAfterTheAttemptDelay) {
  asio::io_context io;
  Blackhole hole;
  Acceptor good(io, v4("127.0.0.1", 0));
  const auto good_port = good.local_endpoint().port();
  const auto start = Clock::now();
  auto r = run(io, connect_endpoints({v4("127.0.0.1", hole.port), v4("127.0.0.1", good_port)},
                                     "test", {5s, 100ms, 0}));
  const auto took = Clock::now() - start;
  ASSERT_TRUE(r) << r.error().context;
  EXPECT_EQ(r->endpoint.port(), good_port);
  EXPECT_GE(took, 100ms);  // the second attempt waited for the first's delay
  EXPECT_LT(took, 4s);
}

TEST(HappyEyeballs, NextAddressAtOnceWhenOneIsRefused) {
  asio::io_context io;
  Acceptor good(io, v4("127.0.0.1", 0));
  Acceptor closed(io, v4("127.0.0.1", 0));
  const auto refused_port = closed.local_endpoint().port();
  closed.close();
  const auto start = Clock::now();
  auto r = run(io, connect_endpoints({v4("127.0.0.1", refused_port),
                                      v4("127.0.0.1", good.local_endpoint().port())},
                                     "test", {5s, 2s, 0}));
  ASSERT_TRUE(r);
  EXPECT_LT(Clock::now() - start, 1s);  // did not wait for the 2 s delay
}

TEST(Connector, RefusedTimeoutAndDnsErrorsAreNamed) {
  asio::io_context io;
  Acceptor closed(io, v4("127.0.0.1", 0));
  const auto port = closed.local_endpoint().port();
  closed.close();
  auto refused = run(io, connect_upstream("127.0.0.1", port, {2s, 250ms, 0}));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, base::ErrorCode::ConnectRefused);

  io.restart();
  Blackhole hole;
  auto timeout = run(io, connect_upstream("127.0.0.1", hole.port, {300ms, 250ms, 0}));
  ASSERT_FALSE(timeout);
  EXPECT_EQ(timeout.error().code, base::ErrorCode::ConnectTimeout);

  io.restart();
  auto dns = run(io, connect_upstream("no-such-host.invalid", 80, {10s, 250ms, 0}));
  ASSERT_FALSE(dns);
  EXPECT_TRUE(dns.error().code == base::ErrorCode::DnsNotFound ||
              dns.error().code == base::ErrorCode::DnsFailure);
}

}  // namespace
}  // namespace warden::net
