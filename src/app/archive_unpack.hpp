#pragma once
// Unpacks a category-list archive (tar, compressed with gzip, bzip2, xz or zstd, or zip: the
// UT1 tarball or a school's own) with libarchive into a folder, treating the archive as hostile:
// only folders and regular files are made; a path that is absolute, climbs with `..` or is too
// long, or a name that comes twice, is refused; links (UT1's alias names, which the policy
// resolves itself), devices and the rest are skipped and counted; the bytes and entries
// unpacked are bounded (a small archive that inflates without end is refused, not unpacked).

#include "base/result.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace warden::app {

struct UnpackLimits {
  std::uint64_t max_bytes = 4ull << 30;  // all files together, unpacked
  std::uint64_t max_entries = 100'000;
  std::string_view setting = "lists_update.max_unpacked_mb";  // named when max_bytes is passed
};

struct UnpackStats {
  std::uint64_t files = 0;
  std::uint64_t bytes = 0;
  std::uint64_t skipped = 0;  // links and entries of other kinds, not made
  // The folder the lists are in: `folder`, or its one top folder when the archive wraps
  // everything in one (UT1's `blacklists/`).
  std::string root;
};

// `folder` exists and is empty. On an error it may hold part of the archive: discard it.
[[nodiscard]] base::Result<UnpackStats> unpack_archive(const std::string& archive,
                                                       const std::string& folder,
                                                       const UnpackLimits& limits);
// The same for an archive held in memory (a policy bundle's); `name` says which in errors.
[[nodiscard]] base::Result<UnpackStats> unpack_archive_bytes(std::string_view bytes,
                                                             const std::string& name,
                                                             const std::string& folder,
                                                             const UnpackLimits& limits);

}  // namespace warden::app
