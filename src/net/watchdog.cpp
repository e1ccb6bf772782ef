#include "net/watchdog.hpp"

namespace warden::net {

void Watchdog::expire_at(Clock::time_point t) {
  deadline_ = t;
  if (t < armed_) timer_.cancel();  // wake up and re-arm for the earlier deadline
}

Awaitable<void> Watchdog::run(std::function<void()> on_expire) {
  while (!stopped_) {
    armed_ = deadline_;
    timer_.expires_at(armed_);
    co_await timer_.async_wait();
    if (stopped_) break;
    if (Clock::now() >= deadline_) {
      ++expiries_;
      deadline_ = Clock::time_point::max();
      on_expire();
    }
  }
}

void Watchdog::stop() {
  stopped_ = true;
  timer_.cancel();
}

}  // namespace warden::net
