#include "identity/local_users.hpp"

#include "identity/password_hash.hpp"

#include <gtest/gtest.h>

namespace warden::identity {
namespace {

TEST(LocalUsers, ARightPasswordGivesTheUsersGroupWhateverTheNamesCase) {
  const std::string text = "# pupils\n\nann:year7:" + hash_password("ann's password") +
                           "\r\nMr.Bell:staff:" + hash_password("bell's password") + "\n";
  auto users = LocalUsers::parse(text, "users");
  ASSERT_TRUE(users) << users.error().context;
  EXPECT_EQ(users->size(), 2u);
  EXPECT_EQ(users->check("ann", "ann's password"), std::optional<std::string>("year7"));
  EXPECT_EQ(users->check("ANN", "ann's password"), std::optional<std::string>("year7"));
  EXPECT_EQ(users->check("mr.bell", "bell's password"), std::optional<std::string>("staff"));
  EXPECT_FALSE(users->check("ann", "bell's password"));
  EXPECT_FALSE(users->check("ann", ""));
  EXPECT_FALSE(users->check("nobody", "ann's password"));
}

TEST(LocalUsers, AMalformedLineIsAnErrorNamingIt) {
  const std::string hash = hash_password("x");
  const std::pair<std::string, std::string> cases[] = {
      {"ann:year7\n", "users:1: expected name:group:scrypt$... (warden users add)"},
      {"ann::" + hash + "\n", "users:1: expected name:group:scrypt$... (warden users add)"},
      {"\nan n:year7:" + hash + "\n", "users:2: expected name:group:scrypt$... (warden users add)"},
      {"ann:year7:plain\n", "users:1: expected name:group:scrypt$... (warden users add)"},
      {"ann:year 7:" + hash + "\n", "users:1: expected name:group:scrypt$... (warden users add)"},
      {"ann:year7:" + hash + "\nANN:year8:" + hash + "\n", "users:2: ann is there twice"},
  };
  for (const auto& [text, error] : cases) {
    auto users = LocalUsers::parse(text, "users");
    ASSERT_FALSE(users) << text;
    EXPECT_EQ(users.error().context, error);
  }
}

TEST(LocalUsers, WhatWardenUsersWritesReadsBackTheSame) {
  LocalUsers users;
  users.put({"Ann", "year7", hash_password("ann's password")});
  users.put({"bob", "staff", hash_password("bob's password")});
  users.put({"ANN", "year8", hash_password("ann's new password")});  // replaces ann
  EXPECT_TRUE(users.remove("BOB"));
  EXPECT_FALSE(users.remove("bob"));
  auto again = LocalUsers::parse(users.render(), "users");
  ASSERT_TRUE(again) << again.error().context;
  ASSERT_EQ(again->all().size(), 1u);
  EXPECT_EQ(again->all()[0]->name, "ann");
  EXPECT_EQ(again->check("ann", "ann's new password"), std::optional<std::string>("year8"));
  EXPECT_FALSE(again->check("ann", "ann's password"));
  EXPECT_EQ(again->find("Ann"), again->all()[0]);
}

TEST(LocalUsers, UserNames) {
  EXPECT_TRUE(valid_user_name("ann.smith@school-7_b"));
  EXPECT_FALSE(valid_user_name(""));
  EXPECT_FALSE(valid_user_name("a:b"));
  EXPECT_FALSE(valid_user_name(std::string(65, 'a')));
}

}  // namespace
}  // namespace warden::identity
