#include "policy/policy.hpp"

#include "platform/os.hpp"
#include "policy/policy_file.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace warden::policy {
namespace {

// A small list folder in the UT1 layout, written for the test.
class PolicyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) / ("lists-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    write("adult/domains", "adult.test\n# comment\n\nxxx.example\nbad host!\n");
    write("adult/urls", "mixed.test/adult/\n");
    write("gambling/domains", "casino.test\nshared.test\n");
    write("games/domains", "shared.test\nplay.test\n");
    write("bank/domains", "bank.test\n");
    write("publicite/expressions", "(/banner/|/sponsor/)\n");
    auto lists = CategoryLists::load(dir_.string());
    ASSERT_TRUE(lists) << lists.error().context;
    lists_ = *lists;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void write(const std::string& rel, const std::string& text) {
    std::filesystem::create_directories((dir_ / rel).parent_path());
    std::ofstream(dir_ / rel) << text;
  }
  PolicyPtr policy(std::string_view text) {
    auto p = parse_policy(text, "policy.toml", lists_);
    EXPECT_TRUE(p) << p.error().context;
    return p ? *p : nullptr;
  }
  std::string error_of(std::string_view text) {
    auto p = parse_policy(text, "policy.toml", lists_);
    return p ? "(accepted)" : p.error().context;
  }
  static Decision decide(
      const Policy& p, std::string_view host, std::string_view url = {},
      std::string_view client = "10.0.0.5", std::uint16_t port = 443,
      std::chrono::system_clock::time_point now = std::chrono::system_clock::now()) {
    Request r;
    r.client = parse_ip(client);
    r.host = host;
    r.port = port;
    if (!url.empty()) r.url = url;
    r.now = now;
    return p.evaluate(r);
  }
  std::filesystem::path dir_;
  std::shared_ptr<const CategoryLists> lists_;
};

TEST_F(PolicyTest, ListsLoadWithStatsAndRefusals) {
  ASSERT_GE(lists_->id("adult"), 0);
  const auto& stats = lists_->stats()[static_cast<std::size_t>(lists_->id("adult"))];
  EXPECT_EQ(stats.domains, 2u);
  EXPECT_EQ(stats.urls, 1u);
  EXPECT_EQ(stats.refused, 1u);
  EXPECT_EQ(stats.refused_examples.front(), "bad host!");
}

// The expressions run together (one RE2::Set); each keeps its own anchors and category, and a
// URL that several match gets every one of their categories.
TEST_F(PolicyTest, ExpressionsOfEveryCategoryMatchTogether) {
  write("redirect/expressions",
        "((google\\..*/search\\?q=cache.*))(porn|xxx)\n"
        "^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+/search\\?q=[0-9]+$\n");
  auto loaded = CategoryLists::load(dir_.string());
  ASSERT_TRUE(loaded) << loaded.error().context;
  const CategoryLists& lists = **loaded;
  const auto redirect = static_cast<CategoryId>(lists.id("redirect"));
  const auto ads = static_cast<CategoryId>(lists.id("publicite"));
  auto match = [&](std::string_view url) {
    return lists.match_url(url.substr(0, url.find('/')), url);
  };
  EXPECT_TRUE(match("www.google.fr/search?q=cache:xxx").has(redirect));
  EXPECT_FALSE(match("www.google.fr/search?q=cache:xxx").has(ads));
  EXPECT_TRUE(match("192.0.2.7/search?q=123").has(redirect));
  EXPECT_TRUE(match("a192.0.2.7/search?q=123").empty()) << "^ anchors at the URL's start";
  EXPECT_TRUE(match("192.0.2.7/search?q=123x").empty()) << "$ anchors at its end";
  EXPECT_TRUE(match("ads.test/sponsor/x.gif").has(ads));
  const CategorySet both = match("www.google.com/search?q=cache:porn/banner/");
  EXPECT_TRUE(both.has(redirect) && both.has(ads));
  EXPECT_TRUE(match("www.google.com/search?q=volcanoes").empty());
}

TEST_F(PolicyTest, DefaultsBlockAdultAndSpliceBanks) {
  PolicyPtr p = default_policy(lists_);
  Decision adult = decide(*p, "www.adult.test");
  EXPECT_EQ(adult.action, Action::Block);
  EXPECT_EQ(adult.category, "adult");
  EXPECT_EQ(decide(*p, "bank.test").action, Action::NoDecrypt);
  Decision other = decide(*p, "play.test");
  EXPECT_EQ(other.action, Action::Allow);
  EXPECT_EQ(other.category, "games");  // allowed, and logged with its category
  EXPECT_EQ(decide(*p, "mixed.test", "mixed.test/adult/page").action, Action::Block);
  EXPECT_EQ(decide(*p, "mixed.test", "mixed.test/school/page").action, Action::Allow);
  EXPECT_EQ(decide(*p, "mixed.test").action, Action::Allow);  // no URL yet: host level only
}

TEST_F(PolicyTest, ExplicitRulesBeatCategoriesAndTheMostSpecificWins) {
  PolicyPtr p = policy(R"(
[[rule]]
name = "casinos"
action = "block"
categories = ["gambling"]
[[rule]]
name = "maths game"
action = "allow"
domains = ["play.casino.test"]
[[rule]]
name = "casino news"
action = "allow"
urls = ["casino.test/news/"]
[[rule]]
name = "but not this news"
action = "block"
urls = ["casino.test/news/poker"]
)");
  ASSERT_TRUE(p);
  EXPECT_EQ(decide(*p, "casino.test").rule, "casinos");
  EXPECT_EQ(decide(*p, "play.casino.test").action, Action::Allow);
  EXPECT_EQ(decide(*p, "casino.test", "casino.test/news/today").action, Action::Allow);
  EXPECT_EQ(decide(*p, "casino.test", "casino.test/news/poker/1").rule, "but not this news");
}

TEST_F(PolicyTest, SearchesBlockByTheirWordsAndBeatWhereTheyAreAsked) {
  PolicyPtr p = policy(R"(
[[group]]
name = "staff"
sources = ["10.1.0.0/16"]
[[rule]]
name = "search engines"
action = "allow"
urls = ["search.test/search"]
[[rule]]
name = "weapons searches"
action = "block"
groups = ["default"]
searches = ["make bomb", "buy gun"]
)");
  ASSERT_TRUE(p);
  auto searched = [&](std::string_view terms, std::string_view client = "10.0.0.5") {
    Request r;
    r.client = parse_ip(client);
    r.host = "search.test";
    r.port = 443;
    r.url = "search.test/search?q=x";
    r.search = terms;
    return p->evaluate(r);
  };
  EXPECT_EQ(searched("how to MAKE a bomb").rule, "weapons searches");  // any order and case
  EXPECT_EQ(searched("bomb, make!").action, Action::Block);
  EXPECT_EQ(searched("make bombastic claims").action, Action::Allow);  // whole words only
  EXPECT_EQ(searched("make cake").rule, "search engines");
  EXPECT_EQ(searched("how to make a bomb", "10.1.2.3").action, Action::Allow);  // staff
  EXPECT_EQ(decide(*p, "search.test", "search.test/search?q=make+bomb").action,
            Action::Allow);  // not a search the engine knows of: terms unknown
}

TEST_F(PolicyTest, TiesGoToTheStrongestAction) {
  PolicyPtr p = policy(R"(
[[rule]]
action = "allow"
categories = ["games"]
[[rule]]
action = "block"
categories = ["gambling"]
[[rule]]
action = "no_decrypt"
domains = ["x.test"]
[[rule]]
action = "reject"
domains = ["x.test"]
)");
  ASSERT_TRUE(p);
  EXPECT_EQ(decide(*p, "shared.test").action, Action::Block);  // in games and gambling
  EXPECT_EQ(decide(*p, "x.test").action, Action::Reject);
}

TEST_F(PolicyTest, GroupsBySourceAddress) {
  PolicyPtr p = policy(R"(
[[group]]
name = "staff"
sources = ["10.9.0.0/16", "2001:db8::/32"]
[[rule]]
groups = ["default"]
action = "block"
categories = ["games"]
)");
  ASSERT_TRUE(p);
  EXPECT_EQ(decide(*p, "play.test", {}, "10.0.0.5").action, Action::Block);
  Decision staff = decide(*p, "play.test", {}, "10.9.3.4");
  EXPECT_EQ(staff.group, "staff");
  EXPECT_EQ(staff.action, Action::Allow);
  EXPECT_EQ(decide(*p, "play.test", {}, "2001:db8::7").group, "staff");
}

TEST_F(PolicyTest, RegexAndPortRules) {
  PolicyPtr p = policy(R"(
[[rule]]
action = "block"
regex = "/download/.*\\.exe$"
[[rule]]
action = "reject"
ports = [8443]
)");
  ASSERT_TRUE(p);
  EXPECT_EQ(decide(*p, "files.test", "files.test/download/setup.exe").action, Action::Block);
  EXPECT_EQ(decide(*p, "files.test", "files.test/download/notes.pdf").action, Action::Allow);
  EXPECT_EQ(decide(*p, "files.test", {}, "10.0.0.5", 8443).action, Action::Reject);
}

TEST_F(PolicyTest, SchedulesUseAnInjectedClock) {
  PolicyPtr p = policy(R"(
[[rule]]
action = "block"
categories = ["games"]
schedule = { days = ["mon", "tue", "wed", "thu", "fri"], from = "08:00", to = "16:00" }
)");
  ASSERT_TRUE(p);
  std::tm t{};
  t.tm_year = 2026 - 1900;
  t.tm_mon = 10;
  t.tm_mday = 26;  // a Thursday
  t.tm_hour = 10;
  t.tm_isdst = -1;
  const auto thursday_10 = std::chrono::system_clock::from_time_t(std::mktime(&t));
  t.tm_hour = 17;
  const auto thursday_17 = std::chrono::system_clock::from_time_t(std::mktime(&t));
  t.tm_mday = 28;
  t.tm_hour = 10;
  const auto saturday_10 = std::chrono::system_clock::from_time_t(std::mktime(&t));
  EXPECT_EQ(decide(*p, "play.test", {}, "10.0.0.5", 443, thursday_10).action, Action::Block);
  EXPECT_EQ(decide(*p, "play.test", {}, "10.0.0.5", 443, thursday_17).action, Action::Allow);
  EXPECT_EQ(decide(*p, "play.test", {}, "10.0.0.5", 443, saturday_10).action, Action::Allow);
}

TEST_F(PolicyTest, ErrorsSayWhereAndWhy) {
  EXPECT_EQ(error_of("[[rule]]\naction = \"block\"\n"),
            "policy.toml:1:1: rule: one of domains, urls, regex, searches, categories or ports "
            "is required");
  EXPECT_EQ(error_of("[[rule]]\naction = \"maybe\"\ndomains = [\"a.test\"]\n"),
            "policy.toml:2:10: rule.action: expected allow, block, no_decrypt or reject");
  EXPECT_NE(error_of("[[rule]]\naction = \"block\"\ncategories = [\"nosuch\"]\n")
                .find("policy.toml:3:14: rule.categories: no list named \"nosuch\" (loaded: adult"),
            std::string::npos);
  EXPECT_EQ(error_of("[[rule]]\naction = \"block\"\nregex = \"(\"\n").substr(0, 30),
            "policy.toml:3:9: rule.regex: m");
  EXPECT_EQ(error_of("[[rule]]\naction = \"block\"\ndomains = [\"a b\"]\nfoo = 1\n"),
            "policy.toml:3:11: rule.domains: \"a b\": invalid character in host name");
  EXPECT_EQ(error_of("[[group]]\nname = \"s\"\nsources = [\"10.0.0.0/33\"]\n"),
            "policy.toml:3:11: group.sources: \"10.0.0.0/33\" is not an address or CIDR");
  EXPECT_EQ(error_of("[[rule]]\naction = \"block\"\ngroups = [\"nobody\"]\nports = [1]\n"),
            "policy.toml:3:10: rule.groups: no group named \"nobody\"");
  EXPECT_EQ(error_of("colour = 1\n"), "policy.toml:1:1: unknown key colour");
  EXPECT_EQ(
      error_of("[[rule]]\naction = \"block\"\nports = [1]\nschedule = { days = [\"someday\"] }\n"),
      "policy.toml:4:21: schedule.days: \"someday\" is not one of mon..sun");
  EXPECT_EQ(error_of("[page]\ntitle = 3\n"), "policy.toml:2:9: page.title: expected a string");
  EXPECT_EQ(error_of("[[rule]\n").substr(0, 14), "policy.toml:1:");
}

// Every message the policy loader can give, with where it points.
TEST_F(PolicyTest, EveryErrorSaysWhereAndWhy) {
  const std::vector<std::pair<std::string_view, std::string_view>> cases = {
      {"group = 1\n", "policy.toml:1:9: group: expected [[group]] tables"},
      {"group = [1]\n", "policy.toml:1:10: group: expected a table"},
      {"[[group]]\nname = \"\"\n", "policy.toml:2:8: group.name: expected a non-empty string"},
      {"[[group]]\nname = \"a\"\nsources = 3\n",
       "policy.toml:3:11: group.sources: expected a list of addresses or CIDRs"},
      {"[[group]]\nname = \"a\"\nsources = [\"10.0.0.0/33\"]\n",
       "policy.toml:3:11: group.sources: \"10.0.0.0/33\" is not an address or CIDR"},
      {"[[group]]\nname = \"a\"\ncolour = 1\n", "policy.toml:3:1: unknown key group.colour"},
      {"[[group]]\nsources = [\"10.0.0.1\"]\n", "policy.toml:1:1: group: name is required"},
      {"[[group]]\nname = \"a\"\n[[group]]\nname = \"a\"\n",
       "policy.toml:3:1: group: \"a\" is defined twice"},
      {"lists = 3\n", "policy.toml:1:9: lists: expected a folder name (a string)"},
      {"rule = 1\n", "policy.toml:1:8: rule: expected [[rule]] tables"},
      {"rule = [1]\n", "policy.toml:1:9: rule: expected a table"},
      {"[[rule]]\nname = \"\"\naction = \"block\"\nports = [1]\n",
       "policy.toml:2:8: rule.name: expected a non-empty string"},
      {"[[rule]]\naction = \"maybe\"\nports = [1]\n",
       "policy.toml:2:10: rule.action: expected allow, block, no_decrypt or reject"},
      {"[[rule]]\nports = [1]\n", "policy.toml:1:1: rule: action is required"},
      {"[[rule]]\naction = \"block\"\n",
       "policy.toml:1:1: rule: one of domains, urls, regex, searches, categories or ports is "
       "required"},
      {"[[rule]]\naction = \"block\"\nports = [1]\ndomains = [\"a.test\"]\n",
       "policy.toml:1:1: rule: only one of domains, urls, regex, searches, categories or ports "
       "per rule (write one rule for each)"},
      {"[[rule]]\naction = \"block\"\nsearches = []\n",
       "policy.toml:3:12: rule.searches: expected a list of search terms"},
      {"[[rule]]\naction = \"block\"\nsearches = [\"ok\", \" ?! \"]\n",
       "policy.toml:3:12: rule.searches: \" ?! \" has no word in it"},
      {"[[rule]]\naction = \"block\"\nports = [1]\ngroups = 1\n",
       "policy.toml:4:10: rule.groups: expected a list of group names"},
      {"[[rule]]\naction = \"block\"\nports = [1]\ngroups = [\"nobody\"]\n",
       "policy.toml:4:10: rule.groups: no group named \"nobody\""},
      {"[[rule]]\naction = \"block\"\ndomains = []\n",
       "policy.toml:3:11: rule.domains: expected a list of domains"},
      {"[[rule]]\naction = \"block\"\ndomains = [\"a b\"]\n",
       "policy.toml:3:11: rule.domains: \"a b\": invalid character in host name"},
      {"[[rule]]\naction = \"block\"\nurls = 5\n",
       "policy.toml:3:8: rule.urls: expected a list of URL prefixes"},
      {"[[rule]]\naction = \"block\"\nurls = [\"a..b/x\"]\n",
       "policy.toml:3:8: rule.urls: \"a..b/x\": empty label in host name"},
      {"[[rule]]\naction = \"block\"\nregex = 5\n",
       "policy.toml:3:9: rule.regex: expected a string"},
      {"[[rule]]\naction = \"block\"\nregex = \"(\"\n",
       "policy.toml:3:9: rule.regex: missing ): ("},
      {"[[rule]]\naction = \"block\"\ncategories = []\n",
       "policy.toml:3:14: rule.categories: expected a list of category names"},
      {"[[rule]]\naction = \"block\"\nports = []\n",
       "policy.toml:3:9: rule.ports: expected a list of ports"},
      {"[[rule]]\naction = \"block\"\nports = [0]\n",
       "policy.toml:3:10: rule.ports: expected port numbers between 1 and 65535"},
      {"[[rule]]\naction = \"block\"\nports = [\"80\"]\n",
       "policy.toml:3:10: rule.ports: expected port numbers between 1 and 65535"},
      {"[[rule]]\naction = \"block\"\nports = [1]\ncolour = 1\n",
       "policy.toml:4:1: unknown key rule.colour"},
      {"[[rule]]\naction = \"block\"\nports = [1]\nschedule = 1\n",
       "policy.toml:4:12: schedule: expected a table {days, from, to}"},
      {"[[rule]]\naction = \"block\"\nports = [1]\nschedule = { days = 1 }\n",
       "policy.toml:4:21: schedule.days: expected a list of day names"},
      {"[[rule]]\naction = \"block\"\nports = [1]\nschedule = { days = [\"someday\"] }\n",
       "policy.toml:4:21: schedule.days: \"someday\" is not one of mon..sun"},
      {"[[rule]]\naction = \"block\"\nports = [1]\nschedule = { from = \"8:30\" }\n",
       "policy.toml:4:21: schedule.from: expected \"HH:MM\""},
      {"[[rule]]\naction = \"block\"\nports = [1]\nschedule = { to = \"24:01\" }\n",
       "policy.toml:4:19: schedule.to: expected \"HH:MM\""},
      {"[[rule]]\naction = \"block\"\nports = [1]\nschedule = { weeks = 1 }\n",
       "policy.toml:4:14: unknown key schedule.weeks"},
      {"page = 1\n", "policy.toml:1:8: page: expected a table"},
      {"[page]\ntitle = 3\n", "policy.toml:2:9: page.title: expected a string"},
      {"[page]\nfont = \"x\"\n", "policy.toml:2:1: unknown key page.font"},
      {"colour = 1\n", "policy.toml:1:1: unknown key colour"},
  };
  for (const auto& [text, message] : cases) EXPECT_EQ(error_of(text), message) << text;
}

TEST_F(PolicyTest, GroupsByLocalUser) {
  // Linux: uid 0. Windows (Wine names its account after the Unix user): that account's RID.
  const auto root = platform::user_id("root");
  if (!root) GTEST_SKIP() << "no local account is named root here";
  ASSERT_NE(*root, 1002u);
  PolicyPtr p = policy(
      "[[group]]\nname = \"pupils\"\nusers = [\"root\", 1001]\n"
      "[[rule]]\naction = \"block\"\ngroups = [\"pupils\"]\ndomains = [\"play.test\"]\n");
  ASSERT_TRUE(p);
  Request r;
  r.host = "play.test";
  r.port = 443;
  r.user = 1001;
  EXPECT_EQ(p->evaluate(r).action, Action::Block);
  EXPECT_EQ(p->evaluate(r).group, "pupils");
  r.user = *root;  // by name
  EXPECT_EQ(p->evaluate(r).group, "pupils");
  r.user = 1002;
  EXPECT_EQ(p->evaluate(r).action, Action::Allow);
  r.user.reset();
  EXPECT_EQ(p->evaluate(r).group, "default");
  EXPECT_EQ(error_of("[[group]]\nname = \"g\"\nusers = [\"no-such-user-x\"]\n"),
            "policy.toml:3:10: group.users: no user named \"no-such-user-x\" on this system");
  EXPECT_EQ(error_of("[[group]]\nname = \"g\"\nusers = [-1]\n"),
            "policy.toml:3:10: group.users: not a user id");
  EXPECT_EQ(error_of("[[group]]\nname = \"g\"\nusers = 5\n"),
            "policy.toml:3:9: group.users: expected a list of user names or ids");
}

TEST_F(PolicyTest, AListThatCannotBeReadWholeRefusesTheLists) {
  // A truncated gzip: the category would silently be empty, so the lists are refused.
  const std::string gz("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\x4b\x4c", 12);
  write("gambling/domains.gz", gz);
  auto lists = CategoryLists::load(dir_.string());
  ASSERT_FALSE(lists);
  EXPECT_NE(lists.error().context.find("gambling/domains.gz cannot be read whole"),
            std::string::npos)
      << lists.error().context;
}

TEST_F(PolicyTest, CategoryAliases) {
  PolicyPtr p = policy("[[rule]]\naction = \"block\"\ncategories = [\"porn\"]\n");
  ASSERT_TRUE(p);
  EXPECT_EQ(decide(*p, "adult.test").action, Action::Block);
}

}  // namespace
}  // namespace warden::policy

namespace warden::policy {
namespace {

class OtherRules : public ::testing::Test {
 protected:
  static PolicyPtr policy(std::string_view text) {
    auto p = parse_policy(text, "policy.toml", CategoryLists::empty());
    EXPECT_TRUE(p) << p.error().context;
    return p ? *p : nullptr;
  }
  static std::string error_of(std::string_view text) {
    auto p = parse_policy(text, "policy.toml", CategoryLists::empty());
    return p ? "(accepted)" : p.error().context;
  }
  static Decision decide(const Policy& p, std::string_view dst, std::uint16_t port,
                         std::string_view client = "10.0.0.5") {
    OtherFlow f;
    f.client = parse_ip(client);
    f.destination = *parse_ip(dst);
    f.port = port;
    return p.evaluate_other(f);
  }
};

constexpr std::string_view kOther = R"(
[[group]]
name = "pupils"
sources = ["10.0.0.0/24"]

[[rule]]
name = "no ssh for pupils"
action = "block"
protocol = "other"
ports = [22]
groups = ["pupils"]

[[rule]]
name = "the school's ssh server"
action = "allow"
protocol = "other"
destinations = ["192.0.2.10"]

[[rule]]
name = "nothing else but web"
action = "block"
protocol = "other"
groups = ["lockdown"]

[[group]]
name = "lockdown"
sources = ["10.9.0.0/24"]

[[rule]]
name = "web port rule"
action = "block"
ports = [22]
)";

TEST_F(OtherRules, DestinationBeatsPortBeatsAnyAndGroupsApply) {
  auto p = policy(kOther);
  ASSERT_TRUE(p);
  EXPECT_EQ(decide(*p, "203.0.113.5", 22).rule, "no ssh for pupils");
  EXPECT_EQ(decide(*p, "203.0.113.5", 22).action, Action::Block);
  EXPECT_EQ(decide(*p, "192.0.2.10", 22).rule, "the school's ssh server");  // more specific
  EXPECT_EQ(decide(*p, "192.0.2.10", 22).action, Action::Allow);
  EXPECT_EQ(decide(*p, "203.0.113.5", 22, "172.16.0.1").rule, "default");  // not a pupil
  EXPECT_EQ(decide(*p, "203.0.113.5", 25).action, Action::Allow);
  EXPECT_EQ(decide(*p, "203.0.113.5", 25, "10.9.0.7").rule, "nothing else but web");
  EXPECT_EQ(decide(*p, "::ffff:203.0.113.5", 22).rule, "no ssh for pupils");
}

TEST_F(OtherRules, WebRulesNeverJudgeOtherTrafficAndTheReverse) {
  auto p = policy(kOther);
  ASSERT_TRUE(p);
  // "web port rule" (ports = [22], no protocol) is a web rule: HTTP on port 22 is blocked...
  Request r;
  r.client = parse_ip("172.16.0.1");
  r.host = "example.test";
  r.port = 22;
  EXPECT_EQ(p->evaluate(r).rule, "web port rule");
  // ...and the "other" rules do not judge web traffic: a pupil's HTTP on port 22.
  r.client = parse_ip("10.0.0.5");
  EXPECT_EQ(p->evaluate(r).rule, "web port rule");
  r.port = 25;
  EXPECT_EQ(p->evaluate(r).rule, "default");
}

TEST_F(OtherRules, ErrorsSayWhatOtherRulesCanMatch) {
  EXPECT_EQ(error_of("[[rule]]\naction = \"block\"\nprotocol = \"other\"\n"
                     "domains = [\"a.test\"]\n"),
            "policy.toml:3:12: rule: protocol = \"other\" rules match ports or destinations "
            "(traffic that is neither HTTP nor TLS has no host name)");
  EXPECT_EQ(error_of("[[rule]]\naction = \"no_decrypt\"\nprotocol = \"other\"\n"),
            "policy.toml:3:12: rule: no_decrypt means nothing for protocol = \"other\"");
  EXPECT_EQ(error_of("[[rule]]\naction = \"block\"\nprotocol = \"udp\"\n"),
            "policy.toml:3:12: rule.protocol: expected \"web\" or \"other\"");
  EXPECT_EQ(error_of("[[rule]]\naction = \"block\"\ndestinations = [\"192.0.2.0/24\"]\n"),
            "policy.toml:1:1: rule: destinations are for protocol = \"other\" rules");
  EXPECT_EQ(error_of("[[rule]]\naction = \"block\"\nprotocol = \"other\"\n"
                     "destinations = [\"nowhere\"]\n"),
            "policy.toml:4:16: rule.destinations: \"nowhere\" is not a CIDR (\"203.0.113.0/24\", "
            "\"2001:db8::/32\")");
  EXPECT_EQ(error_of("[[rule]]\naction = \"block\"\nprotocol = \"other\"\nports = [1]\n"
                     "destinations = [\"192.0.2.0/24\"]\n"),
            "policy.toml:1:1: rule: only one of ports or destinations per rule (write one rule "
            "for each)");
}

TEST_F(OtherRules, ABypassLetsItsGroupThroughUntilItsEndAndNoOtherGroup) {
  const auto p = policy(kOther);
  ASSERT_TRUE(p);
  const auto now = std::chrono::system_clock::now();
  const auto bypassed = p->with_bypass(Bypass{"pupils", now + std::chrono::minutes(15)});
  // Web and other traffic of the group: allowed by the bypass, named as such.
  Request r;
  r.client = parse_ip("10.0.0.5");
  r.host = "ssh.example";
  r.now = now;
  const Decision web = bypassed->evaluate(r);
  EXPECT_EQ(web.action, Action::Allow);
  EXPECT_EQ(web.rule, "bypass");
  EXPECT_EQ(web.group, "pupils");
  EXPECT_EQ(decide(*bypassed, "198.51.100.1", 22).rule, "bypass");
  // Another group, and the same group once the end has passed (checked on every decision).
  EXPECT_EQ(decide(*bypassed, "198.51.100.1", 22, "10.0.1.5").rule, "default");
  OtherFlow later;
  later.client = parse_ip("10.0.0.5");
  later.destination = *parse_ip("198.51.100.1");
  later.port = 22;
  later.now = now + std::chrono::minutes(15);
  EXPECT_EQ(bypassed->evaluate_other(later).rule, "no ssh for pupils");
  // The policy it was made from is unchanged; a bypass for every client covers any group.
  EXPECT_EQ(decide(*p, "198.51.100.1", 22).rule, "no ssh for pupils");
  EXPECT_FALSE(p->bypass());
  const auto everyone = p->with_bypass(Bypass{"", now + std::chrono::minutes(1)});
  EXPECT_EQ(decide(*everyone, "198.51.100.1", 22).rule, "bypass");
  EXPECT_EQ(&everyone->lists(), &p->lists());  // shared, not copied
}

TEST(TermList, WordsAreLettersDigitsAndWholeUtf8Sequences) {
  EXPECT_EQ(words_of("Self-harm 2DAY caf\xC3\xA9!"),
            (std::vector<std::string>{"self", "harm", "2day", "caf\xC3\xA9"}));
  EXPECT_TRUE(words_of(" ?! ").empty());
  TermList t;
  ASSERT_TRUE(t.add("caf\xC3\xA9 noir"));
  EXPECT_TRUE(t.matches("un Noir caf\xC3\xA9"));
  EXPECT_FALSE(t.matches("un caf\xC3\xA9"));    // every word of the entry
  EXPECT_FALSE(t.matches("CAF\xC3\x89 noir"));  // non-ASCII case is not folded (yet)
  EXPECT_FALSE(TermList().matches("anything"));
}

}  // namespace
}  // namespace warden::policy
