#include "tls/mint_budget.hpp"

#include <algorithm>
#include <string_view>

namespace warden::tls {
namespace {

// The client a bucket belongs to: the IPv4 address, or the IPv6 address's /64.
MintBudget::Address bucket_key(const MintBudget::Address& a) {
  MintBudget::Address key = a;
  if (!base::is_ipv4_mapped(a)) std::fill(key.begin() + 8, key.end(), std::uint8_t{0});
  return key;
}

}  // namespace

std::size_t MintBudget::KeyHash::operator()(const Address& a) const {
  return std::hash<std::string_view>{}(
      std::string_view(reinterpret_cast<const char*>(a.data()), a.size()));
}

MintBudget::MintBudget(Limits limits)
    : limits_(limits), shared_by_the_rest_(limits.per_client), all_clients_(limits.all_clients) {}

MintBudget::Verdict MintBudget::take(const Address& client, Clock::time_point now) {
  std::lock_guard lock(mu_);
  const Address key = bucket_key(client);
  auto it = per_client_.find(key);
  if (it == per_client_.end()) {
    if (per_client_.size() >= limits_.clients) forget_refilled(now);
    if (per_client_.size() < limits_.clients)
      it = per_client_.emplace(key, base::TokenBucket(limits_.per_client)).first;
  }
  base::TokenBucket& bucket = it != per_client_.end() ? it->second : shared_by_the_rest_;
  if (!bucket.take(now)) return Verdict::ClientSpent;
  // A client's token is spent even when all clients' budget then refuses: it asked.
  if (!all_clients_.take(now)) return Verdict::AllSpent;
  return Verdict::Granted;
}

std::size_t MintBudget::clients() const {
  std::lock_guard lock(mu_);
  return per_client_.size();
}

void MintBudget::forget_refilled(Clock::time_point now) {
  if (swept_ != Clock::time_point{} && now - swept_ < std::chrono::seconds(1)) return;
  swept_ = now;
  std::erase_if(per_client_, [&](auto& entry) { return entry.second.full(now); });
}

}  // namespace warden::tls
