#include "observe/activity_store.hpp"

#include "observe/activity_row.hpp"
#include "observe/activity_writer.hpp"

#include <spdlog/spdlog.h>

namespace warden::observe {
namespace {

constexpr std::size_t kBatchRows = 256;
constexpr auto kBatchInterval = std::chrono::milliseconds(100);
constexpr auto kMaintenanceEvery = std::chrono::minutes(10);
constexpr auto kGather = std::chrono::seconds(1);
constexpr std::size_t kGatherRows = 50'000;

}  // namespace

base::Result<std::unique_ptr<ActivityStore>> ActivityStore::open(const ActivityOptions& options) {
  auto writer = Writer::open(options);
  if (!writer) return writer.error();
  return std::unique_ptr<ActivityStore>(new ActivityStore(options, std::move(*writer)));
}

ActivityStore::ActivityStore(ActivityOptions options, std::unique_ptr<Writer> writer)
    : options_(std::move(options)), writer_(std::move(writer)) {
  if (!options_.defer_writer) start();
}

void ActivityStore::start() {
  if (!thread_.joinable()) thread_ = std::thread([this] { writer_loop(); });
}

ActivityStore::~ActivityStore() {
  start();  // what was queued is written even if nobody started the writer
  {
    const std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void ActivityStore::submit(std::string packed, std::size_t count) {
  if (count == 0) return;
  {
    const std::lock_guard lock(mu_);
    if (queued_rows_ + count <= options_.max_queued_rows && !stopping_) {
      queued_rows_ += count;
      queue_.push_back({std::move(packed), count});
      ++submitted_;
      cv_.notify_one();
      return;
    }
  }
  dropped_.fetch_add(count);  // the database falls behind; the access log does not
}

void ActivityStore::sync() {
  std::unique_lock lock(mu_);
  const std::uint64_t target = submitted_;
  sync_wanted_ = true;
  cv_.notify_one();
  done_cv_.wait(lock, [&] { return finished_ >= target; });
}

void ActivityStore::writer_loop() {
  auto next_maintenance = std::chrono::steady_clock::now();
  bool told = false;  // a failing disk is told once, not per batch
  for (;;) {
    std::vector<std::string> batches;
    std::size_t rows = 0;
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, kMaintenanceEvery, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && stopping_) return;
      // Rows gather for a second before a transaction: fewer commits rewrite the same
      // last pages of each table and index (the writer's cost halves, docs/performance.md).
      cv_.wait_for(lock, kGather,
                   [&] { return stopping_ || sync_wanted_ || queued_rows_ >= kGatherRows; });
      sync_wanted_ = false;
      while (!queue_.empty()) {
        queued_rows_ -= queue_.front().count;
        rows += queue_.front().count;
        batches.push_back(std::move(queue_.front().rows));
        queue_.pop_front();
      }
    }
    if (rows != 0) {
      if (auto ok = writer_->write(batches); !ok) {
        dropped_.fetch_add(rows);
        if (!told) spdlog::error("activity database {}: {}", options_.path, ok.error().context);
        told = true;
      } else {
        written_.fetch_add(rows);
        told = false;
      }
    }
    if (std::chrono::steady_clock::now() >= next_maintenance) {
      writer_->maintain(std::chrono::system_clock::now());
      next_maintenance = std::chrono::steady_clock::now() + kMaintenanceEvery;
    }
    {
      const std::lock_guard lock(mu_);
      finished_ += batches.size();
    }
    done_cv_.notify_all();
  }
}

ActivityBatch::ActivityBatch(ActivityStore* store, const net::asio::any_io_executor& ex)
    : store_(store), timer_(ex, kBatchInterval) {}

void ActivityBatch::add(const AccessRecord& r) {
  if (store_ == nullptr) return;
  append_row(r, rows_);
  if (++count_ >= kBatchRows) {
    flush();
    return;
  }
  timer_.arm([this] { flush(); });
}

void ActivityBatch::flush() {
  if (count_ == 0 || store_ == nullptr) return;
  store_->submit(std::move(rows_), count_);
  rows_.clear();
  count_ = 0;
}

}  // namespace warden::observe
