#include "app/capture_guard.hpp"

#include "capture/rule_drift.hpp"
#include "capture/rule_installer.hpp"
#include "observe/service_event.hpp"

#include <spdlog/spdlog.h>

namespace warden::app {

CaptureGuard::CaptureGuard(boost::asio::io_context& control, capture::CaptureSettings settings,
                           observe::AccessLog& log)
    : timer_(control), settings_(std::move(settings)), log_(log) {}

void CaptureGuard::start() {
  if (!capture::uses_nft_table(settings_)) return;
  auto table = capture::installed_table();
  if (!table || !*table) {
    spdlog::error("capture guard: cannot read table inet warden back ({}); not checking it",
                  table ? "it is not there" : table.error().context);
    return;
  }
  expected_ = **table;
  auto routing = capture::installed_routing(settings_);
  if (!routing) {
    spdlog::error("capture guard: cannot read the policy routing back ({})",
                  routing.error().context);
    return;
  }
  expected_routing_ = *routing;
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
  auto table = capture::installed_table();
  auto routing = capture::installed_routing(settings_);
  if (!table || !routing) {
    if (!cannot_read_)
      spdlog::error("capture guard: {}", !table ? table.error().context : routing.error().context);
    cannot_read_ = true;
  } else {
    cannot_read_ = false;
    auto what = capture::describe_drift("table inet warden", expected_, *table);
    if (!what)
      what = capture::describe_drift("tproxy's policy routing", expected_routing_, *routing);
    if (what) restore(*what);
  }
  arm();
}

void CaptureGuard::restore(const std::string& what) {
  std::string action = "restored";
  if (auto ok = capture::install_capture_rules(settings_); !ok) {
    action = "restore failed: " + ok.error().context;
  } else {
    auto table = capture::installed_table();
    auto routing = capture::installed_routing(settings_);
    if (table && *table) expected_ = **table;
    if (routing) expected_routing_ = *routing;
  }
  spdlog::warn("tamper: {}; {}", what, action);
  log_.submit(observe::service_event_line(
      {.event = "tamper", .fields = {{"what", what}, {"action", std::move(action)}}}));
}

}  // namespace warden::app
