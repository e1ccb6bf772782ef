#pragma once
// Warden as the operating system's service (`warden service ...`, `warden run --service`).
// Windows: the service control manager (platform/windows/service.cpp; what it asks for is in
// service_plan.hpp). Linux: systemd runs `warden run` from its unit (packaging/); install and
// start calls say so instead of pretending, and the report_* calls speak systemd's notify
// protocol (platform/linux/service_notify.cpp).

#include "base/result.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace warden::platform {

// Registers (or re-registers) the service to run `command` (the program and its arguments) at
// boot as LocalSystem, with the DACL, recovery and shutdown settings of service_plan.hpp.
// Needs an administrator.
[[nodiscard]] base::Result<void> install_service(const std::vector<std::string>& command);
// Stops the service if it runs, then removes it.
[[nodiscard]] base::Result<void> uninstall_service();
// Starts it and waits until it runs (or has failed), at most `wait`.
[[nodiscard]] base::Result<void> start_service(std::chrono::seconds wait);
// Asks it to stop and waits until it has, at most `wait`.
[[nodiscard]] base::Result<void> stop_service(std::chrono::seconds wait);
// "running (pid 1234)", "stopped (exit 0)", "not installed", with its start type.
[[nodiscard]] base::Result<std::string> service_status();

// Runs `main` as the service, for the service control manager (`warden run --service`); a stop
// or pre-shutdown request reaches `main` as SIGTERM does. Returns `main`'s exit code, or 1 with
// a message when this process was not started by the service control manager.
[[nodiscard]] int run_as_service(const std::function<int()>& main);
// Tells the service manager the service is up (after start-up: listeners, capture rules and
// policy in place): SERVICE_RUNNING on Windows, READY=1 to systemd (Type=notify) on Linux;
// `status` is the one line `systemctl status` shows. Nothing outside a service manager.
void report_service_running(const std::string& status = {});
// A reload (SIGHUP) has begun; report_service_running() ends it. systemd only.
void report_service_reloading();
// Draining before exit, so the service manager neither waits for READY nor pings. systemd only.
void report_service_stopping();
// How often the service manager wants proof of life (systemd's WatchdogSec, from
// $WATCHDOG_USEC when $WATCHDOG_PID is this process); none when it does not ask.
[[nodiscard]] std::optional<std::chrono::microseconds> service_watchdog_interval();
// The proof: WATCHDOG=1. Sent only when every loop Warden runs has turned (app/liveness).
void report_service_alive();
// Writes `message` to the system's log for services (the Windows Event Log, source Warden),
// when running as a service; nothing otherwise.
void report_service_event(bool error, const std::string& message);

// The running program's full path (for the service's command line).
[[nodiscard]] std::string this_program();

}  // namespace warden::platform
