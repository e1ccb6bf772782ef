#pragma once
// The access log: JSON lines written by one writer thread, so workers never block on disk.
// Workers append records to their own AccessLogBatch (no locks) and hand the batch over at most
// every 25 ms or when it grows large: one short lock per batch, not per request. The writer
// writes each batch as it arrives, so a line is handed to the kernel within about 100 ms of its
// exchange ending: what a crash or SIGKILL can lose. A disk that cannot take the lines (full,
// failing, stalled) never stalls pupils: the lines are dropped and counted, the journal says so
// once, and when writing works again an `access_log_gap` line says how many were lost.

#include "base/result.hpp"
#include "net/types.hpp"
#include "observe/access_record.hpp"
#include "observe/flush_timer.hpp"
#include "observe/service_event.hpp"
#include "platform/files.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
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
  // The instance's name on every line (log.instance); set before any line is submitted.
  void set_instance(std::string name) { instance_ = std::move(name); }
  [[nodiscard]] const std::string& instance() const { return instance_; }
  // Thread-safe. Takes a batch of complete lines.
  void submit(std::string batch);
  // Thread-safe. One service event (a tamper, a bypass) as its line.
  void submit_event(const ServiceEvent& e) { submit(service_event_line(e, instance_)); }
  // Re-opens the file (after logrotate moved it); thread-safe.
  void reopen();
  // Blocks until every batch submitted so far is written (tests, shutdown).
  void sync();
  // Writes everything queued, then stops the writer thread.
  void close();
  // Lines lost so far: not written (the disk refused them) or not queued (it could not keep up).
  [[nodiscard]] std::uint64_t lost_lines() const { return lost_lines_.load(); }

 private:
  AccessLog(std::string path, platform::AppendFile file, bool enabled);
  void writer_loop();
  void write_batch(const std::string& batch);
  void count_lost(std::string_view batch);

  std::string path_;
  std::string instance_;
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
  std::atomic<std::uint64_t> lost_lines_{0};
  std::uint64_t queue_lost_lines_ = 0;  // under mu_: not queued since the writer last looked
  // The writer's own: lines lost since the last write that worked, since when, and why.
  std::uint64_t gap_lines_ = 0;
  std::chrono::system_clock::time_point gap_since_;
  std::string gap_why_;
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
  FlushTimer timer_;
  std::string batch_;
};

}  // namespace warden::observe
