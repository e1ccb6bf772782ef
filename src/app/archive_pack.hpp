#pragma once
// Packs a folder into a tar.gz with libarchive (`warden bundle sign`): folders and regular files
// only, in name order with fixed owners and times, so that the same folder gives the same
// archive; links and other kinds are refused rather than followed.

#include "base/result.hpp"

#include <string>

namespace warden::app {

// The archive of everything beneath `folder` (paths relative to it), in memory.
[[nodiscard]] base::Result<std::string> pack_folder(const std::string& folder);

}  // namespace warden::app
