#include "observe/json_text.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <cstdint>

namespace warden::observe {

void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  std::size_t run = 0;  // runs of plain bytes are appended at once
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') continue;
    out.append(s.substr(run, i - run));
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else {
      fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);
    }
    run = i + 1;
  }
  out.append(s.substr(run));
  out.push_back('"');
}

namespace {

// How long the UTF-8 sequence a lead byte starts is; 0 when it is no lead byte.
std::size_t utf8_sequence_length(std::uint8_t lead) {
  if (lead < 0x80) return 1;
  if (lead < 0xC0 || lead >= 0xF8) return 0;
  return lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
}

}  // namespace

void append_json_text(std::string& out, std::string_view utf8) {
  out.push_back('"');
  const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(utf8[i]); };
  for (std::size_t i = 0; i < utf8.size();) {
    const std::uint8_t lead = byte(i);
    if (lead >= 0x20 && lead < 0x7f) {
      if (lead == '"' || lead == '\\') out.push_back('\\');
      out.push_back(static_cast<char>(lead));
      ++i;
      continue;
    }
    const std::size_t n = utf8_sequence_length(lead);
    std::uint32_t cp = n == 1 ? lead : lead & (0x7Fu >> n);  // the lead byte's value bits
    bool ok = n > 0 && i + n <= utf8.size();
    for (std::size_t k = 1; ok && k < n; ++k) {
      ok = (byte(i + k) & 0xC0) == 0x80;
      cp = (cp << 6) | (byte(i + k) & 0x3Fu);
    }
    if (!ok || cp > 0x10FFFF) {
      out.append("\\ufffd");
      ++i;
      continue;
    }
    if (cp >= 0x10000) {
      const std::uint32_t v = cp - 0x10000;
      fmt::format_to(std::back_inserter(out), "\\u{:04x}\\u{:04x}", 0xD800 + (v >> 10),
                     0xDC00 + (v & 0x3FF));
    } else {
      fmt::format_to(std::back_inserter(out), "\\u{:04x}", cp);
    }
    i += n;
  }
  out.push_back('"');
}

void append_json_key(std::string& out, std::string_view k) {
  out.push_back(',');
  append_json_string(out, k);
  out.push_back(':');
}

void append_timestamp(std::string& out, std::chrono::system_clock::time_point ts) {
  thread_local std::int64_t cached_second = -1;
  thread_local std::string cached;
  const auto second =
      std::chrono::duration_cast<std::chrono::seconds>(ts.time_since_epoch()).count();
  if (second != cached_second) {
    cached = fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", std::chrono::floor<std::chrono::seconds>(ts));
    cached_second = second;
  }
  out.append(cached);
}

}  // namespace warden::observe
