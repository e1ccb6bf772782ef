// Forwarding absolute-form HTTP/1.1 through the in-process engine to a real local origin.
#include "proxy_fixture.hpp"
#include "raw_socket.hpp"
#include "test_origin.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace warden::test {
namespace {

class Forward : public ProxyFixture {
 protected:
  TestOrigin origin;
  std::string get(const std::string& path) {
    return "GET " + origin.url(path) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  }
};

TEST_F(Forward, CurlGetsTheOriginsResponse) {
  start();
  int rc = -1;
  EXPECT_EQ(curl(origin.url("/"), &rc), "hello from origin");
  EXPECT_EQ(rc, 0);
}

TEST_F(Forward, KeepAliveReusesBothLegs) {
  start(1);
  RawClient c(port());
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(c.send(get("/size/100")));
    auto r = read_response(c);
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, pattern(100));
    EXPECT_EQ(r->field("via"), "1.1 warden");
  }
  EXPECT_EQ(origin.requests_served(), 5u);
  EXPECT_EQ(origin.connections_accepted(), 1u);  // one pooled upstream connection served all
}

TEST_F(Forward, PipelinedRequestsAnswerInOrder) {
  start(1);
  RawClient c(port());
  ASSERT_TRUE(c.send(get("/size/10") + get("/size/20") + get("/chunked/30") + get("/size/40")));
  for (std::size_t n : {10u, 20u, 30u, 40u}) {
    auto r = read_response(c);
    ASSERT_TRUE(r) << n;
    EXPECT_EQ(r->body, pattern(n));
  }
}

TEST_F(Forward, DropsHopByHopFieldsAddsViaAndNoForwardedFor) {
  start();
  RawClient c(port());
  ASSERT_TRUE(
      c.send("GET " + origin.url("/headers") +
             " HTTP/1.1\r\nHost: wrong.example\r\nConnection: keep-alive, X-Hop\r\n"
             "X-Hop: secret\r\nKeep-Alive: 300\r\nProxy-Authorization: Basic Zm9vOmJhcg==\r\n"
             "Proxy-Connection: keep-alive\r\nX-End: kept\r\n\r\n"));
  auto r = read_response(c);
  ASSERT_TRUE(r);
  const std::string& seen = r->body;
  EXPECT_NE(seen.find("X-End: kept"), std::string::npos) << seen;
  EXPECT_NE(seen.find("Via: 1.1 warden"), std::string::npos) << seen;
  EXPECT_NE(seen.find("Host: 127.0.0.1:" + std::to_string(origin.port())), std::string::npos);
  for (const char* gone : {"X-Hop", "Keep-Alive", "Proxy-Authorization", "Proxy-Connection",
                           "X-Forwarded-For", "wrong.example"})
    EXPECT_EQ(seen.find(gone), std::string::npos) << gone << " in\n" << seen;
}

TEST_F(Forward, ForwardedForWhenConfigured) {
  config.forwarded_for = true;
  start();
  EXPECT_NE(curl(origin.url("/headers")).find("X-Forwarded-For: 127.0.0.1"), std::string::npos);
}

TEST_F(Forward, ChunkedBothWays) {
  start();
  RawClient c(port());
  ASSERT_TRUE(c.send("POST " + origin.url("/echo") +
                     " HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n"));
  auto r = read_response(c);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "hello world");
  EXPECT_EQ(r->field("x-was-chunked"), "true");

  ASSERT_TRUE(c.send(get("/chunked/250000")));
  auto chunked = read_response(c);
  ASSERT_TRUE(chunked);
  EXPECT_EQ(chunked->field("transfer-encoding"), "chunked");
  EXPECT_EQ(chunked->body, pattern(250000));
  EXPECT_EQ(chunked->trailers, "X-Checksum: 250000\r\n");
}

// Regression: more chunks than one write gathers, all in one read, once overflowed the gather
// arrays (a hostile upstream could crash the worker).
TEST_F(Forward, ManyTinyChunksInOneReadAreRelayedWhole) {
  start();
  RawClient c(port());
  ASSERT_TRUE(c.send(get("/tiny-chunks/3000")));
  auto r = read_response(c);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, pattern(3000));
}

TEST_F(Forward, TenMiBUploadAndDownloadIntact) {
  start();
  const std::string big = pattern(10 * 1024 * 1024);
  const auto file = dir_ / "upload.bin";
  std::ofstream(file, std::ios::binary) << big;
  const std::string echoed =
      curl("--data-binary @" + file.string() + " -H 'Content-Type: application/octet-stream' " +
           origin.url("/echo"));
  EXPECT_EQ(echoed.size(), big.size());
  EXPECT_TRUE(echoed == big);
  const std::string chunked_up = curl("-H 'Transfer-Encoding: chunked' --data-binary @" +
                                      file.string() + " " + origin.url("/echo"));
  EXPECT_TRUE(chunked_up == big);
  const std::string down = curl(origin.url("/size/" + std::to_string(big.size())));
  EXPECT_EQ(down.size(), big.size());
  EXPECT_TRUE(down == big);
}

TEST_F(Forward, CloseDelimitedResponseIsRechunkedForKeepAliveClients) {
  start();
  RawClient c(port());
  ASSERT_TRUE(c.send(get("/close/5000")));
  auto r = read_response(c);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->field("transfer-encoding"), "chunked");
  EXPECT_EQ(r->body, pattern(5000));
  ASSERT_TRUE(c.send(get("/size/3")));  // the client connection stayed usable
  auto again = read_response(c);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->body, pattern(3));
}

TEST_F(Forward, Http10ClientGetsCloseDelimitedBody) {
  start();
  RawClient c(port());
  ASSERT_TRUE(c.send("GET " + origin.url("/chunked/1000") + " HTTP/1.0\r\n\r\n"));
  const std::string raw = c.read_until_close();
  EXPECT_NE(raw.find("Connection: close\r\n"), std::string::npos);
  EXPECT_EQ(raw.find("Transfer-Encoding"), std::string::npos);
  EXPECT_EQ(raw.substr(raw.find("\r\n\r\n") + 4), pattern(1000));
}

TEST_F(Forward, HeadResponseHasNoBody) {
  start();
  RawClient c(port());
  ASSERT_TRUE(c.send("HEAD " + origin.url("/size/777") + " HTTP/1.1\r\nHost: a\r\n\r\n"));
  auto r = read_response(c, 5s, /*head_request=*/true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->field("content-length"), "777");
  ASSERT_TRUE(c.send(get("/size/2")));
  auto next = read_response(c);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, pattern(2));
}

TEST_F(Forward, ExpectContinueIsAnsweredByWarden) {
  start();
  RawClient c(port());
  ASSERT_TRUE(c.send("POST " + origin.url("/echo") +
                     " HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"));
  auto cont = read_response(c);
  ASSERT_TRUE(cont);
  EXPECT_EQ(cont->status, 100);
  ASSERT_TRUE(c.send("hello"));
  auto r = read_response(c);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello");
}

TEST_F(Forward, AccessLogRecordsTheExchange) {
  start();
  ASSERT_EQ(curl(origin.url("/size/10")), pattern(10));
  const auto lines = access_log_lines(1);
  ASSERT_EQ(lines.size(), 1u);
  const std::string& l = lines[0];
  for (const std::string& part :
       {std::string("\"v\":1"), std::string("\"method\":\"GET\""),
        std::string("\"scheme\":\"http\""), std::string("\"host\":\"127.0.0.1\""),
        "\"port\":" + std::to_string(origin.port()), std::string("\"path\":\"/size/10\""),
        std::string("\"status\":200"), std::string("\"end\":\"ok\""),
        std::string("\"capture\":\"explicit\""), std::string("\"client\":\"127.0.0.1\"")})
    EXPECT_NE(l.find(part), std::string::npos) << part << " in " << l;
}

TEST_F(Forward, StaleIdleUpstreamIsRetriedOnce) {
  // An origin that answers one request per connection but announces keep-alive: the pooled
  // connection it closed must be detected (or retried) without the client seeing an error.
  ScriptedOrigin liar([](const std::string& got) -> std::optional<ScriptedOrigin::Reply> {
    if (got.find("\r\n\r\n") == std::string::npos) return std::nullopt;
    return ScriptedOrigin::Reply{"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", true, false};
  });
  start(1);
  RawClient c(port());
  const std::string req =
      "GET http://127.0.0.1:" + std::to_string(liar.port()) + "/ HTTP/1.1\r\nHost: a\r\n\r\n";
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(c.send(req));
    auto r = read_response(c);
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->status, 200) << i;
    EXPECT_EQ(r->body, "ok");
  }
  EXPECT_EQ(liar.connections(), 3u);
}

}  // namespace
}  // namespace warden::test

namespace warden::test {
namespace {

TEST_F(Forward, ConnectionAuthPinsTheUpstreamToItsClient) {
  start(1);
  RawClient a(port());
  RawClient b(port());
  const std::string with_ntlm =
      "GET " + origin.url("/size/1") +
      " HTTP/1.1\r\nHost: a\r\nAuthorization: NTLM TlRMTVNTUAABAAAA\r\n\r\n";
  ASSERT_TRUE(a.send(with_ntlm));
  ASSERT_TRUE(read_response(a));
  EXPECT_EQ(origin.connections_accepted(), 1u);
  // Another pupil must not inherit the authenticated connection.
  ASSERT_TRUE(b.send(get("/size/1")));
  ASSERT_TRUE(read_response(b));
  EXPECT_EQ(origin.connections_accepted(), 2u);
  // The first pupil keeps it.
  ASSERT_TRUE(a.send(with_ntlm));
  ASSERT_TRUE(read_response(a));
  EXPECT_EQ(origin.connections_accepted(), 2u);
}

}  // namespace
}  // namespace warden::test
