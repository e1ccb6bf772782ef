// Dashboard: Reports over an hour, a day or a week (top sites, categories and clients, blocks
// over time, searches), and the same as CSV.
#include "admin/dashboard_call.hpp"
#include "observe/activity_reader.hpp"

#include <fmt/format.h>

namespace warden::admin {
namespace {

constexpr std::int64_t kTop = 15;

observe::ReportScope scope_of(const Form& q) {
  const std::int64_t hour = std::chrono::duration_cast<std::chrono::hours>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count();
  const std::string_view period = q.get("period");
  const std::int64_t hours = period == "hour" ? 1 : period == "week" ? 168 : 24;
  return {hour - hours + 1, hour, std::string(q.get("group")), std::string(q.get("client"))};
}

std::vector<std::pair<std::string, std::int64_t>> pairs(const std::vector<observe::Tally>& t) {
  std::vector<std::pair<std::string, std::int64_t>> out;
  for (const auto& x : t) out.emplace_back(x.key, x.requests);
  return out;
}

// What each CSV (and report section) is: the column it counts and the decision.
struct Table {
  std::string_view kind, what, decision, title;
};
constexpr Table kTables[] = {{"blocked_hosts", "host", "block", "Most blocked sites"},
                             {"allowed_hosts", "host", "allow", "Most visited sites"},
                             {"blocked_categories", "category", "block", "Blocked categories"},
                             {"allowed_categories", "category", "allow", "Visited categories"},
                             {"blocked_clients", "client", "block", "Clients blocked most"}};

}  // namespace

std::string Dashboard::reports_page(const Call& c, const Form& q) {
  const observe::ReportScope scope = scope_of(q);
  std::string period(q.get("period").empty() ? "day" : q.get("period"));
  std::string body = fmt::format(
      "<h1>Reports</h1><section><form class=\"f\" method=\"get\"><label>Period<select "
      "name=\"period\"><option value=\"hour\"{}>last hour</option><option value=\"day\"{}>last "
      "day</option><option value=\"week\"{}>last week</option></select></label><label>Group"
      "<input name=\"group\" value=\"{}\" size=\"12\"></label><label>Client<input name=\"client\" "
      "value=\"{}\" size=\"14\"></label><button>Show</button></form></section>",
      period == "hour" ? " selected" : "", period == "day" ? " selected" : "",
      period == "week" ? " selected" : "", esc(scope.group), esc(scope.client));
  observe::ActivityReader* rd = reader();
  if (rd == nullptr)
    return c.answer("Reports", "reports",
                    body +
                        "<section><p class=\"muted\">The activity database is off "
                        "(admin.database), so there is nothing to report.</p></section>");
  std::string csv_query;
  for (const auto& [name, value] : q.fields())
    if (name != "kind") csv_query += fmt::format("&amp;{}={}", url_encode(name), url_encode(value));

  body += "<section><h2>Blocks over time</h2>";
  if (auto hours = rd->blocks_per_hour(scope)) {
    std::vector<std::pair<std::string, std::int64_t>> columns;
    auto it = hours->begin();
    for (std::int64_t h = scope.from_hour; h <= scope.to_hour; ++h) {
      std::int64_t n = 0;
      if (it != hours->end() && it->first == h) n = (it++)->second;
      const std::string when = local_time_ms(h * 3'600'000);
      columns.emplace_back(when.substr(5, 8) + "h", n);  // "12-07 14h"
    }
    body += column_chart(columns, "Blocked requests per hour");
  }
  body += "</section>";
  for (const Table& t : kTables) {
    if (t.what == "client" && !scope.client.empty()) continue;
    auto top = rd->top(scope, t.what, t.decision, kTop);
    if (!top) return c.answer("Reports", "reports", body + esc(top.error().context), 500);
    body += fmt::format(
        "<section><h2>{}</h2>{}<p><a href=\"/reports.csv?kind={}{}\">CSV</a>"
        "</p></section>",
        t.title, bar_list(pairs(*top), "request"), t.kind, csv_query);
  }
  body += "<section><h2>Searches</h2>";
  if (!c.sees_searches()) {
    body += "<p class=\"muted\">Search terms are for safeguarding staff and administrators.</p>";
  } else if (auto searches = rd->searches(scope, 100); searches && !searches->empty()) {
    body +=
        "<table><tr><th>Time</th><th>Client</th><th>User</th><th>Group</th><th>Engine</th>"
        "<th>Terms</th><th>Decision</th></tr>";
    for (const auto& s : *searches)
      body += fmt::format(
          "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
          "<td class=\"{}\">{}</td></tr>",
          local_time_ms(s.ts_ms), esc(s.client), esc(s.user), esc(s.group), esc(s.engine),
          esc(s.terms), esc(s.decision), esc(s.decision));
    body +=
        fmt::format("</table><p><a href=\"/reports.csv?kind=searches{}\">CSV</a></p>", csv_query);
  } else {
    body +=
        "<p class=\"muted\">No searches were recorded in this period (with log.search = "
        "\"off\" none are).</p>";
  }
  body += "</section>";
  return c.answer("Reports", "reports", body);
}

std::string Dashboard::reports_csv(const Call& c, const Form& q) {
  const observe::ReportScope scope = scope_of(q);
  observe::ActivityReader* rd = reader();
  const std::string_view kind = q.get("kind");
  if (rd == nullptr) return c.answer("Reports", "reports", "No activity database.", 404);
  std::string csv;
  if (kind == "searches") {
    if (!c.sees_searches())
      return c.answer("Reports", "reports", "Search terms are not for viewers.", 403);
    auto rows = rd->searches(scope, 100'000);
    if (!rows) return c.answer("Reports", "reports", esc(rows.error().context), 500);
    csv = "time,client,user,group,engine,kind,terms,decision\r\n";
    for (const auto& s : *rows)
      csv += fmt::format("{},{},{},{},{},{},{},{}\r\n", csv_field(local_time_ms(s.ts_ms)),
                         csv_field(s.client), csv_field(s.user), csv_field(s.group),
                         csv_field(s.engine), csv_field(s.kind), csv_field(s.terms),
                         csv_field(s.decision));
  } else {
    const Table* t = nullptr;
    for (const Table& x : kTables)
      if (x.kind == kind) t = &x;
    if (t == nullptr) return c.answer("Reports", "reports", "No such report.", 404);
    auto rows = rd->top(scope, t->what, t->decision, 10'000);
    if (!rows) return c.answer("Reports", "reports", esc(rows.error().context), 500);
    csv = fmt::format("{},requests,bytes\r\n", t->what);
    for (const auto& r : *rows)
      csv += fmt::format("{},{},{}\r\n", csv_field(r.key), r.requests, r.bytes);
  }
  return csv_response(fmt::format("warden-{}.csv", kind), csv, c.request.close);
}

}  // namespace warden::admin
