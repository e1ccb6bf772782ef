#include "observe/access_record.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace warden::observe {
namespace {

// JSON string escaping; bytes outside printable ASCII become \u00XX so every line stays valid
// JSON whatever a client or upstream sent.
void append_string(std::string& out, std::string_view s) {
  out.push_back('"');
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(ch);
    } else if (c < 0x20 || c >= 0x7f) {
      fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);
    } else {
      out.push_back(ch);
    }
  }
  out.push_back('"');
}

void key(std::string& out, std::string_view k) {
  out.push_back(',');
  append_string(out, k);
  out.push_back(':');
}

}  // namespace

void append_json_line(const AccessRecord& r, std::string& out) {
  const auto ms = std::chrono::time_point_cast<std::chrono::milliseconds>(r.ts);
  fmt::format_to(std::back_inserter(out), "{{\"v\":{},\"ts\":\"{:%Y-%m-%dT%H:%M:%S}Z\"",
                 kAccessLogSchemaVersion, ms);
  key(out, "id");
  append_string(out, r.id);
  key(out, "client");
  append_string(out, r.client);
  key(out, "method");
  append_string(out, r.method);
  key(out, "scheme");
  append_string(out, r.scheme);
  key(out, "host");
  append_string(out, r.host);
  fmt::format_to(std::back_inserter(out), ",\"port\":{}", r.port);
  key(out, "path");
  append_string(out, r.path);
  fmt::format_to(std::back_inserter(out),
                 ",\"status\":{},\"bytes_in\":{},\"bytes_out\":{},\"duration_us\":{}", r.status,
                 r.bytes_in, r.bytes_out, r.duration_us);
  key(out, "end");
  append_string(out, r.end);
  if (!r.error.empty()) {
    key(out, "error");
    append_string(out, r.error);
  }
  key(out, "capture");
  append_string(out, r.capture);
  out.append("}\n");
}

}  // namespace warden::observe
