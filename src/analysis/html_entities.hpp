#pragma once
// Named character references (&eacute; &nbsp; ...) for the HTML tokenizer.

#include <optional>
#include <string_view>

namespace warden::analysis {

// The code point `name` (without '&' and ';') stands for; nullopt if it is not one.
[[nodiscard]] std::optional<char32_t> named_entity(std::string_view name);

}  // namespace warden::analysis
