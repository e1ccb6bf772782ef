#include "admin/accounts.hpp"

#include "admin/sessions.hpp"
#include "identity/password_hash.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace warden::admin {
namespace {

TEST(Accounts, PasswordsAreSaltedScryptAndVerifyOnlyThemselves) {
  const std::string a = identity::hash_password("correct horse battery");
  const std::string b = identity::hash_password("correct horse battery");
  EXPECT_TRUE(a.starts_with("scrypt$15$8$1$"));
  EXPECT_NE(a, b);  // a salt each
  EXPECT_TRUE(identity::verify_password("correct horse battery", a));
  EXPECT_FALSE(identity::verify_password("correct horse batterY", a));
  EXPECT_FALSE(identity::verify_password("", a));
  EXPECT_FALSE(identity::verify_password("x", "plain"));
  // Parameters a hand-edited file could use to take a minute or all memory are refused.
  EXPECT_FALSE(identity::verify_password("x", "scrypt$30$8$1$00$" + std::string(64, '0')));
  EXPECT_FALSE(identity::verify_password("x", "scrypt$15$8$1$zz$" + std::string(64, '0')));
}

TEST(Accounts, TheFileRoundTripsAndAMalformedLineIsNamed) {
  const auto dir = std::filesystem::temp_directory_path() / "warden-accounts-test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "accounts").string();
  auto none = Accounts::load(path);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->all().empty());
  Accounts accounts;
  accounts.put({"alice", Role::Admin, identity::hash_password("pw one two three")});
  accounts.put({"sam", Role::Safeguarding, identity::hash_password("pw four five six")});
  accounts.put({"alice", Role::Viewer, accounts.find("alice")->password_hash});  // replaced
  ASSERT_TRUE(accounts.save(path));
#if !defined(_WIN32)  // (Windows: an ACL, which the platform's own files tests check)
  EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
#endif
  auto loaded = Accounts::load(path);
  ASSERT_TRUE(loaded) << loaded.error().context;
  ASSERT_EQ(loaded->all().size(), 2u);
  EXPECT_EQ(loaded->find("alice")->role, Role::Viewer);
  EXPECT_TRUE(identity::verify_password("pw four five six", loaded->find("sam")->password_hash));
  EXPECT_TRUE(loaded->remove("sam"));
  EXPECT_FALSE(loaded->remove("sam"));
  std::ofstream(path, std::ios::app) << "bob:root:scrypt$1\n";
  auto bad = Accounts::load(path);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().context.find("accounts:4:"), std::string::npos) << bad.error().context;
  std::filesystem::remove_all(dir);
}

TEST(Accounts, NamesAreASmallAlphabet) {
  EXPECT_TRUE(valid_account_name("j.smith-2_b"));
  EXPECT_FALSE(valid_account_name(""));
  EXPECT_FALSE(valid_account_name("Alice"));
  EXPECT_FALSE(valid_account_name("a:b"));
  EXPECT_FALSE(valid_account_name(std::string(65, 'a')));
}

TEST(Sessions, EndIdleOldAndChangedOnes) {
  Sessions sessions;
  const auto t0 = Clock::now();
  const Account alice{"alice", Role::Admin, "scrypt$a"};
  const Account sam{"sam", Role::Safeguarding, "scrypt$s"};
  const std::string id = sessions.start(alice, t0);
  ASSERT_EQ(id.size(), 64u);
  ASSERT_NE(sessions.find(id, t0 + std::chrono::minutes(29)), nullptr);
  EXPECT_EQ(
      sessions.find(id, t0 + std::chrono::minutes(29) + Sessions::kIdle + std::chrono::seconds(1)),
      nullptr);
  // Kept busy, it still ends after the longest time.
  const std::string busy = sessions.start(alice, t0);
  for (auto t = t0; t < t0 + Sessions::kLongest; t += std::chrono::minutes(20))
    ASSERT_NE(sessions.find(busy, t), nullptr);
  EXPECT_EQ(sessions.find(busy, t0 + Sessions::kLongest + std::chrono::minutes(1)), nullptr);
  // An account removed, its role or its password changed: its sessions end; others stay.
  const std::string a = sessions.start(alice, t0);
  const std::string s = sessions.start(sam, t0);
  const std::string kept = sessions.start(sam, t0);
  Accounts same;
  same.put(alice);
  same.put(sam);
  sessions.keep_only(same);
  EXPECT_NE(sessions.find(a, t0), nullptr);
  Accounts now;
  now.put({"sam", Role::Viewer, "scrypt$s"});
  sessions.keep_only(now);
  EXPECT_EQ(sessions.find(a, t0), nullptr);
  EXPECT_EQ(sessions.find(s, t0), nullptr);
  const std::string again = sessions.start(sam, t0);
  Accounts new_password;
  new_password.put({"sam", Role::Safeguarding, "scrypt$new"});
  sessions.keep_only(new_password);
  EXPECT_EQ(sessions.find(again, t0), nullptr);
  (void)kept;
  EXPECT_EQ(sessions.find("", t0), nullptr);
}

TEST(SignInThrottle, FiveFailuresHoldTheAccountAndTheAddressForAWhile) {
  SignInThrottle t;
  const auto t0 = Clock::now();
  for (int i = 0; i < 4; ++i) t.failed("alice", "10.0.0.1", t0);
  EXPECT_FALSE(t.held("alice", "10.0.0.1", t0));
  t.failed("alice", "10.0.0.1", t0);
  EXPECT_TRUE(t.held("alice", "10.0.0.1", t0));
  EXPECT_TRUE(t.held("alice", "10.0.0.2", t0));  // the account, from anywhere
  EXPECT_TRUE(t.held("bob", "10.0.0.1", t0));    // the address, for any account
  EXPECT_FALSE(t.held("bob", "10.0.0.2", t0));
  EXPECT_FALSE(t.held("alice", "10.0.0.1", t0 + SignInThrottle::kWindow + std::chrono::seconds(1)));
}

TEST(SignInThrottle, AHoldIsReportedOnceAndARightPasswordDoesNotFreeTheAddress) {
  SignInThrottle t;
  const auto t0 = Clock::now();
  for (int i = 0; i < 5; ++i) t.failed("", "10.0.0.9", t0);  // names no account can have
  bool first = false;
  EXPECT_TRUE(t.held("alice", "10.0.0.9", t0, &first));
  EXPECT_TRUE(first);
  EXPECT_TRUE(t.held("alice", "10.0.0.9", t0, &first));
  EXPECT_FALSE(first);
  t.succeeded("alice");
  EXPECT_TRUE(t.held("bob", "10.0.0.9", t0));
  // IPv6: counted per /64, so a host's many addresses share one count.
  for (int i = 0; i < 5; ++i) t.failed("", "2001:db8:1:2::" + std::to_string(i + 1), t0);
  EXPECT_TRUE(t.held("", "2001:db8:1:2:ffff::1", t0));
  EXPECT_FALSE(t.held("", "2001:db8:1:3::1", t0));
  EXPECT_EQ(throttle_key("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
  EXPECT_EQ(throttle_key("10.0.0.9"), "10.0.0.9");
}

}  // namespace
}  // namespace warden::admin
