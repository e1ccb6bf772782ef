#pragma once
// What `capture.mode = "tun"` asks of Linux routing (docs/capture.md): the TUN device's
// addresses and MTU, a routing table whose default route is the TUN (and, beneath it, a
// `prohibit` route: if Warden dies the TUN vanishes with its route and connections fail at
// once, closed, instead of leaving uncaptured), and policy rules that send TCP (all ports or the
// listed ones), UDP 443 and 853 there, except Warden's own marked sockets, exempt users and
// exempt destinations, which skip on to the normal tables. No nftables: a TUN and a route.
// Pure: `ip` argument lists, for IPv4 and IPv6; rule_installer runs them.

#include "capture/capture_settings.hpp"

#include <string>
#include <vector>

namespace warden::capture {

using Commands = std::vector<std::vector<std::string>>;

// The rule priorities Warden's TUN rules use (the exemptions jump to the last, a no-op).
inline constexpr unsigned kTunRuleFirst = 5741;
inline constexpr unsigned kTunRuleLast = 5749;

// Sets up the (already created) TUN device and the routing.
[[nodiscard]] Commands tun_routing_commands(const CaptureSettings& s);
// Removes the rules and the table's routes (the device goes with Warden's process).
[[nodiscard]] Commands tun_routing_removal(const CaptureSettings& s);

}  // namespace warden::capture
