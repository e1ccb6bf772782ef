#include "observe/access_log.hpp"

#include <fmt/format.h>

namespace warden::observe {
namespace {

constexpr std::size_t kBatchHandOverBytes = 64 * 1024;
constexpr auto kBatchInterval = std::chrono::milliseconds(250);

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
      dropped_.fetch_add(1, std::memory_order_relaxed);
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

void AccessLog::write_all(const std::string& data) {
  if (!file_.write_all(data.data(), data.size())) dropped_.fetch_add(1, std::memory_order_relaxed);
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
    const bool stop = stopping_;
    lock.unlock();
    for (const auto& b : work) write_all(b);
    lock.lock();
    written_ += work.size();
    written_cv_.notify_all();
    if (stop && queue_.empty()) return;
  }
}

AccessLogBatch::AccessLogBatch(AccessLog& log, const boost::asio::any_io_executor& ex)
    : log_(log), timer_(ex) {}

void AccessLogBatch::add(const AccessRecord& r) {
  if (!log_.enabled()) return;
  append_json_line(r, batch_);
  if (batch_.size() >= kBatchHandOverBytes) {
    flush();
    return;
  }
  if (!timer_armed_) {
    timer_armed_ = true;
    timer_.expires_after(kBatchInterval);
    timer_.async_wait([this](boost::system::error_code ec) {
      if (ec == boost::asio::error::operation_aborted) return;  // we are being destroyed
      timer_armed_ = false;
      flush();
    });
  }
}

void AccessLogBatch::flush() {
  if (batch_.empty()) return;
  log_.submit(std::move(batch_));
  batch_.clear();
}

}  // namespace warden::observe
