#include "capture/packet/windivert_format.hpp"

#include "base/cidr.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace warden::capture::packet {
namespace {

using A = WinDivertAddress;

std::uint16_t read16(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint16_t>((b[at] << 8) | b[at + 1]);
}

// The last address a CIDR covers, in the same IPv4-mapped form.
base::IpBytes last_address(const base::Cidr& c) {
  base::IpBytes last = c.address;
  for (unsigned bit = c.prefix; bit < 128; ++bit)
    last[bit / 8] |= static_cast<std::uint8_t>(0x80u >> (bit % 8));
  return last;
}

bool is_v4_mapped(const base::IpBytes& ip) {
  static constexpr std::array<std::uint8_t, 12> kPrefix{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return std::equal(kPrefix.begin(), kPrefix.end(), ip.begin());
}

// "CIDR", "CIDR:port" or "[IPv6 CIDR]:port" as a filter term that matches it.
std::string exempt_term(std::string_view text) {
  std::string_view cidr_text = text;
  std::string_view port;
  if (text.starts_with('[')) {
    const std::size_t close = text.find(']');
    cidr_text = text.substr(1, close - 1);
    if (close + 2 <= text.size()) port = text.substr(close + 2);
  } else if (std::count(text.begin(), text.end(), ':') == 1) {
    cidr_text = text.substr(0, text.find(':'));
    port = text.substr(text.find(':') + 1);
  }
  const auto cidr = base::parse_cidr(cidr_text);
  if (!cidr) return "false";  // the config check refuses such entries before this
  const bool v4 = is_v4_mapped(cidr->address) && cidr->prefix >= 96;
  const char* field = v4 ? "ip.DstAddr" : "ipv6.DstAddr";
  std::string term =
      fmt::format("({} and {} >= {} and {} <= {}", v4 ? "ip" : "ipv6", field,
                  base::format_ip(cidr->address), field, base::format_ip(last_address(*cidr)));
  if (!port.empty()) term += fmt::format(" and tcp.DstPort == {}", port);
  return term + ")";
}

std::string port_list(std::string_view field, const std::vector<std::uint16_t>& ports,
                      std::string_view op, std::string_view join) {
  std::string out;
  for (auto p : ports) {
    if (!out.empty()) out += fmt::format(" {} ", join);
    out += fmt::format("{} {} {}", field, op, p);
  }
  return out;
}

}  // namespace

void from_windivert(const WinDivertAddress& address, Packet& packet) {
  // IPv6 has no header checksum; WinDivert leaves IPChecksum clear for it.
  packet.checksums.ip_valid = address.has(A::kIPv6) || address.has(A::kIPChecksum);
  packet.checksums.transport_valid = address.has(A::kTCPChecksum) || address.has(A::kUDPChecksum);
  packet.checksums.transport_partial = false;
  packet.inbound = !address.has(A::kOutbound);
  packet.interface = address.if_idx;
  packet.sub_interface = address.sub_if_idx;
  packet.impostor = address.has(A::kImpostor);
}

WinDivertAddress to_windivert(const Packet& packet) {
  WinDivertAddress out;
  out.if_idx = packet.interface;
  out.sub_if_idx = packet.sub_interface;
  if (packet.impostor) out.bits |= A::kImpostor;
  if (packet.inbound) {
    out.bits |= A::kIPChecksum | A::kTCPChecksum | A::kUDPChecksum;
  } else {
    out.bits |= A::kOutbound;
    if (packet.checksums.ip_valid) out.bits |= A::kIPChecksum;
    if (packet.checksums.transport_valid) out.bits |= A::kTCPChecksum | A::kUDPChecksum;
  }
  return out;
}

std::vector<std::span<const std::uint8_t>> split_batch(std::span<const std::uint8_t> buffer,
                                                       std::size_t count) {
  std::vector<std::span<const std::uint8_t>> out;
  std::size_t at = 0;
  while (out.size() < count && at < buffer.size()) {
    const auto rest = buffer.subspan(at);
    std::size_t length = 0;
    if ((rest[0] >> 4) == 4 && rest.size() >= 20) {
      length = read16(rest, 2);
      if (length < 20) break;
    } else if ((rest[0] >> 4) == 6 && rest.size() >= 40) {
      length = 40 + std::size_t{read16(rest, 4)};
    } else {
      break;
    }
    if (length > rest.size()) break;
    out.push_back(rest.first(length));
    at += length;
  }
  return out;
}

std::string windivert_open_error(unsigned long code) {
  switch (code) {
    case 2:
      return "the WinDivert driver (WinDivert64.sys) is not beside WinDivert.dll; reinstall Warden";
    case 5:
      return "access denied: capture needs an administrator or the Warden service (LocalSystem)";
    case 87:
      return "WinDivert refused the capture filter (too long? fewer capture.exempt entries)";
    case 577:
      return "Windows refused the WinDivert driver's signature (a 64-bit Windows needs the signed "
             "WinDivert64.sys, and Secure Boot policies may forbid it)";
    case 654:
      return "an incompatible WinDivert driver is already loaded (another program's older "
             "version); stop that program or restart Windows";
    case 1060:
      return "the WinDivert driver is not installed";
    case 1275:
      return "the WinDivert driver was blocked (security software or the virtual machine's "
             "policy); allow WinDivert64.sys";
    case 1753:
      return "the Base Filtering Engine service (BFE) is not running; start it (sc start BFE)";
    default:
      return fmt::format("WinDivertOpen failed with Windows error {}", code);
  }
}

std::string windivert_filter(const ReflectorSettings& s,
                             const std::vector<std::string>& exempt_list) {
  // TCP the reflector takes: to the captured ports (but DNS over TLS, refused separately below
  // so it is never reflected), and the listener's answers.
  std::string tcp =
      s.all_ports ? std::string("true") : port_list("tcp.DstPort", s.ports, "==", "or");
  std::string exempt;
  for (const auto& e : exempt_list) exempt += " and !" + exempt_term(e);
  std::string filter =
      fmt::format("outbound and !loopback and (tcp.SrcPort == {} or (tcp and ({}){})",
                  s.listener_port, tcp, exempt);
  if (s.refuse_dot) filter += fmt::format(" or (tcp and tcp.DstPort == 853{})", exempt);
  // UDP the reflector refuses, to unicast destinations only.
  std::string udp;
  if (s.refuse_udp) {
    udp = s.udp_allow.empty() ? std::string("true")
                              : port_list("udp.DstPort", s.udp_allow, "!=", "and");
  } else {
    std::vector<std::uint16_t> refused;
    if (s.refuse_quic) refused.push_back(443);
    if (s.refuse_dot) refused.push_back(853);
    if (!refused.empty()) udp = port_list("udp.DstPort", refused, "==", "or");
  }
  if (!udp.empty())
    filter += fmt::format(
        " or (udp and ({}) and ((ip and ip.DstAddr < 224.0.0.0) or (ipv6 and ipv6.DstAddr < "
        "ff00::)){})",
        udp, exempt);
  return filter + ")";
}

}  // namespace warden::capture::packet
