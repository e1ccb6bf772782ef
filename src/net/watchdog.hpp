#pragma once
// One deadline per flow (the Asio chat_server "watchdog" pattern). Moving the deadline later
// is a plain store, so the data path pays no timer operation per read; the timer wakes at the
// old deadline, sees the new one and sleeps again. Moving it earlier re-arms the timer.
// When the deadline passes, `on_expire` runs once (it typically cancels the flow's sockets)
// and the watchdog goes on guarding whatever deadline is set next.
//
// Thread: the flow's worker only. Lifecycle: run() is co_awaited (or spawned with the owner
// kept alive) and returns after stop().

#include "net/types.hpp"

#include <functional>

namespace warden::net {

class Watchdog {
 public:
  explicit Watchdog(const asio::any_io_executor& ex) : timer_(ex) {}

  // Deadline `d` from now; Duration::zero() or less means "already expired".
  void expire_after(Duration d) { expire_at(Clock::now() + d); }
  void expire_at(Clock::time_point t);
  // No deadline until the next expire_*.
  void disarm() { expire_at(Clock::time_point::max()); }
  [[nodiscard]] Clock::time_point deadline() const { return deadline_; }
  // Counts expiries so callers can tell a timeout from another cancellation.
  [[nodiscard]] unsigned expiries() const { return expiries_; }

  Awaitable<void> run(std::function<void()> on_expire);
  void stop();

 private:
  Timer timer_;
  Clock::time_point deadline_ = Clock::time_point::max();
  Clock::time_point armed_ = Clock::time_point::max();
  unsigned expiries_ = 0;
  bool stopped_ = false;
};

}  // namespace warden::net
