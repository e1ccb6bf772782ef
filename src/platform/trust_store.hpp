#pragma once
// The machine's own list of trusted roots, for `warden ca install|uninstall`: Windows' Local
// Machine "Root" store (which Edge, Chrome and Windows' own clients use), and Firefox told by
// enterprise policy to trust that store too. Linux distributions differ (update-ca-certificates,
// NSS databases): there `warden ca show` prints the commands instead.

#include "base/result.hpp"

#include <string>

namespace warden::platform {

// Adds the certificate (DER) to the machine's trusted roots, replacing an earlier copy, and
// makes Firefox trust the machine's roots. Needs an administrator.
[[nodiscard]] base::Result<void> install_trusted_root(const std::string& der);
// Removes that certificate from the trusted roots (nothing there is not an error). The Firefox
// policy stays: other enterprise roots may rely on it.
[[nodiscard]] base::Result<void> remove_trusted_root(const std::string& der);
// Whether the machine trusts it.
[[nodiscard]] base::Result<bool> is_trusted_root(const std::string& der);

}  // namespace warden::platform
