#include "app/service_command.hpp"

#include "platform/files.hpp"
#include "platform/service.hpp"

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
  if (options.config_file) {
    // A config that would not start is refused now, not at the next boot.
    if (auto c = load_config_file(*options.config_file); !c) {
      fmt::print(stderr, "warden: {}\n", c.error().context);
      return 1;
    }
    command.insert(command.end(), {"-c", absolute(*options.config_file)});
  }
  if (options.state_dir)
    command.insert(command.end(), {"--state-dir", absolute(*options.state_dir)});
  return report(platform::install_service(command),
                "The Warden service is installed: it starts at boot (warden service start starts "
                "it now); only administrators can stop or change it.");
}

int service_uninstall() {
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
