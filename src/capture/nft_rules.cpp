#include "capture/nft_rules.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

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
  if (e.quic == QuicPolicy::Refuse) out += "    meta l4proto udp th dport 443 reject\n";
  // (ct state new: the answers to allowed ports come back from them, to any port.)
  if (e.quic == QuicPolicy::BlockAll)
    out += e.udp_allow.empty()
               ? "    meta l4proto udp ct state new reject\n"
               : fmt::format("    meta l4proto udp ct state new th dport != {} reject\n",
                             set_of(e.udp_allow));
  if (e.refuse_dot) {
    out += "    meta l4proto tcp th dport 853 reject with tcp reset\n";
    out += "    meta l4proto udp th dport 853 reject\n";
  }
  if (e.deny_other) {
    std::vector<std::uint16_t> open = e.allow;
    if (!s.all_ports) open.insert(open.end(), s.ports.begin(), s.ports.end());
    out += "    ct state established,related accept\n";
    // With every TCP port captured, what TCP still gets here was exempted on purpose.
    if (s.all_ports) out += "    meta l4proto tcp accept\n";
    out += fmt::format("    meta l4proto {{ tcp, udp }} th dport {} accept\n", set_of(open));
    out += "    meta l4proto tcp reject with tcp reset\n";
    out += "    meta l4proto udp reject\n";
  }
}

// "CIDR", "CIDR:port" or "[IPv6 CIDR]:port" (checked when the config was read) as nft match
// expressions: {"ip daddr 192.0.2.0/24", "tcp dport 25"}.
std::pair<std::string, std::string> destination_match(std::string_view text) {
  std::string_view cidr = text;
  std::string_view port;
  if (text.starts_with('[')) {
    const std::size_t close = text.find(']');
    cidr = text.substr(1, close - 1);
    if (close + 1 < text.size()) port = text.substr(close + 2);
  } else if (std::count(text.begin(), text.end(), ':') == 1) {
    cidr = text.substr(0, text.find(':'));
    port = text.substr(text.find(':') + 1);
  }
  const bool v6 = cidr.find(':') != std::string_view::npos;
  return {fmt::format("{} daddr {}", v6 ? "ip6" : "ip", cidr),
          port.empty() ? std::string() : fmt::format(" tcp dport {}", port)};
}

// Connections never captured: to this host itself on a gateway (its own services are not
// traffic through the filter), DNS over TLS when the egress rules refuse it (they see it only
// uncaptured), and the exempt destinations.
void capture_exemptions(std::string& out, const CaptureSettings& s, bool gateway) {
  if (gateway) out += "    fib daddr type local return\n";
  if (s.egress.refuse_dot && s.all_ports) out += "    tcp dport 853 return\n";
  for (const auto& e : s.exempt) {
    const auto [address, port] = destination_match(e);
    out += fmt::format("    {}{} return\n", address, port);
  }
}

}  // namespace

std::string render_nft_ruleset(const CaptureSettings& s) {
  // Every outbound TCP port, or the listed ones.
  const std::string ports = s.all_ports
                                ? std::string("meta l4proto tcp")
                                : fmt::format("meta l4proto tcp th dport {}", set_of(s.ports));
  std::string out = fmt::format(
      "# Warden's capture rules (warden capture show). Replaced whole on every start.\n"
      "table inet {0}\n"
      "delete table inet {0}\n"
      "table inet {0} {{\n",
      kTableName);
  const bool gateway = s.has(CaptureMode::Redirect) || s.has(CaptureMode::Tproxy);
  if (s.has(CaptureMode::Redirect)) {
    out +=
        "  # redirect (gateway): the original destination comes from SO_ORIGINAL_DST.\n"
        "  chain capture_redirect {\n"
        "    type nat hook prerouting priority dstnat; policy accept;\n";
    capture_exemptions(out, s, true);
    out += fmt::format("    {} {} redirect to :{}\n  }}\n", client_side(s), ports, s.redirect_port);
  }
  if (s.has(CaptureMode::Tproxy)) {
    out +=
        "  # tproxy (gateway): the original destination is the accepted socket's own address.\n"
        "  # Without a listener the tproxy rule does not match and the packet is dropped: a\n"
        "  # stopped Warden does not open the way.\n"
        "  chain capture_tproxy {\n"
        "    type filter hook prerouting priority mangle; policy accept;\n";
    capture_exemptions(out, s, true);
    out += fmt::format(
        "    {0} {1} tproxy to :{2} meta mark set {3:#x} accept\n"
        "    {0} {1} drop\n"
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
    out += "    oifname \"lo\" return\n";
    capture_exemptions(out, s, false);
    out += fmt::format("    {} redirect to :{}\n  }}\n", ports, s.local_port);
  }
  const EgressSettings& e = s.egress;
  const bool any_egress = e.quic != QuicPolicy::Allow || e.refuse_dot || e.deny_other;
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
