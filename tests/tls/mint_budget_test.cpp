#include "tls/mint_budget.hpp"

#include <gtest/gtest.h>

namespace warden::tls {
namespace {

using namespace std::chrono_literals;
using Verdict = MintBudget::Verdict;
const MintBudget::Clock::time_point kStart = MintBudget::Clock::now();

MintBudget::Address ipv4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  return {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, a, b, c, d};
}

MintBudget::Address ipv6(std::uint16_t prefix_word, std::uint16_t last_word) {
  MintBudget::Address a{0x20, 0x01, 0x0d, 0xb8};
  a[6] = static_cast<std::uint8_t>(prefix_word >> 8);
  a[7] = static_cast<std::uint8_t>(prefix_word);
  a[14] = static_cast<std::uint8_t>(last_word >> 8);
  a[15] = static_cast<std::uint8_t>(last_word);
  return a;
}

// How many of `n` mints asked at `at` are granted.
int granted(MintBudget& budget, const MintBudget::Address& client, int n,
            MintBudget::Clock::time_point at) {
  int count = 0;
  for (int i = 0; i < n; ++i) count += budget.take(client, at) == Verdict::Granted ? 1 : 0;
  return count;
}

MintBudget::Limits limits(double rate, double burst, std::size_t clients = 65'536) {
  return {.per_client = {.per_second = rate, .burst = burst},
          .all_clients = {.per_second = 1000, .burst = 10'000},
          .clients = clients};
}

TEST(MintBudget, ABurstThenTheRate) {
  MintBudget budget(limits(2, 5));
  const auto pupil = ipv4(10, 0, 0, 7);
  EXPECT_EQ(granted(budget, pupil, 8, kStart), 5);
  EXPECT_EQ(budget.take(pupil, kStart), Verdict::ClientSpent);
  EXPECT_EQ(granted(budget, pupil, 5, kStart + 1s), 2);    // two a second
  EXPECT_EQ(granted(budget, pupil, 10, kStart + 60s), 5);  // never more than the burst
}

TEST(MintBudget, OneClientSpentLeavesTheOthersTheirs) {
  MintBudget budget(limits(1, 3));
  EXPECT_EQ(granted(budget, ipv4(10, 0, 0, 7), 50, kStart), 3);
  EXPECT_EQ(granted(budget, ipv4(10, 0, 0, 8), 3, kStart), 3);
}

TEST(MintBudget, AnIpv6Slash64IsOneClient) {
  MintBudget budget(limits(1, 3));
  EXPECT_EQ(granted(budget, ipv6(1, 1), 2, kStart), 2);
  EXPECT_EQ(granted(budget, ipv6(1, 0xbeef), 2, kStart), 1);  // same /64, a new address
  EXPECT_EQ(granted(budget, ipv6(2, 1), 3, kStart), 3);       // the next /64
}

TEST(MintBudget, AllClientsTogetherHaveALimitToo) {
  MintBudget budget(
      {.per_client = {.per_second = 1, .burst = 3}, .all_clients = {.per_second = 1, .burst = 5}});
  EXPECT_EQ(granted(budget, ipv4(10, 0, 0, 1), 3, kStart), 3);
  EXPECT_EQ(granted(budget, ipv4(10, 0, 0, 2), 3, kStart), 2);
  EXPECT_EQ(budget.take(ipv4(10, 0, 0, 3), kStart), Verdict::AllSpent);
  EXPECT_EQ(budget.take(ipv4(10, 0, 0, 3), kStart + 1s), Verdict::Granted);
}

TEST(MintBudget, BoundedRefilledBucketsAreForgottenAndTheRestShareOne) {
  MintBudget budget(limits(1, 2, 3));
  for (std::uint8_t i = 1; i <= 3; ++i) EXPECT_EQ(granted(budget, ipv4(10, 0, 0, i), 1, kStart), 1);
  EXPECT_EQ(budget.clients(), 3u);
  // A fourth client while all three are still refilling: it shares the one bucket of the rest.
  EXPECT_EQ(granted(budget, ipv4(10, 0, 1, 1), 1, kStart), 1);
  EXPECT_EQ(granted(budget, ipv4(10, 0, 1, 2), 5, kStart), 1);
  EXPECT_EQ(budget.clients(), 3u);
  // Once they have refilled, they are forgotten and a new client gets its own bucket.
  EXPECT_EQ(granted(budget, ipv4(10, 0, 2, 1), 5, kStart + 10s), 2);
  EXPECT_EQ(budget.clients(), 1u);
}

}  // namespace
}  // namespace warden::tls
