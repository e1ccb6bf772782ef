// The example alert lists (examples/alerts/) against the labelled corpus written for them
// (tests/policy/data/alert_searches.tsv): every labelled search alerts on its category, and the
// searches that only look alike (kill time, cut a mango, weed killer) alert on nothing.
#include "policy/policy_file.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <set>

namespace warden::policy {
namespace {

const std::string kSource = WARDEN_SOURCE_DIR;

TEST(AlertCorpus, TheExampleListsAlertOnTheirCategoryAndNothingElse) {
  std::string text;
  for (const char* category : {"self-harm", "bullying", "violence", "sexual", "drugs"})
    text += fmt::format(
        "[[alert]]\nname = \"{0}\"\ncategory = \"{0}\"\nsearches_file = "
        "\"{1}/examples/alerts/{0}.txt\"\n\n",
        category, kSource);
  auto p = parse_policy(text, "policy.toml", CategoryLists::empty());
  ASSERT_TRUE(p) << p.error().context;
  std::ifstream corpus(kSource + "/tests/policy/data/alert_searches.tsv");
  ASSERT_TRUE(corpus);
  std::string line;
  int labelled = 0;
  int harmless = 0;
  while (std::getline(corpus, line)) {
    if (line.empty() || line.starts_with('#')) continue;
    const std::size_t tab = line.find('\t');
    ASSERT_NE(tab, std::string::npos) << line;
    const std::string want = line.substr(0, tab);
    const std::string search = line.substr(tab + 1);
    std::set<std::string> got;
    for (const AlertMatch& m : (*p)->alerts_for("default", search, false))
      got.insert(m.rule->category);
    if (want == "-") {
      ++harmless;
      EXPECT_TRUE(got.empty()) << search << " alerts on " << *got.begin();
    } else {
      ++labelled;
      EXPECT_EQ(got, std::set<std::string>{want}) << search;
    }
  }
  EXPECT_GE(labelled, 25);
  EXPECT_GE(harmless, 10);
}

}  // namespace
}  // namespace warden::policy
