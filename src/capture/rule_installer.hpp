#pragma once
// Installs, removes and shows Warden's capture rules (capture/nft_rules.hpp) with the system's
// `nft` and `ip`. Errors say what is missing: nftables not installed, no CAP_NET_ADMIN, a
// kernel without a needed feature.

#include "base/result.hpp"
#include "capture/capture_settings.hpp"

#include <optional>
#include <string>

namespace warden::capture {

[[nodiscard]] base::Result<void> install_capture_rules(const CaptureSettings& s);
// Removes the table (and tproxy's routing); not an error when there is nothing to remove.
[[nodiscard]] base::Result<void> remove_capture_rules(const CaptureSettings& s);
// `nft list table inet warden`, or a note that it is not installed.
[[nodiscard]] base::Result<std::string> show_capture_rules();

// Whether these settings put a table into nftables (redirect, tproxy, local).
[[nodiscard]] bool uses_nft_table(const CaptureSettings& s);
// The table as the kernel holds it now (`nft list table inet warden`), to compare over time;
// nullopt when it is not there.
[[nodiscard]] base::Result<std::optional<std::string>> installed_table();
// The policy routing of tproxy or tun as the kernel holds it now (Warden's rules and its
// table's routes, IPv4 and IPv6, one line each); "" without either.
[[nodiscard]] base::Result<std::string> installed_routing(const CaptureSettings& s);

}  // namespace warden::capture
