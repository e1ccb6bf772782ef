// LocalDirectory: the users file as a directory, read again when it changes; a change that
// does not parse keeps the users read before.
#include "identity/local_directory.hpp"

#include "identity/password_hash.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

namespace warden::identity {
namespace {

using Status = CheckResult::Status;

class LocalDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("warden-users-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "users").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void write(const std::string& text) {
    // A new file renamed over the old one, as `warden users` writes it.
    const std::string fresh = path_ + ".new";
    std::ofstream(fresh) << text;
    std::filesystem::rename(fresh, path_);
  }
  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(LocalDirectoryTest, SignsInWithTheUsersGroupAndReadsTheFileAgainWhenItChanges) {
  write("Ann:year7:" + hash_password("ann's password") + "\n");
  auto directory = LocalDirectory::open(path_);
  ASSERT_TRUE(directory) << directory.error().context;
  CheckResult r = (*directory)->check("ANN", "ann's password");
  ASSERT_EQ(r.status, Status::SignedIn);
  EXPECT_EQ(r.identity.user, "ann");
  EXPECT_EQ(r.identity.groups, std::vector<std::string>{"year7"});
  EXPECT_EQ((*directory)->check("bob", "bob's password").status, Status::Refused);

  write("ann:year8:" + hash_password("ann's password") +
        "\nbob:staff:" + hash_password("bob's password") + "\n");
  EXPECT_EQ((*directory)->check("bob", "bob's password").status, Status::SignedIn);
  EXPECT_EQ((*directory)->check("ann", "ann's password").identity.groups,
            std::vector<std::string>{"year8"});

  write("this is not a users file\n");  // kept: the users read before
  EXPECT_EQ((*directory)->check("bob", "bob's password").status, Status::SignedIn);
}

TEST_F(LocalDirectoryTest, AMissingOrBrokenFileIsAnErrorAtOpen) {
  EXPECT_FALSE(LocalDirectory::open(path_));
  write("ann:year7\n");
  auto broken = LocalDirectory::open(path_);
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.error().context.find("users:1:"), std::string::npos);
}

}  // namespace
}  // namespace warden::identity
