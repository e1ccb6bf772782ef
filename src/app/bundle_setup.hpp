#pragma once
// The central policy as `warden run` uses it (bundle.url, docs/fleet.md): the bundle folder and
// the school's public key before the CA key's wall goes up, the first bundle before the policy
// loads, and the config pointed at the current version.

#include "app/bundle_watch.hpp"
#include "app/config.hpp"
#include "base/result.hpp"

#include <memory>

namespace warden::app {

// Null when bundle.url is empty. Makes <state>/bundle and reads bundle.public_key: call it
// before the CA key's wall goes up.
[[nodiscard]] base::Result<std::unique_ptr<BundleWatch>> prepare_bundle(const Config& c);

// Makes sure a bundle is current: the one kept from before, else one fetched now (an instance
// that has never had one cannot start: it has no policy). Says which version runs.
[[nodiscard]] base::Result<std::uint64_t> first_bundle(const Config& c, BundleWatch& watch);

// Points c.policy at the current bundle version's policy and lists (no-op without bundle.url).
void use_bundle(Config& c);

}  // namespace warden::app
