// [[phrases]] tables in a policy file: lists beside the policy, groups (the first rule for a
// group applies), errors that say where and why, lenient lists; and their refusal in a build
// without phrase scanning (Windows).
#include "policy/policy_file.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

namespace warden::policy {
namespace {

namespace fs = std::filesystem;

base::Result<PolicyPtr> parse(std::string_view text, const std::string& source = "policy.toml") {
  return parse_policy(text, source, CategoryLists::empty());
}

#ifdef WARDEN_PAGE_SCAN

TEST(PhraseRules, ListsBesideThePolicyAndTheFirstRuleOfAGroup) {
  const fs::path folder = fs::temp_directory_path() / "warden-phrase-rules";
  fs::create_directories(folder / "lists");
  std::ofstream(folder / "lists" / "violence") << "<gore><60>\n<blood>,<bath><50>\n";
  std::ofstream(folder / "lists" / "banned") << "<forbidden words>\n";
  auto p = parse(R"(
[[group]]
name = "pupils"
sources = ["10.0.0.0/8"]

[[phrases]]
name = "pupils' pages"
groups = ["pupils"]
weighted = ["lists/violence"]
banned = "lists/banned"
limit = 100

[[phrases]]
weighted = ["lists/violence"]
limit = 0
)",
                 (folder / "policy.toml").string());
  ASSERT_TRUE(p) << p.error().context;
  const PhraseRule* pupils = (*p)->phrase_rule("pupils");
  ASSERT_NE(pupils, nullptr);
  EXPECT_EQ(pupils->name, "pupils' pages");
  EXPECT_EQ(pupils->limit, 100);
  EXPECT_EQ(pupils->entries, 3u);
  const PhraseRule* others = (*p)->phrase_rule("default");
  ASSERT_NE(others, nullptr);
  EXPECT_EQ(others->name, "phrases 2 (line 13)");
  EXPECT_EQ(others->limit, 0);  // scored, never blocked
  fs::remove_all(folder);
}

TEST(PhraseRules, ErrorsSayWhereAndWhy) {
  const fs::path list = fs::temp_directory_path() / "warden-phrase-rules-list";
  std::ofstream(list) << "<fine><5>\n<no weight>\n";
  const std::string l = list.string();
  const std::pair<std::string, std::string> cases[] = {
      {"[[phrases]]\nweighted = [\"" + l + "\"]\n",
       "policy.toml:1:1: phrases: limit is required (the score that blocks a page; 0: never "
       "block, only score)"},
      {"[[phrases]]\nlimit = 50\n",
       "policy.toml:1:1: phrases: name at least one list (weighted, banned, exception)"},
      {"[[phrases]]\nlimit = -1\nweighted = [\"" + l + "\"]\n",
       "policy.toml:2:9: phrases.limit: expected a score from 0 (never block) up"},
      {"[[phrases]]\nlimit = 50\nweighted = [\"" + l + "\"]\n",
       "policy.toml:3:12: phrases.weighted: " + l +
           ":2: expected a weight after the phrase: <phrase><weight>"},
      {"[[phrases]]\nlimit = 50\nexception = [\"/nonexistent/list\"]\n",
       "policy.toml:3:13: phrases.exception: /nonexistent/list is not a file"},
      {"[[phrases]]\nlimit = 50\ngroups = [\"nobody\"]\nweighted = [\"" + l + "\"]\n",
       "policy.toml:3:10: phrases.groups: no group named \"nobody\""},
      {"[[phrases]]\nlimit = 50\nweighted = [\"" + l + "\"]\nscore = 1\n",
       "policy.toml:4:1: unknown key phrases.score"},
  };
  for (const auto& [text, expected] : cases) {
    auto p = parse(text);
    EXPECT_EQ(p ? "(accepted)" : p.error().context, expected) << text;
  }
  // lenient: the line is skipped and counted, the rest read.
  auto p = parse("[[phrases]]\nlimit = 50\nlenient = true\nweighted = [\"" + l + "\"]\n");
  ASSERT_TRUE(p) << p.error().context;
  const PhraseRule* rule = (*p)->phrase_rule("default");
  ASSERT_NE(rule, nullptr);
  EXPECT_EQ(rule->entries, 1u);
  EXPECT_EQ(rule->skipped, 1u);
  EXPECT_EQ(rule->first_skipped, l + ":2: expected a weight after the phrase: <phrase><weight>");
  fs::remove(list);
}

// [[alert]] rules on page scores: the categories named (any case), a banned phrase of one of
// them, the groups; and a rule about pages that no [[phrases]] rule would feed is refused.
TEST(PhraseRules, AlertRulesOnPageScores) {
  const fs::path list = fs::temp_directory_path() / "warden-page-alert-list";
  std::ofstream(list) << "<gore><60>\n";
  const std::string phrases =
      "[[phrases]]\ngroups = [\"pupils\"]\nweighted = [\"" + list.string() + "\"]\nlimit = 0\n";
  auto p = parse(R"(
[[group]]
name = "pupils"
sources = ["10.0.0.0/8"]

[[alert]]
name = "self-harm pages"
category = "self-harm"
severity = "high"
pages = ["Self-Harm", "suicide"]
page_score = 100

[[alert]]
name = "searches and pages"
category = "violence"
groups = ["pupils"]
searches = ["knife fight"]
page_score = 200
)" + phrases);
  ASSERT_TRUE(p) << p.error().context;
  const std::map<std::string, long long> points{{"self-harm", 80}, {"Suicide", 30}, {"gore", 150}};
  const auto matches = (*p)->page_alerts_for("pupils", {points, ""});
  ASSERT_EQ(matches.size(), 2u);
  EXPECT_EQ(matches[0].rule->name, "self-harm pages");
  EXPECT_EQ(matches[0].matched, "page score 110 (Suicide 30, self-harm 80)");
  EXPECT_EQ(matches[1].matched, "page score 260 (Suicide 30, gore 150, self-harm 80)");
  EXPECT_EQ((*p)->page_alerts_for("default", {points, ""}).size(), 1u);  // (not in pupils)
  const std::map<std::string, long long> little{{"self-harm", 10}};
  EXPECT_TRUE((*p)->page_alerts_for("pupils", {little, ""}).empty());
  const auto banned = (*p)->page_alerts_for("pupils", {little, "SELF-HARM"});
  ASSERT_EQ(banned.size(), 2u);  // (the second rule names no category: every one counts)
  EXPECT_EQ(banned[0].matched, "a banned phrase (SELF-HARM)");
  EXPECT_TRUE((*p)->page_alerts_for("default", {little, "gore"}).empty());
  EXPECT_EQ((*p)->alerts_for("pupils", "knife fight", false).size(), 1u);

  const std::pair<std::string, std::string> errors[] = {
      {"[[alert]]\ncategory = \"x\"\npage_score = 10\n",
       "policy.toml:1:1: alert: page_score needs a [[phrases]] rule (it scores the pages)"},
      {"[[group]]\nname = \"staff\"\n[[alert]]\ncategory = \"x\"\ngroups = [\"staff\"]\n"
       "page_score = 10\n[[group]]\nname = \"pupils\"\n" +
           phrases,
       "policy.toml:3:1: alert: page_score: no [[phrases]] rule scans the pages of group "
       "\"staff\""},
      {"[[alert]]\ncategory = \"x\"\npage_score = 0\n",
       "policy.toml:3:14: alert.page_score: expected a score above 0"},
      {"[[alert]]\ncategory = \"x\"\nsearches = [\"a\"]\npages = [\"gore\"]\n",
       "policy.toml:1:1: alert: pages needs page_score (the score that raises the alert)"},
  };
  for (const auto& [text, expected] : errors) {
    auto q = parse(text);
    EXPECT_EQ(q ? "(accepted)" : q.error().context, expected) << text;
  }
  fs::remove_all(list);
}

#else

TEST(PhraseRules, RefusedInABuildWithoutPhraseScanning) {
  auto p = parse("[[phrases]]\nlimit = 50\nweighted = [\"list\"]\n");
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().context,
            "policy.toml:1:1: phrases: phrase scanning is not in this build (the Windows build "
            "has no Vectorscan yet; docs/windows.md)");
}

#endif

}  // namespace
}  // namespace warden::policy
