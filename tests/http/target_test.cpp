#include "http/target.hpp"

#include <gtest/gtest.h>

namespace warden::http {
namespace {

TEST(AbsoluteTarget, SplitsSchemeAuthorityAndPath) {
  auto t = parse_absolute_target("http://Example.COM:8080/a/b?c=d");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->scheme, "http");
  EXPECT_EQ(t->authority.host, "example.com");
  EXPECT_EQ(t->authority.port, 8080);
  EXPECT_EQ(t->path, "/a/b?c=d");
}

TEST(AbsoluteTarget, DefaultsPortAndPath) {
  auto t = parse_absolute_target("http://example.com");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->authority.port, 80);
  EXPECT_EQ(t->path, "/");
  auto q = parse_absolute_target("http://example.com?x");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->path, "/?x");
}

TEST(AbsoluteTarget, Ipv6Literal) {
  auto t = parse_absolute_target("http://[::1]:81/");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->authority.host, "::1");
  EXPECT_TRUE(t->authority.ipv6_literal);
  EXPECT_EQ(t->authority.to_string(), "[::1]:81");
}

TEST(AbsoluteTarget, RefusesUserinfoAndGarbage) {
  EXPECT_FALSE(parse_absolute_target("http://user@bank.test/"));
  EXPECT_FALSE(parse_absolute_target("http://a:b@bank.test/"));
  EXPECT_FALSE(parse_absolute_target("/origin-form"));
  EXPECT_FALSE(parse_absolute_target("http:///nohost"));
  EXPECT_FALSE(parse_absolute_target("http://[::1/"));
  EXPECT_FALSE(parse_absolute_target("http://[nope]/"));
  EXPECT_FALSE(parse_absolute_target("http://a:0/"));
  EXPECT_FALSE(parse_absolute_target("http://a:65536/"));
  EXPECT_FALSE(parse_absolute_target("http://a:+80/"));
  EXPECT_FALSE(parse_absolute_target("http://a\"b/"));
}

TEST(Authority, ConnectFormNeedsAPort) {
  auto a = parse_authority("Example.com:443", true);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "example.com");
  EXPECT_EQ(a->port, 443);
  EXPECT_FALSE(parse_authority("example.com", true));
  EXPECT_FALSE(parse_authority(":443", true));
  EXPECT_EQ(a->to_string(443), "example.com");
}

}  // namespace
}  // namespace warden::http
