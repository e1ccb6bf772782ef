// What the tamper log says about a changed table (capture/rule_drift.hpp). That the running
// Warden notices and puts the table back is tested end to end in capture_test.py.
#include "capture/rule_drift.hpp"

#include <gtest/gtest.h>

namespace warden::capture {
namespace {

constexpr std::string_view kTable = "table inet warden";
const std::string kInstalled =
    "table inet warden {\n"
    "\tchain capture_redirect {\n"
    "\t\ttype nat hook prerouting priority dstnat; policy accept;\n"
    "\t\tfib daddr type local return\n"
    "\t\tiifname != \"lo\" meta l4proto tcp redirect to :3129\n"
    "\t}\n"
    "}\n";

TEST(RuleDrift, TheSameTableIsNoDrift) {
  EXPECT_EQ(describe_drift(kTable, kInstalled, kInstalled), std::nullopt);
  // Indentation alone is not a change.
  std::string reindented = kInstalled;
  for (std::size_t at = 0; (at = reindented.find('\t', at)) != std::string::npos;)
    reindented.replace(at, 1, "  ");
  EXPECT_EQ(describe_drift(kTable, kInstalled, reindented), std::nullopt);
}

TEST(RuleDrift, ARemovedTableSaysSo) {
  EXPECT_EQ(describe_drift(kTable, kInstalled, std::nullopt), "table inet warden was removed");
}

TEST(RuleDrift, AnAlteredTableNamesTheLinesRemovedAndAdded) {
  std::string altered = kInstalled;
  const std::string rule = "\t\tiifname != \"lo\" meta l4proto tcp redirect to :3129\n";
  altered.replace(altered.find(rule), rule.size(), "\t\tip saddr 198.18.1.7 return\n" + rule);
  EXPECT_EQ(describe_drift(kTable, kInstalled, altered),
            "table inet warden was altered: added \"ip saddr 198.18.1.7 return\"");

  std::string emptied = kInstalled;
  emptied.erase(emptied.find(rule), rule.size());
  EXPECT_EQ(describe_drift(kTable, kInstalled, emptied),
            "table inet warden was altered: removed \"iifname != \"lo\" meta l4proto tcp "
            "redirect to :3129\"");
}

TEST(RuleDrift, RoutingThatWentIsNamed) {
  const std::string routing =
      "ipv4 rule: 32765: from all fwmark 0x5745 lookup 5745\n"
      "ipv4 route table 5745: local default dev lo scope host\n";
  EXPECT_EQ(describe_drift("tproxy's policy routing", routing,
                           std::string("ipv4 route table 5745: local default dev lo scope host\n")),
            "tproxy's policy routing was altered: removed \"ipv4 rule: 32765: from all fwmark "
            "0x5745 lookup 5745\"");
}

TEST(RuleDrift, ReorderedLinesAreAChange) {
  // The order of rules in a chain is what they do.
  std::string swapped = kInstalled;
  const std::string a = "\t\tfib daddr type local return\n";
  swapped.erase(swapped.find(a), a.size());
  swapped.insert(swapped.find("\t}\n"), a);
  EXPECT_EQ(describe_drift(kTable, kInstalled, swapped),
            "table inet warden was altered: its lines were reordered");
}

TEST(RuleDrift, ManyChangesAreCountedNotAllListed) {
  std::string grown = kInstalled;
  for (int i = 0; i < 8; ++i)
    grown.insert(grown.find("\t}\n"), "\t\tip saddr 198.18.1." + std::to_string(i) + " return\n");
  const auto what = describe_drift(kTable, kInstalled, grown);
  ASSERT_TRUE(what);
  EXPECT_NE(what->find("\"ip saddr 198.18.1.4 return\" (and 3 more)"), std::string::npos) << *what;
  EXPECT_EQ(what->find("198.18.1.5"), std::string::npos) << *what;
}

}  // namespace
}  // namespace warden::capture
