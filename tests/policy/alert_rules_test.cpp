#include "policy/policy_file.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace warden::policy {
namespace {

namespace fs = std::filesystem;

base::Result<PolicyPtr> parse(std::string_view text, const std::string& source = "policy.toml") {
  return parse_policy(text, source, CategoryLists::empty());
}

std::vector<std::string> matched(const Policy& p, std::string_view group, std::string_view terms,
                                 bool partial = false) {
  std::vector<std::string> out;
  for (const AlertMatch& m : p.alerts_for(group, terms, partial))
    out.push_back(m.rule->name + ": " + m.matched);
  return out;
}

TEST(AlertRules, WordsFromTheTableAndFromAFileBesideThePolicy) {
  const fs::path folder = fs::temp_directory_path() / "warden-alert-rules";
  fs::create_directories(folder / "alerts");
  std::ofstream(folder / "alerts" / "self-harm.txt")
      << "# example terms\n\nkill myself\n  hurt  MYSELF \n";
  auto p = parse(R"(
[[group]]
name = "sixth form"
sources = ["10.6.0.0/16"]

[[alert]]
name = "self-harm"
category = "self-harm"
severity = "critical"
searches = ["want to die"]
searches_file = "alerts/self-harm.txt"

[[alert]]
name = "drugs, pupils under sixteen"
category = "drugs"
groups = ["default"]
partial = false
searches = ["buy weed"]
)",
                 (folder / "policy.toml").string());
  fs::remove_all(folder);
  ASSERT_TRUE(p) << p.error().context;
  const Policy& policy = **p;
  ASSERT_EQ(policy.alerts().size(), 2u);
  EXPECT_EQ(policy.alerts()[0].severity, Severity::Critical);
  EXPECT_EQ(policy.alerts()[1].severity, Severity::Medium);  // the default
  EXPECT_EQ(matched(policy, "default", "how do I hurt myself"),
            std::vector<std::string>{"self-harm: hurt myself"});
  EXPECT_EQ(matched(policy, "sixth form", "i want to die"),
            std::vector<std::string>{"self-harm: want to die"});
  EXPECT_EQ(matched(policy, "default", "where to buy weed"),
            std::vector<std::string>{"drugs, pupils under sixteen: buy weed"});
  EXPECT_TRUE(matched(policy, "sixth form", "where to buy weed").empty());  // not their group
  EXPECT_TRUE(matched(policy, "default", "buy weed", true).empty());        // typing: not counted
  EXPECT_EQ(matched(policy, "default", "hurt myse hurt myself", true).size(), 1u);
  EXPECT_TRUE(matched(policy, "default", "hurtful myselfie").empty());  // whole words only
}

TEST(AlertRules, ErrorsSayWhereAndWhy) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"[[alert]]\nsearches = [\"a\"]\n", "policy.toml:1:1: alert: category is required"},
      {"[[alert]]\ncategory = \"drugs\"\n",
       "policy.toml:1:1: alert: searches, searches_file (with an entry) or page_score is "
       "required"},
      {"[[alert]]\ncategory = \"drugs\"\nseverity = \"urgent\"\nsearches = [\"a\"]\n",
       "policy.toml:3:12: alert.severity: expected low, medium, high or critical"},
      {"[[alert]]\ncategory = \"drugs\"\nsearches = [\"--\"]\n",
       "policy.toml:3:12: alert.searches: \"--\" has no word in it"},
      {"[[alert]]\ncategory = \"drugs\"\nsearches_file = \"/nonexistent/terms.txt\"\n",
       "policy.toml:3:17: alert.searches_file: /nonexistent/terms.txt is not a file"},
      {"[[alert]]\ncategory = \"drugs\"\nsearches_file = \"/dev/zero\"\n",
       "policy.toml:3:17: alert.searches_file: /dev/zero is not a file"},
      {"[[alert]]\ncategory = \"drugs\"\ngroups = [\"nobody\"]\nsearches = [\"a\"]\n",
       "policy.toml:3:10: alert.groups: no group named \"nobody\""},
      {"[[alert]]\ncategory = \"drugs\"\nsearches = [\"a\"]\ncolour = 1\n",
       "policy.toml:4:1: unknown key alert.colour"},
  };
  for (const auto& [text, expected] : cases) {
    auto p = parse(text);
    EXPECT_EQ(p ? "(accepted)" : p.error().context, expected) << text;
  }
}

TEST(AlertRules, ALineOfAListFileWithNoWordIsNamedByFileAndLine) {
  const fs::path file = fs::temp_directory_path() / "warden-alert-terms.txt";
  std::ofstream(file) << "fine words\n!!!\n";
  // (a literal string: a Windows path's backslashes are not escapes there)
  auto p = parse("[[alert]]\ncategory = \"x\"\nsearches_file = '" + file.string() + "'\n");
  fs::remove(file);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().context, "policy.toml:3:17: alert.searches_file: " + file.string() +
                                   ":2: \"!!!\" has no word in it");
}

}  // namespace
}  // namespace warden::policy
