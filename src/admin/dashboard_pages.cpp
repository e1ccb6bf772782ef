// Dashboard pages: Now, Activity, "why" for a request, Policy (with "check a URL").
#include "actions/page_parts.hpp"
#include "admin/dashboard_call.hpp"
#include "observe/activity_reader.hpp"
#include "policy/rule_text.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <ranges>

namespace warden::admin {
namespace {

constexpr std::int64_t kPageRows = 50;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string card(std::string_view value, std::string_view label) {
  return fmt::format(
      "<div class=\"card\"><div class=\"n\">{}</div><div class=\"l\">{}</div>"
      "</div>",
      esc(value), esc(label));
}

std::string age_text(double seconds) {
  const auto s = static_cast<std::int64_t>(seconds);
  if (s < 120) return fmt::format("{} s", s);
  if (s < 7200) return fmt::format("{} min", s / 60);
  if (s < 172800) return fmt::format("{} h", s / 3600);
  return fmt::format("{} days", s / 86400);
}

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The period a filter form chose: "hour", "day" (default), "week" or "month".
std::int64_t period_ms(std::string_view period) {
  if (period == "hour") return 3'600'000;
  if (period == "week") return 7 * 86'400'000LL;
  if (period == "month") return 30 * 86'400'000LL;
  return 86'400'000;
}

std::string select(std::string_view name, std::string_view chosen,
                   std::initializer_list<std::pair<std::string_view, std::string_view>> options) {
  std::string out = fmt::format("<select name=\"{}\">", name);
  for (const auto& [value, label] : options)
    out += fmt::format("<option value=\"{}\"{}>{}</option>", value,
                       value == chosen ? " selected" : "", label);
  return out + "</select>";
}

// A rule's groups for the Policy page, escaped: "pupils, staff", or "every group".
std::string groups_text(const std::vector<std::string>& groups) {
  return groups.empty() ? std::string("every group")
                        : esc(fmt::format("{}", fmt::join(groups, ", ")));
}

// "scheme://host[:port]/path", whole (the "why" link's URL; shown_url cuts long ones).
std::string full_url(std::string_view scheme, std::string_view host, std::uint16_t port,
                     std::string_view path) {
  const bool v6 = host.find(':') != std::string_view::npos;
  const std::uint16_t usual = scheme == "https" ? 443 : 80;
  return fmt::format("{}://{}{}{}{}{}", scheme, v6 ? "[" : "", host, v6 ? "]" : "",
                     port == 0 || port == usual ? std::string() : fmt::format(":{}", port), path);
}

std::string explanation(const std::vector<std::string>& lines, const std::string& why) {
  if (!why.empty()) return fmt::format("<p class=\"err\">{}</p>", esc(why));
  std::string out = "<pre>";
  for (const std::string& l : lines) out += esc(l) + "\n";
  return out + "</pre>";
}

}  // namespace

std::string Dashboard::now_page(const Call& c) {
  const Figures f = sources_.figures();
  const ServiceFigures& s = f.service;
  std::string body = "<h1>Now</h1><div class=\"cards\">";
  if (observe::ActivityReader* rd = reader()) {
    std::int64_t minute = 0;
    std::int64_t allowed = 0;
    std::int64_t blocked = 0;
    if (auto m = rd->decisions_since(now_ms() - 60'000))
      for (const auto& t : *m) minute += t.requests;
    if (auto h = rd->decisions_since(now_ms() - 3'600'000))
      for (const auto& t : *h) {
        if (t.key == "block") blocked += t.requests;
        if (t.key == "allow") allowed += t.requests;
      }
    body +=
        card(fmt::format("{:.1f}", static_cast<double>(minute) / 60), "requests/s, last minute");
    body += card(std::to_string(allowed), "allowed, last hour");
    body += card(std::to_string(blocked), "blocked, last hour");
  }
  std::uint64_t open = 0;
  for (const std::uint64_t n : f.totals.open_connections) open += n;
  body += card(std::to_string(open), "connections open");
  if (c.session.role != Role::Viewer && !sources_.alert_log.empty())
    body += card(std::to_string(open_alerts()), "alerts to look at");
  std::uint64_t errors = 0;
  for (const auto& [code, n] : f.totals.errors) errors += n;
  body += card(std::to_string(errors), "errors since start");
  body += "</div>";

  body +=
      "<section><h2>Since Warden started, by capture</h2><table><tr><th>capture</th>"
      "<th>open now</th>";
  for (const auto d : observe::kDecisions) body += fmt::format("<th>{}</th>", d);
  body += "</tr>";
  for (std::size_t m = 0; m < observe::kCaptures.size(); ++m) {
    std::uint64_t any = f.totals.open_connections[m];
    for (std::size_t d = 0; d < observe::kDecisions.size(); ++d) any += f.totals.requests[d][m];
    if (any == 0) continue;
    body += fmt::format("<tr><td>{}</td><td>{}</td>", observe::kCaptures[m],
                        f.totals.open_connections[m]);
    for (std::size_t d = 0; d < observe::kDecisions.size(); ++d)
      body += fmt::format("<td>{}</td>", f.totals.requests[d][m]);
    body += "</tr>";
  }
  body += "</table></section><section><h2>Errors by code</h2>";
  std::vector<std::pair<std::string, std::int64_t>> by_code;
  for (const auto& [code, n] : f.totals.errors)
    by_code.emplace_back(code, static_cast<std::int64_t>(n));
  std::sort(by_code.begin(), by_code.end(),
            [](const auto& a, const auto& b) { return a.second > b.second; });
  body += bar_list(by_code, "") + "</section>";

  const policy::PolicyPtr p = sources_.policy();
  std::size_t domains = 0;
  for (const auto& [name, n] : s.list_domains) domains += n;
  const double ca_days = (s.ca_not_after - unix_now()) / 86400;
  body += "<section><h2>The filter</h2><table>";
  body += fmt::format("<tr><th>Version</th><td>{}</td></tr>", esc(s.version));
  if (s.process)
    body += fmt::format("<tr><th>Running for</th><td>{}</td></tr>",
                        age_text(unix_now() - s.process->start_time));
  if (p)
    body += fmt::format(
        "<tr><th>Policy</th><td>{}, loaded {} ago ({} reloads, {} refused)</td></tr>"
        "<tr><th>Category lists</th><td>{} categories, {} domains{}</td></tr>",
        esc(p->source()), age_text(unix_now() - s.policy_loaded_at), s.policy_reloads_ok,
        s.policy_reloads_failed, s.list_domains.size(), domains,
        p->lists().version().empty() ? std::string() : ", version " + esc(p->lists().version()));
  if (s.ca_not_after > 0)
    body += fmt::format("<tr><th>School CA</th><td{}>valid for {:.0f} more days</td></tr>",
                        ca_days < 30 ? " class=\"block\"" : "", ca_days);
  if (s.activity)
    body += fmt::format("<tr><th>Activity database</th><td>{} rows written, {} dropped</td></tr>",
                        s.activity->first, s.activity->second);
  else
    body += "<tr><th>Activity database</th><td>off (admin.database)</td></tr>";
  body += "</table></section>";
  return c.answer("Now", "now", body);
}

std::string Dashboard::activity_page(const Call& c, const Form& q) {
  observe::ActivityFilter f;
  f.client = q.get("client");
  f.user = q.get("user");
  f.group = q.get("group");
  f.host = q.get("host");
  f.decision = q.get("decision");
  f.category = q.get("category");
  f.rule = q.get("rule");
  f.status = q.get("status");
  const std::string period(q.get("period").empty() ? "day" : q.get("period"));
  f.from_ms = now_ms() - period_ms(period);
  std::int64_t page_no = 0;
  if (const std::string_view p = q.get("page");
      !p.empty() && p.size() < 6 && p.find_first_not_of("0123456789") == p.npos)
    page_no = std::stoll(std::string(p));

  std::string body = "<h1>Activity</h1><section><form class=\"f\" method=\"get\">";
  for (const auto& [name, label] :
       {std::pair{"client", "Client"}, std::pair{"user", "User"}, std::pair{"group", "Group"},
        std::pair{"host", "Host contains"}, std::pair{"category", "Category"},
        std::pair{"rule", "Rule"}, std::pair{"status", "Status (403, 5xx)"}})
    body += fmt::format("<label>{}<input name=\"{}\" value=\"{}\" size=\"12\"></label>", label,
                        name, esc(q.get(name)));
  body += "<label>Decision" +
          select("decision", f.decision,
                 {{"", "any"},
                  {"allow", "allow"},
                  {"block", "block"},
                  {"no_decrypt", "no_decrypt"},
                  {"reject", "reject"},
                  {"none", "none"}}) +
          "</label><label>Period" +
          select("period", period,
                 {{"hour", "last hour"},
                  {"day", "last day"},
                  {"week", "last week"},
                  {"month", "last 30 days"}}) +
          "</label><button>Show</button></form></section>";
  observe::ActivityReader* rd = reader();
  if (rd == nullptr)
    return c.answer("Activity", "activity",
                    body +
                        "<section><p class=\"muted\">The activity database is off "
                        "(admin.database), so there is nothing to show.</p></section>");
  auto rows = rd->recent(f, kPageRows + 1, page_no * kPageRows);
  if (!rows)
    return c.answer("Activity", "activity",
                    body + fmt::format("<p class=\"err\">{}</p>", esc(rows.error().context)), 500);
  body +=
      "<section><table><tr><th>Time</th><th>Client</th><th>User</th><th>Group</th><th>Request</th>"
      "<th>Decision</th><th>Category</th><th>Rule</th><th>Status</th><th>Bytes</th>";
  if (c.sees_searches()) body += "<th>Search</th>";
  body += "<th></th></tr>";
  for (std::size_t i = 0; i < rows->size() && i < static_cast<std::size_t>(kPageRows); ++i) {
    const observe::ActivityRow& r = (*rows)[i];
    // Viewers see no search terms: a path's query can carry them.
    std::string path = r.path;
    if (!c.sees_searches()) path = path.substr(0, path.find('?'));
    const bool tunnel = r.scheme == "tunnel" || r.scheme == "splice" || r.path.empty();
    const auto port = static_cast<std::uint16_t>(r.port);
    const std::string shown =
        tunnel ? fmt::format("{} {}:{}", r.method, r.host, r.port)
               : r.method + " " + actions::shown_url(r.scheme, r.host, port, path);
    const std::string url =
        tunnel ? full_url("https", r.host, port, "/") : full_url(r.scheme, r.host, port, path);
    body += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"u\">{}</td>"
        "<td class=\"{}\">{}</td><td>{}</td><td>{}</td><td>{}{}</td><td>{}</td>",
        local_time_ms(r.ts_ms), esc(r.client), esc(r.user), esc(r.group), esc(shown),
        esc(r.decision), esc(r.decision), esc(r.category), esc(r.rule), r.status,
        r.error.empty() ? std::string() : " " + esc(r.error), bytes_text(r.bytes_out));
    if (c.sees_searches()) body += fmt::format("<td>{}</td>", esc(r.search));
    body += fmt::format("<td><a href=\"/why?url={}&amp;client={}\">why</a></td></tr>",
                        url_encode(url), url_encode(r.client));
  }
  body += "</table>";
  if (rows->empty()) body += "<p class=\"muted\">No requests match.</p>";
  std::string base;
  for (const auto& [name, value] : q.fields())
    if (name != "page") base += fmt::format("{}={}&amp;", url_encode(name), url_encode(value));
  if (page_no > 0)
    body += fmt::format("<a href=\"/activity?{}page={}\">newer</a> ", base, page_no - 1);
  if (rows->size() > static_cast<std::size_t>(kPageRows))
    body += fmt::format("<a href=\"/activity?{}page={}\">older</a>", base, page_no + 1);
  body += "</section>";
  return c.answer("Activity", "activity", body);
}

std::string Dashboard::why_page(const Call& c, const Form& q) {
  std::string why;
  const auto lines = sources_.explain(q.get("url"), q.get("client"), c.sees_searches(), why);
  std::string body = fmt::format(
      "<h1>Why</h1><section><p>What the running policy decides for <code>{}</code>{}, as "
      "<code>warden check</code> says it:</p>{}<p class=\"muted\">Rules with a schedule answer "
      "for now, not for when the request was made.</p></section>",
      esc(q.get("url")),
      q.get("client").empty() ? std::string() : fmt::format(" from {}", esc(q.get("client"))),
      explanation(lines, why));
  return c.answer("Why", "activity", body);
}

std::string Dashboard::policy_page(const Call& c, const Form& q) {
  const policy::PolicyPtr p = sources_.policy();
  std::string body =
      "<h1>Policy</h1><section><h2>Check a URL</h2><form class=\"f\" method=\"get\">"
      "<label>URL<input name=\"check\" size=\"40\" value=\"" +
      esc(q.get("check")) +
      "\" placeholder=\"https://example.com/\"></label><label>As client<input name=\"client\" "
      "size=\"14\" value=\"" +
      esc(q.get("client")) + "\" placeholder=\"10.0.0.5\"></label><button>Check</button></form>";
  if (q.has("check")) {
    std::string why;
    const auto lines = sources_.explain(q.get("check"), q.get("client"), c.sees_searches(), why);
    body += explanation(lines, why);
  }
  body += "</section>";
  if (!p) return c.answer("Policy", "policy", body);
  body += fmt::format(
      "<section><h2>Groups</h2><p class=\"muted\">From {}. A client is in the "
      "first group whose addresses hold it, else in \u201cdefault\u201d.</p>"
      "<table><tr><th>Group</th><th>Addresses</th><th>Local users</th></tr>",
      esc(p->source()));
  for (const policy::Group& g : p->groups())
    body += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", esc(g.name),
        esc(fmt::format("{}",
                        fmt::join(g.sources | std::views::transform(policy::cidr_text), ", "))),
        esc(fmt::format("{}", fmt::join(g.users, ", "))));
  if (p->groups().empty())
    body +=
        "<tr><td colspan=\"3\" class=\"muted\">No groups: every client is in "
        "\u201cdefault\u201d.</td></tr>";
  body +=
      "</table></section><section><h2>Rules, in order</h2><p class=\"muted\">The first rule "
      "that matches decides; none: allowed (\u201cdefault\u201d).</p><table><tr><th>Rule"
      "</th><th>Action</th><th>Groups</th><th>Matches</th><th>When</th></tr>";
  for (const policy::Rule& r : p->rules()) {
    body += fmt::format(
        "<tr><td>{}</td><td class=\"{}\">{}</td><td>{}</td><td class=\"u\">{}</td><td>{}</td>"
        "</tr>",
        esc(r.name), policy::action_name(r.action), policy::action_name(r.action),
        groups_text(r.groups), esc(policy::rule_matcher_text(*p, r)),
        esc(policy::schedule_text(r)));
  }
  body += "</table></section>";
  if (!p->phrase_rules().empty()) {
    body +=
        "<section><h2>Phrase scanning</h2><table><tr><th>Rule</th><th>Groups</th>"
        "<th>Blocks at</th><th>Entries</th></tr>";
    for (const auto& r : p->phrase_rules()) {
      body += fmt::format(
          "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", esc(r.name),
          groups_text(r.groups),
          r.limit == 0 ? std::string("never (scored only)") : std::to_string(r.limit), r.entries);
    }
    body += "</table></section>";
  }
  return c.answer("Policy", "policy", body);
}

}  // namespace warden::admin
