#include "net/worker.hpp"

#include "platform/os.hpp"

#include <string>

namespace warden::net {

WorkerPool::WorkerPool(unsigned count, std::size_t buffer_block) {
  workers_.reserve(count);
  for (unsigned i = 0; i < count; ++i)
    workers_.push_back(std::make_unique<Worker>(i, buffer_block));
}

WorkerPool::~WorkerPool() {
  stop();
  join();
}

void WorkerPool::start() {
  for (auto& w : workers_) {
    guards_.emplace_back(w->io().get_executor());
    threads_.emplace_back([this, &io = w->io(), i = w->index()] {
      const std::string name = "warden-w" + std::to_string(i);
      platform::set_thread_name(name.c_str());
      io.run();
      exited_.fetch_add(1);
    });
  }
}

bool WorkerPool::finish(Duration timeout) {
  guards_.clear();
  const auto deadline = Clock::now() + timeout;
  while (exited_.load() < threads_.size()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  join();
  return true;
}

void WorkerPool::stop() {
  guards_.clear();
  for (auto& w : workers_) w->io().stop();
}

void WorkerPool::join() {
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

}  // namespace warden::net
