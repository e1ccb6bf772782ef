#pragma once
// Character classes of RFC 9110 §5.6 and RFC 3986, as constexpr tables: one load per byte on the
// parsing hot path, no locale.

#include <array>
#include <cstdint>
#include <string_view>

namespace warden::http::chars {

namespace detail {
constexpr std::array<bool, 256> make_table(bool (*pred)(unsigned char)) {
  std::array<bool, 256> t{};
  for (unsigned c = 0; c < 256; ++c) t[c] = pred(static_cast<unsigned char>(c));
  return t;
}
constexpr bool is_alpha(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
constexpr bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
constexpr bool tchar(unsigned char c) {
  return is_alpha(c) || is_digit(c) ||
         std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}
// field-vchar / obs-text plus SP and HTAB inside a value (RFC 9110 §5.5).
constexpr bool field_value(unsigned char c) {
  return c == ' ' || c == '\t' || (c >= 0x21 && c <= 0x7e) || c >= 0x80;
}
// Bytes allowed in a request-target: visible ASCII only (no SP, CTL, DEL or raw non-ASCII).
constexpr bool target(unsigned char c) { return c >= 0x21 && c <= 0x7e && c != '#'; }
// RFC 3986 reg-name: unreserved / pct-encoded ('%') / sub-delims.
constexpr bool reg_name(unsigned char c) {
  return is_alpha(c) || is_digit(c) ||
         std::string_view("-._~%!$&'()*+,;=").find(static_cast<char>(c)) != std::string_view::npos;
}
constexpr bool hexdig(unsigned char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
}  // namespace detail

inline constexpr auto kTchar = detail::make_table(detail::tchar);
inline constexpr auto kFieldValue = detail::make_table(detail::field_value);
inline constexpr auto kTarget = detail::make_table(detail::target);
inline constexpr auto kRegName = detail::make_table(detail::reg_name);
inline constexpr auto kHexdig = detail::make_table(detail::hexdig);

inline bool is_tchar(char c) { return kTchar[static_cast<unsigned char>(c)]; }
inline bool is_field_value_char(char c) { return kFieldValue[static_cast<unsigned char>(c)]; }
inline bool is_target_char(char c) { return kTarget[static_cast<unsigned char>(c)]; }
inline bool is_reg_name_char(char c) { return kRegName[static_cast<unsigned char>(c)]; }
inline bool is_hexdig(char c) { return kHexdig[static_cast<unsigned char>(c)]; }
inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

[[nodiscard]] inline bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_tchar(c)) return false;
  return true;
}

inline char to_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

[[nodiscard]] inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (to_lower(a[i]) != to_lower(b[i])) return false;
  return true;
}

// Strip optional whitespace (SP / HTAB) at both ends.
[[nodiscard]] inline std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace warden::http::chars
