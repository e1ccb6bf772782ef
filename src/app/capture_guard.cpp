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
  if (!table) {
    if (!cannot_read_) spdlog::error("capture guard: {}", table.error().context);
    cannot_read_ = true;
  } else {
    cannot_read_ = false;
    if (auto what = capture::describe_drift(expected_, *table)) restore(*what);
  }
  arm();
}

void CaptureGuard::restore(const std::string& what) {
  std::string action = "restored";
  if (auto ok = capture::install_capture_rules(settings_); !ok) {
    action = "restore failed: " + ok.error().context;
  } else if (auto table = capture::installed_table(); table && *table) {
    expected_ = **table;
  }
  spdlog::warn("tamper: {}; {}", what, action);
  log_.submit(observe::service_event_line(
      {.event = "tamper", .fields = {{"what", what}, {"action", std::move(action)}}}));
}

}  // namespace warden::app
