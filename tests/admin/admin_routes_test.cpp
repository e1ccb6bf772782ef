#include "admin/admin_routes.hpp"

#include "http/head_parser.hpp"

#include <gtest/gtest.h>

namespace warden::admin {
namespace {

http::RequestHead head(std::string_view text) {
  http::RequestHeadParser parser;
  const http::ParseResult r = parser.parse(text);
  EXPECT_EQ(r.status, http::ParseStatus::Done) << text;
  return parser.take();
}

class AdminRoutes : public ::testing::Test {
 protected:
  AdminRoutes() {
    ca.pem = "-----BEGIN CERTIFICATE-----\n";
    pages.metrics_token = "0123456789abcdef0123456789abcdef";
    pages.metrics = [this] {
      ++scrapes;
      return std::string("warden_up 1\n");
    };
    pages.ca = &ca;
  }
  std::string get(std::string_view path, std::string_view fields = "") {
    const http::RequestHead h = head(std::string("GET ") + std::string(path) +
                                     " HTTP/1.1\r\nHost: a\r\n" + std::string(fields) + "\r\n");
    return respond(pages, AdminRequest{h, "", "127.0.0.1", false});
  }
  actions::CaFiles ca;
  AdminPages pages;
  int scrapes = 0;
};

TEST_F(AdminRoutes, MetricsNeedTheBearerToken) {
  EXPECT_TRUE(get("/metrics").starts_with("HTTP/1.1 401 ")) << get("/metrics");
  EXPECT_NE(get("/metrics").find("WWW-Authenticate: Bearer"), std::string::npos);
  EXPECT_TRUE(get("/metrics", "Authorization: Bearer wrong\r\n").starts_with("HTTP/1.1 401 "));
  EXPECT_TRUE(get("/metrics", "Authorization: Bearer 0123456789abcdef0123456789abcdeX\r\n")
                  .starts_with("HTTP/1.1 401 "));
  EXPECT_TRUE(get("/metrics", "Authorization: Basic 0123456789abcdef0123456789abcdef\r\n")
                  .starts_with("HTTP/1.1 401 "));
  EXPECT_EQ(scrapes, 0);  // nothing is gathered for a refused scrape
  const std::string ok =
      get("/metrics?x=1", "Authorization: Bearer 0123456789abcdef0123456789abcdef\r\n");
  EXPECT_TRUE(ok.starts_with("HTTP/1.1 200 OK\r\n")) << ok;
  EXPECT_NE(ok.find("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"),
            std::string::npos);
  EXPECT_TRUE(ok.ends_with("\r\n\r\nwarden_up 1\n"));
  EXPECT_EQ(scrapes, 1);
}

TEST_F(AdminRoutes, AnEmptyTokenNeverMatches) {
  pages.metrics_token.clear();
  EXPECT_TRUE(get("/metrics", "Authorization: Bearer \r\n").starts_with("HTTP/1.1 401 "));
}

TEST_F(AdminRoutes, CaPageOthersAreNotFoundAndOnlyGetAndHeadAreAnswered) {
  EXPECT_TRUE(get("/ca").starts_with("HTTP/1.1 200 OK")) << get("/ca");
  EXPECT_TRUE(get("/").starts_with("HTTP/1.1 404 ")) << get("/");  // no dashboard here
  EXPECT_NE(get("/ca.pem").find("-----BEGIN CERTIFICATE-----"), std::string::npos);
  EXPECT_TRUE(get("/ca.key").starts_with("HTTP/1.1 404 "));
  EXPECT_TRUE(get("/state/ca.key").starts_with("HTTP/1.1 404 "));
  EXPECT_TRUE(get("http://a/metrics").starts_with("HTTP/1.1 400 "));
  const http::RequestHead h =
      head("POST /metrics HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n");
  const std::string post = respond(pages, AdminRequest{h, "", "127.0.0.1", true});
  EXPECT_TRUE(post.starts_with("HTTP/1.1 405 ")) << post;
  EXPECT_NE(post.find("Allow: GET, HEAD\r\n"), std::string::npos);
  EXPECT_NE(post.find("Connection: close\r\n"), std::string::npos);
  pages.ca = nullptr;
  EXPECT_TRUE(get("/ca.pem").starts_with("HTTP/1.1 404 "));
}

}  // namespace
}  // namespace warden::admin
