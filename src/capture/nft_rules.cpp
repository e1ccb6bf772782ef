#include "capture/nft_rules.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace warden::capture {
namespace {

std::string set_of(const std::vector<std::uint16_t>& ports) {
  return ports.size() == 1 ? std::to_string(ports.front())
                           : fmt::format("{{ {} }}", fmt::join(ports, ", "));
}

// Which packets come from pupils on a gateway.
std::string client_side(const CaptureSettings& s) {
  if (s.interfaces.empty()) return "iifname != \"lo\"";
  std::vector<std::string> quoted;
  for (const auto& i : s.interfaces) quoted.push_back(fmt::format("\"{}\"", i));
  return fmt::format("iifname {{ {} }}", fmt::join(quoted, ", "));
}

// QUIC, DNS over TLS and (with deny_other) everything not allowed, refused fast so that
// clients fall back to what Warden can read instead of waiting.
void egress_rules(std::string& out, const EgressSettings& e, const CaptureSettings& s) {
  if (e.refuse_quic) out += "    meta l4proto udp th dport 443 reject\n";
  if (e.refuse_dot) {
    out += "    meta l4proto tcp th dport 853 reject with tcp reset\n";
    out += "    meta l4proto udp th dport 853 reject\n";
  }
  if (e.deny_other) {
    std::vector<std::uint16_t> open = e.allow;
    open.insert(open.end(), s.ports.begin(), s.ports.end());
    out += "    ct state established,related accept\n";
    out += fmt::format("    meta l4proto {{ tcp, udp }} th dport {} accept\n", set_of(open));
    out += "    meta l4proto tcp reject with tcp reset\n";
    out += "    meta l4proto udp reject\n";
  }
}

}  // namespace

std::string render_nft_ruleset(const CaptureSettings& s) {
  const std::string ports = set_of(s.ports);
  std::string out = fmt::format(
      "# Warden's capture rules (warden capture show). Replaced whole on every start.\n"
      "table inet {0}\n"
      "delete table inet {0}\n"
      "table inet {0} {{\n",
      kTableName);
  const bool gateway = s.has(CaptureMode::Redirect) || s.has(CaptureMode::Tproxy);
  if (s.has(CaptureMode::Redirect)) {
    out += fmt::format(
        "  # redirect (gateway): the original destination comes from SO_ORIGINAL_DST.\n"
        "  chain capture_redirect {{\n"
        "    type nat hook prerouting priority dstnat; policy accept;\n"
        "    {} meta l4proto tcp th dport {} redirect to :{}\n"
        "  }}\n",
        client_side(s), ports, s.redirect_port);
  }
  if (s.has(CaptureMode::Tproxy)) {
    out += fmt::format(
        "  # tproxy (gateway): the original destination is the accepted socket's own address.\n"
        "  # Without a listener the tproxy rule does not match and the packet is dropped: a\n"
        "  # stopped Warden does not open the way.\n"
        "  chain capture_tproxy {{\n"
        "    type filter hook prerouting priority mangle; policy accept;\n"
        "    {0} meta l4proto tcp th dport {1} tproxy to :{2} meta mark set {3:#x} accept\n"
        "    {0} meta l4proto tcp th dport {1} drop\n"
        "  }}\n",
        client_side(s), ports, s.tproxy_port, s.tproxy_mark);
  }
  if (s.has(CaptureMode::Local)) {
    out += fmt::format(
        "  # local (on the device): its own outbound connections, except Warden's (socket mark)\n"
        "  # and exempt users'.\n"
        "  chain capture_local {{\n"
        "    type nat hook output priority -100; policy accept;\n"
        "    meta mark {:#x} return\n",
        s.socket_mark);
    if (!s.exempt_uids.empty())
      out += fmt::format("    meta skuid {{ {} }} return\n", fmt::join(s.exempt_uids, ", "));
    out += fmt::format(
        "    oifname \"lo\" return\n"
        "    meta l4proto tcp th dport {} redirect to :{}\n"
        "  }}\n",
        ports, s.local_port);
  }
  const EgressSettings& e = s.egress;
  const bool any_egress = e.refuse_quic || e.refuse_dot || e.deny_other;
  if (gateway && any_egress) {
    out += fmt::format(
        "  # egress lockdown for the clients behind this gateway\n"
        "  chain egress_forward {{\n"
        "    type filter hook forward priority filter; policy accept;\n");
    egress_rules(out, e, s);
    out += "  }\n";
  }
  if (s.has(CaptureMode::Local) && any_egress) {
    out += fmt::format(
        "  # egress lockdown for this device\n"
        "  chain egress_output {{\n"
        "    type filter hook output priority filter; policy accept;\n"
        "    oifname \"lo\" accept\n"
        "    meta mark {:#x} accept\n",
        s.socket_mark);
    if (!s.exempt_uids.empty())
      out += fmt::format("    meta skuid {{ {} }} accept\n", fmt::join(s.exempt_uids, ", "));
    egress_rules(out, e, s);
    out += "  }\n";
  }
  out += "}\n";
  return out;
}

std::string render_nft_removal() {
  return fmt::format("table inet {0}\ndelete table inet {0}\n", kTableName);
}

std::vector<std::vector<std::string>> tproxy_routing_commands(const CaptureSettings& s, bool add) {
  if (!s.has(CaptureMode::Tproxy)) return {};
  const std::string op = add ? "add" : "del";
  const std::string mark = fmt::format("{:#x}", s.tproxy_mark);
  const std::string table = std::to_string(s.route_table);
  return {
      {"ip", "-4", "rule", op, "fwmark", mark, "lookup", table},
      {"ip", "-4", "route", op, "local", "0.0.0.0/0", "dev", "lo", "table", table},
      {"ip", "-6", "rule", op, "fwmark", mark, "lookup", table},
      {"ip", "-6", "route", op, "local", "::/0", "dev", "lo", "table", table},
  };
}

}  // namespace warden::capture
