#pragma once
// Base64 (RFC 4648 §4, the standard alphabet, padded) both ways, strictly: one spelling per
// value, so what decodes encodes back to the same text (Proxy-Authorization credentials).

#include <optional>
#include <string>
#include <string_view>

namespace warden::base {

[[nodiscard]] std::string to_base64(std::string_view bytes);
// The bytes `text` spells; nullopt for anything but canonical padded base64 (no whitespace, no
// missing or extra '=', no stray bits in the last character).
[[nodiscard]] std::optional<std::string> from_base64(std::string_view text);

}  // namespace warden::base
