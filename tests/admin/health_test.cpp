#include "admin/health.hpp"

#include "http/head_parser.hpp"

#include <gtest/gtest.h>

namespace warden::admin {
namespace {

std::string answer(std::string_view method, std::string_view path, Readiness::State state,
                   bool close = false) {
  const std::string text =
      std::string(method) + " " + std::string(path) + " HTTP/1.1\r\nHost: a\r\n\r\n";
  http::RequestHeadParser parser;
  EXPECT_EQ(parser.parse(text).status, http::ParseStatus::Done) << text;
  const http::RequestHead h = parser.take();
  return health_response(AdminRequest{h, "", "10.0.0.2", close}, state);
}

TEST(Health, ReadyOnlyWhenReady) {
  EXPECT_EQ(answer("GET", "/ready", Readiness::State::Ready),
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 6\r\n"
            "Cache-Control: no-store\r\n\r\nready\n");
  const std::string starting = answer("GET", "/ready", Readiness::State::Starting);
  EXPECT_TRUE(starting.starts_with("HTTP/1.1 503 Service Unavailable\r\n")) << starting;
  EXPECT_TRUE(starting.ends_with("\r\n\r\nstarting\n")) << starting;
  const std::string draining = answer("GET", "/ready", Readiness::State::Draining, true);
  EXPECT_TRUE(draining.starts_with("HTTP/1.1 503 ")) << draining;
  EXPECT_NE(draining.find("Connection: close\r\n"), std::string::npos) << draining;
  EXPECT_TRUE(draining.ends_with("\r\n\r\ndraining\n")) << draining;
}

TEST(Health, AliveWhateverTheState) {
  for (auto s : {Readiness::State::Starting, Readiness::State::Ready, Readiness::State::Draining})
    EXPECT_TRUE(answer("GET", "/live", s).starts_with("HTTP/1.1 200 ")) << to_string(s);
}

TEST(Health, HeadHasTheLengthButNoBody) {
  const std::string head = answer("HEAD", "/ready", Readiness::State::Ready);
  EXPECT_NE(head.find("Content-Length: 6\r\n"), std::string::npos) << head;
  EXPECT_TRUE(head.ends_with("\r\n\r\n")) << head;
}

TEST(Health, OtherPathsAndMethodsAreRefused) {
  EXPECT_TRUE(answer("GET", "/", Readiness::State::Ready).starts_with("HTTP/1.1 404 "));
  EXPECT_TRUE(answer("GET", "/ready?x=1", Readiness::State::Ready).starts_with("HTTP/1.1 404 "));
  const std::string post = answer("POST", "/ready", Readiness::State::Ready);
  EXPECT_TRUE(post.starts_with("HTTP/1.1 405 ")) << post;
  EXPECT_NE(post.find("Allow: GET, HEAD\r\n"), std::string::npos) << post;
}

TEST(Health, TheStateMovesOneWay) {
  Readiness r;
  EXPECT_EQ(r.state(), Readiness::State::Starting);
  r.ready();
  EXPECT_EQ(r.state(), Readiness::State::Ready);
  r.draining();
  EXPECT_EQ(r.state(), Readiness::State::Draining);
}

}  // namespace
}  // namespace warden::admin
