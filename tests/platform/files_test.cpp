// platform/files.hpp on the OS it was built for (Linux here; Windows under Wine in
// make test-windows): private files and folders, and the append-only log file.

#include "platform/files.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#if !defined(_WIN32)
#include <csignal>
#include <sys/resource.h>
#endif

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

#if !defined(_WIN32)
// A disk that fills part-way through a batch (here a file size limit, which fails a write the
// same way without root or a small filesystem): what was written of it is cut off again, so
// the file ends with the last whole line, and the error names the cause.
TEST_F(FilesTest, AppendFileCutsBackAWriteThatFailsPartWay) {
  const std::string log = dir_ + "/access.log";
  auto f = AppendFile::open(log);
  ASSERT_TRUE(f);
  ASSERT_TRUE(f->write_all("first line\n", 11));
  rlimit old_limit{};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old_limit), 0);
  const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);  // EFBIG instead of the signal
  rlimit limit = old_limit;
  limit.rlim_cur = 100;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &limit), 0);
  const std::string batch = std::string(60, 'a') + "\n" + std::string(60, 'b') + "\n";
  auto failed = f->write_all(batch.data(), batch.size());
  ::setrlimit(RLIMIT_FSIZE, &old_limit);
  std::signal(SIGXFSZ, old_handler);
  ASSERT_FALSE(failed);
  EXPECT_NE(failed.error().context.find("too large"), std::string::npos) << failed.error().context;
  EXPECT_EQ(contents(log), "first line\n");  // 89 bytes of the batch went in, and out again
  ASSERT_TRUE(f->write_all("next\n", 5));
  EXPECT_EQ(contents(log), "first line\nnext\n");
}
#endif

TEST_F(FilesTest, DefaultStateDirNamesAWardenFolder) {
  const std::string d = default_state_dir();
  EXPECT_FALSE(d.empty());
  EXPECT_NE(d.find("arden"), std::string::npos) << d;  // warden or Warden
}

}  // namespace
}  // namespace warden::platform
