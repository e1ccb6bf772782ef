#include "app/bundle_setup.hpp"

#include "app/bundle_format.hpp"
#include "app/bundle_store.hpp"
#include "platform/files.hpp"

#include <spdlog/spdlog.h>

namespace warden::app {

base::Result<std::unique_ptr<BundleWatch>> prepare_bundle(const Config& c) {
  if (c.bundle.url.empty()) return std::unique_ptr<BundleWatch>();
  const std::string folder = bundle_folder(c.state_dir);
  std::string warning;
  if (auto ok = platform::ensure_private_folder(folder, warning); !ok) return ok.error();
  if (!warning.empty()) spdlog::warn("{}", warning);
  auto key = read_ed25519_key(c.bundle.public_key, false);
  if (!key)
    return base::Error{key.error().code, key.error().source,
                       "bundle.public_key: " + key.error().context};
  BundleSettings s;
  s.url = c.bundle.url;
  s.ca_files = c.bundle.ca;
  s.poll = std::chrono::duration_cast<std::chrono::milliseconds>(c.bundle.poll);
  s.max_bytes = std::uint64_t{c.bundle.max_download_mb} << 20;
  s.limits.max_bytes = std::uint64_t{c.bundle.max_unpacked_mb} << 20;
  s.limits.setting = "bundle.max_unpacked_mb";
  s.folder = folder;
  return std::make_unique<BundleWatch>(std::move(s), std::move(*key));
}

base::Result<std::uint64_t> first_bundle(const Config& c, BundleWatch& watch) {
  const std::uint64_t kept = current_bundle_version(bundle_folder(c.state_dir));
  if (kept != 0) {
    spdlog::info("policy bundle version {} (the last good one); {} is asked at once", kept,
                 c.bundle.url);
    return kept;
  }
  auto fetched = watch.fetch_once();
  if (!fetched)
    return base::Error{fetched.error().code, fetched.error().source,
                       "bundle: no policy bundle has been applied here yet, and none could be: " +
                           fetched.error().context};
  return fetched;
}

void use_bundle(Config& c) {
  if (c.bundle.url.empty()) return;
  const BundlePaths paths = bundle_paths(bundle_folder(c.state_dir));
  c.policy.file = paths.policy;
  c.policy.lists = paths.lists;
}

}  // namespace warden::app
