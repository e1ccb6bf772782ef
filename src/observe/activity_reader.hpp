#pragma once
// Reading the activity database for the dashboard (activity_store.hpp has the schema): recent
// requests by any filter, the top hosts, categories and clients of a period, blocks per hour,
// searches. Every value a person typed is bound as a parameter, never put into SQL text.
//
// Thread: one reader per thread (the admin thread's); its own connection beside the writer's.

#include "base/result.hpp"
#include "observe/sqlite.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace warden::observe {

// Empty strings match anything. Times in Unix milliseconds.
struct ActivityFilter {
  std::string client;
  std::string user;  // who signed in (auth)
  std::string group;
  std::string host;  // a part of the host name
  std::string decision;
  std::string category;
  std::string rule;
  std::string status;  // "403", or a class "4xx"
  std::int64_t from_ms = 0;
  std::int64_t to_ms = INT64_MAX;
};

struct ActivityRow {
  std::int64_t ts_ms = 0;
  std::string id, client, user, group, method, scheme, host;
  std::int64_t port = 0;
  std::string path;
  std::int64_t status = 0, bytes_in = 0, bytes_out = 0;
  std::string decision, rule, category, error, capture, search;
};

struct Tally {
  std::string key;
  std::int64_t requests = 0;
  std::int64_t bytes = 0;
};

struct SearchRow {
  std::int64_t ts_ms = 0;
  std::string client, user, group, engine, kind, terms, decision;
};

// A report's scope: a period of whole hours (Unix hours), and a group or client (or neither).
struct ReportScope {
  std::int64_t from_hour = 0;
  std::int64_t to_hour = 0;  // inclusive
  std::string group;
  std::string client;
};

class ActivityReader {
 public:
  [[nodiscard]] static base::Result<ActivityReader> open(const std::string& path);

  // Newest first.
  [[nodiscard]] base::Result<std::vector<ActivityRow>> recent(const ActivityFilter& f,
                                                              std::int64_t limit,
                                                              std::int64_t offset);
  // `what`: "host", "category" or "client"; `decision`: "allow", "block"... Most first.
  [[nodiscard]] base::Result<std::vector<Tally>> top(const ReportScope& s, std::string_view what,
                                                     std::string_view decision, std::int64_t limit);
  // (hour, blocked requests) for each hour of the scope that had any.
  [[nodiscard]] base::Result<std::vector<std::pair<std::int64_t, std::int64_t>>> blocks_per_hour(
      const ReportScope& s);
  [[nodiscard]] base::Result<std::vector<SearchRow>> searches(const ReportScope& s,
                                                              std::int64_t limit);
  // Requests per decision since `from_ms`.
  [[nodiscard]] base::Result<std::vector<Tally>> decisions_since(std::int64_t from_ms);

 private:
  explicit ActivityReader(SqliteDb db) : db_(std::move(db)) {}
  SqliteDb db_;
};

}  // namespace warden::observe
