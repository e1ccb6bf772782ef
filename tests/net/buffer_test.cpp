#include "net/buffer.hpp"

#include <gtest/gtest.h>

#include <cstring>

namespace warden::net {
namespace {

TEST(BufferPool, RecyclesBlocks) {
  BufferPool pool(1024, 4);
  auto a = pool.acquire();
  const char* raw = a.get();
  EXPECT_EQ(pool.blocks_in_use(), 1u);
  pool.release(std::move(a));
  EXPECT_EQ(pool.free_blocks(), 1u);
  EXPECT_EQ(pool.acquire().get(), raw);
}

TEST(Buffer, HoldsNoStorageUntilNeededAndReleasesWhenEmpty) {
  BufferPool pool(1024);
  Buffer b(pool);
  EXPECT_FALSE(b.has_storage());
  auto space = b.prepare();
  ASSERT_EQ(space.size(), 1024u);
  std::memcpy(space.data(), "hello", 5);
  b.commit(5);
  EXPECT_EQ(b.data(), "hello");
  b.release_if_empty();
  EXPECT_TRUE(b.has_storage());  // not empty: kept
  b.consume(5);
  b.release_if_empty();
  EXPECT_FALSE(b.has_storage());
  EXPECT_EQ(pool.blocks_in_use(), 0u);
}

TEST(Buffer, CompactsThenGrowsUpToTheLimit) {
  BufferPool pool(16);
  Buffer b(pool);
  auto s = b.prepare();
  std::memset(s.data(), 'x', 16);
  b.commit(16);
  b.consume(10);
  EXPECT_EQ(b.prepare(8).size(), 10u);  // compacted: 6 bytes kept at the front
  EXPECT_EQ(b.data(), "xxxxxx");
  b.commit(10);
  EXPECT_EQ(b.prepare(1, 40).size(), 16u);  // grown to 32
  EXPECT_EQ(b.capacity(), 32u);
  b.commit(16);
  EXPECT_EQ(b.prepare(1, 40).size(), 8u);  // capped at 40
  b.commit(8);
  EXPECT_TRUE(b.prepare(1, 40).empty());  // full at the limit
  EXPECT_EQ(b.size(), 40u);
}

}  // namespace
}  // namespace warden::net
