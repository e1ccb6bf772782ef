#include "app/liveness.hpp"

#include "platform/service.hpp"

#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

namespace warden::app {

Liveness::Liveness(boost::asio::io_context& control, flow::Engine& engine,
                   const capture::packet::PacketLoop* loop)
    : timer_(control), engine_(engine), loop_(loop) {}

void Liveness::start() {
  const auto interval = platform::service_watchdog_interval();
  if (!interval) return;
  every_ = *interval / 3;
  spdlog::info("service watchdog every {} ms: pinged while every worker and packet loop turns",
               std::chrono::duration_cast<std::chrono::milliseconds>(*interval).count());
  (void)engine_.workers_not_turning();  // the first stamps
  last_check_ = std::chrono::steady_clock::now();
  platform::report_service_alive();
  arm();
}

void Liveness::stop() { timer_.cancel(); }

void Liveness::arm() {
  timer_.expires_after(every_);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) check();
  });
}

void Liveness::check() {
  const auto now = std::chrono::steady_clock::now();
  const std::vector<unsigned> stuck = engine_.workers_not_turning();
  const bool packets_stuck = loop_ != nullptr && !loop_->turned_since(last_check_);
  last_check_ = now;
  if (stuck.empty() && !packets_stuck) {
    platform::report_service_alive();
    complained_ = false;
  } else if (!complained_) {
    complained_ = true;
    spdlog::error(
        "not turning: {}{}{}; the service watchdog is not pinged (systemd restarts "
        "Warden when its WatchdogSec passes)",
        stuck.empty() ? "" : fmt::format("worker {}", fmt::join(stuck, ", ")),
        !stuck.empty() && packets_stuck ? " and " : "", packets_stuck ? "the packet loop" : "");
  }
  arm();
}

}  // namespace warden::app
