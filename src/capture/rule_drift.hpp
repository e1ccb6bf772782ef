#pragma once
// What changed in Warden's capture rules since they were installed (its nftables table, tproxy's
// policy routing), in words for the tamper log: "table inet warden was removed", or the lines
// added and removed. Pure, so it is tested alone.

#include <optional>
#include <string>
#include <string_view>

namespace warden::capture {

// nullopt when `found` (the listing of `what` now; nullopt: gone) is `expected` (its listing
// right after install).
[[nodiscard]] std::optional<std::string> describe_drift(std::string_view what,
                                                        std::string_view expected,
                                                        const std::optional<std::string>& found);

}  // namespace warden::capture
