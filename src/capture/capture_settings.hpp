#pragma once
// How Warden captures traffic at the network level on Linux (docs/capture.md): which modes run,
// which ports they take, which listeners receive them, what happens when Warden is not running,
// and the egress lockdown that keeps browsers on paths Warden can read.

#include "capture/flow_meta.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace warden::capture {

// What happens to outbound UDP, where QUIC (HTTP/3) would carry web traffic Warden cannot read.
enum class QuicPolicy : std::uint8_t {
  Refuse,    // UDP 443 refused: browsers fall back to TCP, where Warden sees them
  BlockAll,  // every outbound UDP port refused but `udp_allow` (DNS, NTP): no QUIC anywhere
  Allow,     // nothing refused (Warden does not see QUIC traffic)
};

struct EgressSettings {
  QuicPolicy quic = QuicPolicy::Refuse;
  std::vector<std::uint16_t> udp_allow{53, 67, 123};  // UDP left open by QuicPolicy::BlockAll
  bool refuse_dot = true;   // DNS over TLS (TCP and UDP 853): DNS stays the school's
  bool deny_other = false;  // refuse every other outbound port except `allow`
  std::vector<std::uint16_t> allow{53, 123};
};

struct CaptureSettings {
  std::vector<CaptureMode> modes;             // Redirect, Tproxy, Local; empty: explicit only
  bool all_ports = true;                      // every outbound TCP port; else only `ports`
  std::vector<std::uint16_t> ports{80, 443};  // destination ports captured (all_ports false)
  // Where what is neither HTTP nor TLS is reset (a VPN hiding on 443); elsewhere it is relayed.
  std::vector<std::uint16_t> web_ports{80, 443};
  // Destinations never captured ("CIDR", "CIDR:port", "[v6 CIDR]:port"): the school's servers.
  std::vector<std::string> exempt;
  // On other ports, how long a silent client may wait for a server that speaks first (SMTP, an
  // SSH banner) before Warden connects and lets the first bytes of either side decide.
  std::chrono::milliseconds server_first_wait{250};
  std::uint16_t redirect_port = 3129;  // transparent listener per mode
  std::uint16_t tproxy_port = 3130;
  std::uint16_t local_port = 3131;
  std::uint16_t tun_port = 3132;  // below the ephemeral range: no client connects from it
  std::uint16_t windivert_port = 3133;
  // tun: the device Warden creates, its addresses (the captured clients' source, the reflected
  // connections' destination), MTU and routing table.
  std::string tun_name = "warden0";
  std::vector<std::string> tun_addresses{"100.127.83.1/32", "fd77:6172:6465:6e00::1/128"};
  std::size_t tun_mtu = 1500;
  std::uint32_t tun_table = 5746;
  std::vector<std::string> interfaces;  // gateway: client-side interfaces; empty: all but lo
  bool fail_closed = true;              // rules stay when Warden stops
  // How often the running Warden checks that its table is still there, unaltered (app/
  // capture_guard.hpp): a removed or edited table is put back and logged as tampering.
  std::chrono::milliseconds check_interval{5000};
  std::uint32_t socket_mark = 0x5744;      // SO_MARK of Warden's own upstream sockets
  std::uint32_t tproxy_mark = 0x5745;      // fwmark routing tproxied packets to lo
  std::uint32_t route_table = 5745;        // the policy-routing table tproxy uses
  std::vector<std::uint32_t> exempt_uids;  // local: these users' traffic is not captured
  // Destinations ("CIDR", "CIDR:port", "[v6 CIDR]:port") whose non-HTTP/TLS traffic is relayed
  // untouched instead of reset. (Read by flow/, not by the rules.)
  std::vector<std::string> relay_untouched;
  EgressSettings egress;

  [[nodiscard]] bool has(CaptureMode m) const {
    for (auto x : modes)
      if (x == m) return true;
    return false;
  }
  [[nodiscard]] std::uint16_t listener_port(CaptureMode m) const {
    return m == CaptureMode::Tproxy      ? tproxy_port
           : m == CaptureMode::Local     ? local_port
           : m == CaptureMode::Tun       ? tun_port
           : m == CaptureMode::WinDivert ? windivert_port
                                         : redirect_port;
  }
};

}  // namespace warden::capture
