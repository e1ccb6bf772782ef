#pragma once
// `capture.mode = "tun"` (Linux) or "windivert" (Windows): the packet device, the reflection table
// the tun listener reads, and the packet loop's thread, started before the routing sends anything
// there (docs/capture.md).

#include "app/config.hpp"
#include "base/result.hpp"
#include "capture/packet/packet_loop.hpp"
#include "capture/packet/reflection_table.hpp"
#include "platform/wfp.hpp"

#include <memory>

namespace warden::app {

struct PacketPath {
  std::unique_ptr<capture::packet::ReflectionTable> table;
  // windivert: the ports Warden's upstream sockets connect from, passed by the packet loop
  // (flow::EngineConfig::upstream_port_claims); null for tun.
  std::unique_ptr<base::PortClaims> own_ports;
  // windivert with capture.fail = closed: the WFP permit through which the web is open while
  // Warden runs (platform/wfp.hpp).
  std::unique_ptr<platform::HealthyPermit> healthy;
  std::unique_ptr<capture::packet::PacketLoop> loop;
};

// What the Windows fail-closed filters need from the config.
[[nodiscard]] platform::WfpSettings wfp_settings(const Config& c);

// The reflector's settings from the config.
[[nodiscard]] capture::packet::ReflectorSettings reflector_settings(const Config& c);

// Opens the OS's packet device (platform/packet_device.hpp) and starts the loop. The routing is
// installed afterwards (capture::install_capture_rules).
[[nodiscard]] base::Result<PacketPath> start_packet_path(const Config& c);

}  // namespace warden::app
