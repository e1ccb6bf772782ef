#pragma once
// Minted certificates by name, shared by all workers (the one shared mutable structure,
// ../shared/DESIGN.md): bounded (LRU, default 10,000 names), sharded so workers rarely meet on
// a lock, minting outside any lock, and single-flight: concurrent first requests for a name
// mint once (the others wait for that one result, at most one mint's time).
//
// Entries are keyed by name and the upstream certificate's notAfter, since a minted
// certificate never outlives what it vouches for; an entry within a day of expiry is re-minted.

#include "base/result.hpp"
#include "tls/certificate_authority.hpp"
#include "tls/leaf_minter.hpp"
#include "tls/mint_budget.hpp"

#include <chrono>
#include <future>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace warden::tls {

struct MintedCert {
  X509Ptr cert;
  std::chrono::system_clock::time_point not_after;
};
using MintedCertPtr = std::shared_ptr<const MintedCert>;

class CertCache {
 public:
  // `budget`: charged for each mint on behalf of a client (null: mints are not limited here).
  explicit CertCache(const LeafMinter& minter, std::size_t capacity = 10'000,
                     std::size_t shards = 16, MintBudget* budget = nullptr);
  CertCache(const CertCache&) = delete;
  CertCache& operator=(const CertCache&) = delete;

  // `client`: who asked, charged to the budget if this needs a mint; a client past its budget
  // gets ERR_MINT_LIMIT and nothing is cached or held for the name.
  [[nodiscard]] base::Result<MintedCertPtr> get(
      const std::string& name,
      std::optional<std::chrono::system_clock::time_point> upstream_not_after,
      const std::optional<MintBudget::Address>& client = std::nullopt);

  [[nodiscard]] std::size_t size() const;
  [[nodiscard]] std::uint64_t mints() const { return mints_.load(); }
  // Lookups answered from the cache (or by a mint another caller had in flight).
  [[nodiscard]] std::uint64_t hits() const { return hits_.load(); }

 private:
  using Future = std::shared_future<base::Result<MintedCertPtr>>;
  struct Entry {
    Future result;
    std::list<std::string>::iterator lru;
  };
  struct Shard {
    mutable std::mutex mu;
    std::list<std::string> lru;  // front: most recent
    std::unordered_map<std::string, Entry> map;
  };
  Shard& shard_for(const std::string& key);
  void forget(Shard& s, const std::string& key, const Future& which);

  const LeafMinter& minter_;
  MintBudget* budget_;
  std::size_t per_shard_capacity_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<std::uint64_t> mints_{0};
  std::atomic<std::uint64_t> hits_{0};
};

}  // namespace warden::tls
