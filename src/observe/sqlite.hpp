#pragma once
// A small RAII layer over SQLite's C API for the activity database: a connection and prepared
// statements whose values are always bound, never spliced into SQL text (so a dashboard filter
// can hold any bytes).

#include "base/result.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace warden::observe {

class SqliteStatement {
 public:
  SqliteStatement() = default;
  explicit SqliteStatement(sqlite3_stmt* s) : stmt_(s) {}
  ~SqliteStatement();
  SqliteStatement(SqliteStatement&& o) noexcept : stmt_(o.stmt_) { o.stmt_ = nullptr; }
  SqliteStatement& operator=(SqliteStatement&& o) noexcept;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  // Parameters count from 1, as in SQL.
  void bind(int index, std::int64_t value);
  void bind(int index, std::string_view text);
  // Without a copy: `text` must stay as it is until the statement is stepped (step_done()).
  void bind_static(int index, std::string_view text);
  void bind_null(int index);
  // Runs a statement that returns no rows, then resets it for the next use.
  [[nodiscard]] base::Result<void> step_done();
  // The next row: true while there is one; an error ends the walk (then reset()).
  [[nodiscard]] base::Result<bool> step_row();
  [[nodiscard]] std::int64_t integer(int column) const;
  [[nodiscard]] double real(int column) const;
  [[nodiscard]] std::string text(int column) const;
  void reset();

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

class SqliteDb {
 public:
  // `read_only`: a reader's connection (the dashboard), beside the writer's.
  [[nodiscard]] static base::Result<SqliteDb> open(const std::string& path, bool read_only);
  SqliteDb() = default;
  ~SqliteDb();
  SqliteDb(SqliteDb&& o) noexcept : db_(o.db_) { o.db_ = nullptr; }
  SqliteDb& operator=(SqliteDb&& o) noexcept;
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  [[nodiscard]] base::Result<void> exec(const std::string& sql);
  [[nodiscard]] base::Result<SqliteStatement> prepare(std::string_view sql);
  // Bytes of pages in use (the file less its free pages).
  [[nodiscard]] std::uint64_t used_bytes();

 private:
  explicit SqliteDb(sqlite3* db) : db_(db) {}
  [[nodiscard]] base::Error error(std::string_view what) const;
  sqlite3* db_ = nullptr;
};

}  // namespace warden::observe
