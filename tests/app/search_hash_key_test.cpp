// The search hash key (app/search_hash_key.hpp): made once, private, read back the same; a file
// that is not a key is an error naming it, never silently replaced.
#include "app/search_hash_key.hpp"

#include "platform/files.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#ifndef _WIN32
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace warden::app {
namespace {

namespace fs = std::filesystem;

class SearchHashKey : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() / ("warden-search-key-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(const std::string& text) {
    std::ofstream(search_hash_key_path(dir_.string()), std::ios::binary) << text;
  }
  fs::path dir_;
};

TEST_F(SearchHashKey, IsMadeOnceAndReadBackTheSame) {
  auto made = load_search_hash_key(dir_.string());
  ASSERT_TRUE(made) << made.error().context;
  EXPECT_EQ(made->size(), 32U);
  const std::string path = search_hash_key_path(dir_.string());
  EXPECT_FALSE(platform::others_can_read(path));
  auto again = load_search_hash_key(dir_.string());
  ASSERT_TRUE(again) << again.error().context;
  EXPECT_EQ(*again, *made);
  EXPECT_EQ(fs::file_size(path), 65U);  // 64 hex digits and a newline
}

#ifndef _WIN32
TEST_F(SearchHashKey, MadeByRootInAnotherAccountsFolderIsThatAccounts) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root: the folder is given to another account";
  constexpr uid_t kNobody = 65534;
  ASSERT_EQ(::chown(dir_.c_str(), kNobody, kNobody), 0);
  ASSERT_TRUE(load_search_hash_key(dir_.string()));
  struct stat st {};
  ASSERT_EQ(::stat(search_hash_key_path(dir_.string()).c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, kNobody);  // the service's account can read what root made for it
  EXPECT_EQ(st.st_mode & 0777, 0600U);
}
#endif

TEST_F(SearchHashKey, HexDigitsOfEitherCaseAreTheKeysBytes) {
  write("000102030405060708090A0B0C0D0E0F101112131415161718191a1b1c1d1e1f\r\n");
  auto key = load_search_hash_key(dir_.string());
  ASSERT_TRUE(key) << key.error().context;
  std::string expected;
  for (int i = 0; i < 32; ++i) expected += static_cast<char>(i);
  EXPECT_EQ(*key, expected);
}

TEST_F(SearchHashKey, AFileThatIsNotAKeyIsAnErrorAndIsKept) {
  for (const std::string& bad : {std::string(""), std::string(63, 'a'), std::string(65, 'a'),
                                 std::string(63, 'a') + "g", std::string(64, 'a') + "\nzz"}) {
    write(bad);
    auto key = load_search_hash_key(dir_.string());
    ASSERT_FALSE(key) << "accepted: " << bad;
    EXPECT_NE(key.error().context.find("search-hash.key: not a key"), std::string::npos)
        << key.error().context;
    EXPECT_NE(key.error().context.find("delete it"), std::string::npos);
    EXPECT_EQ(fs::file_size(search_hash_key_path(dir_.string())), bad.size());  // untouched
  }
}

}  // namespace
}  // namespace warden::app
