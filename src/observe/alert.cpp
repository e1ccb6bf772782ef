#include "observe/alert.hpp"

#include "observe/json_text.hpp"

namespace warden::observe {
namespace {

void field(std::string& out, std::string_view key, std::string_view text) {
  append_json_key(out, key);
  append_json_text(out, text);
}

void who_and_what(std::string& out, const AlertEvent& e, const AlertMatch& m) {
  field(out, "rule", m.rule);
  field(out, "category", m.category);
  field(out, "severity", m.severity);
  field(out, "client", e.client);
  if (!e.user.empty()) field(out, "user", e.user);
  field(out, "group", e.group);
  field(out, "matched", m.matched);
}

void search_object(std::string& out, const SearchSeen& s) {
  out.append("{\"ts\":\"");
  append_timestamp(out, s.ts);
  out.push_back('"');
  field(out, "terms", s.terms);
  field(out, "engine", s.engine);
  field(out, "kind", s.kind);
  field(out, "url", s.url);
  out.push_back('}');
}

void page_object(std::string& out, const PageSeen& p) {
  out.append("{\"ts\":\"");
  append_timestamp(out, p.ts);
  out.push_back('"');
  field(out, "url", p.url);
  append_json_key(out, "score");
  out.append(std::to_string(p.score));
  field(out, "category", p.category);
  field(out, "phrase", p.phrase);
  out.push_back('}');
}

// "search":{...} or "page":{...}: what the alert is about.
void seen_object(std::string& out, const AlertEvent& e) {
  if (const SearchSeen* s = e.search()) {
    append_json_key(out, "search");
    search_object(out, *s);
  } else {
    append_json_key(out, "page");
    page_object(out, std::get<PageSeen>(e.seen));
  }
}

void search_list(std::string& out, std::string_view key, const std::vector<SearchSeen>& list) {
  append_json_key(out, key);
  out.push_back('[');
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (i > 0) out.push_back(',');
    search_object(out, list[i]);
  }
  out.push_back(']');
}

void start(std::string& out, std::string_view event, std::string_view id,
           std::chrono::system_clock::time_point ts) {
  out.append("{\"v\":1,\"ts\":\"");
  append_timestamp(out, ts);
  out.push_back('"');
  field(out, "event", event);
  field(out, "id", id);
}

}  // namespace

std::string alert_line(const Alert& a) {
  std::string out;
  out.reserve(512);
  start(out, "alert", a.id, a.event.ts());
  who_and_what(out, a.event, a.match);
  seen_object(out, a.event);
  field(out, "request_id", a.event.request_id);
  field(out, "decision", a.event.decision);
  search_list(out, "before", a.before);
  search_list(out, "after", a.after);
  out.append("}\n");
  return out;
}

std::string alert_repeat_line(const std::string& id, const AlertEvent& e, const AlertMatch& m,
                              std::uint64_t count) {
  std::string out;
  start(out, "alert_repeat", id, e.ts());
  who_and_what(out, e, m);
  seen_object(out, e);
  append_json_key(out, "count");
  out.append(std::to_string(count));
  out.append("}\n");
  return out;
}

}  // namespace warden::observe
