#include "analysis/text.hpp"

#include "base/hex.hpp"

#include <cstdint>

namespace warden::analysis {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// The UTF-8 sequence at the start of `s` (Unicode Table 3-7): how long its lead byte says it
// is, and how many of its bytes are right. Well-formed when the two agree; otherwise the bytes
// that are right form the "maximal subpart" that one U+FFFD replaces (at least the lead).
struct Sequence {
  std::size_t expected = 1;
  std::size_t matched = 1;
};

Sequence sequence_at(std::string_view s) {
  const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(s[i]); };
  const std::uint8_t lead = byte(0);
  if (lead < 0x80) return {1, 1};
  Sequence q;
  std::uint8_t second_low = 0x80;
  std::uint8_t second_high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    q.expected = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    q.expected = 3;
    if (lead == 0xE0) second_low = 0xA0;   // no overlong forms
    if (lead == 0xED) second_high = 0x9F;  // no surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    q.expected = 4;
    if (lead == 0xF0) second_low = 0x90;
    if (lead == 0xF4) second_high = 0x8F;  // nothing past U+10FFFF
  } else {
    return {2, 1};  // not a lead byte: bad on its own
  }
  for (; q.matched < q.expected && q.matched < s.size(); ++q.matched) {
    const std::uint8_t low = q.matched == 1 ? second_low : std::uint8_t{0x80};
    const std::uint8_t high = q.matched == 1 ? second_high : std::uint8_t{0xBF};
    if (byte(q.matched) < low || byte(q.matched) > high) break;
  }
  return q;
}

}  // namespace

std::string form_decoded(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < value.size() && base::hex_digit(value[i + 1]) >= 0 &&
               base::hex_digit(value[i + 2]) >= 0) {
      out.push_back(
          static_cast<char>(base::hex_digit(value[i + 1]) * 16 + base::hex_digit(value[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string valid_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  while (!bytes.empty()) {
    const Sequence q = sequence_at(bytes);
    out.append(q.matched == q.expected ? bytes.substr(0, q.matched) : kReplacement);
    bytes.remove_prefix(q.matched);
  }
  return out;
}

std::string collapsed(std::string_view text, std::size_t max_bytes) {
  std::string out;
  bool pending_space = false;
  for (const char c : text) {
    if (is_space(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  if (out.size() > max_bytes) {
    std::size_t cut = max_bytes;
    while (cut > 0 && (static_cast<std::uint8_t>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
    while (!out.empty() && out.back() == ' ') out.pop_back();
  }
  return out;
}

namespace {

// Windows-1252's 0x80..0x9F (WHATWG encoding standard, index-windows-1252); the rest of the
// bytes are their ISO-8859-1 code points.
constexpr std::uint16_t kWindows1252High[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

}  // namespace

std::string_view trimmed(std::string_view s, std::string_view also) {
  const auto trim = [&](char c) { return c == ' ' || c == '\t' || also.find(c) != also.npos; };
  while (!s.empty() && trim(s.front())) s.remove_prefix(1);
  while (!s.empty() && trim(s.back())) s.remove_suffix(1);
  return s;
}

std::string ascii_lowered(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return out;
}

void append_utf8(std::string& out, char32_t cp) {
  if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) cp = 0xFFFD;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

char32_t windows1252_code_point(unsigned char b) {
  return b >= 0x80 && b < 0xA0 ? kWindows1252High[b - 0x80] : b;
}

std::string windows1252_to_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 4);
  for (const char c : bytes)
    append_utf8(out, windows1252_code_point(static_cast<unsigned char>(c)));
  return out;
}

bool is_utf8(std::string_view bytes, bool allow_cut_end) {
  while (!bytes.empty()) {
    const Sequence q = sequence_at(bytes);
    if (q.matched != q.expected)
      return allow_cut_end && q.matched == bytes.size() &&
             static_cast<std::uint8_t>(bytes[0]) >= 0xC2 &&
             static_cast<std::uint8_t>(bytes[0]) <= 0xF4;  // a lead byte, its sequence cut
    bytes.remove_prefix(q.matched);
  }
  return true;
}

}  // namespace warden::analysis
