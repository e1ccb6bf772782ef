#pragma once
// How many new certificates clients may have minted: minting is the costliest thing a client
// can make Warden do, and random names in SNI cost a client nothing. A token bucket per client
// (an IPv4 address, or an IPv6 /64: one device may hold a whole /64) and one for all clients
// (so the signer's own limit is never what refuses). Only mints are charged: a certificate
// from the cache costs nothing, so a flood of new names leaves every other pupil's
// connections and the cached names of the flooder itself alone.
//
// Bounded: at most `clients` buckets; a bucket that has refilled is forgotten (it changes
// nothing), and clients beyond the bound share one bucket.
//
// Thread safety: take() from any worker (one lock; only on the mint path, never for a hit).

#include "base/cidr.hpp"
#include "base/token_bucket.hpp"

#include <cstdint>
#include <mutex>
#include <unordered_map>

namespace warden::tls {

class MintBudget {
 public:
  using Address = base::IpBytes;  // IPv6, or IPv4 as ::ffff:a.b.c.d
  using Clock = base::TokenBucket::Clock;
  struct Limits {
    base::TokenRate per_client{.per_second = 10, .burst = 200};
    base::TokenRate all_clients{.per_second = 200, .burst = 2000};
    std::size_t clients = 65'536;
  };
  enum class Verdict : unsigned char { Granted, ClientSpent, AllSpent };

  explicit MintBudget(Limits limits);

  // Charges one mint to `client` (and to all clients) at `now`.
  [[nodiscard]] Verdict take(const Address& client, Clock::time_point now = Clock::now());
  // Buckets held (tests: the bound).
  [[nodiscard]] std::size_t clients() const;

 private:
  struct KeyHash {
    std::size_t operator()(const Address& a) const;
  };
  void forget_refilled(Clock::time_point now);  // at most once a second: it walks them all

  Limits limits_;
  mutable std::mutex mu_;
  std::unordered_map<Address, base::TokenBucket, KeyHash> per_client_;
  base::TokenBucket shared_by_the_rest_;
  base::TokenBucket all_clients_;
  Clock::time_point swept_{};
};

}  // namespace warden::tls
