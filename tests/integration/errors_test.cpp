// Every error a client can see, and hostile input on both legs: the proxy answers with the
// right status and a body naming the error, and nothing malformed reaches an origin.
#include "proxy_fixture.hpp"
#include "raw_socket.hpp"
#include "test_origin.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace warden::test {
namespace {

using namespace std::chrono_literals;
using namespace std::string_literals;

class Errors : public ProxyFixture {
 protected:
  // Sends raw bytes; returns the response (and asserts the proxy then closed).
  std::optional<Response> exchange(const std::string& bytes, bool expect_close = true) {
    RawClient c(port());
    EXPECT_TRUE(c.send(bytes));
    auto r = read_response(c);
    if (expect_close) {
      EXPECT_TRUE(c.closed_by_peer(3s));
    }
    return r;
  }
  static std::string to(std::uint16_t port, const std::string& rest) {
    return "http://127.0.0.1:" + std::to_string(port) + rest;
  }
};

// A recording origin that would answer anything; smuggling cases assert it saw nothing.
ScriptedOrigin::Script answer_everything() {
  return [](const std::string& got) -> std::optional<ScriptedOrigin::Reply> {
    if (got.find("\r\n\r\n") == std::string::npos) return std::nullopt;
    return ScriptedOrigin::Reply{"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false, false};
  };
}

TEST_F(Errors, AmbiguousOrMalformedRequestsGet400AndNeverReachTheOrigin) {
  ScriptedOrigin origin(answer_everything());
  start();
  const std::string url = to(origin.port(), "/");
  const std::vector<std::string> cases = {
      "POST " + url +
          " HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\nTransfer-Encoding: "
          "chunked\r\n\r\n0\r\n\r\nG",
      "POST " + url +
          " HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: "
          "chunked\r\n\r\n8\r\nSMUGGLED\r\n0\r\n\r\n",
      "GET " + url + " HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 0\r\n\r\nZ",
      "POST " + url + " HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\nhello",
      "POST " + url +
          " HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n",
      "GET " + url + " HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n",
      "GET " + url + " HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n",
      "GET " + url + " HTTP/1.1\r\nHost: a\r\nVisible: :/\rSmuggled: :)\r\n\r\n",
      "GET " + url + " HTTP/1.1\nHost: a\n\n",
      "GET " + url + " HTTP/1.1\r\nHost: good.test\0.evil.test\r\n\r\n"s,
      "GET " + url + " HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
      "GET " + url + " HTTP/1.1\r\n\r\n",
      "GET " + url +
          " HTTP/1.1\r\nHost: a\r\nConnection: close, Content-Length\r\nContent-Length: 0\r\n\r\n",
      "POST " + url + " HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      "GET  " + url + "  HTTP/1.1\r\nHost: a\r\n\r\n",
      "GET http://user:pw@127.0.0.1:" + std::to_string(origin.port()) +
          "/ HTTP/1.1\r\nHost: a\r\n\r\n",
  };
  for (const auto& bytes : cases) {
    auto r = exchange(bytes);
    ASSERT_TRUE(r) << bytes;
    EXPECT_EQ(r->status, 400) << bytes;
    EXPECT_NE(r->body.find("ERR_BAD_REQUEST"), std::string::npos) << r->body;
    EXPECT_NE(r->body.find("Request id: "), std::string::npos);
  }
  EXPECT_EQ(origin.received(), "");
}

TEST_F(Errors, MalformedChunkedBodyStopsAtTheOrigin) {
  ScriptedOrigin origin(answer_everything());
  start();
  // The head is fine and is forwarded; the bad chunk size is refused before any body byte, and
  // the smuggled request after it never reaches the origin.
  auto r = exchange("POST " + to(origin.port(), "/") +
                    " HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "0x5\r\nhello\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(origin.received().find("smuggled"), std::string::npos);
  EXPECT_EQ(origin.received().find("0x5"), std::string::npos);
}

TEST_F(Errors, SizeLimits) {
  start();
  auto line = exchange("GET http://a/" + std::string(9000, 'x') + " HTTP/1.1\r\nHost: a\r\n\r\n");
  ASSERT_TRUE(line);
  EXPECT_EQ(line->status, 414);
  auto big =
      exchange("GET http://a/ HTTP/1.1\r\nHost: a\r\nX: " + std::string(70000, 'y') + "\r\n\r\n");
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 431);
  std::string many = "GET http://a/ HTTP/1.1\r\nHost: a\r\n";
  for (int i = 0; i < 200; ++i) many += "X-" + std::to_string(i) + ": v\r\n";
  auto fields = exchange(many + "\r\n");
  ASSERT_TRUE(fields);
  EXPECT_EQ(fields->status, 431);
}

TEST_F(Errors, UnsupportedVersionAndExpectation) {
  start();
  auto v = exchange("GET http://a/ HTTP/2.0\r\nHost: a\r\n\r\n");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->status, 505);
  auto e = exchange("POST http://a/ HTTP/1.1\r\nHost: a\r\nExpect: y 100-continue\r\n\r\n");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->status, 417);
}

TEST_F(Errors, OriginFormRequestIsNotAProxyRequest) {
  start();
  auto r = exchange("GET /index.html HTTP/1.1\r\nHost: example.com\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("ERR_NOT_A_PROXY_REQUEST"), std::string::npos);
}

TEST_F(Errors, SlowlorisGets408AfterTheHeaderTimeout) {
  config.timeouts.header = 300ms;
  start();
  RawClient c(port());
  ASSERT_TRUE(c.send("GET http://a/ HTTP/1.1\r\nHost: a\r\n"));  // and never the empty line
  auto r = read_response(c, 3s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 408);
  EXPECT_NE(r->body.find("ERR_HEADER_TIMEOUT"), std::string::npos);
  EXPECT_TRUE(c.closed_by_peer(2s));
  EXPECT_TRUE(eventually([&] { return engine_->active_connections() == 0; }));
}

TEST_F(Errors, SilentConnectionIsClosedWithoutAResponse) {
  config.timeouts.header = 200ms;
  start();
  RawClient c(port());
  EXPECT_TRUE(c.closed_by_peer(3s));
  EXPECT_EQ(c.read_some(100ms), "");
}

TEST_F(Errors, ConnectionRefusedIs502) {
  start();
  auto r = exchange("GET " + to(unused_port(), "/") + " HTTP/1.1\r\nHost: a\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 502);
  EXPECT_NE(r->body.find("ERR_CONNECT_REFUSED"), std::string::npos);
  EXPECT_NE(r->body.find("refused"), std::string::npos);
  const auto lines = access_log_lines(1);
  EXPECT_NE(lines.back().find("\"error\":\"ERR_CONNECT_REFUSED\""), std::string::npos);
}

TEST_F(Errors, UnknownHostIs502NamingDns) {
  start();
  auto r = exchange("GET http://no-such-host.invalid/ HTTP/1.1\r\nHost: a\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 502);
  EXPECT_NE(r->body.find("ERR_DNS_"), std::string::npos) << r->body;
}

TEST_F(Errors, SilentOriginIs504) {
  config.timeouts.upstream_response = 300ms;
  TestOrigin origin;
  start();
  auto r = exchange("GET " + origin.url("/hang") + " HTTP/1.1\r\nHost: a\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 504);
  EXPECT_NE(r->body.find("ERR_UPSTREAM_TIMEOUT"), std::string::npos);
}

TEST_F(Errors, UnansweredConnectIs504) {
  // A listener with a full accept queue drops further SYNs: connecting to it hangs.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 0), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const std::uint16_t full = ntohs(addr.sin_port);
  std::vector<int> fillers;  // non-blocking connects that fill the queue (and then hang)
  for (int i = 0; i < 4; ++i) {
    const int f = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    (void)::connect(f, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    fillers.push_back(f);
  }
  config.timeouts.upstream_connect = 400ms;
  start();
  auto r = exchange("GET " + to(full, "/") + " HTTP/1.1\r\nHost: a\r\n\r\n");
  ::close(fd);
  for (int f : fillers) ::close(f);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 504);
  EXPECT_NE(r->body.find("ERR_CONNECT_TIMEOUT"), std::string::npos);
}

TEST_F(Errors, OriginResetIs502) {
  ScriptedOrigin origin([](const std::string& got) -> std::optional<ScriptedOrigin::Reply> {
    if (got.find("\r\n\r\n") == std::string::npos) return std::nullopt;
    return ScriptedOrigin::Reply{"", true, true};
  });
  start();
  auto r = exchange("GET " + to(origin.port(), "/") + " HTTP/1.1\r\nHost: a\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 502);
  EXPECT_NE(r->body.find("ERR_UPSTREAM_RESET"), std::string::npos) << r->body;
}

TEST_F(Errors, OriginClosingWithoutAnswerIs502) {
  ScriptedOrigin origin([](const std::string& got) -> std::optional<ScriptedOrigin::Reply> {
    if (got.find("\r\n\r\n") == std::string::npos) return std::nullopt;
    return ScriptedOrigin::Reply{"", true, false};
  });
  start();
  auto r = exchange("GET " + to(origin.port(), "/") + " HTTP/1.1\r\nHost: a\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 502);
  EXPECT_NE(r->body.find("ERR_UPSTREAM_CLOSED"), std::string::npos) << r->body;
}

TEST_F(Errors, AmbiguousResponsesAre502AndTheirBytesNeverReachTheClient) {
  for (const std::string& bad :
       {std::string("HTTP/1.1 200 Ok\r\nTransfer-Encoding: chunked\r\nContent-Length: "
                    "30\r\n\r\n0\r\n\r\nSPLIT"),
        std::string("HTTP/1.1 200 Ok\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nSPLIT!"),
        std::string("HTTP/1.1 200 Ok\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n"),
        std::string("HTTP/1.1 200 Ok\r\nX: a\r\n folded\r\n\r\n"),
        std::string("HTTP/1.1 101 Switching Protocols\r\nUpgrade: evil\r\n\r\nSPLIT"),
        std::string("HTTP/1.1 200 Ok\r\nX: ") + std::string(70000, 'z') + "\r\n\r\n"}) {
    ScriptedOrigin origin([bad](const std::string& got) -> std::optional<ScriptedOrigin::Reply> {
      if (got.find("\r\n\r\n") == std::string::npos) return std::nullopt;
      return ScriptedOrigin::Reply{bad, true, false};
    });
    start();
    auto r = exchange("GET " + to(origin.port(), "/") + " HTTP/1.1\r\nHost: a\r\n\r\n");
    ASSERT_TRUE(r) << bad.substr(0, 60);
    EXPECT_EQ(r->status, 502) << bad.substr(0, 60);
    EXPECT_NE(r->body.find("ERR_UPSTREAM_INVALID"), std::string::npos) << r->body;
    EXPECT_EQ(r->body.find("SPLIT"), std::string::npos);
    ASSERT_TRUE(engine_->shutdown(2s));
    engine_.reset();
  }
}

TEST_F(Errors, ClientDisconnectMidBodyLeavesNoConnection) {
  TestOrigin origin;
  start();
  {
    RawClient c(port());
    ASSERT_TRUE(c.send("POST " + origin.url("/echo") +
                       " HTTP/1.1\r\nHost: a\r\nContent-Length: 10000000\r\n\r\n" +
                       std::string(1'000'000, 'x')));
    ASSERT_TRUE(eventually([&] { return origin.connections_accepted() == 1; }));
  }  // the client goes away with 9 MB still to send
  EXPECT_TRUE(eventually([&] { return engine_->active_connections() == 0; }));
  const auto lines = access_log_lines(1);
  EXPECT_NE(lines.back().find("\"end\":\"client_abort\""), std::string::npos) << lines.back();
}

TEST_F(Errors, MaxConnectionsGives503) {
  config.max_connections = 2;
  start(1);
  RawClient a(port());
  RawClient b(port());
  ASSERT_TRUE(eventually([&] { return engine_->active_connections() == 2; }));
  RawClient third(port());
  auto r = read_response(third, 3s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_NE(r->body.find("ERR_TOO_MANY_CONNECTIONS"), std::string::npos);
}

TEST_F(Errors, RequestToWardenItselfIsALoop) {
  start();
  auto r =
      exchange("GET http://127.0.0.1:" + std::to_string(port()) + "/ HTTP/1.1\r\nHost: a\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 508);
}

}  // namespace
}  // namespace warden::test
