#pragma once
// Asking an administrator for a new password (`warden admin`, `warden users`): from the
// terminal without echo, and twice; or the first line of standard input when that is not a
// terminal (scripts).

#include <optional>
#include <string>
#include <string_view>

namespace warden::app {

inline constexpr std::size_t kShortestPassword = 10;

// The password, or nullopt having said why on stderr (`command` starts the message).
[[nodiscard]] std::optional<std::string> new_password(std::string_view command,
                                                      std::size_t shortest = kShortestPassword);

}  // namespace warden::app
