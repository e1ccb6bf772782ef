#include "observe/alert_center.hpp"

#include <spdlog/spdlog.h>

#include <random>

namespace warden::observe {

using std::chrono_literals::operator""s;

base::Result<std::unique_ptr<AlertCenter>> AlertCenter::open(AlertSettings settings,
                                                             AlertSpool* spool,
                                                             std::function<void()> spooled) {
  auto log = platform::AppendFile::open(settings.log_path);
  if (!log) return log.error();
  return std::unique_ptr<AlertCenter>(
      new AlertCenter(std::move(settings), std::move(*log), spool, std::move(spooled)));
}

AlertCenter::AlertCenter(AlertSettings s, platform::AppendFile log, AlertSpool* spool,
                         std::function<void()> spooled)
    : settings_(std::move(s)),
      log_(std::move(log)),
      spool_(spool),
      spooled_(std::move(spooled)),
      book_(settings_.timing, std::random_device{}()) {
  thread_ = std::thread([this] { run(); });
}

AlertCenter::~AlertCenter() { stop(); }

void AlertCenter::submit(AlertEvent e) {
  {
    const std::lock_guard lock(mutex_);
    if (stopping_) return;
    if (queue_.size() >= kMaxQueued) {
      if (dropped_++ == 0)
        spdlog::error("alerts: searches and pages arrive faster than they are read; dropping");
      return;
    }
    queue_.push_back(std::move(e));
  }
  wake_.notify_one();
}

void AlertCenter::stop() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void AlertCenter::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (queue_.empty() && !stopping_) {
      // At least once a second, so the book forgets what has aged out.
      auto until = std::chrono::system_clock::now() + 1s;
      if (auto next = book_.next_due(); next && *next < until) until = *next;
      wake_.wait_until(lock, until);
    }
    std::vector<AlertEvent> batch = std::move(queue_);
    queue_.clear();
    const bool stop = stopping_;
    lock.unlock();
    for (AlertEvent& e : batch)
      for (const std::string& line : book_.add(std::move(e))) write(line);
    raise(stop ? book_.flush() : book_.due(std::chrono::system_clock::now()));
    lock.lock();
    if (stop && queue_.empty()) return;
  }
}

void AlertCenter::write(const std::string& line) {
  if (auto ok = log_.write_all(line.data(), line.size()); !ok)
    spdlog::error("alerts: {} not written: {}", settings_.log_path, ok.error().context);
}

void AlertCenter::raise(std::vector<Alert> alerts) {
  for (const Alert& a : alerts) {
    const std::string line = alert_line(a);
    write(line);
    spdlog::warn("alert {}: {} ({}, {}) for {}", a.id, a.match.rule, a.match.category,
                 a.match.severity, a.event.client);
    if (spool_ == nullptr) continue;
    std::string why;
    if (spool_->put(line, why)) {
      if (spooled_) spooled_();
    } else {
      spdlog::error("alert {} is in the alert log but not spooled for the webhook: {}", a.id, why);
    }
  }
}

}  // namespace warden::observe
