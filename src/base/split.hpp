#pragma once
// Splitting a line of a colon- or comma-separated file into its fields.

#include <string_view>
#include <vector>

namespace warden::base {

// Every field of `s` between `sep`s, empty ones included ("a::b" is three fields).
[[nodiscard]] inline std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  for (;;) {
    const std::size_t at = s.find(sep);
    parts.push_back(s.substr(0, at));
    if (at == std::string_view::npos) return parts;
    s = s.substr(at + 1);
  }
}

}  // namespace warden::base
