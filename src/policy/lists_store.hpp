#pragma once
// A lists folder that `warden lists update` keeps: versions side by side, one of them current,
// switched by replacing one symbolic link, so a reader sees the old lists or the new ones and
// never half of each:
//
//   <lists>/current -> .versions/20261206T022100Z      (relative link, renamed over atomically)
//   <lists>/.versions/20261206T022100Z/<category>/domains ...
//   <lists>/.versions/<stamp>.partial/                  (while unpacking; never read)
//
// Everything stays beneath <lists>, the folder Warden was started with: its Landlock wall
// (docs/tls.md) lets it read what is made there later. A folder without `current` is read as
// it is (lists put there by hand); once `current` exists, the lists are read through it.

#include "base/result.hpp"

#include <string>

namespace warden::policy {

// Where the lists of `lists` are read from: <lists>/current when there is one, else <lists>.
[[nodiscard]] std::string lists_source(const std::string& lists);
// The version <lists>/current points at ("20261206T022100Z"); empty when none.
[[nodiscard]] std::string lists_version(const std::string& lists);

// A new, empty <lists>/.versions/<stamp>.partial folder to unpack into. `stamp`: now (UTC) when
// empty; else the caller's (a policy bundle's version, zero-padded so that it sorts), refused
// when that version is there already.
struct StagedVersion {
  std::string stamp;
  std::string folder;
};
[[nodiscard]] base::Result<StagedVersion> stage_version(const std::string& lists,
                                                        std::string stamp = {});
// Makes `root` (the staged folder, or a folder inside it: an archive's top folder) version
// `staged.stamp` and points <lists>/current at it in one rename; then removes the rest of the
// staged folder and every version but the current one and the one before it (kept to go back to).
[[nodiscard]] base::Result<void> make_current(const std::string& lists, const StagedVersion& staged,
                                              const std::string& root);
// Removes a staged folder that will not be used (a failed update).
void discard(const StagedVersion& staged);

}  // namespace warden::policy
