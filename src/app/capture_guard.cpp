#include "app/capture_guard.hpp"

#include "capture/rule_drift.hpp"
#include "capture/rule_installer.hpp"
#include "observe/service_event.hpp"

#include <spdlog/spdlog.h>

namespace warden::app {

CaptureGuard::CaptureGuard(boost::asio::io_context& control, capture::CaptureSettings settings,
                           observe::AccessLog& log)
    : timer_(control), settings_(std::move(settings)), log_(log) {}

base::Result<CaptureGuard::Installed> CaptureGuard::read() const {
  Installed now;
  if (capture::uses_nft_table(settings_)) {
    auto table = capture::installed_table();
    if (!table) return table.error();
    now.table = std::move(*table);
  }
  auto routing = capture::installed_routing(settings_);
  if (!routing) return routing.error();
  now.routing = std::move(*routing);
  return now;
}

void CaptureGuard::start() {
  const bool table = capture::uses_nft_table(settings_);
  if (!table && !settings_.has(capture::CaptureMode::Tun)) return;
  auto now = read();
  if (!now || (table && !now->table)) {
    spdlog::error("capture guard: cannot read the capture rules back ({}); not checking them",
                  now ? "table inet warden is not there" : now.error().context);
    return;
  }
  expected_ = std::move(*now);
  arm();
}

void CaptureGuard::stop() { timer_.cancel(); }

void CaptureGuard::arm() {
  timer_.expires_after(settings_.check_interval);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) check();
  });
}

void CaptureGuard::check() {
  auto now = read();
  if (!now) {
    if (!cannot_read_) spdlog::error("capture guard: {}", now.error().context);
    cannot_read_ = true;
  } else {
    cannot_read_ = false;
    std::optional<std::string> what;
    if (capture::uses_nft_table(settings_))
      what = capture::describe_drift("table inet warden", *expected_.table, now->table);
    if (!what)
      what = capture::describe_drift(settings_.has(capture::CaptureMode::Tun)
                                         ? "the tun mode's policy routing"
                                         : "tproxy's policy routing",
                                     expected_.routing, now->routing);
    if (what) restore(*what);
  }
  arm();
}

void CaptureGuard::restore(const std::string& what) {
  std::string action = "restored";
  if (auto ok = capture::install_capture_rules(settings_); !ok)
    action = "restore failed: " + ok.error().context;
  else if (auto now = read(); now)
    expected_ = std::move(*now);
  spdlog::warn("tamper: {}; {}", what, action);
  log_.submit_event({.event = "tamper", .fields = {{"what", what}, {"action", std::move(action)}}});
}

}  // namespace warden::app
