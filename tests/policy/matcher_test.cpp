#include "policy/domain_set.hpp"
#include "policy/host.hpp"

#include <gtest/gtest.h>

namespace warden::policy {
namespace {

std::string norm(std::string_view h) {
  std::string why;
  NormalHost n = normalize_host(h, why);
  return why.empty() ? n.text : "!" + why;
}

TEST(Host, NormalisesCaseTrailingDotIdnaAndIps) {
  EXPECT_EQ(norm("WWW.Example.COM."), "www.example.com");
  EXPECT_EQ(norm("bücher.example"), "xn--bcher-kva.example");
  EXPECT_EQ(norm("XN--BCHER-KVA.example"), "xn--bcher-kva.example");
  EXPECT_EQ(norm("127.1"), "127.0.0.1");
  EXPECT_EQ(norm("0x7f.0.0.1"), "127.0.0.1");
  EXPECT_EQ(norm("2130706433"), "127.0.0.1");
  EXPECT_EQ(norm("[2001:DB8:0:0::1]"), "2001:db8::1");
  EXPECT_EQ(norm("a..b")[0], '!');
  EXPECT_EQ(norm("a b.com")[0], '!');
  EXPECT_EQ(norm("")[0], '!');
  EXPECT_EQ(norm(std::string(64, 'a') + ".com")[0], '!');
}

DomainSet build(std::initializer_list<std::pair<const char*, CategoryId>> entries) {
  DomainSet::Builder b;
  for (auto [d, c] : entries) b.add(d, c);
  return b.build();
}

TEST(DomainSet, ListedDomainCoversSubdomainsOnly) {
  DomainSet s = build({{"example.com", 1}, {"sub.other.org", 2}});
  EXPECT_TRUE(s.match("example.com").has(1));
  EXPECT_TRUE(s.match("a.b.example.com").has(1));
  EXPECT_TRUE(s.match("notexample.com").empty());
  EXPECT_TRUE(s.match("example.com.evil.net").empty());
  EXPECT_TRUE(s.match("other.org").empty());
  EXPECT_TRUE(s.match("x.sub.other.org").has(2));
  EXPECT_TRUE(s.match("com").empty());
  EXPECT_EQ(s.longest_match("a.example.com"), "example.com");
}

TEST(DomainSet, MergesCategoriesOfEqualAndParentNames) {
  DomainSet s = build({{"example.com", 1}, {"example.com", 3}, {"www.example.com", 7}});
  EXPECT_EQ(s.size(), 2u);
  CategorySet c = s.match("www.example.com");
  EXPECT_TRUE(c.has(1) && c.has(3) && c.has(7));
  EXPECT_FALSE(s.match("example.com").has(7));
  EXPECT_EQ(s.longest_match("a.www.example.com"), "www.example.com");
}

TEST(DomainSet, ANameListedAgainKeepsOneSlotWithEveryCategoryUpTo255) {
  const std::string longest = std::string(63, 'a') + "." + std::string(63, 'b') + "." +
                              std::string(63, 'c') + "." + std::string(57, 'd') + ".org";
  ASSERT_EQ(longest.size(), 253u);  // the longest name DNS has
  DomainSet s = build({{"example.com", 1},
                       {"example.com", 1},
                       {"example.com", 255},
                       {longest.c_str(), 128},
                       {"example.com", 200}});
  EXPECT_EQ(s.size(), 2u);
  CategorySet c = s.match("example.com");
  EXPECT_TRUE(c.has(1) && c.has(200) && c.has(255));
  EXPECT_FALSE(c.has(128));
  EXPECT_TRUE(s.match("www." + longest).has(128));
}

TEST(DomainSet, IpLiteralsMatchExactly) {
  DomainSet s = build({{"192.0.2.1", 4}});
  EXPECT_TRUE(s.match(norm("192.0.2.1")).has(4));
  EXPECT_TRUE(s.match(norm("3221225985")).has(4));  // the same address, decimal form
  EXPECT_TRUE(s.match("192.0.2.10").empty());
}

TEST(DomainSet, ManyNames) {
  DomainSet::Builder b;
  for (int i = 0; i < 100000; ++i)
    b.add("host" + std::to_string(i) + ".test", static_cast<CategoryId>(i % 200));
  DomainSet s = b.build();
  EXPECT_EQ(s.size(), 100000u);
  for (int i = 0; i < 100000; i += 997)
    EXPECT_TRUE(
        s.match("www.host" + std::to_string(i) + ".test").has(static_cast<CategoryId>(i % 200)));
  EXPECT_TRUE(s.match("host100000.test").empty());
  EXPECT_LT(s.memory_bytes() / s.size(), 64u);
}

}  // namespace
}  // namespace warden::policy
