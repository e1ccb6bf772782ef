#include "observe/activity_store.hpp"

#include "observe/activity_reader.hpp"
#include "observe/activity_row.hpp"
#include "observe/sqlite.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sys/stat.h>

namespace warden::observe {
namespace {

// Rows as a worker hands them over.
void submit(ActivityStore& store, const std::vector<AccessRecord>& rows) {
  std::string packed;
  for (const auto& r : rows) append_row(r, packed);
  store.submit(std::move(packed), rows.size());
}

class ActivityStoreTest : public ::testing::Test {
 protected:
  ActivityStoreTest() {
    dir_ = std::filesystem::temp_directory_path() /
           ("warden-activity-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    options_.path = (dir_ / "activity.db").string();
  }
  ~ActivityStoreTest() override { std::filesystem::remove_all(dir_); }

  static AccessRecord row(std::string host, std::string_view decision, std::string client,
                          std::chrono::system_clock::time_point ts) {
    AccessRecord r;
    r.ts = ts;
    r.host = std::move(host);
    r.decision = decision;
    r.client = std::move(client);
    r.group = "pupils";
    r.status = decision == "block" ? 403 : 200;
    r.bytes_out = 100;
    return r;
  }

  std::int64_t count(const std::string& sql) {
    auto db = SqliteDb::open(options_.path, true);
    EXPECT_TRUE(db) << db.error().context;
    auto s = db->prepare(sql);
    EXPECT_TRUE(s) << s.error().context;
    auto more = s->step_row();
    EXPECT_TRUE(more && *more);
    return s->integer(0);
  }

  std::filesystem::path dir_;
  ActivityOptions options_;
};

TEST_F(ActivityStoreTest, RowsSearchesAndHourlyRollupsAreWritten) {
  auto store = ActivityStore::open(options_);
  ASSERT_TRUE(store) << store.error().context;
  const auto now = std::chrono::system_clock::now();
  std::vector<AccessRecord> rows{row("a.test", "allow", "10.0.0.1", now),
                                 row("a.test", "allow", "10.0.0.1", now),
                                 row("b.test", "block", "10.0.0.2", now)};
  rows[2].category = "games";
  rows[1].search = "how to 'x'; DROP TABLE requests; --";
  rows[1].search_engine = "google";
  submit(**store, rows);
  (*store)->sync();
  EXPECT_EQ((*store)->written_rows(), 3u);
  EXPECT_EQ(count("SELECT COUNT(*) FROM requests"), 3);
  EXPECT_EQ(count("SELECT COUNT(*) FROM searches WHERE terms LIKE 'how to%'"), 1);
  EXPECT_EQ(count("SELECT requests FROM hourly_hosts WHERE host = 'a.test'"), 2);
  EXPECT_EQ(count("SELECT requests FROM hourly_hosts WHERE category = 'games' AND "
                  "decision = 'block'"),
            1);
  EXPECT_EQ(count("SELECT bytes FROM hourly_clients WHERE client = '10.0.0.1'"), 200);
  submit(**store, {row("a.test", "allow", "10.0.0.1", now)});  // the same hour adds up
  (*store)->sync();
  EXPECT_EQ(count("SELECT requests FROM hourly_hosts WHERE host = 'a.test'"), 3);
  struct stat st {};
  ASSERT_EQ(::stat(options_.path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);  // what pupils browsed: the owner's only
}

TEST_F(ActivityStoreTest, RowsPastRetentionAreDroppedAndRollupsStay) {
  options_.retention_days = 7;
  auto store = ActivityStore::open(options_);
  ASSERT_TRUE(store) << store.error().context;
  const auto now = std::chrono::system_clock::now();
  submit(**store, {row("old.test", "allow", "10.0.0.1", now - std::chrono::days(8)),
                   row("new.test", "allow", "10.0.0.1", now)});
  (*store)->sync();  // the writer's first round keeps the file in shape after writing
  EXPECT_EQ(count("SELECT COUNT(*) FROM requests WHERE host = 'old.test'"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM requests WHERE host = 'new.test'"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM hourly_hosts WHERE host = 'old.test'"), 1);
}

TEST_F(ActivityStoreTest, AFullQueueDropsRowsAndCountsThem) {
  options_.max_queued_rows = 0;
  auto store = ActivityStore::open(options_);
  ASSERT_TRUE(store) << store.error().context;
  const auto now = std::chrono::system_clock::now();
  submit(**store, {row("a.test", "allow", "10.0.0.1", now), row("a.test", "allow", "x", now)});
  (*store)->sync();
  EXPECT_EQ((*store)->dropped_rows(), 2u);
  EXPECT_EQ((*store)->written_rows(), 0u);
}

TEST(ActivityRow, EveryFieldComesBackAndATornRowIsNoRow) {
  AccessRecord r;
  r.ts = std::chrono::system_clock::time_point(std::chrono::milliseconds(1'700'000'000'123));
  r.id = "id-1";
  r.client = "10.0.0.1";
  r.user = "ann";
  r.host = std::string("h\0st", 5);
  r.port = 8443;
  r.path = "/a?b=c";
  r.status = 403;
  r.bytes_out = 1ULL << 40;
  r.decision = "block";
  r.search = "t\xc3\xa9rms";
  std::string packed;
  append_row(r, packed);
  append_row(r, packed);
  RowView v;
  std::size_t pos = 0;
  ASSERT_TRUE(read_row(packed, pos, v));
  EXPECT_EQ(v.ts_ms, 1'700'000'000'123);
  EXPECT_EQ(v.id, "id-1");
  EXPECT_EQ(v.user, "ann");
  EXPECT_EQ(v.host, r.host);
  EXPECT_EQ(v.port, 8443);
  EXPECT_EQ(v.status, 403);
  EXPECT_EQ(v.bytes_out, std::int64_t{1} << 40);
  EXPECT_EQ(v.decision, "block");
  EXPECT_EQ(v.search, r.search);
  EXPECT_EQ(v.error, "");
  ASSERT_TRUE(read_row(packed, pos, v));
  EXPECT_FALSE(read_row(packed, pos, v));
  pos = 0;
  EXPECT_FALSE(read_row(std::string_view(packed).substr(0, packed.size() / 2 - 3), pos, v));
}

TEST_F(ActivityStoreTest, SignedInUsersAreRecordedAndFoundByName) {
  auto store = ActivityStore::open(options_);
  ASSERT_TRUE(store) << store.error().context;
  const auto now = std::chrono::system_clock::now();
  std::vector<AccessRecord> rows{row("a.test", "allow", "10.0.0.1", now),
                                 row("b.test", "block", "10.0.0.1", now)};
  rows[1].user = "ann";
  rows[1].search = "homework";
  submit(**store, rows);
  (*store)->sync();
  store->reset();
  auto reader = ActivityReader::open(options_.path);
  ASSERT_TRUE(reader) << reader.error().context;
  ActivityFilter f;
  f.user = "ann";
  auto found = reader->recent(f, 10, 0);
  ASSERT_TRUE(found) << found.error().context;
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].host, "b.test");
  EXPECT_EQ((*found)[0].user, "ann");
  ReportScope scope;
  scope.from_hour = 0;
  scope.to_hour = INT64_MAX / 3'600'000 - 1;
  auto searches = reader->searches(scope, 10);
  ASSERT_TRUE(searches) << searches.error().context;
  ASSERT_EQ(searches->size(), 1u);
  EXPECT_EQ((*searches)[0].user, "ann");
}

TEST_F(ActivityStoreTest, ADatabaseFromBeforeSignInGetsItsUserColumns) {
  {
    std::ofstream(options_.path).flush();  // (SQLite opens, never creates, the file here)
    auto db = SqliteDb::open(options_.path, false);
    ASSERT_TRUE(db) << db.error().context;
    ASSERT_TRUE(db->exec(
        "CREATE TABLE requests(ts INTEGER NOT NULL, id TEXT, client TEXT, grp TEXT, method TEXT, "
        "scheme TEXT, host TEXT, port INTEGER, path TEXT, status INTEGER, bytes_in INTEGER, "
        "bytes_out INTEGER, duration_us INTEGER, decision TEXT, rule TEXT, category TEXT, "
        "error TEXT, capture TEXT, search TEXT);"
        "CREATE TABLE searches(ts INTEGER NOT NULL, client TEXT, grp TEXT, engine TEXT, kind "
        "TEXT, terms TEXT, decision TEXT);"
        "INSERT INTO requests(ts, host) VALUES(" +
        std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count()) +
        ", 'old.test');"));
  }
  auto store = ActivityStore::open(options_);
  ASSERT_TRUE(store) << store.error().context;
  auto r = row("new.test", "allow", "10.0.0.1", std::chrono::system_clock::now());
  r.user = "bob";
  r.search = "maths";
  submit(**store, {r});
  (*store)->sync();
  EXPECT_EQ(count("SELECT COUNT(*) FROM searches WHERE user = 'bob' AND terms = 'maths'"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM requests WHERE user = 'bob' AND host = 'new.test'"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM requests WHERE user IS NULL AND host = 'old.test'"), 1);
}

TEST_F(ActivityStoreTest, AFileThatIsNotADatabaseIsRefusedInWords) {
  {
    std::FILE* f = std::fopen(options_.path.c_str(), "w");
    std::fputs("this is not SQLite, and it is long enough to have a header of sorts\n", f);
    std::fclose(f);
  }
  auto store = ActivityStore::open(options_);
  ASSERT_FALSE(store);
  EXPECT_NE(store.error().context.find("not a database"), std::string::npos)
      << store.error().context;
}

}  // namespace
}  // namespace warden::observe
