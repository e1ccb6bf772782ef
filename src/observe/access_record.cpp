#include "observe/access_record.hpp"

#include "observe/json_text.hpp"

#include <fmt/format.h>

namespace warden::observe {

void append_line_start(std::string& out, std::chrono::system_clock::time_point ts,
                       std::string_view instance) {
  fmt::format_to(std::back_inserter(out), "{{\"v\":{},\"ts\":\"", kAccessLogSchemaVersion);
  append_timestamp(out, ts);
  out.push_back('"');
  if (!instance.empty()) {
    append_json_key(out, "instance");
    append_json_string(out, instance);
  }
}

void append_json_line(const AccessRecord& r, std::string& out, std::string_view instance) {
  append_line_start(out, r.ts, instance);
  append_json_key(out, "id");
  append_json_string(out, r.id);
  append_json_key(out, "client");
  append_json_string(out, r.client);
  if (!r.user.empty()) {
    append_json_key(out, "user");
    append_json_string(out, r.user);
  }
  append_json_key(out, "method");
  append_json_string(out, r.method);
  append_json_key(out, "scheme");
  append_json_string(out, r.scheme);
  append_json_key(out, "host");
  append_json_string(out, r.host);
  fmt::format_to(std::back_inserter(out), ",\"port\":{}", r.port);
  append_json_key(out, "path");
  append_json_string(out, r.path);
  fmt::format_to(std::back_inserter(out),
                 ",\"status\":{},\"bytes_in\":{},\"bytes_out\":{},\"duration_us\":{}", r.status,
                 r.bytes_in, r.bytes_out, r.duration_us);
  append_json_key(out, "end");
  append_json_string(out, r.end);
  if (!r.error.empty()) {
    append_json_key(out, "error");
    append_json_string(out, r.error);
  }
  append_json_key(out, "capture");
  append_json_string(out, r.capture);
  if (!r.orig_dst.empty()) {
    append_json_key(out, "orig_dst");
    append_json_string(out, r.orig_dst);
  }
  if (!r.proto.empty()) {
    append_json_key(out, "proto");
    append_json_string(out, r.proto);
    append_json_key(out, "conn");
    append_json_string(out, r.conn);
  }
  if (!r.decision.empty()) {
    append_json_key(out, "decision");
    append_json_string(out, r.decision);
    append_json_key(out, "rule");
    append_json_string(out, r.rule);
    append_json_key(out, "group");
    append_json_string(out, r.group);
    if (!r.category.empty()) {
      append_json_key(out, "category");
      append_json_string(out, r.category);
    }
  }
  const bool hashed = !r.search_hash.empty();
  if (hashed || !r.search.empty()) {
    append_json_key(out, hashed ? "search_hash" : "search");
    if (hashed)
      append_json_string(out, r.search_hash);
    else
      append_json_text(out, r.search);
    append_json_key(out, "search_engine");
    append_json_string(out, r.search_engine);
    append_json_key(out, "search_kind");
    append_json_string(out, r.search_kind);
  }
  if (!r.page_scan.empty()) {
    append_json_key(out, "page_scan");
    append_json_string(out, r.page_scan);
    out += fmt::format(",\"page_score\":{}", r.page_score);
    if (!r.page_category.empty()) {
      append_json_key(out, "page_category");
      append_json_text(out, r.page_category);
    }
  }
  out.append("}\n");
}

}  // namespace warden::observe
