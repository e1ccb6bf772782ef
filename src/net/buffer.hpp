#pragma once
// Byte buffers for flows. A BufferPool recycles fixed-size blocks on one worker (no locks; one
// pool per worker). A Buffer holds unconsumed bytes in [begin, end) of its storage; it takes a
// block only when it needs space and gives it back when empty (release()), so idle flows hold
// no buffer memory. It grows past one block only up to a caller-given maximum (message heads).

#include <cstddef>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

namespace warden::net {

class BufferPool {
 public:
  explicit BufferPool(std::size_t block_size = 16 * 1024, std::size_t max_free = 256)
      : block_size_(block_size), max_free_(max_free) {}
  BufferPool(const BufferPool&) = delete;
  BufferPool& operator=(const BufferPool&) = delete;

  [[nodiscard]] std::size_t block_size() const { return block_size_; }
  [[nodiscard]] std::unique_ptr<char[]> acquire();
  void release(std::unique_ptr<char[]> block);
  [[nodiscard]] std::size_t free_blocks() const { return free_.size(); }
  [[nodiscard]] std::size_t blocks_in_use() const { return in_use_; }

 private:
  std::size_t block_size_;
  std::size_t max_free_;
  std::size_t in_use_ = 0;
  std::vector<std::unique_ptr<char[]>> free_;
};

class Buffer {
 public:
  explicit Buffer(BufferPool& pool) : pool_(&pool) {}
  ~Buffer() { drop_storage(); }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  Buffer(Buffer&& o) noexcept;
  Buffer& operator=(Buffer&& o) noexcept;

  [[nodiscard]] std::string_view data() const { return {storage_.get() + begin_, end_ - begin_}; }
  [[nodiscard]] std::size_t size() const { return end_ - begin_; }
  [[nodiscard]] bool empty() const { return begin_ == end_; }
  [[nodiscard]] bool has_storage() const { return storage_ != nullptr; }
  [[nodiscard]] std::size_t capacity() const { return capacity_; }

  // Writable space after the data: compacts, then grows up to `max_capacity` if needed to
  // offer at least `min` bytes. Empty when the buffer is full at `max_capacity`.
  [[nodiscard]] std::span<char> prepare(std::size_t min = 1, std::size_t max_capacity = 0);
  void commit(std::size_t n) { end_ += n; }
  void consume(std::size_t n);
  // Gives the storage back if no unconsumed bytes remain.
  void release_if_empty();

 private:
  void drop_storage();

  BufferPool* pool_;
  std::unique_ptr<char[]> storage_;
  std::size_t capacity_ = 0;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
};

}  // namespace warden::net
