#include "capture/tun_routing.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string_view>

namespace warden::capture {
namespace {

constexpr unsigned kSkipTo = kTunRuleLast;  // a no-op rule: normal routing resumes after it

std::vector<std::string> ip(bool v6, std::vector<std::string> args) {
  args.insert(args.begin(), {"ip", v6 ? "-6" : "-4"});
  return args;
}

std::string pref(unsigned offset) { return std::to_string(kTunRuleFirst + offset); }

// An exempt destination's CIDR ("CIDR", "CIDR:port", "[v6 CIDR]:port": routing rules take no
// port, so a port-limited exemption exempts the whole address).
std::string exempt_cidr(std::string_view text) {
  if (text.starts_with('[')) return std::string(text.substr(1, text.find(']') - 1));
  if (std::count(text.begin(), text.end(), ':') == 1)
    return std::string(text.substr(0, text.find(':')));
  return std::string(text);
}

}  // namespace

Commands tun_routing_commands(const CaptureSettings& s) {
  const std::string table = std::to_string(s.tun_table);
  const std::string mark = fmt::format("{:#x}", s.socket_mark);
  Commands out;
  out.push_back({"ip", "link", "set", "dev", s.tun_name, "mtu", std::to_string(s.tun_mtu), "up"});
  for (const auto& a : s.tun_addresses) {
    const bool v6 = a.find(':') != std::string::npos;
    auto cmd = ip(v6, {"addr", "add", a, "dev", s.tun_name});
    if (v6) cmd.emplace_back("nodad");
    out.push_back(std::move(cmd));
  }
  for (const bool v6 : {false, true}) {
    out.push_back(ip(v6, {"route", "add", "default", "dev", s.tun_name, "table", table}));
    out.push_back(
        ip(v6, {"route", "add", "prohibit", "default", "table", table, "metric", "4294967295"}));
    out.push_back(ip(v6, {"rule", "add", "pref", std::to_string(kSkipTo), "nop"}));
    out.push_back(
        ip(v6, {"rule", "add", "pref", pref(0), "fwmark", mark, "goto", std::to_string(kSkipTo)}));
    for (auto uid : s.exempt_uids)
      out.push_back(ip(v6, {"rule", "add", "pref", pref(1), "uidrange", fmt::format("{0}-{0}", uid),
                            "goto", std::to_string(kSkipTo)}));
    for (const auto& e : s.exempt) {
      const std::string cidr = exempt_cidr(e);
      if ((cidr.find(':') != std::string::npos) != v6) continue;
      out.push_back(
          ip(v6, {"rule", "add", "pref", pref(2), "to", cidr, "goto", std::to_string(kSkipTo)}));
    }
    if (s.all_ports) {
      out.push_back(ip(v6, {"rule", "add", "pref", pref(3), "ipproto", "tcp", "lookup", table}));
    } else {
      for (auto port : s.ports)
        out.push_back(ip(v6, {"rule", "add", "pref", pref(3), "ipproto", "tcp", "dport",
                              std::to_string(port), "lookup", table}));
      if (s.egress.refuse_dot)
        out.push_back(ip(v6, {"rule", "add", "pref", pref(3), "ipproto", "tcp", "dport", "853",
                              "lookup", table}));
    }
    // QUIC and DNS over TLS reach the TUN to be refused there (ICMP port unreachable); with
    // block-all, every UDP port but the allowed ones.
    if (s.egress.quic == QuicPolicy::BlockAll) {
      for (auto port : s.egress.udp_allow)
        out.push_back(ip(v6, {"rule", "add", "pref", pref(4), "ipproto", "udp", "dport",
                              std::to_string(port), "goto", std::to_string(kSkipTo)}));
      out.push_back(ip(v6, {"rule", "add", "pref", pref(5), "ipproto", "udp", "lookup", table}));
    }
    if (s.egress.quic == QuicPolicy::Refuse)
      out.push_back(ip(
          v6, {"rule", "add", "pref", pref(5), "ipproto", "udp", "dport", "443", "lookup", table}));
    if (s.egress.refuse_dot)
      out.push_back(ip(
          v6, {"rule", "add", "pref", pref(5), "ipproto", "udp", "dport", "853", "lookup", table}));
  }
  return out;
}

Commands tun_routing_removal(const CaptureSettings& s) {
  const std::string table = std::to_string(s.tun_table);
  Commands out;
  for (const bool v6 : {false, true}) {
    out.push_back(ip(v6, {"route", "flush", "table", table}));
    for (unsigned p = kTunRuleFirst; p <= kTunRuleLast; ++p)
      out.push_back(ip(v6, {"rule", "del", "pref", std::to_string(p)}));
  }
  return out;
}

}  // namespace warden::capture
