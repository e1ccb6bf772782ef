#pragma once
// `warden capture install|remove|show`: Warden's nftables table (and tproxy's policy routing)
// by hand, from the same config `warden run` uses. `warden run` installs it itself; these are
// for setting it up before a service starts, removing it after a fail-closed stop, and looking.

#include <optional>
#include <string>
#include <vector>

namespace warden::app {

struct CaptureCommandOptions {
  std::optional<std::string> config_file;
  std::vector<std::string> modes;  // --capture, replaces capture.mode
  bool planned = false;            // show: what install would load, instead of what is loaded
};

[[nodiscard]] int capture_install(const CaptureCommandOptions& o);
[[nodiscard]] int capture_remove(const CaptureCommandOptions& o);
[[nodiscard]] int capture_show(const CaptureCommandOptions& o);

}  // namespace warden::app
