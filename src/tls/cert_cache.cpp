#include "tls/cert_cache.hpp"

#include <functional>

namespace warden::tls {

using Clock = std::chrono::system_clock;

CertCache::CertCache(const LeafMinter& minter, std::size_t capacity, std::size_t shards,
                     MintBudget* budget)
    : minter_(minter),
      budget_(budget),
      per_shard_capacity_(std::max<std::size_t>(1, capacity / shards)) {
  for (std::size_t i = 0; i < shards; ++i) shards_.push_back(std::make_unique<Shard>());
}

CertCache::Shard& CertCache::shard_for(const std::string& key) {
  return *shards_[std::hash<std::string>{}(key) % shards_.size()];
}

std::size_t CertCache::size() const {
  std::size_t n = 0;
  for (const auto& s : shards_) {
    std::lock_guard lock(s->mu);
    n += s->map.size();
  }
  return n;
}

void CertCache::forget(Shard& s, const std::string& key, const Future& which) {
  std::lock_guard lock(s.mu);
  auto it = s.map.find(key);
  // Only the entry we looked at: another worker may already have replaced it.
  if (it != s.map.end() && it->second.result.valid() && &it->second.result.get() == &which.get()) {
    s.lru.erase(it->second.lru);
    s.map.erase(it);
  }
}

base::Result<MintedCertPtr> CertCache::get(const std::string& name,
                                           std::optional<Clock::time_point> upstream_not_after,
                                           const std::optional<MintBudget::Address>& client) {
  const std::string key = upstream_not_after
                              ? name + '|' + std::to_string(Clock::to_time_t(*upstream_not_after))
                              : name + "|-";
  Shard& s = shard_for(key);
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::promise<base::Result<MintedCertPtr>> mine;
    Future future;
    bool minting = false;
    {
      std::lock_guard lock(s.mu);
      auto it = s.map.find(key);
      if (it != s.map.end()) {
        s.lru.splice(s.lru.begin(), s.lru, it->second.lru);
        future = it->second.result;
        ++hits_;
      } else {
        if (budget_ != nullptr && client) {
          const auto verdict = budget_->take(*client);
          if (verdict != MintBudget::Verdict::Granted)
            return base::Error{base::ErrorCode::MintLimit, base::ErrorSource::Client,
                               verdict == MintBudget::Verdict::ClientSpent
                                   ? "this client asked for more new certificates than its budget"
                                   : "all clients together asked for more new certificates than "
                                     "the budget"};
        }
        future = mine.get_future().share();
        s.lru.push_front(key);
        s.map.emplace(key, Entry{future, s.lru.begin()});
        while (s.map.size() > per_shard_capacity_) {
          s.map.erase(s.lru.back());
          s.lru.pop_back();
        }
        minting = true;
      }
    }
    if (minting) {
      // Outside the lock: other names in this shard are served meanwhile.
      auto minted = minter_.mint(name, upstream_not_after);
      ++mints_;
      if (minted) {
        const auto not_after = asn1_time_point(X509_get0_notAfter(minted->get()));
        mine.set_value(
            std::make_shared<const MintedCert>(MintedCert{std::move(*minted), not_after}));
      } else {
        mine.set_value(minted.error());
      }
    }
    const auto& r = future.get();  // ready, or another worker's mint in flight
    if (!r) {
      forget(s, key, future);  // do not cache failures
      return r.error();
    }
    // Fresh enough, or as fresh as it can be (the upstream's own certificate ends sooner).
    const bool bounded_by_upstream =
        upstream_not_after && (*r)->not_after + std::chrono::seconds(1) >= *upstream_not_after;
    if ((*r)->not_after - Clock::now() > std::chrono::days(1) || bounded_by_upstream ||
        attempt == 1)
      return *r;
    forget(s, key, future);  // close to expiry: mint a fresh one
  }
  return base::Error{base::ErrorCode::Internal, base::ErrorSource::Internal, "certificate cache"};
}

}  // namespace warden::tls
