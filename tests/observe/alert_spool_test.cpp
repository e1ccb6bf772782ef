#include "observe/alert_spool.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace warden::observe {
namespace {

namespace fs = std::filesystem;

class AlertSpoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_ =
        (fs::temp_directory_path() /
         ("warden-spool-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
          "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name()))
            .string();
    fs::remove_all(folder_);
  }
  void TearDown() override { fs::remove_all(folder_); }
  std::string folder_;
};

TEST_F(AlertSpoolTest, AlertsComeOutInTheOrderTheyWentInAcrossRestarts) {
  std::string why;
  {
    AlertSpool spool(folder_, 1 << 20);
    ASSERT_TRUE(spool.put("{\"n\":1}", why)) << why;
    ASSERT_TRUE(spool.put("{\"n\":2}", why)) << why;
  }
  AlertSpool again(folder_, 1 << 20);  // a restart: numbering goes on after what is there
  ASSERT_TRUE(again.put("{\"n\":3}", why)) << why;
  EXPECT_EQ(again.count(), 3u);
  for (const char* want : {"{\"n\":1}", "{\"n\":2}", "{\"n\":3}"}) {
    auto e = again.oldest();
    ASSERT_TRUE(e);
    EXPECT_EQ(e->body, want);
    EXPECT_TRUE(again.remove(*e));
  }
  EXPECT_FALSE(again.oldest());
}

TEST_F(AlertSpoolTest, OneSetAsideIsKeptButNoLongerHoldsUpTheRest) {
  AlertSpool spool(folder_, 1 << 20);
  std::string why;
  ASSERT_TRUE(spool.put("{\"n\":1}", why)) << why;
  ASSERT_TRUE(spool.put("{\"n\":2}", why)) << why;
  auto first = spool.oldest();
  ASSERT_TRUE(first);
  EXPECT_TRUE(spool.set_aside(*first));
  EXPECT_TRUE(fs::exists(first->path + ".refused"));
  EXPECT_EQ(spool.oldest()->body, "{\"n\":2}");
  EXPECT_EQ(spool.count(), 1u);
}

TEST_F(AlertSpoolTest, AFullSpoolRefusesAndSaysSo) {
  AlertSpool spool(folder_, 20);
  std::string why;
  ASSERT_TRUE(spool.put("{\"first\":\"0123\"}", why)) << why;  // 16 bytes
  EXPECT_FALSE(spool.put("{\"second\":1}", why));
  EXPECT_NE(why.find("is full"), std::string::npos) << why;
  EXPECT_EQ(spool.count(), 1u);
}

TEST_F(AlertSpoolTest, AHalfWrittenFileIsNotAnAlert) {
  {
    AlertSpool spool(folder_, 1 << 20);  // makes the folder
  }
  std::ofstream(fs::path(folder_) / ".00000000000000000001.json.tmp") << "{\"cut";
  std::ofstream(fs::path(folder_) / "notes.txt") << "not ours";
  AlertSpool spool(folder_, 1 << 20);
  EXPECT_FALSE(spool.oldest());
  std::string why;
  ASSERT_TRUE(spool.put("{}", why)) << why;
  EXPECT_EQ(spool.oldest()->body, "{}");
}

}  // namespace
}  // namespace warden::observe
