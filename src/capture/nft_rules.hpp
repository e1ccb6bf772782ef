#pragma once
// The nftables ruleset Warden owns: one table, `inet warden`, rendered from CaptureSettings and
// loaded atomically with `nft -f` (the table is declared, deleted and declared again in one
// transaction, so it is replaced whole and other tables are never touched). tproxy also needs
// policy routing (a fwmark rule and a local route table), rendered as `ip` commands.

#include "capture/capture_settings.hpp"

#include <string>
#include <vector>

namespace warden::capture {

inline constexpr std::string_view kTableName = "warden";

// The script for `nft -f -` that replaces (or creates) table inet warden.
[[nodiscard]] std::string render_nft_ruleset(const CaptureSettings& s);
// The script that removes it.
[[nodiscard]] std::string render_nft_removal();

// `ip` argument lists that add (or, with add = false, delete) tproxy's policy routing, IPv4 and
// IPv6. Empty without tproxy.
[[nodiscard]] std::vector<std::vector<std::string>> tproxy_routing_commands(
    const CaptureSettings& s, bool add);

}  // namespace warden::capture
