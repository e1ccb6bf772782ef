#include "http/alt_svc.hpp"

#include "base/hex.hpp"
#include "http/chars.hpp"

#include <optional>
#include <vector>

namespace warden::http {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The comma-separated alt-values, split outside quoted strings; nullopt if a quote is
// unbalanced.
std::optional<std::vector<std::string_view>> split_values(std::string_view value) {
  std::vector<std::string_view> out;
  bool quoted = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (quoted && c == '\\') {
      ++i;  // quoted-pair
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      out.push_back(trim(value.substr(start, i - start)));
      start = i + 1;
    }
  }
  if (quoted) return std::nullopt;
  out.push_back(trim(value.substr(start)));
  return out;
}

std::optional<std::string> percent_decoded(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size() || !chars::is_hexdig(s[i + 1]) || !chars::is_hexdig(s[i + 2]))
      return std::nullopt;
    out.push_back(static_cast<char>(base::hex_digit(s[i + 1]) * 16 + base::hex_digit(s[i + 2])));
    i += 2;
  }
  return out;
}

}  // namespace

bool is_quic_protocol(std::string_view id) {
  std::string lower(id);
  for (char& c : lower) c = chars::to_lower(c);
  const std::string_view l(lower);
  return l.starts_with("h3") || l.starts_with("hq") || l.starts_with("quic");
}

std::string alt_svc_without_quic(std::string_view value) {
  const auto values = split_values(value);
  if (!values) return {};
  std::string out;
  for (const std::string_view alt : *values) {
    if (alt.empty()) continue;
    const std::size_t eq = alt.find('=');
    if (eq == std::string_view::npos) {
      if (chars::iequals(alt, "clear") && values->size() == 1) return std::string(alt);
      continue;  // not an alternative
    }
    const auto id = percent_decoded(trim(alt.substr(0, eq)));
    if (!id || id->empty() || is_quic_protocol(*id)) continue;
    if (!out.empty()) out.append(", ");
    out.append(alt);
  }
  return out;
}

}  // namespace warden::http
