#include "http/rewrite.hpp"

#include "http/head_parser.hpp"

#include <gtest/gtest.h>

namespace warden::http {
namespace {

struct Parsed {
  RequestHead head;
  RequestSemantics semantics;
  AbsoluteTarget target;
};

Parsed parse(std::string_view text) {
  RequestHeadParser p;
  EXPECT_EQ(p.parse(text).status, ParseStatus::Done);
  Parsed out{p.take(), {}, {}};
  out.semantics = *analyze_request(out.head);
  out.target = *parse_absolute_target(out.head.target());
  return out;
}

TEST(UpstreamRequest, DropsHopByHopFieldsAndAddsVia) {
  Parsed r = parse(
      "POST http://Origin.test:8080/p?q HTTP/1.1\r\nHost: ignored.test\r\n"
      "Connection: keep-alive, X-Secret\r\nKeep-Alive: 5\r\nX-Secret: s\r\nProxy-Connection: x\r\n"
      "Proxy-Authorization: Basic Zm9v\r\nTE: trailers\r\nVia: 1.0 upstream-proxy\r\n"
      "Transfer-Encoding: chunked\r\nAccept: */*\r\n\r\n");
  const std::string out = upstream_request_head(r.head, r.semantics, r.target, {"1.1 warden", ""});
  EXPECT_EQ(out,
            "POST /p?q HTTP/1.1\r\nHost: origin.test:8080\r\nAccept: */*\r\n"
            "Via: 1.0 upstream-proxy, 1.1 warden\r\nTransfer-Encoding: chunked\r\n\r\n");
}

TEST(UpstreamRequest, ForwardedForOnlyWhenConfigured) {
  Parsed r = parse("GET http://a.test/ HTTP/1.1\r\nHost: a.test\r\n\r\n");
  EXPECT_EQ(upstream_request_head(r.head, r.semantics, r.target, {"1.1 warden", ""})
                .find("X-Forwarded-For"),
            std::string::npos);
  EXPECT_NE(upstream_request_head(r.head, r.semantics, r.target, {"1.1 warden", "10.0.0.7"})
                .find("X-Forwarded-For: 10.0.0.7\r\n"),
            std::string::npos);
}

TEST(UpstreamRequest, NormalisesContentLengthAndKeepsWebSocketUpgrade) {
  Parsed r = parse("POST http://a.test/ HTTP/1.1\r\nHost: a.test\r\nContent-Length: 5, 5\r\n\r\n");
  EXPECT_NE(upstream_request_head(r.head, r.semantics, r.target, {"1.1 warden", ""})
                .find("\r\nContent-Length: 5\r\n\r\n"),
            std::string::npos);
  Parsed ws = parse(
      "GET http://a.test/ws HTTP/1.1\r\nHost: a.test\r\nConnection: Upgrade\r\n"
      "Upgrade: websocket\r\nSec-WebSocket-Key: k\r\n\r\n");
  const std::string out = upstream_request_head(ws.head, ws.semantics, ws.target, {"1.1 w", ""});
  EXPECT_NE(out.find("Sec-WebSocket-Key: k\r\n"), std::string::npos);
  EXPECT_NE(out.find("Connection: Upgrade\r\nUpgrade: websocket\r\n"), std::string::npos);
}

TEST(UpstreamRequest, FieldsPolicySetsReplaceTheClientsOwnNeverMerged) {
  Parsed r = parse(
      "GET http://www.youtube.com/ HTTP/1.1\r\nHost: www.youtube.com\r\n"
      "youtube-RESTRICT: Off\r\nAccept: */*\r\nYouTube-Restrict: none\r\n\r\n");
  const std::vector<std::pair<std::string, std::string>> set = {
      {"youtube-restrict", "Strict"}, {"x-googapps-allowed-domains", "school.example"}};
  EXPECT_EQ(upstream_request_head(r.head, r.semantics, r.target, {"1.1 warden", "", set}),
            "GET / HTTP/1.1\r\nHost: www.youtube.com\r\nAccept: */*\r\n"
            "youtube-restrict: Strict\r\nx-googapps-allowed-domains: school.example\r\n"
            "Via: 1.1 warden\r\n\r\n");
}

TEST(ClientResponse, ReframesAndAnnouncesClose) {
  ResponseHeadParser p;
  ASSERT_EQ(p.parse("HTTP/1.1 200 OK\r\nConnection: close\r\nServer: o\r\n\r\n").status,
            ParseStatus::Done);
  ResponseHead h = p.take();
  auto s = analyze_response(h, "GET", false);
  ASSERT_TRUE(s);
  EXPECT_EQ(
      client_response_head(h, *s, {BodyKind::Chunked, 0, false}, "1.1 warden"),
      "HTTP/1.1 200 OK\r\nServer: o\r\nVia: 1.1 warden\r\nTransfer-Encoding: chunked\r\n\r\n");
  EXPECT_EQ(client_response_head(h, *s, {BodyKind::UntilClose, 0, true}, "1.1 warden"),
            "HTTP/1.1 200 OK\r\nServer: o\r\nVia: 1.1 warden\r\nConnection: close\r\n\r\n");
}

TEST(ClientResponse, KeepsContentLengthOfBodylessResponses) {
  ResponseHeadParser p;
  ASSERT_EQ(p.parse("HTTP/1.1 200 OK\r\nContent-Length: 42\r\n\r\n").status, ParseStatus::Done);
  ResponseHead h = p.take();
  auto s = analyze_response(h, "HEAD", false);
  ASSERT_TRUE(s);
  EXPECT_EQ(client_response_head(h, *s, {BodyKind::None, 0, false}, "1.1 warden"),
            "HTTP/1.1 200 OK\r\nContent-Length: 42\r\nVia: 1.1 warden\r\n\r\n");
}

}  // namespace
}  // namespace warden::http
