#pragma once
// Durations in the config are strings with a unit: "250ms", "30s", "15m", "1h".

#include "net/types.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace warden::app {

[[nodiscard]] std::optional<net::Duration> parse_duration(std::string_view text);
// The shortest exact spelling: 900000 ms -> "15m".
[[nodiscard]] std::string format_duration(net::Duration d);

}  // namespace warden::app
