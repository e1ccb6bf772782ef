#include "analysis/search_hash.hpp"

#include <gtest/gtest.h>

#include <string>

namespace warden::analysis {
namespace {

std::string key_of_bytes_0_to_31() {
  std::string key;
  for (int i = 0; i < 32; ++i) key += static_cast<char>(i);
  return key;
}

// Expected values from Python's hmac module:
// hmac.new(key, terms.encode(), hashlib.sha256).hexdigest()[:32]
TEST(SearchHash, IsTheFirstHalfOfHmacSha256) {
  EXPECT_EQ(search_hash("key", "the quick brown fox jumps over the lazy dog"),
            "7486bd70e6574a2755b8ea4daeb283de");
  EXPECT_EQ(search_hash(key_of_bytes_0_to_31(), "caf\xC3\xA9 cr\xC3\xA8me"),
            "e8fa3df73c42ea199162ca6a5c4357f9");
}

TEST(SearchHash, AsciiCaseDoesNotMatterOtherBytesDo) {
  const std::string key = key_of_bytes_0_to_31();
  EXPECT_EQ(search_hash(key, "How To Draw"), search_hash(key, "how to draw"));
  EXPECT_EQ(search_hash("key", "THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG"),
            "7486bd70e6574a2755b8ea4daeb283de");
  EXPECT_NE(search_hash(key, "how to draw"), search_hash(key, "how to draw "));
  EXPECT_NE(search_hash(key, "CAF\xC3\x89"), search_hash(key, "caf\xC3\xA9"));  // É is not folded
}

TEST(SearchHash, AnotherKeyGivesAnotherHash) {
  EXPECT_NE(search_hash("key", "cats"), search_hash("kez", "cats"));
  EXPECT_EQ(search_hash("key", "cats").size(), 32U);
}

}  // namespace
}  // namespace warden::analysis
