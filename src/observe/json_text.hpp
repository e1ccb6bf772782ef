#pragma once
// The pieces every JSON line Warden writes is made of: strings escaped so each line stays
// valid JSON whatever a client or upstream sent, and second-resolution UTC timestamps.

#include <chrono>
#include <string>
#include <string_view>

namespace warden::observe {

// `s` as a JSON string; bytes outside printable ASCII become \u00XX.
void append_json_string(std::string& out, std::string_view s);
// `utf8` (text made valid UTF-8, as analysis/text makes it) as a JSON string that keeps its
// meaning: each character outside printable ASCII as \uXXXX (a surrogate pair past U+FFFF), so
// readers get the text back while the line stays ASCII. A byte that is not UTF-8 after all
// becomes \ufffd.
void append_json_text(std::string& out, std::string_view utf8);
// `,"k":` (every key after the first).
void append_json_key(std::string& out, std::string_view k);
// "2026-11-26T10:45:22Z", formatted once per second per thread.
void append_timestamp(std::string& out, std::chrono::system_clock::time_point ts);

}  // namespace warden::observe
