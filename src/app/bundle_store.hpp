#pragma once
// The policy bundles this instance has applied (docs/fleet.md, "One policy for the fleet"), in
// <state_dir>/bundle, laid out and switched as policy/lists_store.hpp keeps lists:
//
//   current -> .versions/00000000001765130000    (the running version, renamed over atomically)
//   .versions/<version>/policy.toml, lists/...   (this one and the one before it)
//   etag                                          (the server's validator, for If-None-Match)
//
// A bundle becomes current only once its signature holds, its version is newer than the
// current one, it unpacks whole and safely, and its policy loads; anything short of that
// leaves the current version as it was. The current version survives restarts: an instance
// that cannot reach the server starts with the last good bundle. (apply_bundle: bundle_apply.cpp,
// Linux only.)

#include "app/archive_unpack.hpp"
#include "base/result.hpp"

#include <openssl/evp.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace warden::app {

[[nodiscard]] std::string bundle_folder(const std::string& state_dir);

// Where the current version's policy and lists are read from (the paths go through `current`,
// so they stay right after a switch); `lists` is empty when the bundle has none.
struct BundlePaths {
  std::string policy;
  std::string lists;
};
[[nodiscard]] BundlePaths bundle_paths(const std::string& folder);

// The current version, 0 when none has been applied.
[[nodiscard]] std::uint64_t current_bundle_version(const std::string& folder);

// Checks `bytes` (a bundle as fetched) against `key` and the current version and makes it the
// current version; returns its version, or what was wrong (nothing changed then).
[[nodiscard]] base::Result<std::uint64_t> apply_bundle(const std::string& folder,
                                                       std::string_view bytes, EVP_PKEY* key,
                                                       const UnpackLimits& limits);

// The ETag kept from the last fetch ("" when none) and its replacement.
[[nodiscard]] std::string read_bundle_etag(const std::string& folder);
void write_bundle_etag(const std::string& folder, const std::string& etag);

}  // namespace warden::app
