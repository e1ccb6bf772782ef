// Applying a policy bundle (app/bundle_store.hpp) with what `warden bundle sign` packs
// (app/archive_pack.hpp): only a signed, newer bundle whose policy loads becomes current. The
// whole path, with a server and a running Warden, is tests/integration/bundle_test.py.
#include "app/bundle_store.hpp"

#include "app/archive_pack.hpp"
#include "app/bundle_format.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace warden::app {
namespace {
namespace fs = std::filesystem;

class BundleStore : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("bundle-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "store");
    key_.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A bundle of a folder holding `policy` as policy.toml (none when empty) and a games list.
  std::string bundle(std::uint64_t version, const std::string& policy) {
    const fs::path src = dir_ / ("src" + std::to_string(version));
    fs::create_directories(src / "lists" / "games");
    std::ofstream(src / "lists" / "games" / "domains") << "games.test\n";
    if (!policy.empty()) std::ofstream(src / "policy.toml") << policy;
    auto archive = pack_folder(src.string());
    EXPECT_TRUE(archive) << archive.error().context;
    auto b = make_bundle(*archive, version, key_.get());
    EXPECT_TRUE(b) << b.error().context;
    return *b;
  }
  base::Result<std::uint64_t> apply(const std::string& bytes) {
    return apply_bundle(store(), bytes, key_.get(), UnpackLimits{});
  }
  std::string store() const { return (dir_ / "store").string(); }

  fs::path dir_;
  tls::PkeyPtr key_;
};

constexpr const char* kPolicy =
    "[[rule]]\nname = \"no games\"\naction = \"block\"\n"
    "categories = [\"games\"]\n";

TEST_F(BundleStore, AGoodBundleBecomesCurrentWithItsLists) {
  EXPECT_EQ(current_bundle_version(store()), 0u);
  auto v = apply(bundle(7, kPolicy));
  ASSERT_TRUE(v) << v.error().context;
  EXPECT_EQ(*v, 7u);
  EXPECT_EQ(current_bundle_version(store()), 7u);
  const BundlePaths p = bundle_paths(store());
  EXPECT_EQ(p.policy, store() + "/current/policy.toml");
  EXPECT_EQ(p.lists, store() + "/current/lists");
  EXPECT_TRUE(fs::exists(p.lists + "/games/domains"));
}

TEST_F(BundleStore, WhatShouldNotRunNeverReplacesTheCurrentOne) {
  ASSERT_TRUE(apply(bundle(7, kPolicy)));
  auto broken = apply(bundle(8, "[[rule]]\nname = \"x\"\naction = \"maybe\"\n"));
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.error().context.find("version 8: its policy does not load"), std::string::npos)
      << broken.error().context;
  auto empty = apply(bundle(9, ""));
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().context, "version 9: no policy.toml in the bundle");
  auto older = apply(bundle(6, kPolicy));
  ASSERT_FALSE(older);
  EXPECT_EQ(older.error().context, "version 6 is not newer than version 7, which runs here");
  auto again = apply(bundle(7, kPolicy));
  EXPECT_FALSE(again);
  std::string tampered = bundle(10, kPolicy);
  tampered.back() = static_cast<char>(tampered.back() ^ 1);
  EXPECT_FALSE(apply(tampered));
  EXPECT_EQ(current_bundle_version(store()), 7u);
  // Nothing half-made is left beside it.
  for (const auto& e : fs::directory_iterator(store() + "/.versions"))
    EXPECT_EQ(e.path().filename(), "00000000000000000007");
}

TEST_F(BundleStore, TheVersionBeforeIsKeptToGoBackTo) {
  for (const std::uint64_t v : {5u, 9u, 10u}) ASSERT_TRUE(apply(bundle(v, kPolicy)));
  std::vector<std::string> kept;
  for (const auto& e : fs::directory_iterator(store() + "/.versions"))
    kept.push_back(e.path().filename().string());
  std::sort(kept.begin(), kept.end());
  EXPECT_EQ(kept, (std::vector<std::string>{"00000000000000000009", "00000000000000000010"}));
}

TEST_F(BundleStore, TheEtagSurvives) {
  EXPECT_EQ(read_bundle_etag(store()), "");
  write_bundle_etag(store(), "\"65a1-2c\"");
  EXPECT_EQ(read_bundle_etag(store()), "\"65a1-2c\"");
}

TEST(ArchivePack, LinksAreRefusedNotFollowed) {
  const fs::path dir = fs::path(::testing::TempDir()) / ("pack-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "policy.toml") << "";
  fs::create_symlink("/etc/shadow", dir / "secret");
  auto packed = pack_folder(dir.string());
  ASSERT_FALSE(packed);
  EXPECT_NE(packed.error().context.find("a link"), std::string::npos) << packed.error().context;
  fs::remove_all(dir);
}

TEST(ArchivePack, TheSameFolderPacksTheSame) {
  const fs::path dir = fs::path(::testing::TempDir()) / ("same-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "lists" / "a");
  std::ofstream(dir / "policy.toml") << "x";
  std::ofstream(dir / "lists" / "a" / "domains") << "a.test\n";
  auto first = pack_folder(dir.string());
  fs::last_write_time(dir / "policy.toml", fs::file_time_type::clock::now());
  auto second = pack_folder(dir.string());
  ASSERT_TRUE(first && second);
  EXPECT_EQ(*first, *second);
  // (Within one second that would hold anyway: the gzip header's time, bytes 4-7, is none.)
  ASSERT_GT(first->size(), 8u);
  EXPECT_EQ(first->substr(0, 2), "\x1f\x8b");
  EXPECT_EQ(first->substr(4, 4), std::string(4, '\0'));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace warden::app
