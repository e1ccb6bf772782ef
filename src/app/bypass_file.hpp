#pragma once
// The emergency bypass as a file: `warden bypass` (an administrator) writes it into the state
// folder's bypass/ folder, the running Warden reads it (app/bypass_watch.hpp). Being a file, it
// outlives restarts, so its end time holds whatever happens to the process in between.
//
//   # Written by `warden bypass`; ...
//   # 2026-11-30 00:53:20 UTC until 2026-11-30 01:08:20 UTC (below: seconds since 1970)
//   by = 'root (sudo: alice)'
//   group = 'staff'                   # absent: every client
//   reason = 'exam software update'
//   started = 1796000000
//   until = 1796000900

#include "base/result.hpp"

#include <chrono>
#include <string>

namespace warden::app {

// The longest bypass `warden bypass` grants and Warden honours.
inline constexpr std::chrono::hours kMaxBypass{24};

struct BypassGrant {
  std::string group;  // empty: every client
  std::string reason;
  std::string by;  // who asked, as the command saw it
  std::chrono::system_clock::time_point started;
  std::chrono::system_clock::time_point until;
  bool operator==(const BypassGrant&) const = default;
};

// <state>/bypass: created by `warden run` at start (so the key's Landlock wall lets it read
// files made there later) and by `warden bypass` if missing.
[[nodiscard]] std::string bypass_folder(const std::string& state_dir);
[[nodiscard]] std::string bypass_file(const std::string& state_dir);

[[nodiscard]] std::string render_bypass(const BypassGrant& g);
// Refuses what `warden bypass` would never write: no reason, an end before the start, longer
// than kMaxBypass, a group name with characters a policy's cannot have. `source` names the file.
[[nodiscard]] base::Result<BypassGrant> parse_bypass(std::string_view text,
                                                     const std::string& source);

// "2026-12-06 03:00:00 UTC"
[[nodiscard]] std::string format_utc(std::chrono::system_clock::time_point t);

}  // namespace warden::app
