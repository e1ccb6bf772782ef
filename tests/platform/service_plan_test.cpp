// What `warden service install` asks of the service control manager, checked as data (Wine
// ignores service DACLs and failure actions, so this is where they are tested): the DACL keeps
// every non-administrator to reading status, the recovery restarts, and the command line
// survives Windows' argument splitting.
#include "platform/service_plan.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

namespace warden::platform {
namespace {

// The SDDL's ACEs "(A;;RIGHTS;;;TRUSTEE)": trustee -> rights letters (two per right).
std::map<std::string, std::vector<std::string>> aces(std::string_view sddl) {
  std::map<std::string, std::vector<std::string>> out;
  for (std::size_t open = sddl.find("(A;;"); open != std::string_view::npos;
       open = sddl.find("(A;;", open + 1)) {
    const std::size_t close = sddl.find(')', open);
    const std::string_view ace = sddl.substr(open + 4, close - open - 4);  // RIGHTS;;;TRUSTEE
    const std::string_view rights = ace.substr(0, ace.find(';'));
    const std::string trustee(ace.substr(ace.rfind(';') + 1));
    for (std::size_t i = 0; i + 1 < rights.size(); i += 2)
      out[trustee].emplace_back(rights.substr(i, 2));
  }
  return out;
}

bool has(const std::vector<std::string>& rights, const std::string& r) {
  return std::find(rights.begin(), rights.end(), r) != rights.end();
}

TEST(ServicePlan, OnlySystemAndAdministratorsMayStopChangeOrDeleteIt) {
  EXPECT_TRUE(kServiceSddl.starts_with("D:P"));  // protected: nothing inherited widens it
  const auto a = aces(kServiceSddl);
  ASSERT_EQ(a.size(), 3u);
  for (const char* admin : {"SY", "BA"})
    for (const char* r : {"RP", "WP", "DC", "SD", "WD", "WO", "LC"})
      EXPECT_TRUE(has(a.at(admin), r)) << admin << " " << r;
  // Every other signed-in user: status and configuration to read, nothing else.
  EXPECT_EQ(a.at("AU"), (std::vector<std::string>{"CC", "LC", "SW", "LO", "RC"}));
  // Only allow ACEs: no deny that a later change could reorder around.
  EXPECT_EQ(std::count(kServiceSddl.begin(), kServiceSddl.end(), '('), 3);
}

TEST(ServicePlan, RecoveryRestartsAtOnceThenAfterFiveAndThirtySeconds) {
  const ServiceRecovery r;
  using std::chrono::milliseconds;
  EXPECT_EQ(r.restart_delays,
            (std::vector<milliseconds>{milliseconds(0), milliseconds(5000), milliseconds(30000)}));
  EXPECT_EQ(r.reset_period, std::chrono::hours(24));
}

TEST(ServicePlan, ArgumentsAreQuotedAsWindowsSplitsThem) {
  EXPECT_EQ(quote_command_argument("run"), "run");
  EXPECT_EQ(quote_command_argument("C:\\Program Files\\Warden\\warden.exe"),
            "\"C:\\Program Files\\Warden\\warden.exe\"");
  EXPECT_EQ(quote_command_argument(""), "\"\"");
  EXPECT_EQ(quote_command_argument("a \"b\""), "\"a \\\"b\\\"\"");
  // Backslashes are literal except before a quote, including the closing one.
  EXPECT_EQ(quote_command_argument("C:\\My Folder\\"), "\"C:\\My Folder\\\\\"");
  EXPECT_EQ(quote_command_argument("C:\\a\\b"), "C:\\a\\b");
  EXPECT_EQ(command_line({"C:\\Program Files\\warden.exe", "run", "--service", "-c",
                          "C:\\ProgramData\\Warden\\warden.toml"}),
            "\"C:\\Program Files\\warden.exe\" run --service -c "
            "C:\\ProgramData\\Warden\\warden.toml");
}

}  // namespace
}  // namespace warden::platform
