#include "observe/activity_reader.hpp"

#include <fmt/format.h>

#include <utility>

namespace warden::observe {
namespace {

constexpr std::int64_t kHourMs = 3'600'000;

// Binds `value` twice, for the "(? = '' OR column = ?)" form of an optional filter.
int bind_optional(SqliteStatement& s, int at, const std::string& value) {
  s.bind(at, value);
  s.bind(at + 1, value);
  return at + 2;
}

// Every row `s` answers, each made by `make(s)`.
template <class Make>
auto collect(SqliteStatement& s, Make make)
    -> base::Result<std::vector<decltype(make(std::declval<SqliteStatement&>()))>> {
  std::vector<decltype(make(s))> out;
  for (;;) {
    auto more = s.step_row();
    if (!more) return more.error();
    if (!*more) return out;
    out.push_back(make(s));
  }
}

Tally tally(const SqliteStatement& s) { return {s.text(0), s.integer(1), s.integer(2)}; }

}  // namespace

base::Result<ActivityReader> ActivityReader::open(const std::string& path) {
  auto db = SqliteDb::open(path, true);
  if (!db) return db.error();
  return ActivityReader(std::move(*db));
}

base::Result<std::vector<ActivityRow>> ActivityReader::recent(const ActivityFilter& f,
                                                              std::int64_t limit,
                                                              std::int64_t offset) {
  auto s = db_.prepare(
      "SELECT ts, id, client, grp, method, scheme, host, port, path, status, bytes_in, "
      "bytes_out, decision, rule, category, error, capture, search, COALESCE(user, '') "
      "FROM requests WHERE ts BETWEEN ? AND ? AND (? = '' OR client = ?) "
      "AND (? = '' OR COALESCE(user, '') = ?) AND (? = '' OR grp = ?) "
      "AND (? = '' OR instr(host, ?) > 0) AND (? = '' OR decision = ?) "
      "AND (? = '' OR category = ?) AND (? = '' OR rule = ?) "
      "AND (? < 0 OR status = ?) AND (? < 0 OR status / 100 = ?) "
      "ORDER BY ts DESC LIMIT ? OFFSET ?");
  if (!s) return s.error();
  s->bind(1, f.from_ms);
  s->bind(2, f.to_ms);
  int at = 3;
  for (const std::string* v :
       {&f.client, &f.user, &f.group, &f.host, &f.decision, &f.category, &f.rule})
    at = bind_optional(*s, at, *v);
  // "403" is one status, "4xx" a class; anything else matches nothing.
  std::int64_t exact = -1;
  std::int64_t status_class = -1;
  const std::string& st = f.status;
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (st.size() == 3 && digit(st[0]) && st.substr(1) == "xx") {
    status_class = st[0] - '0';
  } else if (st.size() == 3 && digit(st[0]) && digit(st[1]) && digit(st[2])) {
    exact = std::stoi(st);
  } else if (!st.empty()) {
    exact = 0;  // no response has status 0 with a filter given: only unanswered ones
  }
  for (const std::int64_t v : {exact, exact, status_class, status_class}) s->bind(at++, v);
  s->bind(at++, limit);
  s->bind(at, offset);
  return collect(*s, [](const SqliteStatement& q) {
    ActivityRow r;
    r.ts_ms = q.integer(0);
    r.id = q.text(1);
    r.client = q.text(2);
    r.group = q.text(3);
    r.method = q.text(4);
    r.scheme = q.text(5);
    r.host = q.text(6);
    r.port = q.integer(7);
    r.path = q.text(8);
    r.status = q.integer(9);
    r.bytes_in = q.integer(10);
    r.bytes_out = q.integer(11);
    r.decision = q.text(12);
    r.rule = q.text(13);
    r.category = q.text(14);
    r.error = q.text(15);
    r.capture = q.text(16);
    r.search = q.text(17);
    r.user = q.text(18);
    return r;
  });
}

base::Result<std::vector<Tally>> ActivityReader::top(const ReportScope& scope,
                                                     std::string_view what,
                                                     std::string_view decision,
                                                     std::int64_t limit) {
  // The column comes from this fixed set only; every value is bound.
  std::string_view column;
  if (what == "host") column = "host";
  if (what == "category") column = "category";
  if (what == "client") column = "client";
  if (column.empty()) return std::vector<Tally>{};
  // One client: its raw rows (indexed by client and time); otherwise the hourly roll-ups.
  const bool one_client = !scope.client.empty();
  const std::string sql =
      one_client
          ? fmt::format(
                "SELECT {0}, COUNT(*), SUM(bytes_in + bytes_out) FROM requests WHERE ts BETWEEN "
                "? AND ? AND decision = ? AND {0} != '' AND (? = '' OR grp = ?) AND client = ? "
                "GROUP BY {0} ORDER BY 2 DESC, 1 LIMIT ?",
                column)
          : fmt::format(
                "SELECT {0}, SUM(requests), SUM(bytes) FROM {1} WHERE hour BETWEEN ? AND ? "
                "AND decision = ? AND {0} != '' AND (? = '' OR grp = ?) GROUP BY {0} "
                "ORDER BY 2 DESC, 1 LIMIT ?",
                column, what == "client" ? "hourly_clients" : "hourly_hosts");
  auto s = db_.prepare(sql);
  if (!s) return s.error();
  s->bind(1, one_client ? scope.from_hour * kHourMs : scope.from_hour);
  s->bind(2, one_client ? (scope.to_hour + 1) * kHourMs - 1 : scope.to_hour);
  s->bind(3, decision);
  int at = bind_optional(*s, 4, scope.group);
  if (one_client) s->bind(at++, scope.client);
  s->bind(at, limit);
  return collect(*s, tally);
}

base::Result<std::vector<std::pair<std::int64_t, std::int64_t>>> ActivityReader::blocks_per_hour(
    const ReportScope& scope) {
  auto s = db_.prepare(
      "SELECT hour, SUM(requests) FROM hourly_clients WHERE decision = 'block' AND hour "
      "BETWEEN ? AND ? AND (? = '' OR grp = ?) AND (? = '' OR client = ?) GROUP BY hour "
      "ORDER BY hour");
  if (!s) return s.error();
  s->bind(1, scope.from_hour);
  s->bind(2, scope.to_hour);
  bind_optional(*s, bind_optional(*s, 3, scope.group), scope.client);
  return collect(*s, [](const SqliteStatement& q) {
    return std::pair{q.integer(0), q.integer(1)};
  });
}

base::Result<std::vector<SearchRow>> ActivityReader::searches(const ReportScope& scope,
                                                              std::int64_t limit) {
  auto s = db_.prepare(
      "SELECT ts, client, COALESCE(user, ''), grp, engine, kind, terms, decision FROM searches "
      "WHERE ts BETWEEN ? AND ? AND (? = '' OR grp = ?) AND (? = '' OR client = ?) "
      "ORDER BY ts DESC LIMIT ?");
  if (!s) return s.error();
  s->bind(1, scope.from_hour * kHourMs);
  s->bind(2, (scope.to_hour + 1) * kHourMs - 1);
  const int at = bind_optional(*s, bind_optional(*s, 3, scope.group), scope.client);
  s->bind(at, limit);
  return collect(*s, [](const SqliteStatement& q) {
    return SearchRow{q.integer(0), q.text(1), q.text(2), q.text(3),
                     q.text(4),    q.text(5), q.text(6), q.text(7)};
  });
}

base::Result<std::vector<Tally>> ActivityReader::decisions_since(std::int64_t from_ms) {
  auto s = db_.prepare(
      "SELECT decision, COUNT(*), SUM(bytes_in + bytes_out) FROM requests WHERE ts >= ? "
      "GROUP BY decision ORDER BY 2 DESC");
  if (!s) return s.error();
  s->bind(1, from_ms);
  return collect(*s, tally);
}

}  // namespace warden::observe
