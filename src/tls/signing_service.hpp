#pragma once
// The signer process's one job (app/signer_command.cpp): answer a request datagram with a
// certificate minted and signed with the CA key it alone holds. A compromised worker can ask
// for certificates but no faster than the rate limit, and every one is logged. Sans-io.
//
// Thread safety: one thread (the signer is single-threaded).

#include "base/token_bucket.hpp"
#include "tls/leaf_minter.hpp"
#include "tls/signer_protocol.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace warden::tls {

// The signer's limit for `per_second` first mints: bursts of ten seconds' worth. Warden's
// all-clients mint budget uses the same, so the budget refuses before the signer would.
constexpr base::TokenRate signer_rate(double per_second) { return {per_second, per_second * 10}; }

class SigningService {
 public:
  // `rate`: sustained first mints per second, and the burst (a school's first minutes, or a cold
  // cache after a restart).
  SigningService(const LeafMinter& minter, base::TokenRate rate);

  // The answer to one request datagram, for `now` (steady clock: the rate limit's refill).
  [[nodiscard]] std::string answer(std::string_view request,
                                   std::chrono::steady_clock::time_point now);

  [[nodiscard]] std::uint64_t signed_count() const { return signed_; }
  [[nodiscard]] std::uint64_t refused_count() const { return refused_; }

 private:
  std::string refuse(std::uint32_t id, std::string why, std::chrono::steady_clock::time_point now);

  const LeafMinter& minter_;
  base::TokenBucket tokens_;
  std::uint64_t signed_ = 0;
  std::uint64_t refused_ = 0;
  std::uint64_t refused_unlogged_ = 0;
  std::chrono::steady_clock::time_point refusal_logged_{};
};

}  // namespace warden::tls
