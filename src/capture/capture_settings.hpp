#pragma once
// How Warden captures traffic at the network level on Linux (docs/capture.md): which modes run,
// which ports they take, which listeners receive them, what happens when Warden is not running,
// and the egress lockdown that keeps browsers on paths Warden can read.

#include "capture/flow_meta.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace warden::capture {

struct EgressSettings {
  bool refuse_quic = true;  // UDP 443: browsers fall back to TCP, where Warden sees them
  bool refuse_dot = true;   // DNS over TLS (TCP and UDP 853): DNS stays the school's
  bool deny_other = false;  // refuse every other outbound port except `allow`
  std::vector<std::uint16_t> allow{53, 123};
};

struct CaptureSettings {
  std::vector<CaptureMode> modes;             // Redirect, Tproxy, Local; empty: explicit only
  std::vector<std::uint16_t> ports{80, 443};  // destination ports captured
  std::uint16_t redirect_port = 3129;         // transparent listener per mode
  std::uint16_t tproxy_port = 3130;
  std::uint16_t local_port = 3131;
  std::vector<std::string> interfaces;     // gateway: client-side interfaces; empty: all but lo
  bool fail_closed = true;                 // rules stay when Warden stops
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
    return m == CaptureMode::Tproxy  ? tproxy_port
           : m == CaptureMode::Local ? local_port
                                     : redirect_port;
  }
};

}  // namespace warden::capture
