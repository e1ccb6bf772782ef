#pragma once
// The dashboard's data (docs/admin.md): every access record (and its search) also goes into an
// embedded SQLite database in the state folder, with hourly roll-ups that reports read. The
// access log stays the record; this is for looking things up.
//
// Writing never slows or blocks a worker: each worker packs rows into one string (ActivityBatch,
// activity_row.hpp) and hands it over every 100 ms; one writer thread inserts what came in a
// second in one transaction. A full queue drops rows for the database (counted, shown on
// /metrics), never requests and never the access log's lines. Raw rows are kept `retention_days`,
// roll-ups 400 days, and the file is kept under `max_bytes` by dropping the oldest raw rows first.
//
// Thread safety: submit/sync/counters from any thread. Linux only for now (the Windows build
// has no SQLite yet): open() there says so.

#include "base/result.hpp"
#include "net/types.hpp"
#include "observe/access_record.hpp"
#include "observe/flush_timer.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace warden::observe {

// Whether this build has the database (false on Windows for now).
[[nodiscard]] bool activity_database_built();

struct ActivityOptions {
  std::string path;
  unsigned retention_days = 30;
  std::uint64_t max_bytes = std::uint64_t{2048} << 20;
  std::size_t max_queued_rows = 200'000;
  bool defer_writer = false;
};

class ActivityStore {
 public:
  // Opens (creating) the database on this thread and starts the writer thread, or, with
  // `defer_writer`, leaves that to start(): so the file can be made before a process walls
  // itself off (app/tls_setup.hpp) and the thread be born inside the wall. Rows submitted
  // before start() wait for it.
  [[nodiscard]] static base::Result<std::unique_ptr<ActivityStore>> open(
      const ActivityOptions& options);
  void start();
  ~ActivityStore();  // writes what is queued, then stops the writer
  ActivityStore(const ActivityStore&) = delete;
  ActivityStore& operator=(const ActivityStore&) = delete;

  // A worker's `count` rows, packed (activity_row.hpp); dropped (and counted) when the queue
  // holds max_queued_rows already.
  void submit(std::string packed, std::size_t count);
  // Blocks until every row submitted so far is written (tests, shutdown).
  void sync();
  [[nodiscard]] std::uint64_t written_rows() const { return written_.load(); }
  [[nodiscard]] std::uint64_t dropped_rows() const { return dropped_.load(); }
  [[nodiscard]] const std::string& path() const { return options_.path; }

  class Writer;  // the SQLite side (activity_store.cpp)

 private:
  ActivityStore(ActivityOptions options, std::unique_ptr<Writer> writer);
  void writer_loop();

  ActivityOptions options_;
  std::unique_ptr<Writer> writer_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable done_cv_;
  struct Packed {
    std::string rows;
    std::size_t count = 0;
  };
  std::deque<Packed> queue_;
  std::size_t queued_rows_ = 0;
  std::uint64_t submitted_ = 0;  // hand-overs accepted
  std::uint64_t finished_ = 0;   // hand-overs written (or failed)
  bool stopping_ = false;
  bool sync_wanted_ = false;  // sync() waits: write what is queued now
  std::atomic<std::uint64_t> written_{0};
  std::atomic<std::uint64_t> dropped_{0};
  std::thread thread_;
};

// Per-worker collector, as AccessLogBatch: not thread-safe, used on its worker's thread.
// `store` may be null (no database): add() then does nothing.
class ActivityBatch {
 public:
  ActivityBatch(ActivityStore* store, const net::asio::any_io_executor& ex);
  void attach(ActivityStore* store) { store_ = store; }  // before the worker runs
  void add(const AccessRecord& r);
  void flush();

 private:
  ActivityStore* store_;
  FlushTimer timer_;
  std::string rows_;  // packed
  std::size_t count_ = 0;
};

}  // namespace warden::observe
