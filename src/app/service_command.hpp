#pragma once
// `warden service install|uninstall|start|stop|status` and `warden run --service`: Warden as
// Windows' service (platform/service.hpp; docs/windows.md). On Linux each says to use systemd.

#include "app/run.hpp"

#include <optional>
#include <string>

namespace warden::app {

struct ServiceCommandOptions {
  std::optional<std::string> config_file;  // the service runs `warden run -c FILE`
  std::optional<std::string> state_dir;
};

[[nodiscard]] int service_install(const ServiceCommandOptions& options);
[[nodiscard]] int service_uninstall();
[[nodiscard]] int service_start();
[[nodiscard]] int service_stop();
[[nodiscard]] int service_status();

// `warden run --service`: `run` under the service control manager, its diagnostics appended to
// warden.log in the state folder (a service has no console).
[[nodiscard]] int run_service(const RunOptions& run);

}  // namespace warden::app
