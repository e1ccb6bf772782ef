#include "observe/access_log.hpp"

#include "observe/json_text.hpp"
#include "observe/service_event.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace warden::observe {
namespace {

constexpr std::size_t kBatchHandOverBytes = 64 * 1024;
// A quarter of the 100 ms a crash may lose: the rest is the timer firing late, the writer
// waking and writing, on a busy machine.
constexpr auto kBatchInterval = std::chrono::milliseconds(25);

std::uint64_t lines_in(std::string_view batch) {
  return static_cast<std::uint64_t>(std::count(batch.begin(), batch.end(), '\n'));
}

std::string timestamp_text(std::chrono::system_clock::time_point ts) {
  std::string out;
  append_timestamp(out, ts);
  return out;
}

}  // namespace

base::Result<std::unique_ptr<AccessLog>> AccessLog::open(const std::string& path) {
  if (path == "off") return std::unique_ptr<AccessLog>(new AccessLog(path, {}, false));
  auto file = platform::AppendFile::open(path);
  if (!file)
    return base::Error{base::ErrorCode::Internal, base::ErrorSource::Internal,
                       "access log: " + file.error().context};
  return std::unique_ptr<AccessLog>(new AccessLog(path, std::move(*file), true));
}

AccessLog::AccessLog(std::string path, platform::AppendFile file, bool enabled)
    : path_(std::move(path)), file_(std::move(file)), enabled_(enabled) {
  if (enabled_) writer_ = std::thread([this] { writer_loop(); });
}

AccessLog::~AccessLog() { close(); }

void AccessLog::submit(std::string batch) {
  if (!enabled_ || batch.empty()) return;
  {
    std::lock_guard lock(mu_);
    if (queued_bytes_ + batch.size() > max_queued_bytes_) {
      queue_lost_lines_ += lines_in(batch);
      lost_lines_.fetch_add(lines_in(batch), std::memory_order_relaxed);
      return;
    }
    queued_bytes_ += batch.size();
    queue_.push_back(std::move(batch));
    ++submitted_;
  }
  cv_.notify_one();
}

void AccessLog::reopen() {
  {
    std::lock_guard lock(mu_);
    reopen_requested_ = true;
  }
  cv_.notify_one();
}

void AccessLog::sync() {
  std::unique_lock lock(mu_);
  const std::uint64_t target = submitted_;
  written_cv_.wait(lock, [&] { return written_ >= target || stopping_; });
}

void AccessLog::close() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_one();
  if (writer_.joinable()) writer_.join();
  file_.close();
}

void AccessLog::count_lost(std::string_view batch) {
  lost_lines_.fetch_add(lines_in(batch), std::memory_order_relaxed);
  gap_lines_ += lines_in(batch);
}

void AccessLog::write_batch(const std::string& batch) {
  std::string gap_line;
  if (gap_lines_ > 0) {  // the first line that reaches the file after a loss says what was lost
    gap_line = service_event_line({.event = "access_log_gap",
                                   .fields = {{"lines_lost", std::to_string(gap_lines_)},
                                              {"since", timestamp_text(gap_since_)},
                                              {"why", gap_why_}}},
                                  instance_);
  }
  const std::string& data = gap_line.empty() ? batch : gap_line.append(batch);
  auto written = file_.write_all(data.data(), data.size());
  if (written) {
    if (gap_lines_ > 0)
      spdlog::warn("access log {}: written again; {} lines were lost since {}", path_, gap_lines_,
                   timestamp_text(gap_since_));
    gap_lines_ = 0;
    return;
  }
  if (gap_lines_ == 0) {
    gap_since_ = std::chrono::system_clock::now();
    gap_why_ = written.error().context;
    spdlog::error(
        "access log {}: cannot write: {}; lines are dropped (and counted) until it can "
        "(filtering goes on)",
        path_, gap_why_);
  }
  count_lost(batch);
}

void AccessLog::writer_loop() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stopping_ || reopen_requested_ || !queue_.empty(); });
    if (reopen_requested_) {
      reopen_requested_ = false;
      if (path_ != "-") {
        if (auto file = platform::AppendFile::open(path_)) file_ = std::move(*file);
      }
    }
    std::deque<std::string> work;
    work.swap(queue_);
    queued_bytes_ = 0;
    const std::uint64_t not_queued = std::exchange(queue_lost_lines_, 0);
    const bool stop = stopping_;
    lock.unlock();
    if (not_queued > 0) {
      if (gap_lines_ == 0) {
        gap_since_ = std::chrono::system_clock::now();
        gap_why_ = "the disk did not keep up";
        spdlog::error(
            "access log {}: the disk does not keep up; lines are dropped (and counted) "
            "until it does (filtering goes on)",
            path_);
      }
      gap_lines_ += not_queued;
    }
    for (const auto& b : work) write_batch(b);
    lock.lock();
    written_ += work.size();
    written_cv_.notify_all();
    if (stop && queue_.empty()) return;
  }
}

AccessLogBatch::AccessLogBatch(AccessLog& log, const boost::asio::any_io_executor& ex)
    : log_(log), timer_(ex, kBatchInterval) {}

void AccessLogBatch::add(const AccessRecord& r) {
  if (!log_.enabled()) return;
  append_json_line(r, batch_, log_.instance());
  if (batch_.size() >= kBatchHandOverBytes) {
    flush();
    return;
  }
  timer_.arm([this] { flush(); });
}

void AccessLogBatch::flush() {
  if (batch_.empty()) return;
  log_.submit(std::move(batch_));
  batch_.clear();
}

}  // namespace warden::observe
