// platform/files.hpp on the OS it was built for (Linux here; Windows under Wine in
// make test-windows): private files and folders, and the append-only log file.

#include "platform/files.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

namespace warden::platform {
namespace {

class FilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::TempDir() + "warden-files-" + std::to_string(std::random_device{}());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  static std::string contents(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  std::string dir_;
};

TEST_F(FilesTest, NewFilesAreWrittenWithTheirAccessAndNeverOverwrittenUnasked) {
  const std::string key = dir_ + "/secret.key";
  ASSERT_TRUE(write_new_file(key, "first\n", FileAccess::OwnerOnly, false));
  EXPECT_EQ(contents(key), "first\n");
  EXPECT_FALSE(others_can_read(key));
  auto again = write_new_file(key, "second\n", FileAccess::OwnerOnly, false);
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().context.find(key), std::string::npos) << again.error().context;
  EXPECT_EQ(contents(key), "first\n");  // untouched
  ASSERT_TRUE(write_new_file(key, "second\n", FileAccess::OwnerOnly, true));
  EXPECT_EQ(contents(key), "second\n");
  EXPECT_FALSE(others_can_read(key));
  // Binary data goes through byte for byte.
  const std::string bytes("\x00\n\r\n\xff", 5);
  ASSERT_TRUE(write_new_file(dir_ + "/b.der", bytes, FileAccess::EveryoneReads, false));
  EXPECT_EQ(contents(dir_ + "/b.der"), bytes);
}

TEST_F(FilesTest, AMissingFileCountsAsReadableByOthers) {
  EXPECT_TRUE(others_can_read(dir_ + "/absent"));
}

TEST_F(FilesTest, PrivateFolderIsCreatedWithItsParentsAndAFileInTheWayIsNamed) {
  std::string warning;
  const std::string state = dir_ + "/a/b/state";
  ASSERT_TRUE(ensure_private_folder(state, warning));
  EXPECT_TRUE(std::filesystem::is_directory(state));
  EXPECT_FALSE(others_can_read(state));
  ASSERT_TRUE(ensure_private_folder(state, warning));  // existing: fine
  EXPECT_EQ(warning, "");
  ASSERT_TRUE(write_new_file(dir_ + "/plain", "x", FileAccess::EveryoneReads, false));
  auto blocked = ensure_private_folder(dir_ + "/plain", warning);
  ASSERT_FALSE(blocked);
  EXPECT_NE(blocked.error().context.find("is not a folder"), std::string::npos);
}

TEST_F(FilesTest, AppendFileAppendsAcrossOpensAndAfterARename) {
  const std::string log = dir_ + "/access.log";
  {
    auto f = AppendFile::open(log);
    ASSERT_TRUE(f) << f.error().context;
    EXPECT_TRUE(f->write_all("one\n", 4));
  }
  auto f = AppendFile::open(log);
  ASSERT_TRUE(f);
  EXPECT_TRUE(f->write_all("two\n", 4));
  EXPECT_EQ(contents(log), "one\ntwo\n");
  // Rotation moves the file while it is open; writes follow it, a new open starts afresh.
  std::filesystem::rename(log, log + ".1");
  EXPECT_TRUE(f->write_all("three\n", 6));
  auto fresh = AppendFile::open(log);
  ASSERT_TRUE(fresh);
  EXPECT_TRUE(fresh->write_all("four\n", 5));
  f->close();
  EXPECT_FALSE(f->write_all("x", 1));
  EXPECT_EQ(contents(log + ".1"), "one\ntwo\nthree\n");
  EXPECT_EQ(contents(log), "four\n");
  auto bad = AppendFile::open(dir_ + "/no/such/folder/log");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().context.find("no/such/folder"), std::string::npos);
}

TEST_F(FilesTest, DefaultStateDirNamesAWardenFolder) {
  const std::string d = default_state_dir();
  EXPECT_FALSE(d.empty());
  EXPECT_NE(d.find("arden"), std::string::npos) << d;  // warden or Warden
}

}  // namespace
}  // namespace warden::platform
