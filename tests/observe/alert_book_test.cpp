#include "observe/alert_book.hpp"

#include <gtest/gtest.h>

namespace warden::observe {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using Clock = std::chrono::system_clock;

const Clock::time_point t0 = Clock::from_time_t(1'800'000'000);

AlertEvent seen_by(std::string client, std::string terms, Clock::time_point ts,
                   std::vector<AlertMatch> matches = {}) {
  AlertEvent e;
  e.seen =
      SearchSeen{ts, std::move(terms), "google", "submitted", "https://www.google.com/search?q=x"};
  e.client = std::move(client);
  e.group = "default";
  e.matches = std::move(matches);
  return e;
}

const AlertMatch kSelfHarm{"self-harm searches", "self-harm", "high", "hurt myself"};
const AlertMatch kBullying{"bullying", "bullying", "medium", "everyone hates"};
const AlertMatch kSelfHarmPage{"self-harm pages", "self-harm", "high",
                               "page score 120 (self-harm 120)"};

AlertEvent page_by(std::string client, Clock::time_point ts) {
  AlertEvent e;
  e.seen = PageSeen{ts, "https://example.org/methods", 150, "self-harm", "<cutting>"};
  e.client = std::move(client);
  e.group = "default";
  e.decision = "block";
  e.matches = {kSelfHarmPage};
  return e;
}

std::vector<std::string> terms_of(const std::vector<SearchSeen>& list) {
  std::vector<std::string> out;
  for (const auto& s : list) out.push_back(s.terms);
  return out;
}

TEST(AlertBook, AnAlertCarriesThePupilsSearchesJustBeforeAndAfter) {
  AlertBook book({minutes(10), seconds(60), std::chrono::hours(24)}, 7);
  EXPECT_TRUE(book.add(seen_by("10.0.0.5", "too old", t0 - minutes(11))).empty());
  EXPECT_TRUE(book.add(seen_by("10.0.0.5", "maths homework", t0 - minutes(5))).empty());
  EXPECT_TRUE(book.add(seen_by("10.0.0.9", "another pupil", t0 - minutes(1))).empty());
  EXPECT_TRUE(book.add(seen_by("10.0.0.5", "how to hurt myself", t0, {kSelfHarm})).empty());
  EXPECT_EQ(book.next_due(), t0 + seconds(60));
  EXPECT_TRUE(book.due(t0 + seconds(30)).empty());  // still gathering what comes after
  EXPECT_TRUE(book.add(seen_by("10.0.0.5", "helpline", t0 + seconds(20))).empty());
  EXPECT_TRUE(book.add(seen_by("10.0.0.9", "not theirs", t0 + seconds(25))).empty());
  EXPECT_TRUE(book.add(seen_by("10.0.0.5", "too late", t0 + seconds(61))).empty());
  const std::vector<Alert> due = book.due(t0 + seconds(61));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].match.rule, "self-harm searches");
  EXPECT_EQ(due[0].event.search()->terms, "how to hurt myself");
  EXPECT_EQ(terms_of(due[0].before), std::vector<std::string>{"maths homework"});
  EXPECT_EQ(terms_of(due[0].after), std::vector<std::string>{"helpline"});
  EXPECT_FALSE(book.next_due());
}

TEST(AlertBook, ARepeatWithinTheWindowIsCountedNotRaisedAgain) {
  AlertBook book({minutes(10), seconds(0), minutes(60)}, 7);
  EXPECT_TRUE(book.add(seen_by("10.0.0.5", "hurt myself", t0, {kSelfHarm})).empty());
  const auto first = book.due(t0);
  ASSERT_EQ(first.size(), 1u);
  auto repeat = book.add(seen_by("10.0.0.5", "hurt myself again", t0 + minutes(5), {kSelfHarm}));
  ASSERT_EQ(repeat.size(), 1u);
  EXPECT_NE(repeat[0].find("\"event\":\"alert_repeat\",\"id\":\"" + first[0].id + "\""),
            std::string::npos)
      << repeat[0];
  EXPECT_NE(repeat[0].find("\"count\":2}"), std::string::npos) << repeat[0];
  EXPECT_TRUE(book.due(t0 + minutes(5)).empty());
  // Another rule, or another pupil, is an alert of its own.
  EXPECT_TRUE(
      book.add(seen_by("10.0.0.5", "everyone hates me", t0 + minutes(6), {kBullying})).empty());
  EXPECT_TRUE(book.add(seen_by("10.0.0.6", "hurt myself", t0 + minutes(6), {kSelfHarm})).empty());
  const auto others = book.due(t0 + minutes(6));
  ASSERT_EQ(others.size(), 2u);
  EXPECT_NE(others[0].id, others[1].id);
  EXPECT_NE(others[0].id, first[0].id);
  // Past the window the same pupil and rule raise a new alert.
  EXPECT_TRUE(book.add(seen_by("10.0.0.5", "hurt myself", t0 + minutes(61), {kSelfHarm})).empty());
  const auto again = book.due(t0 + minutes(61));
  ASSERT_EQ(again.size(), 1u);
  EXPECT_NE(again[0].id, first[0].id);
}

TEST(AlertBook, FlushHandsOverWhatWaitsWithTheContextItHas) {
  AlertBook book({minutes(10), minutes(2), minutes(60)}, 7);
  (void)book.add(seen_by("10.0.0.5", "hurt myself", t0, {kSelfHarm}));
  (void)book.add(seen_by("10.0.0.5", "after", t0 + seconds(1)));
  const auto flushed = book.flush();
  ASSERT_EQ(flushed.size(), 1u);
  EXPECT_EQ(terms_of(flushed[0].after), std::vector<std::string>{"after"});
  EXPECT_TRUE(book.flush().empty());
}

// A page that matched is an alert with the pupil's searches around it, and is no search itself:
// it is not context for another alert.
TEST(AlertBook, APageAlertCarriesSearchesAroundItAndIsNotContext) {
  AlertBook book({minutes(10), seconds(60), std::chrono::hours(24)}, 7);
  (void)book.add(seen_by("10.0.0.5", "feeling low", t0 - minutes(2)));
  (void)book.add(page_by("10.0.0.5", t0));
  (void)book.add(seen_by("10.0.0.5", "hurt myself", t0 + seconds(10), {kSelfHarm}));
  (void)book.add(seen_by("10.0.0.5", "helpline", t0 + seconds(20)));
  const auto repeat = book.add(page_by("10.0.0.5", t0 + seconds(30)));
  ASSERT_EQ(repeat.size(), 1u);  // the same page rule again: counted
  EXPECT_NE(repeat[0].find(R"("page":{"ts":)"), std::string::npos) << repeat[0];
  const auto due = book.due(t0 + seconds(71));
  ASSERT_EQ(due.size(), 2u);
  EXPECT_FALSE(due[0].event.search());
  EXPECT_EQ(due[0].match.rule, "self-harm pages");
  EXPECT_EQ(terms_of(due[0].before), std::vector<std::string>{"feeling low"});
  EXPECT_EQ(terms_of(due[0].after), (std::vector<std::string>{"hurt myself", "helpline"}));
  EXPECT_EQ(terms_of(due[1].before), std::vector<std::string>{"feeling low"});
  EXPECT_EQ(terms_of(due[1].after), std::vector<std::string>{"helpline"});
}

// A long page's alert is stamped when the page has gone through, which may be after a search
// raised later: each is due at its own time.
TEST(AlertBook, AlertsAreDueInTimeOrderWhateverOrderTheyCame) {
  AlertBook book({minutes(10), seconds(60), std::chrono::hours(24)}, 7);
  (void)book.add(page_by("10.0.0.5", t0 + seconds(30)));
  (void)book.add(seen_by("10.0.0.6", "hurt myself", t0, {kSelfHarm}));
  const auto due = book.due(t0 + seconds(60));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_TRUE(due[0].event.search());
  EXPECT_EQ(book.next_due(), t0 + seconds(90));
}

TEST(AlertLine, APageAlertSaysWhichPageAndWhatItScored) {
  Alert a;
  a.id = "0000abcd-2";
  a.event = page_by("10.0.0.5", t0);
  a.match = kSelfHarmPage;
  const std::string line = alert_line(a);
  for (const std::string_view part :
       {R"x("matched":"page score 120 (self-harm 120)")x",
        R"("page":{"ts":"2027-01-15T08:00:00Z","url":"https://example.org/methods","score":150,)"
        R"("category":"self-harm","phrase":"<cutting>"})",
        R"("decision":"block","before":[],"after":[]})"})
    EXPECT_NE(line.find(part), std::string::npos) << part << "\n" << line;
  EXPECT_EQ(line.find("\"search\""), std::string::npos) << line;
}

TEST(AlertLine, CarriesWhoWhatWhereAndTheContextAsJson) {
  Alert a;
  a.id = "0000abcd-1";
  a.event = seen_by("10.0.0.5", "caf\u00e9 \"quoted\"", t0, {kSelfHarm});
  a.event.user = "1001";
  a.event.request_id = "r-1";
  a.event.decision = "allow";
  a.match = kSelfHarm;
  a.before = {*a.event.search()};
  const std::string line = alert_line(a);
  EXPECT_EQ(line.back(), '\n');
  for (const std::string_view part :
       {R"({"v":1,"ts":"2027-01-15T08:00:00Z","event":"alert","id":"0000abcd-1")",
        R"("rule":"self-harm searches","category":"self-harm","severity":"high")",
        R"("client":"10.0.0.5","user":"1001","group":"default","matched":"hurt myself")",
        R"("terms":"caf\u00e9 \"quoted\"","engine":"google","kind":"submitted")",
        R"("request_id":"r-1","decision":"allow","before":[{"ts":)", R"("after":[]})"})
    EXPECT_NE(line.find(part), std::string::npos) << part << "\n" << line;
}

}  // namespace
}  // namespace warden::observe
