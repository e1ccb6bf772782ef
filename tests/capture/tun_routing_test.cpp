// What tun mode asks of Linux routing. (That the kernel takes it and the traffic flows is tested
// end to end in tests/integration/packet_path_test.py, in namespaces.)
#include "capture/tun_routing.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace warden::capture {
namespace {

std::vector<std::string> lines(const Commands& commands) {
  std::vector<std::string> out;
  for (const auto& c : commands) {
    std::string line;
    for (const auto& a : c) line += (line.empty() ? "" : " ") + a;
    out.push_back(line);
  }
  return out;
}

bool has(const std::vector<std::string>& all, const std::string& line) {
  return std::find(all.begin(), all.end(), line) != all.end();
}

TEST(TunRouting, TcpGoesToTheTunButWardensOwnAndTheExemptions) {
  CaptureSettings s;
  s.modes = {CaptureMode::Tun};
  s.exempt_uids = {105};
  s.exempt = {"192.0.2.0/24", "[2001:db8::/32]:22"};
  const auto l = lines(tun_routing_commands(s));
  EXPECT_TRUE(has(l, "ip link set dev warden0 mtu 1500 up"));
  EXPECT_TRUE(has(l, "ip -4 addr add 100.127.83.1/32 dev warden0"));
  EXPECT_TRUE(has(l, "ip -6 addr add fd77:6172:6465:6e00::1/128 dev warden0 nodad"));
  for (const std::string f : {"-4", "-6"}) {
    EXPECT_TRUE(has(l, "ip " + f + " route add default dev warden0 table 5746"));
    // Fail closed: with the TUN gone, its route goes and this one refuses at once.
    EXPECT_TRUE(has(l, "ip " + f + " route add prohibit default table 5746 metric 4294967295"));
    EXPECT_TRUE(has(l, "ip " + f + " rule add pref 5741 fwmark 0x5744 goto 5749"));
    EXPECT_TRUE(has(l, "ip " + f + " rule add pref 5742 uidrange 105-105 goto 5749"));
    EXPECT_TRUE(has(l, "ip " + f + " rule add pref 5744 ipproto tcp lookup 5746"));
    EXPECT_TRUE(has(l, "ip " + f + " rule add pref 5746 ipproto udp dport 443 lookup 5746"));
    EXPECT_TRUE(has(l, "ip " + f + " rule add pref 5749 nop"));
  }
  EXPECT_TRUE(has(l, "ip -4 rule add pref 5743 to 192.0.2.0/24 goto 5749"));
  EXPECT_TRUE(has(l, "ip -6 rule add pref 5743 to 2001:db8::/32 goto 5749"));
  EXPECT_FALSE(has(l, "ip -6 rule add pref 5743 to 192.0.2.0/24 goto 5749"));
  // The goto's target exists before anything jumps to it.
  const auto nop = std::find(l.begin(), l.end(), "ip -4 rule add pref 5749 nop");
  const auto jump =
      std::find(l.begin(), l.end(), "ip -4 rule add pref 5741 fwmark 0x5744 goto 5749");
  EXPECT_LT(nop, jump);
}

TEST(TunRouting, ListedPortsAndBlockAllUdp) {
  CaptureSettings s;
  s.modes = {CaptureMode::Tun};
  s.all_ports = false;
  s.ports = {80, 443};
  s.egress.quic = QuicPolicy::BlockAll;
  s.egress.udp_allow = {53};
  const auto l = lines(tun_routing_commands(s));
  EXPECT_TRUE(has(l, "ip -4 rule add pref 5744 ipproto tcp dport 80 lookup 5746"));
  EXPECT_TRUE(has(l, "ip -4 rule add pref 5744 ipproto tcp dport 443 lookup 5746"));
  EXPECT_TRUE(has(l, "ip -4 rule add pref 5744 ipproto tcp dport 853 lookup 5746"));
  EXPECT_FALSE(has(l, "ip -4 rule add pref 5744 ipproto tcp lookup 5746"));
  EXPECT_TRUE(has(l, "ip -4 rule add pref 5745 ipproto udp dport 53 goto 5749"));
  EXPECT_TRUE(has(l, "ip -4 rule add pref 5746 ipproto udp lookup 5746"));
}

TEST(TunRouting, RemovalTakesEveryRuleAndRoute) {
  CaptureSettings s;
  const auto l = lines(tun_routing_removal(s));
  EXPECT_TRUE(has(l, "ip -4 route flush table 5746"));
  EXPECT_TRUE(has(l, "ip -6 route flush table 5746"));
  for (unsigned p = kTunRuleFirst; p <= kTunRuleLast; ++p)
    EXPECT_TRUE(has(l, "ip -6 rule del pref " + std::to_string(p))) << p;
}

}  // namespace
}  // namespace warden::capture
