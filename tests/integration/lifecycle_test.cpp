// Drain and reload: what a SIGTERM and a SIGHUP do to connections in flight.
#include "proxy_fixture.hpp"
#include "raw_socket.hpp"
#include "test_origin.hpp"

#include <gtest/gtest.h>

#include <future>

namespace warden::test {
namespace {

using namespace std::chrono_literals;

class Lifecycle : public ProxyFixture {};

TEST_F(Lifecycle, ShutdownClosesIdleConnectionsAndFinishesBusyOnes) {
  ScriptedOrigin slow([](const std::string& got) -> std::optional<ScriptedOrigin::Reply> {
    if (got.find("\r\n\r\n") == std::string::npos) return std::nullopt;
    std::this_thread::sleep_for(300ms);  // the origin is slow on purpose
    return ScriptedOrigin::Reply{"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndone", false, false};
  });
  TestOrigin origin;
  start();
  RawClient idle(port());
  ASSERT_TRUE(idle.send("GET " + origin.url("/") + " HTTP/1.1\r\nHost: a\r\n\r\n"));
  ASSERT_TRUE(read_response(idle));
  RawClient busy(port());
  ASSERT_TRUE(busy.send("GET http://127.0.0.1:" + std::to_string(slow.port()) +
                        "/ HTTP/1.1\r\nHost: a\r\n\r\n"));
  ASSERT_TRUE(eventually([&] { return slow.received().find("\r\n\r\n") != std::string::npos; }));
  auto stopped = std::async(std::launch::async, [&] { return engine_->shutdown(5s); });
  EXPECT_TRUE(idle.closed_by_peer(2s));
  auto r = read_response(busy);  // the busy exchange still completes
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "done");
  EXPECT_NE(r->field("connection"), "");  // told it will close
  EXPECT_TRUE(busy.closed_by_peer(2s));
  EXPECT_TRUE(stopped.get());
  EXPECT_EQ(engine_->active_connections(), 0u);
  RawClient after(port());
  EXPECT_FALSE(after.connected() && after.send("GET http://a/ HTTP/1.1\r\nHost: a\r\n\r\n") &&
               read_response(after, 500ms));
}

TEST_F(Lifecycle, GracePeriodEndsStuckExchanges) {
  TestOrigin origin;
  start();
  RawClient stuck(port());
  ASSERT_TRUE(stuck.send("GET " + origin.url("/hang") + " HTTP/1.1\r\nHost: a\r\n\r\n"));
  ASSERT_TRUE(eventually([&] { return origin.requests_served() == 1; }));
  EXPECT_TRUE(engine_->shutdown(200ms));
  EXPECT_TRUE(stuck.closed_by_peer(2s));
}

TEST_F(Lifecycle, ReloadAppliesToNewExchanges) {
  EchoServer echo;
  start();
  RawClient before(port());
  ASSERT_TRUE(before.send("CONNECT 127.0.0.1:" + std::to_string(echo.port()) +
                          " HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto refused = read_response(before);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403);

  auto next = std::make_shared<flow::EngineConfig>(config);
  next->connect_ports = {echo.port()};
  engine_->reload(next);
  ASSERT_TRUE(eventually([&] {
    RawClient c(port());
    c.send("CONNECT 127.0.0.1:" + std::to_string(echo.port()) + " HTTP/1.1\r\nHost: x\r\n\r\n");
    auto r = read_response(c, 2s, true);
    return r && r->status == 200;
  }));
}

}  // namespace
}  // namespace warden::test
