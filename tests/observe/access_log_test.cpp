// AccessLog when the disk refuses lines: they are counted, filtering is never held up, and the
// first line that reaches the file afterwards says how many were lost. A file size limit fails
// writes the way a full disk does, without root or a small filesystem.

#include "observe/access_log.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <sys/resource.h>

namespace warden::observe {
namespace {

class AccessLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::TempDir() + "warden-log-" + std::to_string(std::random_device{}());
    std::filesystem::create_directories(dir_);
    path_ = dir_ + "/access.log";
  }
  void TearDown() override {
    allow_growth();
    std::filesystem::remove_all(dir_);
  }
  // From now on the file cannot grow past its current size (writes fail with EFBIG).
  void freeze_size() {
    ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old_limit_), 0);
    old_handler_ = std::signal(SIGXFSZ, SIG_IGN);
    rlimit limit = old_limit_;
    limit.rlim_cur = std::filesystem::file_size(path_);
    ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &limit), 0);
    frozen_ = true;
  }
  void allow_growth() {
    if (!frozen_) return;
    ::setrlimit(RLIMIT_FSIZE, &old_limit_);
    std::signal(SIGXFSZ, old_handler_);
    frozen_ = false;
  }
  std::string contents() const {
    std::ifstream in(path_, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  std::string dir_;
  std::string path_;
  rlimit old_limit_{};
  void (*old_handler_)(int) = SIG_DFL;
  bool frozen_ = false;
};

TEST_F(AccessLogTest, WritesBatchesInOrder) {
  auto log = AccessLog::open(path_);
  ASSERT_TRUE(log) << log.error().context;
  (*log)->submit("{\"n\":1}\n{\"n\":2}\n");
  (*log)->submit("{\"n\":3}\n");
  (*log)->sync();
  EXPECT_EQ(contents(), "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n");
  EXPECT_EQ((*log)->lost_lines(), 0U);
}

TEST_F(AccessLogTest, LinesTheDiskRefusesAreCountedAndTheGapIsWrittenWhenItRecovers) {
  auto log = AccessLog::open(path_);
  ASSERT_TRUE(log);
  (*log)->submit("{\"n\":1}\n");
  (*log)->sync();
  freeze_size();
  (*log)->submit("{\"n\":2}\n{\"n\":3}\n");
  (*log)->submit("{\"n\":4}\n");
  (*log)->sync();
  EXPECT_EQ((*log)->lost_lines(), 3U);
  EXPECT_EQ(contents(), "{\"n\":1}\n");  // nothing half-written
  allow_growth();
  (*log)->submit("{\"n\":5}\n");
  (*log)->sync();
  const std::string after = contents();
  ASSERT_TRUE(after.starts_with("{\"n\":1}\n{\"v\":1,\"ts\":\"")) << after;
  EXPECT_NE(after.find(R"("event":"access_log_gap","lines_lost":"3","since":")"), std::string::npos)
      << after;
  EXPECT_NE(after.find(R"("why":"File too large"})"), std::string::npos) << after;
  EXPECT_TRUE(after.ends_with("}\n{\"n\":5}\n")) << after;
  // The gap is told once: the next line follows without another.
  (*log)->submit("{\"n\":6}\n");
  (*log)->sync();
  EXPECT_EQ(contents(), after + "{\"n\":6}\n");
}

}  // namespace
}  // namespace warden::observe
