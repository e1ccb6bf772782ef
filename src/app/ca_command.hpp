#pragma once
// `warden ca init|export|show|install|uninstall`: the school CA in the same state folder `warden
// run` uses (found through the same -c FILE / --state-dir DIR).

#include <optional>
#include <string>

namespace warden::app {

struct CaCommandOptions {
  std::optional<std::string> config_file;
  std::optional<std::string> state_dir;
  std::string key = "ecdsa-p256";   // init: ecdsa-p256 | rsa-3072
  std::optional<std::string> name;  // init: the school's name
  bool force = false;               // init: replace an existing CA
  std::string format = "pem";       // export: pem | der
};

[[nodiscard]] int ca_init(const CaCommandOptions& o);
[[nodiscard]] int ca_export(const CaCommandOptions& o);
[[nodiscard]] int ca_show(const CaCommandOptions& o);
// Windows: the CA into / out of the machine's trusted roots (platform/trust_store.hpp).
[[nodiscard]] int ca_install(const CaCommandOptions& o);
[[nodiscard]] int ca_uninstall(const CaCommandOptions& o);

}  // namespace warden::app
