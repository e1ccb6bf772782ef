#include "net/buffer.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

namespace warden::net {

std::unique_ptr<char[]> BufferPool::acquire() {
  ++in_use_;
  if (free_.empty()) return std::make_unique_for_overwrite<char[]>(block_size_);
  auto block = std::move(free_.back());
  free_.pop_back();
  return block;
}

void BufferPool::release(std::unique_ptr<char[]> block) {
  --in_use_;
  if (free_.size() < max_free_) free_.push_back(std::move(block));
}

Buffer::Buffer(Buffer&& o) noexcept
    : pool_(o.pool_),
      storage_(std::move(o.storage_)),
      capacity_(std::exchange(o.capacity_, 0)),
      begin_(std::exchange(o.begin_, 0)),
      end_(std::exchange(o.end_, 0)) {}

Buffer& Buffer::operator=(Buffer&& o) noexcept {
  if (this != &o) {
    drop_storage();
    pool_ = o.pool_;
    storage_ = std::move(o.storage_);
    capacity_ = std::exchange(o.capacity_, 0);
    begin_ = std::exchange(o.begin_, 0);
    end_ = std::exchange(o.end_, 0);
  }
  return *this;
}

std::span<char> Buffer::prepare(std::size_t min, std::size_t max_capacity) {
  const std::size_t block = pool_->block_size();
  max_capacity = std::max(max_capacity, block);
  if (storage_ == nullptr) {
    storage_ = pool_->acquire();
    capacity_ = block;
    begin_ = end_ = 0;
  }
  if (capacity_ - end_ < min && begin_ > 0) {
    std::memmove(storage_.get(), storage_.get() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (capacity_ - end_ < min && capacity_ < max_capacity) {
    const std::size_t grown = std::min(max_capacity, std::max(capacity_ * 2, end_ + min));
    auto bigger = std::make_unique_for_overwrite<char[]>(grown);
    std::memcpy(bigger.get(), storage_.get(), end_);
    if (capacity_ == block) pool_->release(std::move(storage_));
    storage_ = std::move(bigger);
    capacity_ = grown;
  }
  return {storage_.get() + end_, capacity_ - end_};
}

void Buffer::consume(std::size_t n) {
  begin_ += n;
  if (begin_ == end_) begin_ = end_ = 0;
}

void Buffer::release_if_empty() {
  if (empty()) drop_storage();
}

void Buffer::drop_storage() {
  if (storage_ == nullptr) return;
  if (capacity_ == pool_->block_size()) {
    pool_->release(std::move(storage_));
  } else {
    storage_.reset();
  }
  capacity_ = begin_ = end_ = 0;
}

}  // namespace warden::net
