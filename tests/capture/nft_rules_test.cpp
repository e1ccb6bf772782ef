// The rendered ruleset: what each mode puts in table inet warden. (That the kernel accepts and
// applies it is tested end to end in tests/integration/capture_test.py, in namespaces.)
#include "capture/nft_rules.hpp"

#include <gtest/gtest.h>

namespace warden::capture {
namespace {

bool has(const std::string& text, std::string_view line) {
  return text.find(line) != std::string::npos;
}

TEST(NftRules, TheTableIsReplacedWholeAndNothingElseIsTouched) {
  CaptureSettings s;
  s.modes = {CaptureMode::Redirect};
  const std::string r = render_nft_ruleset(s);
  const std::size_t first = r.find("table inet warden\n");
  ASSERT_NE(first, std::string::npos) << r;
  EXPECT_EQ(r.find(render_nft_removal() + "table inet warden {"), first) << r;
  EXPECT_EQ(r.find("flush ruleset"), std::string::npos);
  std::size_t tables = 0;
  for (std::size_t at = 0; (at = r.find("table ", at)) != std::string::npos; ++at) ++tables;
  EXPECT_EQ(tables, 3u) << r;  // the declare/delete/declare idiom, one table
  EXPECT_EQ(render_nft_removal(), "table inet warden\ndelete table inet warden\n");
}

TEST(NftRules, RedirectTakesThePortsFromTheClientSide) {
  CaptureSettings s;
  s.modes = {CaptureMode::Redirect};
  s.all_ports = false;
  s.interfaces = {"eth1", "wlan0"};
  const std::string r = render_nft_ruleset(s);
  EXPECT_TRUE(has(r, "type nat hook prerouting priority dstnat; policy accept;"));
  EXPECT_TRUE(has(r,
                  "iifname { \"eth1\", \"wlan0\" } meta l4proto tcp th dport { 80, 443 } "
                  "redirect to :3129"))
      << r;
  EXPECT_TRUE(has(r, "hook forward"));  // the egress lockdown for clients
  EXPECT_TRUE(has(r, "meta l4proto udp th dport 443 reject"));
  EXPECT_FALSE(has(r, "hook output"));
  EXPECT_TRUE(tproxy_routing_commands(s, true).empty());
}

TEST(NftRules, TproxyDropsWhatNoListenerTakes) {
  CaptureSettings s;
  s.modes = {CaptureMode::Tproxy};
  s.all_ports = false;
  s.ports = {443};
  const std::string r = render_nft_ruleset(s);
  EXPECT_TRUE(has(r,
                  "iifname != \"lo\" meta l4proto tcp th dport 443 tproxy to :3130 meta "
                  "mark set 0x5745 accept\n    iifname != \"lo\" meta l4proto tcp th dport "
                  "443 drop"))
      << r;
  const auto add = tproxy_routing_commands(s, true);
  ASSERT_EQ(add.size(), 4u);
  EXPECT_EQ(add[0], (std::vector<std::string>{"ip", "-4", "rule", "add", "fwmark", "0x5745",
                                              "lookup", "5745"}));
  EXPECT_EQ(add[3].back(), "5745");
  EXPECT_EQ(tproxy_routing_commands(s, false)[1][3], "del");
}

TEST(NftRules, LocalExemptsWardenItselfAndGivenUsers) {
  CaptureSettings s;
  s.modes = {CaptureMode::Local};
  s.all_ports = false;
  s.exempt_uids = {0, 105};
  const std::string r = render_nft_ruleset(s);
  EXPECT_TRUE(has(r,
                  "type nat hook output priority -100; policy accept;\n"
                  "    meta mark 0x5744 return\n    meta skuid { 0, 105 } return\n"
                  "    oifname \"lo\" return\n"
                  "    meta l4proto tcp th dport { 80, 443 } redirect to :3131"))
      << r;
  EXPECT_TRUE(has(r, "hook output priority filter"));  // QUIC refused on the device
  EXPECT_FALSE(has(r, "hook forward"));
}

TEST(NftRules, EgressLockdownIsConfigurable) {
  CaptureSettings s;
  s.modes = {CaptureMode::Redirect};
  s.all_ports = false;
  s.egress.quic = QuicPolicy::Allow;
  s.egress.deny_other = true;
  s.egress.allow = {53};
  const std::string r = render_nft_ruleset(s);
  EXPECT_FALSE(has(r, "udp th dport 443 reject"));
  EXPECT_TRUE(has(r, "th dport 853 reject"));
  EXPECT_TRUE(has(r,
                  "ct state established,related accept\n"
                  "    meta l4proto { tcp, udp } th dport { 53, 80, 443 } accept\n"
                  "    meta l4proto tcp reject with tcp reset\n    meta l4proto udp reject"))
      << r;
  s.egress = {QuicPolicy::Allow, {}, false, false, {}};
  EXPECT_FALSE(has(render_nft_ruleset(s), "egress"));
}

TEST(NftRules, EveryTcpPortIsCapturedByDefaultButTheHostItselfAndExemptions) {
  CaptureSettings s;
  s.modes = {CaptureMode::Redirect, CaptureMode::Local};
  s.exempt = {"192.0.2.0/24", "198.51.100.7:25", "[2001:db8::/32]:22", "2001:db8:5::/48"};
  const std::string r = render_nft_ruleset(s);
  EXPECT_TRUE(has(r,
                  "type nat hook prerouting priority dstnat; policy accept;\n"
                  "    fib daddr type local return\n"
                  "    tcp dport 853 return\n"
                  "    ip daddr 192.0.2.0/24 return\n"
                  "    ip daddr 198.51.100.7 tcp dport 25 return\n"
                  "    ip6 daddr 2001:db8::/32 tcp dport 22 return\n"
                  "    ip6 daddr 2001:db8:5::/48 return\n"
                  "    iifname != \"lo\" meta l4proto tcp redirect to :3129\n"))
      << r;
  EXPECT_TRUE(has(r,
                  "    oifname \"lo\" return\n"
                  "    tcp dport 853 return\n"
                  "    ip daddr 192.0.2.0/24 return\n"))
      << r;
  EXPECT_TRUE(has(r, "    meta l4proto tcp redirect to :3131\n")) << r;
  EXPECT_FALSE(has(r, "th dport { 80, 443 }")) << r;
}

TEST(NftRules, TproxyOnEveryPortDropsWhatNoListenerTakesButNotTheHostsOwn) {
  CaptureSettings s;
  s.modes = {CaptureMode::Tproxy};
  const std::string r = render_nft_ruleset(s);
  EXPECT_TRUE(has(r,
                  "    fib daddr type local return\n"
                  "    tcp dport 853 return\n"
                  "    iifname != \"lo\" meta l4proto tcp tproxy to :3130 meta mark set 0x5745 "
                  "accept\n    iifname != \"lo\" meta l4proto tcp drop\n"))
      << r;
}

TEST(NftRules, BlockAllUdpLeavesOnlyTheAllowedPorts) {
  CaptureSettings s;
  s.modes = {CaptureMode::Redirect, CaptureMode::Local};
  s.egress.quic = QuicPolicy::BlockAll;
  const std::string r = render_nft_ruleset(s);
  EXPECT_TRUE(has(r, "meta l4proto udp ct state new th dport != { 53, 67, 123 } reject")) << r;
  EXPECT_FALSE(has(r, "udp th dport 443 reject")) << r;
  s.egress.udp_allow = {};
  EXPECT_TRUE(has(render_nft_ruleset(s), "    meta l4proto udp ct state new reject\n"));
}

TEST(NftRules, DenyOtherWithEveryPortCapturedLetsExemptTcpThrough) {
  CaptureSettings s;
  s.modes = {CaptureMode::Redirect};
  s.egress.deny_other = true;
  const std::string r = render_nft_ruleset(s);
  EXPECT_TRUE(has(r,
                  "ct state established,related accept\n"
                  "    meta l4proto tcp accept\n"
                  "    meta l4proto { tcp, udp } th dport { 53, 123 } accept\n"))
      << r;
}

}  // namespace
}  // namespace warden::capture
