#include "app/bundle_format.hpp"
#include "app/bundle_store.hpp"
#include "policy/lists_store.hpp"
#include "policy/policy_file.hpp"

#include <fmt/format.h>

#include <filesystem>

// apply_bundle (app/bundle_store.hpp): Linux only, since it unpacks with libarchive.
namespace warden::app {
namespace fs = std::filesystem;
namespace {

base::Error store_error(std::string what) {
  return {base::ErrorCode::BadRequest, base::ErrorSource::Upstream, std::move(what)};
}

}  // namespace

base::Result<std::uint64_t> apply_bundle(const std::string& folder, std::string_view bytes,
                                         EVP_PKEY* key, const UnpackLimits& limits) {
  auto bundle = open_bundle(bytes, key);
  if (!bundle) return bundle.error();
  const std::uint64_t running = current_bundle_version(folder);
  if (bundle->version <= running)
    return store_error(fmt::format("version {} is not newer than version {}, which runs here",
                                   bundle->version, running));
  auto staged = policy::stage_version(folder, fmt::format("{:020}", bundle->version));
  if (!staged) return staged.error();
  auto fail = [&](base::Error e) -> base::Result<std::uint64_t> {
    policy::discard(*staged);
    return e;
  };
  auto unpacked =
      unpack_archive_bytes(bundle->archive, fmt::format("version {}'s archive", bundle->version),
                           staged->folder, limits);
  if (!unpacked) return fail(unpacked.error());
  const fs::path root = unpacked->root;
  std::error_code ec;
  if (!fs::is_regular_file(root / "policy.toml", ec))
    return fail(
        store_error(fmt::format("version {}: no policy.toml in the bundle", bundle->version)));
  const std::string lists = fs::is_directory(root / "lists", ec) ? (root / "lists").string() : "";
  if (auto loaded = policy::load_policy((root / "policy.toml").string(), lists); !loaded)
    return fail(store_error(fmt::format("version {}: its policy does not load: {}", bundle->version,
                                        loaded.error().context)));
  if (auto made = policy::make_current(folder, *staged, root.string()); !made)
    return fail(made.error());
  return bundle->version;
}

}  // namespace warden::app
