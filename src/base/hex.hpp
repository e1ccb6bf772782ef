#pragma once
// Bytes as lower-case hex digits and back: key files, digests in logs and list manifests.

#include <optional>
#include <string>
#include <string_view>

namespace warden::base {

// The value of one hex digit of either case, or -1 when `c` is none.
[[nodiscard]] int hex_digit(char c);
[[nodiscard]] std::string to_hex(std::string_view bytes);
// The bytes `hex` spells (digits of either case, two per byte); nullopt for anything else.
[[nodiscard]] std::optional<std::string> from_hex(std::string_view hex);

}  // namespace warden::base
