#pragma once
// The access log: JSON lines written by one writer thread, so workers never block on disk.
// Workers append records to their own AccessLogBatch (no locks) and hand the batch over at most
// every 250 ms or when it grows large: one short lock per batch, not per request. Each line is
// on disk within about a second of its exchange ending. If the disk cannot keep up, batches
// beyond `max_queued_bytes` are dropped and counted (a stalled disk must not stall pupils).

#include "base/result.hpp"
#include "net/types.hpp"
#include "observe/access_record.hpp"
#include "platform/files.hpp"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace warden::observe {

class AccessLog {
 public:
  // `path`: a file (appended, created 0640), "-" for stdout, or "off".
  [[nodiscard]] static base::Result<std::unique_ptr<AccessLog>> open(const std::string& path);
  ~AccessLog();
  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;

  [[nodiscard]] bool enabled() const { return enabled_; }
  // Thread-safe. Takes a batch of complete lines.
  void submit(std::string batch);
  // Re-opens the file (after logrotate moved it); thread-safe.
  void reopen();
  // Blocks until every batch submitted so far is written (tests, shutdown).
  void sync();
  // Writes everything queued, then stops the writer thread.
  void close();
  [[nodiscard]] std::uint64_t dropped_batches() const { return dropped_.load(); }

 private:
  AccessLog(std::string path, platform::AppendFile file, bool enabled);
  void writer_loop();
  void write_all(const std::string& data);

  std::string path_;
  platform::AppendFile file_;
  bool enabled_;
  std::size_t max_queued_bytes_ = 64 * 1024 * 1024;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  std::size_t queued_bytes_ = 0;
  bool stopping_ = false;
  bool reopen_requested_ = false;
  std::uint64_t submitted_ = 0;  // batches accepted
  std::uint64_t written_ = 0;    // batches written (or failed)
  std::condition_variable written_cv_;
  std::atomic<std::uint64_t> dropped_{0};
  std::thread writer_;
};

// Per-worker collector. Not thread-safe: one per worker, used on its thread.
class AccessLogBatch {
 public:
  AccessLogBatch(AccessLog& log, const boost::asio::any_io_executor& ex);
  void add(const AccessRecord& r);
  void flush();  // hands the batch over now (shutdown, tests)

 private:
  AccessLog& log_;
  net::Timer timer_;
  std::string batch_;
  bool timer_armed_ = false;
};

}  // namespace warden::observe
