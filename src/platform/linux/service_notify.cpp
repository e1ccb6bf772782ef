// systemd's notify protocol through libsystemd's sd_notify(3) (../shared/DESIGN.md,
// Dependencies): one datagram of "KEY=value" lines to $NOTIFY_SOCKET. Outside systemd the
// variable is unset and nothing is sent.
#include "platform/service.hpp"

#include <cstdint>
#include <systemd/sd-daemon.h>

namespace warden::platform {

void report_service_running(const std::string& status) {
  const std::string message = status.empty() ? "READY=1" : "READY=1\nSTATUS=" + status;
  (void)::sd_notify(0, message.c_str());
}

void report_service_reloading() { (void)::sd_notify(0, "RELOADING=1\nSTATUS=reloading"); }

void report_service_stopping() { (void)::sd_notify(0, "STOPPING=1\nSTATUS=draining connections"); }

std::optional<std::chrono::microseconds> service_watchdog_interval() {
  // Checks WATCHDOG_PID too, so a child inheriting the environment does not answer for us.
  std::uint64_t usec = 0;
  if (::sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
  return std::chrono::microseconds(usec);
}

void report_service_alive() { (void)::sd_notify(0, "WATCHDOG=1"); }

}  // namespace warden::platform
