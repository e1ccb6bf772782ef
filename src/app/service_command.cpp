#include "app/service_command.hpp"

#include "app/packet_path.hpp"
#include "platform/files.hpp"
#include "platform/service.hpp"
#include "platform/wfp.hpp"

#include <fmt/format.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <filesystem>

namespace warden::app {
namespace {

constexpr std::chrono::seconds kWait{30};

int report(const base::Result<void>& r, std::string_view done) {
  if (!r) {
    fmt::print(stderr, "warden: {}\n", r.error().context);
    return 1;
  }
  fmt::print("{}\n", done);
  return 0;
}

std::string absolute(const std::string& path) {
  std::error_code ec;
  const auto a = std::filesystem::absolute(path, ec);
  return ec ? path : a.string();
}

}  // namespace

int service_install(const ServiceCommandOptions& options) {
  std::vector<std::string> command{platform::this_program(), "run", "--service"};
  Config config;
  if (options.config_file) {
    // A config that would not start is refused now, not at the next boot.
    auto c = load_config_file(*options.config_file);
    if (!c) {
      fmt::print(stderr, "warden: {}\n", c.error().context);
      return 1;
    }
    config = *c;
    command.insert(command.end(), {"-c", absolute(*options.config_file)});
  }
  if (options.state_dir)
    command.insert(command.end(), {"--state-dir", absolute(*options.state_dir)});
  if (report(platform::install_service(command), "The Warden service is installed.") != 0) return 1;
  // Capturing and failing closed: the web stays closed whenever Warden is not running, from
  // boot on. Without the filters the service is not left half-installed.
  if (config.capture.has(capture::CaptureMode::WinDivert) && config.capture.fail_closed) {
    if (auto ok = platform::install_fail_closed(wfp_settings(config), platform::this_program());
        !ok) {
      fmt::print(stderr, "warden: {}\n", ok.error().context);
      (void)platform::uninstall_service();
      fmt::print(stderr, "warden: the service was removed again\n");
      return 1;
    }
    fmt::print(
        "Fail-closed filters are in place: without Warden running, web traffic is "
        "blocked until `warden service uninstall`.\n");
  }
  fmt::print(
      "It starts at boot (warden service start starts it now); only administrators can "
      "stop or change it.\n");
  return 0;
}

int service_uninstall() {
  // The fail-closed filters go with the service (where there are none, or no WFP, it says so).
  if (auto removed = platform::remove_fail_closed(); !removed)
    fmt::print(stderr, "warden: note: no fail-closed filters removed: {}\n",
               removed.error().context);
  return report(platform::uninstall_service(), "The Warden service is removed.");
}

int service_start() {
  return report(platform::start_service(kWait), "The Warden service is running.");
}

int service_stop() {
  return report(platform::stop_service(kWait), "The Warden service is stopped.");
}

int service_status() {
  auto s = platform::service_status();
  if (!s) {
    fmt::print(stderr, "warden: {}\n", s.error().context);
    return 1;
  }
  fmt::print("Warden service: {}\n", *s);
  auto filters = platform::fail_closed_status();
  fmt::print("Fail-closed filters: {}\n",
             filters ? *filters : "unavailable (" + filters.error().context + ")");
  return 0;
}

int run_service(const RunOptions& run) {
  return platform::run_as_service([&run] {
    auto c = build_config(run);
    if (!c) {
      platform::report_service_event(true, "Warden cannot start: " + c.error().context);
      return 1;
    }
    if (ensure_state_dir(c->state_dir)) {
      const std::string log = (std::filesystem::path(c->state_dir) / "warden.log").string();
      if (platform::redirect_stderr(log))
        // The logger's console sink holds the handle the service started with (none, or one
        // inherited from whoever started the service manager): it writes to the file instead.
        spdlog::set_default_logger(std::make_shared<spdlog::logger>(
            "warden", std::make_shared<spdlog::sinks::stderr_sink_mt>()));
      else
        platform::report_service_event(true, "Warden cannot write " + log);
    }
    return run_proxy(run);
  });
}

}  // namespace warden::app
