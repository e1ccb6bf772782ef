#pragma once
// A per-worker batch's clock (AccessLogBatch, ActivityBatch): after the first addition to an
// empty batch, hand it over once `interval` has passed, unless something handed it over first.
// Not thread-safe: the worker's own.

#include "net/types.hpp"

#include <chrono>
#include <functional>

namespace warden::observe {

class FlushTimer {
 public:
  FlushTimer(const net::asio::any_io_executor& ex, std::chrono::milliseconds interval)
      : timer_(ex), interval_(interval) {}
  // Calls `flush` `interval` from now unless already waiting to; the owner outlives the wait
  // (its destruction cancels it, and then `flush` is not called).
  void arm(std::function<void()> flush) {
    if (armed_) return;
    armed_ = true;
    timer_.expires_after(interval_);
    timer_.async_wait([this, flush = std::move(flush)](boost::system::error_code ec) {
      if (ec == boost::asio::error::operation_aborted) return;  // being destroyed
      armed_ = false;
      flush();
    });
  }

 private:
  net::Timer timer_;
  std::chrono::milliseconds interval_;
  bool armed_ = false;
};

}  // namespace warden::observe
