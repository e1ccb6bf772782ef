#pragma once
// `warden run`: load the config (file + flags), start the engine, and serve until SIGTERM or
// SIGINT (drain, then exit 0). SIGHUP re-reads the config file, applies what can change live,
// and reopens the access log.

#include "app/config.hpp"
#include "policy/policy.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace warden::app {

// Flags of `warden run` that override the file.
struct RunOptions {
  std::optional<std::string> config_file;
  std::vector<std::string> listen;  // replaces proxy.listen when non-empty
  std::optional<std::string> state_dir;
  std::optional<std::string> access_log;
  std::optional<unsigned> threads;
  std::optional<std::string> log_level;
  std::vector<std::uint16_t> connect_ports;     // added to proxy.connect_ports
  std::vector<std::string> upstream_ca;         // added to tls.upstream_ca
  std::optional<std::string> policy_file;       // replaces policy.file
  std::optional<std::string> lists;             // replaces policy.lists
  std::vector<std::string> capture_modes;       // replaces capture.mode when non-empty
  std::vector<std::string> allow_destinations;  // added to proxy.allow_destinations
  std::optional<std::string> admin_listen;      // replaces admin.listen
};

// The config `warden run` would use: file (or defaults), then flags, then validation.
[[nodiscard]] base::Result<Config> build_config(const RunOptions& options);
// The state folder `warden run` would use with the same -c FILE / --state-dir DIR (for the
// commands that work in it: ca, bypass).
[[nodiscard]] base::Result<std::string> state_dir_for(const std::optional<std::string>& config_file,
                                                      const std::optional<std::string>& state_dir);

// Creates the folder 0700 (and missing parents) if needed; refuses a non-directory.
[[nodiscard]] base::Result<void> ensure_state_dir(const std::string& path);

// The policy the config names (file and lists), loaded and compiled.
[[nodiscard]] base::Result<policy::PolicyPtr> load_configured_policy(const Config& c);

[[nodiscard]] int run_proxy(const RunOptions& options);

}  // namespace warden::app
