// The bypass file (app/bypass_file.hpp): what `warden bypass` writes reads back the same, and
// what it would never write is refused with a reason. The command and the running Warden's
// side are tested on the binary in tests/integration/bypass_test.py.
#include "app/bypass_file.hpp"

#include <gtest/gtest.h>

namespace warden::app {
namespace {

using std::chrono::seconds;
using Clock = std::chrono::system_clock;

BypassGrant grant() {
  BypassGrant g;
  g.group = "year 9 \"B\"";
  g.reason = "exam software update \\ room 4";
  g.by = "root (sudo: alice)";
  g.started = Clock::time_point(seconds(1796000000));
  g.until = g.started + std::chrono::minutes(15);
  return g;
}

std::string error_of(std::string_view text) {
  auto g = parse_bypass(text, "bypass.toml");
  return g ? "(accepted)" : g.error().context;
}

TEST(BypassFile, WhatIsWrittenReadsBackTheSame) {
  const BypassGrant g = grant();
  const std::string text = render_bypass(g);
  auto back = parse_bypass(text, "bypass.toml");
  ASSERT_TRUE(back) << back.error().context << "\n" << text;
  EXPECT_EQ(*back, g);
  EXPECT_NE(text.find("# 2026-"), std::string::npos) << text;  // the times, for a person too
  BypassGrant everyone = g;
  everyone.group.clear();
  EXPECT_EQ(render_bypass(everyone).find("group"), std::string::npos);
  EXPECT_EQ(*parse_bypass(render_bypass(everyone), "bypass.toml"), everyone);
}

TEST(BypassFile, WhatTheCommandWouldNotWriteIsRefused) {
  EXPECT_EQ(error_of("until = 1796000900\nstarted = 1796000000\n"),
            "bypass.toml: reason is required");
  EXPECT_EQ(error_of("reason = \"x\"\nuntil = 1796000900\n"),
            "bypass.toml: started and until are required");
  EXPECT_EQ(error_of("reason = \"x\"\nstarted = 1796000900\nuntil = 1796000900\n"),
            "bypass.toml: until is not after started");
  EXPECT_EQ(error_of("reason = \"x\"\nstarted = 1796000000\nuntil = 1796086401\n"),
            "bypass.toml: a bypass lasts at most 24 hours");
  EXPECT_EQ(error_of("reason = \"x\"\nstarted = 1\nuntil = 2\nfor_ever = true\n"),
            "bypass.toml: unknown key for_ever");
  EXPECT_EQ(error_of("reason = \"a\\nb\"\nstarted = 1\nuntil = 2\n"),
            "bypass.toml: reason: expected a line of text");
  EXPECT_EQ(error_of("reason = \"x\"\nstarted = -5\nuntil = 2\n"),
            "bypass.toml: started: expected seconds since 1970");
  EXPECT_EQ(error_of("group = 7\nreason = \"x\"\nstarted = 1\nuntil = 2\n"),
            "bypass.toml: group: expected a line of text");
  EXPECT_NE(error_of("reason = \"x\nstarted = 1\n").find("bypass.toml: line 1"), std::string::npos);
  EXPECT_EQ(error_of("reason = \"" + std::string(501, 'x') + "\"\nstarted = 1\nuntil = 2\n"),
            "bypass.toml: reason: expected a line of text");
}

}  // namespace
}  // namespace warden::app
