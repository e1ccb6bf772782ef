// Dashboard: Alerts (safeguarding and admin): the newest alerts of the alert log, each with
// what raised it, and a note or an acknowledgement kept in admin/alert-notes (JSON lines, who
// and when) and the audit log.
#include "admin/dashboard_call.hpp"

#include <boost/json/src.hpp>  // Boost.JSON, header-only: built in this one file
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <map>

namespace warden::admin {
namespace {

namespace json = boost::json;

constexpr std::size_t kTailBytes = 512 * 1024;  // the newest alerts; older ones stay in the log
constexpr std::size_t kShown = 200;
constexpr std::size_t kMaxNote = 2000;

// The last `kTailBytes` of `path`, as whole lines, newest first.
std::vector<std::string> newest_lines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  in.seekg(0, std::ios::end);
  const auto size = static_cast<std::size_t>(std::max<std::streamoff>(0, in.tellg()));
  const std::size_t start = size > kTailBytes ? size - kTailBytes : 0;
  in.seekg(static_cast<std::streamoff>(start));
  std::string text(size - start, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (start != 0) text.erase(0, text.find('\n') + 1);  // a cut first line
  std::vector<std::string> lines;
  std::size_t end = text.size();
  while (end > 0) {
    std::size_t begin = text.rfind('\n', end - 1);
    begin = begin == std::string::npos ? 0 : begin + 1;
    if (end > begin) lines.push_back(text.substr(begin, end - begin));
    end = begin == 0 ? 0 : begin - 1;
  }
  return lines;
}

std::string field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return {};
  if (v->is_string()) return std::string(v->as_string());
  if (v->is_int64()) return std::to_string(v->as_int64());
  return {};
}

struct Note {
  std::string state, note, user, ts;
};

// Alert id -> its latest note.
std::map<std::string, Note> read_notes(const std::string& path) {
  std::map<std::string, Note> notes;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    boost::system::error_code ec;
    const json::value v = json::parse(line, ec);
    if (ec || !v.is_object()) continue;
    const json::object& o = v.as_object();
    notes[field(o, "id")] = {field(o, "state"), field(o, "note"), field(o, "user"), field(o, "ts")};
  }
  return notes;
}

struct Alert {
  std::string id, ts, rule, category, severity, client, group, decision, what, matched;
};

std::vector<Alert> read_alerts(const std::string& path) {
  std::vector<Alert> alerts;
  for (const std::string& line : newest_lines(path)) {
    if (alerts.size() == kShown) break;
    boost::system::error_code ec;
    const json::value v = json::parse(line, ec);
    if (ec || !v.is_object()) continue;
    const json::object& o = v.as_object();
    if (field(o, "event") != "alert") continue;
    Alert a{field(o, "id"),       field(o, "ts"),       field(o, "rule"),
            field(o, "category"), field(o, "severity"), field(o, "client"),
            field(o, "group"),    field(o, "decision"), {},
            field(o, "matched")};
    if (const auto* s = o.if_contains("search"); s != nullptr && s->is_object())
      a.what = "searched \u201c" + field(s->as_object(), "terms") + "\u201d";
    if (const auto* p = o.if_contains("page"); p != nullptr && p->is_object())
      a.what = "page " + field(p->as_object(), "url");
    alerts.push_back(std::move(a));
  }
  return alerts;
}

}  // namespace

std::size_t Dashboard::open_alerts() {
  const auto notes = read_notes(sources_.admin_dir + "/alert-notes");
  std::size_t open = 0;
  for (const Alert& a : read_alerts(sources_.alert_log))
    if (auto it = notes.find(a.id); it == notes.end() || it->second.state != "acknowledged") ++open;
  return open;
}

std::string Dashboard::alerts_page(const Call& c, std::string_view message) {
  std::string body = "<h1>Alerts</h1>";
  if (!message.empty()) body += fmt::format("<p class=\"warn\">{}</p>", esc(message));
  if (sources_.alert_log.empty())
    return c.answer("Alerts", "alerts",
                    body +
                        "<section><p class=\"muted\">Alerts are off (alerts.log = \"off\")."
                        "</p></section>");
  const auto notes = read_notes(sources_.admin_dir + "/alert-notes");
  const auto alerts = read_alerts(sources_.alert_log);
  body += "<section>";
  if (alerts.empty())
    body +=
        "<p class=\"muted\">No alerts yet. The policy's [[alert]] rules say what raises "
        "one.</p>";
  for (const Alert& a : alerts) {
    const auto note = notes.find(a.id);
    const bool done = note != notes.end() && note->second.state == "acknowledged";
    body += fmt::format(
        "<div class=\"card\" style=\"margin-bottom:.75rem\"><p><b class=\"{}\">{}</b> {} \u00b7 "
        "{} ({}) \u00b7 {}</p><p>{} \u00b7 <span class=\"muted\">{}; {}</span></p>",
        a.severity == "high" ? "block" : "", esc(a.severity), esc(a.rule), esc(a.client),
        esc(a.group), esc(a.ts), esc(a.what), esc(a.matched), esc(a.decision));
    if (note != notes.end())
      body +=
          fmt::format("<p class=\"muted\">{} by {} at {}{}</p>", esc(note->second.state),
                      esc(note->second.user), esc(note->second.ts),
                      note->second.note.empty() ? std::string() : ": " + esc(note->second.note));
    body += fmt::format(
        "<form class=\"f\" method=\"post\" action=\"/alerts/note\"><input type=\"hidden\" "
        "name=\"csrf\" value=\"{}\"><input type=\"hidden\" name=\"id\" value=\"{}\"><label>Note"
        "<input name=\"note\" size=\"30\" maxlength=\"{}\"></label><button name=\"state\" "
        "value=\"acknowledged\">{}</button><button class=\"q\" name=\"state\" value=\"noted\">"
        "Add note</button></form></div>",
        esc(c.session.csrf), esc(a.id), kMaxNote, done ? "Acknowledge again" : "Acknowledge");
  }
  body += "</section>";
  return c.answer("Alerts", "alerts", body);
}

std::string Dashboard::alert_note(const Call& c, const Form& form) {
  const std::string_view id = form.get("id");
  const std::string_view state = form.get("state");
  const std::string_view note = form.get("note");
  if (id.empty() || id.size() > 64 || (state != "acknowledged" && state != "noted") ||
      note.size() > kMaxNote)
    return alerts_page(c, "That note could not be kept: it is malformed or too long.");
  if (!append_json_line(sources_.admin_dir + "/alert-notes",
                        {{"id", id}, {"user", c.session.user}, {"state", state}, {"note", note}}))
    return alerts_page(c, "The note could not be written.");
  audit_.write(state == "acknowledged" ? "alert_acknowledged" : "alert_noted", c.session.user,
               c.request.peer, fmt::format("{} {}", id, note));
  return redirect("/alerts", c.request.close);
}

}  // namespace warden::admin
