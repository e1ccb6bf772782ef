#pragma once
// Workers: one io_context per core, each run by one thread (../shared/DESIGN.md, Threads).
// A flow lives its whole life on the worker that accepted it; per-worker state (buffer pool,
// upstream pool, access-log batch) needs no locks. Only post() crosses threads.

#include "net/buffer.hpp"
#include "net/types.hpp"

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

namespace warden::net {

class Worker {
 public:
  explicit Worker(unsigned index, std::size_t buffer_block = 16 * 1024)
      : index_(index), buffers_(buffer_block) {}
  ~Worker() = default;
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  [[nodiscard]] unsigned index() const { return index_; }
  [[nodiscard]] asio::io_context& io() { return io_; }
  [[nodiscard]] asio::any_io_executor executor() { return io_.get_executor(); }
  [[nodiscard]] BufferPool& buffers() { return buffers_; }
  [[nodiscard]] bool in_this_thread() { return io_.get_executor().running_in_this_thread(); }

 private:
  unsigned index_;
  BufferPool buffers_;  // declared before io_: pending flows return blocks as io_ dies
  // One thread runs it; only post() comes from other threads, so the reactor needs no locks.
  asio::io_context io_{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO};
};

// Owns the workers and their threads. start() runs each io_context on its own thread until
// stop(); a work guard keeps idle workers running.
class WorkerPool {
 public:
  explicit WorkerPool(unsigned count, std::size_t buffer_block = 16 * 1024);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  [[nodiscard]] std::size_t size() const { return workers_.size(); }
  [[nodiscard]] Worker& operator[](std::size_t i) { return *workers_[i]; }
  void start();
  // Lets each worker's thread end once it has no more work (graceful); waits up to `timeout`.
  // Returns false if some thread still runs.
  [[nodiscard]] bool finish(Duration timeout);
  void stop();  // asks every io_context to stop now; pending handlers stay queued
  void join();

 private:
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards_;
  std::vector<std::thread> threads_;
  std::atomic<unsigned> exited_{0};
};

}  // namespace warden::net
