// Unpacking a list archive as hostile input (app/archive_unpack.hpp) and keeping versions
// (policy/lists_store.hpp). The whole `warden lists update` against an HTTPS server is
// tests/integration/lists_update_test.py.
#include "app/archive_unpack.hpp"

#include "policy/lists_store.hpp"

#include <gtest/gtest.h>

#include <archive.h>
#include <archive_entry.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace warden::app {
namespace {
namespace fs = std::filesystem;

struct Entry {
  Entry(std::string p, std::string d = {}, unsigned t = AE_IFREG, std::string l = {})
      : path(std::move(p)), data(std::move(d)), type(t), link(std::move(l)) {}
  std::string path;
  std::string data;  // a regular file's bytes
  unsigned type;     // AE_IFREG, AE_IFDIR, AE_IFLNK, AE_IFCHR
  std::string link;  // AE_IFLNK: the target; "hard:" + path for a hard link
};

class Unpack : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("unpack-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "out");
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A .tar.gz of `entries`, written with libarchive.
  std::string archive(const std::vector<Entry>& entries) {
    const std::string path = (dir_ / "a.tar.gz").string();
    archive_t* a = archive_write_new();
    archive_write_add_filter_gzip(a);
    archive_write_set_format_pax_restricted(a);
    archive_write_open_filename(a, path.c_str());
    for (const Entry& e : entries) {
      archive_entry* entry = archive_entry_new();
      archive_entry_set_pathname(entry, e.path.c_str());
      archive_entry_set_perm(entry, 0644);
      if (e.link.starts_with("hard:")) {
        archive_entry_set_filetype(entry, AE_IFREG);
        archive_entry_set_hardlink(entry, e.link.substr(5).c_str());
      } else {
        archive_entry_set_filetype(entry, e.type);
        if (e.type == AE_IFLNK) archive_entry_set_symlink(entry, e.link.c_str());
        if (e.type == AE_IFREG)
          archive_entry_set_size(entry, static_cast<la_int64_t>(e.data.size()));
      }
      archive_write_header(a, entry);
      if (e.type == AE_IFREG && !e.data.empty())
        archive_write_data(a, e.data.data(), e.data.size());
      archive_entry_free(entry);
    }
    archive_write_close(a);
    archive_write_free(a);
    return path;
  }
  base::Result<UnpackStats> unpack(const std::vector<Entry>& entries, UnpackLimits limits = {}) {
    return unpack_archive(archive(entries), (dir_ / "out").string(), limits);
  }
  std::string out() const { return (dir_ / "out").string(); }

  using archive_t = struct archive;
  fs::path dir_;
};

TEST_F(Unpack, TheUt1LayoutUnpacksIntoItsTopFolder) {
  auto s = unpack({{"blacklists/", "", AE_IFDIR},
                   {"blacklists/games/domains", "play.test\n"},
                   {"./blacklists/bank/domains", "bank.test\n"},
                   {"blacklists/porn", "", AE_IFLNK, "adult"}});
  ASSERT_TRUE(s) << s.error().context;
  EXPECT_EQ(s->root, out() + "/blacklists");
  EXPECT_EQ(s->files, 2u);
  EXPECT_EQ(s->skipped, 1u);  // the alias link: the policy resolves UT1's aliases itself
  EXPECT_TRUE(fs::is_regular_file(out() + "/blacklists/bank/domains"));
  EXPECT_FALSE(fs::exists(fs::symlink_status(out() + "/blacklists/porn")));
  // Without one wrapping folder, the lists are where they were unpacked.
  fs::remove_all(out());
  fs::create_directories(out());
  auto flat = unpack({{"games/domains", "play.test\n"}, {"bank/domains", "bank.test\n"}});
  ASSERT_TRUE(flat) << flat.error().context;
  EXPECT_EQ(flat->root, out());
}

TEST_F(Unpack, PathsThatLeaveTheFolderAreRefused) {
  for (const std::string bad : {"../escaped", "blacklists/../../escaped", "/etc/escaped"}) {
    fs::remove_all(out());
    fs::create_directories(out());
    auto s = unpack({{"blacklists/games/domains", "x\n"}, {bad, "owned\n"}});
    ASSERT_FALSE(s) << bad;
    EXPECT_NE(s.error().context.find("outside the lists folder"), std::string::npos)
        << s.error().context;
  }
  EXPECT_FALSE(fs::exists(dir_ / "escaped"));
}

TEST_F(Unpack, LinksCannotBeWrittenThroughAndOddEntriesAreSkipped) {
  // A link, then a file of the same name: never written through the link.
  auto s = unpack({{"lists/games", "", AE_IFLNK, "/etc"}, {"lists/games", "x\n"}});
  ASSERT_TRUE(s) << s.error().context;  // the link was skipped, so the file is just a file
  EXPECT_TRUE(fs::is_regular_file(out() + "/lists/games"));
  auto twice = unpack({{"lists/a", "1\n"}, {"lists/a", "2\n"}});
  ASSERT_FALSE(twice);
  EXPECT_NE(twice.error().context.find("appears twice"), std::string::npos);
  fs::remove_all(out());
  fs::create_directories(out());
  auto odd = unpack({{"lists/games/domains", "x\n"},
                     {"lists/games/hard", "", AE_IFREG, "hard:lists/games/domains"},
                     {"lists/dev", "", AE_IFCHR}});
  ASSERT_TRUE(odd) << odd.error().context;
  EXPECT_EQ(odd->files, 1u);
  EXPECT_EQ(odd->skipped, 2u);
}

TEST_F(Unpack, WhatIsUnpackedIsBounded) {
  UnpackLimits small;
  small.max_bytes = 1000;
  auto big = unpack({{"lists/games/domains", std::string(1001, 'a')}}, small);
  ASSERT_FALSE(big);
  EXPECT_NE(big.error().context.find("unpacks to more than 1000 bytes"), std::string::npos);
  small.max_entries = 3;
  auto many = unpack({{"a/1", "x"}, {"a/2", "x"}, {"a/3", "x"}, {"a/4", "x"}}, small);
  ASSERT_FALSE(many);
  EXPECT_NE(many.error().context.find("more than 3 entries"), std::string::npos);
}

TEST_F(Unpack, DamagedArchivesAreRefused) {
  const std::string good = archive({{"lists/games/domains", std::string(50000, 'a')}});
  std::ifstream in(good, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  const std::string cut = (dir_ / "cut.tar.gz").string();
  std::ofstream(cut, std::ios::binary) << bytes.str().substr(0, bytes.str().size() / 2);
  auto s = unpack_archive(cut, out(), {});
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().context.find("cut short"), std::string::npos) << s.error().context;
  std::ofstream(cut, std::ios::binary) << "<html>Not found</html>";
  EXPECT_FALSE(unpack_archive(cut, out(), {}));
}

// Found by archive_unpack_fuzz (corpus regression-null-error-message): for this damaged gzip
// libarchive gives no error message, and formatting the null message threw from fmt and ended
// `warden lists update` instead of refusing the archive.
TEST_F(Unpack, DamageLibarchiveCannotNameIsStillRefusedInWords) {
  const std::string input = std::string(WARDEN_SOURCE_DIR) +
                            "/tests/app/corpus/archive_unpack/regression-null-error-message";
  auto s = unpack_archive(input, out(), {});
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().context.find("no reason given by libarchive"), std::string::npos)
      << s.error().context;
}

TEST_F(Unpack, VersionsSwitchByOneLinkAndTwoAreKept) {
  const std::string lists = (dir_ / "lists").string();
  fs::create_directories(lists + "/games");  // lists kept by hand, before the first update
  EXPECT_EQ(policy::lists_source(lists), lists);
  EXPECT_EQ(policy::lists_version(lists), "");
  std::vector<std::string> stamps;
  for (int i = 0; i < 3; ++i) {
    auto staged = policy::stage_version(lists);
    ASSERT_TRUE(staged) << staged.error().context;
    fs::create_directories(staged->folder + "/tree/blacklists/games");
    ASSERT_TRUE(policy::make_current(lists, *staged, staged->folder + "/tree/blacklists"));
    stamps.push_back(staged->stamp);
    EXPECT_EQ(policy::lists_version(lists), staged->stamp);
    EXPECT_EQ(policy::lists_source(lists), lists + "/current");
    EXPECT_TRUE(fs::is_directory(lists + "/current/games"));
    EXPECT_FALSE(fs::exists(staged->folder));
  }
  std::vector<std::string> kept;
  for (const auto& e : fs::directory_iterator(lists + "/.versions"))
    kept.push_back(e.path().filename().string());
  std::sort(kept.begin(), kept.end());
  EXPECT_EQ(kept, (std::vector<std::string>{stamps[1], stamps[2]}));
  // A staged version that is given up leaves nothing.
  auto staged = policy::stage_version(lists);
  ASSERT_TRUE(staged);
  policy::discard(*staged);
  EXPECT_FALSE(fs::exists(staged->folder));
  EXPECT_EQ(policy::lists_version(lists), stamps[2]);
}

}  // namespace
}  // namespace warden::app
