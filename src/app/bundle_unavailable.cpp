// Windows: the central policy bundle is not built there yet (libcurl and libarchive are not among
// the cross-built dependencies, docs/windows.md); `warden bundle` and bundle.url say so instead
// of pretending.
#include "app/bundle_command.hpp"
#include "app/bundle_watch.hpp"

#include <fmt/format.h>

namespace warden::app {

BundleWatch::BundleWatch(BundleSettings settings, tls::PkeyPtr key)
    : settings_(std::move(settings)), key_(std::move(key)) {}

BundleWatch::~BundleWatch() = default;

base::Result<std::uint64_t> BundleWatch::fetch_once() {
  return base::Error{base::ErrorCode::Internal, base::ErrorSource::Internal,
                     "bundle.url: policy bundles are not available on Windows yet; copy the "
                     "policy file and lists to policy.file and policy.lists"};
}

void BundleWatch::start(std::function<void(std::uint64_t)>) {}
void BundleWatch::stop() {}
void BundleWatch::loop() {}

int bundle_command(const BundleCommandOptions&) {
  fmt::print(
      stderr,
      "warden bundle: not available on Windows yet; sign bundles on Linux (docs/fleet.md)\n");
  return 1;
}

}  // namespace warden::app
