#include "flow/dns_cache.hpp"

#include <gtest/gtest.h>

namespace warden::flow {
namespace {

using std::chrono_literals::operator""s;
const auto kAddress = net::asio::ip::make_address("198.18.2.2");

TEST(DnsCache, EntriesExpire) {
  DnsCache cache;
  const auto now = net::Clock::now();
  EXPECT_EQ(cache.find("a.test", now), nullptr);
  cache.put("a.test", {kAddress}, now + 30s);
  const auto* found = cache.find("a.test", now + 29s);
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->front(), kAddress);
  EXPECT_EQ(cache.find("a.test", now + 30s), nullptr);
  EXPECT_EQ(cache.size(), 0u);  // an expired entry is dropped when met
}

TEST(DnsCache, AFullCacheKeepsTheNewerHalf) {
  DnsCache cache(8);
  const auto now = net::Clock::now();
  for (int i = 0; i < 8; ++i) cache.put("n" + std::to_string(i), {kAddress}, now + (10 + i) * 1s);
  EXPECT_EQ(cache.size(), 8u);
  cache.put("newest", {kAddress}, now + 60s);
  EXPECT_LE(cache.size(), 5u);
  EXPECT_NE(cache.find("newest", now), nullptr);
  EXPECT_NE(cache.find("n7", now), nullptr);
  EXPECT_EQ(cache.find("n0", now), nullptr);
  cache.put("n7", {kAddress}, now + 90s);  // replacing an entry never evicts
  EXPECT_NE(cache.find("newest", now), nullptr);
}

}  // namespace
}  // namespace warden::flow
