#pragma once
// A token bucket: up to `burst` at once, refilled at `per_second`. Not thread-safe; the owner
// locks. Time is passed in (steady clock), so tests need no sleeps.

#include <algorithm>
#include <chrono>

namespace warden::base {

struct TokenRate {
  double per_second = 1;
  double burst = 1;
};

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;
  explicit TokenBucket(TokenRate rate) : rate_(rate), tokens_(rate.burst) {}

  // Takes one token if there is one at `now`.
  bool take(Clock::time_point now) {
    refill(now);
    if (tokens_ < 1) return false;
    tokens_ -= 1;
    return true;
  }
  // Whether it has refilled to its burst by `now` (so forgetting it changes nothing).
  [[nodiscard]] bool full(Clock::time_point now) const { return tokens_at(now) >= rate_.burst; }

 private:
  [[nodiscard]] double tokens_at(Clock::time_point now) const {
    if (refilled_ == Clock::time_point{}) return tokens_;
    const double seconds = std::chrono::duration<double>(now - refilled_).count();
    return std::min(rate_.burst, tokens_ + std::max(0.0, seconds) * rate_.per_second);
  }
  void refill(Clock::time_point now) {
    tokens_ = tokens_at(now);
    refilled_ = std::max(refilled_, now);
  }

  TokenRate rate_;
  double tokens_;
  Clock::time_point refilled_{};
};

}  // namespace warden::base
