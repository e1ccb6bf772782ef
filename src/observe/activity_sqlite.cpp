// ActivityStore::Writer on SQLite (activity_writer.hpp). The schema (docs/admin.md):
//   requests        one row per access record; ts in Unix milliseconds
//   searches        one row per search (the terms as log.search left them)
//   hourly_hosts    per hour, decision, group, host and category: requests and bytes
//   hourly_clients  per hour, decision, group and client: requests and bytes
// Reports read the roll-ups, so a week's report does not walk millions of raw rows.
#include "observe/activity_row.hpp"
#include "observe/activity_writer.hpp"
#include "observe/sqlite.hpp"
#include "platform/files.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <map>
#include <sqlite3.h>
#include <tuple>

namespace warden::observe {
namespace {

constexpr std::int64_t kRollupDays = 400;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS requests(
  ts INTEGER NOT NULL, id TEXT, client TEXT, grp TEXT, method TEXT, scheme TEXT, host TEXT,
  port INTEGER, path TEXT, status INTEGER, bytes_in INTEGER, bytes_out INTEGER,
  duration_us INTEGER, decision TEXT, rule TEXT, category TEXT, error TEXT, capture TEXT,
  search TEXT, user TEXT);
CREATE INDEX IF NOT EXISTS requests_ts ON requests(ts);
CREATE INDEX IF NOT EXISTS requests_client ON requests(client, ts);
CREATE TABLE IF NOT EXISTS searches(
  ts INTEGER NOT NULL, client TEXT, grp TEXT, engine TEXT, kind TEXT, terms TEXT, decision TEXT,
  user TEXT);
CREATE INDEX IF NOT EXISTS searches_ts ON searches(ts);
CREATE TABLE IF NOT EXISTS hourly_hosts(
  hour INTEGER NOT NULL, decision TEXT NOT NULL, grp TEXT NOT NULL, host TEXT NOT NULL,
  category TEXT NOT NULL, requests INTEGER NOT NULL, bytes INTEGER NOT NULL,
  PRIMARY KEY(hour, decision, grp, host, category)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS hourly_clients(
  hour INTEGER NOT NULL, decision TEXT NOT NULL, grp TEXT NOT NULL, client TEXT NOT NULL,
  requests INTEGER NOT NULL, bytes INTEGER NOT NULL,
  PRIMARY KEY(hour, decision, grp, client)) WITHOUT ROWID;
)sql";

std::int64_t unix_ms(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

class SqliteWriter final : public ActivityStore::Writer {
 public:
  explicit SqliteWriter(SqliteDb db) : db_(std::move(db)) {}

  base::Result<void> prepare() {
    for (auto [stmt, sql] : {
             std::pair{&insert_request_,
                       "INSERT INTO requests VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"},
             std::pair{&insert_search_, "INSERT INTO searches VALUES(?,?,?,?,?,?,?,?)"},
             std::pair{&upsert_host_,
                       "INSERT INTO hourly_hosts VALUES(?,?,?,?,?,?,?) ON CONFLICT DO UPDATE "
                       "SET requests = requests + excluded.requests, "
                       "bytes = bytes + excluded.bytes"},
             std::pair{&upsert_client_,
                       "INSERT INTO hourly_clients VALUES(?,?,?,?,?,?) ON CONFLICT DO UPDATE "
                       "SET requests = requests + excluded.requests, "
                       "bytes = bytes + excluded.bytes"},
         }) {
      auto prepared = db_.prepare(sql);
      if (!prepared) return prepared.error();
      *stmt = std::move(*prepared);
    }
    return {};
  }

  base::Result<void> write(const std::vector<std::string>& batches) override {
    if (auto ok = db_.exec("BEGIN"); !ok) return ok;
    auto done = write_rows(batches);
    if (!done) {
      (void)db_.exec("ROLLBACK");
      return done;
    }
    return db_.exec("COMMIT");
  }

  void maintain(std::chrono::system_clock::time_point now) override {
    const std::int64_t raw_limit = unix_ms(now - std::chrono::days(options_days_));
    const std::int64_t hour_limit = unix_ms(now - std::chrono::days(kRollupDays)) / 3'600'000;
    auto ok = db_.exec(fmt::format(
        "DELETE FROM requests WHERE ts < {0}; DELETE FROM searches WHERE ts < {0}; "
        "DELETE FROM hourly_hosts WHERE hour < {1}; DELETE FROM hourly_clients WHERE hour < {1};",
        raw_limit, hour_limit));
    if (!ok) spdlog::warn("activity database: {}", ok.error().context);
    // Over its size: the oldest tenth of the raw rows at a time.
    for (int round = 0; round < 10 && db_.used_bytes() > max_bytes_; ++round) {
      ok = db_.exec(
          "DELETE FROM requests WHERE ts <= (SELECT ts FROM requests ORDER BY ts LIMIT 1 "
          "OFFSET (SELECT COUNT(*) / 10 FROM requests));"
          "DELETE FROM searches WHERE ts < (SELECT COALESCE(MIN(ts), 0) FROM requests);");
      if (!ok) break;
    }
    (void)db_.exec("PRAGMA incremental_vacuum; PRAGMA wal_checkpoint(TRUNCATE);");
  }

  unsigned options_days_ = 30;
  std::uint64_t max_bytes_ = 0;

 private:
  base::Result<void> write_rows(const std::vector<std::string>& batches) {
    using HostKey = std::tuple<std::int64_t, std::string_view, std::string_view, std::string_view,
                               std::string_view>;
    using ClientKey =
        std::tuple<std::int64_t, std::string_view, std::string_view, std::string_view>;
    std::map<HostKey, std::pair<std::int64_t, std::int64_t>> hosts;
    std::map<ClientKey, std::pair<std::int64_t, std::int64_t>> clients;
    for (const std::string& batch : batches) {
      RowView r;
      for (std::size_t pos = 0; read_row(batch, pos, r);) {
        const std::string_view decision = r.decision.empty() ? "none" : r.decision;
        SqliteStatement& s = insert_request_;
        s.bind(1, r.ts_ms);
        int at = 2;
        for (const std::string_view v : {r.id, r.client, r.group, r.method, r.scheme, r.host})
          s.bind_static(at++, v);
        s.bind(at++, r.port);
        s.bind_static(at++, r.path);
        for (const std::int64_t n : {r.status, r.bytes_in, r.bytes_out, r.duration_us})
          s.bind(at++, n);
        for (const std::string_view v :
             {decision, r.rule, r.category, r.error, r.capture, r.search, r.user})
          s.bind_static(at++, v);
        if (auto ok = s.step_done(); !ok) return ok;
        if (!r.search.empty()) {
          SqliteStatement& q = insert_search_;
          q.bind(1, r.ts_ms);
          at = 2;
          for (const std::string_view v :
               {r.client, r.group, r.search_engine, r.search_kind, r.search, decision, r.user})
            q.bind_static(at++, v);
          if (auto ok = q.step_done(); !ok) return ok;
        }
        const std::int64_t hour = r.ts_ms / 3'600'000;
        const std::int64_t bytes = r.bytes_in + r.bytes_out;
        auto& h = hosts[{hour, decision, r.group, r.host, r.category}];
        ++h.first;
        h.second += bytes;
        auto& c = clients[{hour, decision, r.group, r.client}];
        ++c.first;
        c.second += bytes;
      }
    }
    for (const auto& [key, sums] : hosts) {
      SqliteStatement& s = upsert_host_;
      s.bind(1, std::get<0>(key));
      s.bind(2, std::get<1>(key));
      s.bind(3, std::get<2>(key));
      s.bind(4, std::get<3>(key));
      s.bind(5, std::get<4>(key));
      s.bind(6, sums.first);
      s.bind(7, sums.second);
      if (auto ok = s.step_done(); !ok) return ok;
    }
    for (const auto& [key, sums] : clients) {
      SqliteStatement& s = upsert_client_;
      s.bind(1, std::get<0>(key));
      s.bind(2, std::get<1>(key));
      s.bind(3, std::get<2>(key));
      s.bind(4, std::get<3>(key));
      s.bind(5, sums.first);
      s.bind(6, sums.second);
      if (auto ok = s.step_done(); !ok) return ok;
    }
    return {};
  }

  SqliteDb db_;
  SqliteStatement insert_request_;
  SqliteStatement insert_search_;
  SqliteStatement upsert_host_;
  SqliteStatement upsert_client_;
};

}  // namespace

bool activity_database_built() { return true; }

base::Result<std::unique_ptr<ActivityStore::Writer>> ActivityStore::Writer::open(
    const ActivityOptions& options) {
  // Created private before SQLite opens it: it holds what pupils browsed (its -wal and -shm
  // files take the same mode).
  std::error_code ec;
  if (!std::filesystem::exists(options.path, ec))
    if (auto made =
            platform::write_new_file(options.path, "", platform::FileAccess::OwnerOnly, false);
        !made)
      return made.error();
  auto db = SqliteDb::open(options.path, false);
  if (!db) return db.error();
  // auto_vacuum must be chosen before the first table; on an existing file it stays as it was.
  if (auto ok = db->exec("PRAGMA auto_vacuum = INCREMENTAL; PRAGMA journal_mode = WAL;"
                         "PRAGMA synchronous = NORMAL;");
      !ok)
    return ok.error();
  if (auto ok = db->exec(kSchema); !ok) return ok.error();
  // A database from before sign-in (issue 16) gets the user columns, empty for its old rows;
  // each table on its own, in one transaction.
  std::string migration;
  for (const char* table : {"requests", "searches"})
    if (!db->prepare(fmt::format("SELECT user FROM {} LIMIT 0", table)))
      migration += fmt::format("ALTER TABLE {} ADD COLUMN user TEXT;", table);
  if (!migration.empty())
    if (auto ok = db->exec("BEGIN;" + migration + "COMMIT;"); !ok) {
      (void)db->exec("ROLLBACK");
      return ok.error();
    }
  auto writer = std::make_unique<SqliteWriter>(std::move(*db));
  writer->options_days_ = options.retention_days;
  writer->max_bytes_ = options.max_bytes;
  if (auto ok = writer->prepare(); !ok) return ok.error();
  return std::unique_ptr<ActivityStore::Writer>(std::move(writer));
}

}  // namespace warden::observe
