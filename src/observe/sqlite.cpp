#include "observe/sqlite.hpp"

#include <fmt/format.h>

#include <sqlite3.h>

namespace warden::observe {

SqliteStatement::~SqliteStatement() { sqlite3_finalize(stmt_); }

SqliteStatement& SqliteStatement::operator=(SqliteStatement&& o) noexcept {
  if (this != &o) {
    sqlite3_finalize(stmt_);
    stmt_ = o.stmt_;
    o.stmt_ = nullptr;
  }
  return *this;
}

void SqliteStatement::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
}

void SqliteStatement::bind(int index, std::string_view text) {
  sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
}

void SqliteStatement::bind_static(int index, std::string_view text) {
  sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8);
}

void SqliteStatement::bind_null(int index) { sqlite3_bind_null(stmt_, index); }

base::Result<void> SqliteStatement::step_done() {
  const int rc = sqlite3_step(stmt_);
  reset();
  if (rc == SQLITE_DONE || rc == SQLITE_ROW) return {};
  return base::Error{base::ErrorCode::Internal, base::ErrorSource::Internal,
                     fmt::format("SQLite: {}", sqlite3_errstr(rc))};
}

base::Result<bool> SqliteStatement::step_row() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return base::Error{base::ErrorCode::Internal, base::ErrorSource::Internal,
                     fmt::format("SQLite: {}", sqlite3_errstr(rc))};
}

std::int64_t SqliteStatement::integer(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

double SqliteStatement::real(int column) const { return sqlite3_column_double(stmt_, column); }

std::string SqliteStatement::text(int column) const {
  const auto* p = sqlite3_column_text(stmt_, column);
  if (p == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(p),
                     static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

void SqliteStatement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

base::Result<SqliteDb> SqliteDb::open(const std::string& path, bool read_only) {
  sqlite3* db = nullptr;
  const int flags = (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) |
                    SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string why = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return base::Error{base::ErrorCode::Internal, base::ErrorSource::Internal,
                       fmt::format("{}: {}", path, why)};
  }
  sqlite3_busy_timeout(db, 2000);  // a reader and the writer meet only briefly (WAL)
  return SqliteDb(db);
}

SqliteDb::~SqliteDb() { sqlite3_close(db_); }

SqliteDb& SqliteDb::operator=(SqliteDb&& o) noexcept {
  if (this != &o) {
    sqlite3_close(db_);
    db_ = o.db_;
    o.db_ = nullptr;
  }
  return *this;
}

base::Error SqliteDb::error(std::string_view what) const {
  return {base::ErrorCode::Internal, base::ErrorSource::Internal,
          fmt::format("{}: {}", what, sqlite3_errmsg(db_))};
}

base::Result<void> SqliteDb::exec(const std::string& sql) {
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
    return error("SQLite");
  return {};
}

base::Result<SqliteStatement> SqliteDb::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                         &stmt, nullptr) != SQLITE_OK)
    return error("SQLite");
  return SqliteStatement(stmt);
}

std::uint64_t SqliteDb::used_bytes() {
  auto pragma = [this](const char* sql) -> std::uint64_t {
    auto s = prepare(sql);
    if (!s) return 0;
    auto row = s->step_row();
    return row && *row ? static_cast<std::uint64_t>(s->integer(0)) : 0;
  };
  const std::uint64_t pages = pragma("PRAGMA page_count");
  const std::uint64_t free = pragma("PRAGMA freelist_count");
  return (pages - std::min(pages, free)) * pragma("PRAGMA page_size");
}

}  // namespace warden::observe
