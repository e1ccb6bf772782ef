#include "observe/access_record.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace warden::observe {
namespace {

// JSON string escaping; bytes outside printable ASCII become \u00XX so every line stays valid
// JSON whatever a client or upstream sent. Runs of plain bytes are appended at once.
void append_string(std::string& out, std::string_view s) {
  out.push_back('"');
  std::size_t run = 0;
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

// "2026-11-26T10:45:22Z", formatted once per second per thread.
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

void key(std::string& out, std::string_view k) {
  out.push_back(',');
  append_string(out, k);
  out.push_back(':');
}

}  // namespace

void append_json_line(const AccessRecord& r, std::string& out) {
  fmt::format_to(std::back_inserter(out), "{{\"v\":{},\"ts\":\"", kAccessLogSchemaVersion);
  append_timestamp(out, r.ts);
  out.push_back('"');
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
  if (!r.orig_dst.empty()) {
    key(out, "orig_dst");
    append_string(out, r.orig_dst);
  }
  if (!r.proto.empty()) {
    key(out, "proto");
    append_string(out, r.proto);
    key(out, "conn");
    append_string(out, r.conn);
  }
  if (!r.decision.empty()) {
    key(out, "decision");
    append_string(out, r.decision);
    key(out, "rule");
    append_string(out, r.rule);
    key(out, "group");
    append_string(out, r.group);
    if (!r.category.empty()) {
      key(out, "category");
      append_string(out, r.category);
    }
  }
  out.append("}\n");
}

}  // namespace warden::observe
