#pragma once
// Strict reverse-path filtering (rp_filter = 1) breaks the TUN packet path: the replies to
// Warden's own upstream connections arrive on the real interface, but without Warden's socket
// mark the reverse route to their source points into the TUN, so the kernel drops them
// (../shared/PACKET-PATH-NOTES.md). Loose (2) and off (0) work. Checked at start, so the
// failure is named instead of every upstream connection timing out.

#include <string>
#include <vector>

namespace warden::platform {

// The interfaces (but lo and `ignore`) whose effective IPv4 rp_filter is strict: the larger
// of conf/all and conf/<interface>, as the kernel takes it. `root` is /proc/sys/net/ipv4/conf.
[[nodiscard]] std::vector<std::string> strict_rp_filter_interfaces(
    const std::string& ignore, const std::string& root = "/proc/sys/net/ipv4/conf");

}  // namespace warden::platform
