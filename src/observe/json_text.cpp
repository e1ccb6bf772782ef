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
