#pragma once
// `warden bypass`: an administrator lets one group (or everyone) through unfiltered for a bounded
// time, with a reason, e.g. while an exam's software updates. It writes the bypass file
// (app/bypass_file.hpp) in the state folder `warden run` uses (found through the same -c FILE /
// --state-dir DIR); the running Warden puts it in force within a second and logs start and end.
//
//   warden bypass --for 15m [--group G] --reason "..."   start (or replace) one
//   warden bypass --end                                  end it now
//   warden bypass                                        say whether one is in force

#include <optional>
#include <string>

namespace warden::app {

struct BypassOptions {
  std::optional<std::string> config_file;
  std::optional<std::string> state_dir;
  std::optional<std::string> duration;  // --for
  std::string group;                    // empty: every client
  std::string reason;
  bool end = false;
};

[[nodiscard]] int bypass_command(const BypassOptions& o);

}  // namespace warden::app
