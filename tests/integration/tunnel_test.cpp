// CONNECT tunnels and WebSocket relays through the in-process engine.
#include "proxy_fixture.hpp"
#include "raw_socket.hpp"
#include "test_origin.hpp"

#include <boost/asio/connect.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <gtest/gtest.h>

namespace warden::test {
namespace {

using namespace std::chrono_literals;

class Tunnel : public ProxyFixture {};

std::string connect_to(std::uint16_t port) {
  return "CONNECT 127.0.0.1:" + std::to_string(port) +
         " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\n\r\n";
}

TEST_F(Tunnel, RelaysBytesBothWaysToAnAllowedPort) {
  EchoServer echo;
  config.connect_ports = {443, echo.port()};
  start();
  RawClient c(port());
  ASSERT_TRUE(c.send(connect_to(echo.port())));
  auto r = read_response(c, 5s, /*head_request=*/true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  const std::string payload = pattern(300000);
  ASSERT_TRUE(c.send(payload));
  std::string back;
  while (back.size() < payload.size()) {
    const std::string got = c.read_some(5s);
    if (got.empty()) break;
    back += got;
  }
  EXPECT_TRUE(back == payload);
  c.close();
  EXPECT_TRUE(eventually([&] { return engine_->active_connections() == 0; }));
  const auto lines = access_log_lines(1);
  const std::string& l = lines.back();
  EXPECT_NE(l.find("\"method\":\"CONNECT\""), std::string::npos) << l;
  EXPECT_NE(l.find("\"bytes_in\":300000"), std::string::npos) << l;
}

TEST_F(Tunnel, BytesSentBeforeThe200AreForwarded) {
  EchoServer echo;
  config.connect_ports = {echo.port()};
  start();
  RawClient c(port());
  ASSERT_TRUE(c.send(connect_to(echo.port()) + "early bytes"));
  auto r = read_response(c, 5s, true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  std::string back;
  ASSERT_TRUE(eventually([&] {
    back += c.read_some(100ms);
    return back == "early bytes";
  }));
}

TEST_F(Tunnel, OtherPortsAreRefusedWith403) {
  EchoServer echo;
  start();  // default: 443 only
  RawClient c(port());
  ASSERT_TRUE(c.send(connect_to(echo.port())));
  auto r = read_response(c);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_NE(r->body.find("ERR_PORT_NOT_ALLOWED"), std::string::npos);
  EXPECT_NE(r->body.find("443"), std::string::npos);  // says what is allowed
}

TEST_F(Tunnel, MalformedConnectTargetIs400) {
  start();
  RawClient c(port());
  ASSERT_TRUE(c.send("CONNECT example.com HTTP/1.1\r\nHost: example.com\r\n\r\n"));
  auto r = read_response(c);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
}

TEST_F(Tunnel, CurlProxytunnelToALocalOrigin) {
  TestOrigin origin;
  config.connect_ports = {origin.port()};
  start();
  int rc = -1;
  EXPECT_EQ(curl("-p " + origin.url("/size/1000"), &rc), pattern(1000));
  EXPECT_EQ(rc, 0);
}

TEST_F(Tunnel, TunnelIdleTimeoutClosesBothSides) {
  EchoServer echo;
  config.connect_ports = {echo.port()};
  config.timeouts.tunnel_idle = 300ms;
  start();
  RawClient c(port());
  ASSERT_TRUE(c.send(connect_to(echo.port())));
  ASSERT_TRUE(read_response(c, 5s, true));
  EXPECT_TRUE(c.closed_by_peer(3s));
  const auto lines = access_log_lines(1);
  EXPECT_NE(lines.back().find("\"end\":\"timeout\""), std::string::npos) << lines.back();
}

TEST_F(Tunnel, WebSocketEchoThroughTheProxy) {
  namespace beast = boost::beast;
  namespace websocket = beast::websocket;
  TestOrigin origin;
  start();
  net::asio::io_context io;
  net::tcp::socket sock(io);
  sock.connect({net::asio::ip::make_address("127.0.0.1"), port()});
  websocket::stream<net::tcp::socket> ws(std::move(sock));
  // Through a proxy the handshake's request target is absolute.
  ws.handshake("127.0.0.1:" + std::to_string(origin.port()), origin.url("/ws"));
  for (const std::string& msg :
       {std::string("hello"), std::string("world"), std::string(70000, 'w')}) {
    ws.write(net::asio::buffer(msg));
    beast::flat_buffer buf;
    ws.read(buf);
    EXPECT_EQ(beast::buffers_to_string(buf.data()), msg);
  }
  ws.close(websocket::close_code::normal);
  EXPECT_TRUE(eventually([&] { return engine_->active_connections() == 0; }));
  const auto lines = access_log_lines(1);
  EXPECT_NE(lines.back().find("\"status\":101"), std::string::npos) << lines.back();
}

}  // namespace
}  // namespace warden::test
