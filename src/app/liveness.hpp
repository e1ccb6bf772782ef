#pragma once
// Proof of life for the service manager (systemd's WatchdogSec): a WATCHDOG=1 is sent only when
// every loop that carries traffic has turned since the last check: each worker's event loop and
// the packet loop. A stuck worker therefore gets Warden restarted even though the main thread
// is fine. Checks run on the control loop every third of the interval, so one missed check
// leaves systemd a third of the interval to spare.

#include "capture/packet/packet_loop.hpp"
#include "flow/engine.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>

namespace warden::app {

class Liveness {
 public:
  // `loop` may be null (no packet path). Both must outlive this.
  Liveness(boost::asio::io_context& control, flow::Engine& engine,
           const capture::packet::PacketLoop* loop);
  // Starts checking when the service manager asks for a watchdog; does nothing otherwise.
  void start();
  void stop();

 private:
  void arm();
  void check();

  boost::asio::steady_timer timer_;
  flow::Engine& engine_;
  const capture::packet::PacketLoop* loop_;
  std::chrono::microseconds every_{0};
  std::chrono::steady_clock::time_point last_check_{};
  bool complained_ = false;  // said once what is stuck, not every check
};

}  // namespace warden::app
