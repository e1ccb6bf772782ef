#include "app/packet_path.hpp"

#include "platform/linux/rp_filter.hpp"
#include "platform/linux/tun_device.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace warden::app {

capture::packet::ReflectorSettings reflector_settings(const Config& c) {
  const capture::CaptureSettings& s = c.capture;
  capture::packet::ReflectorSettings r;
  r.listener_port = s.tun_port;
  r.all_ports = s.all_ports;
  r.ports = s.ports;
  r.refuse_quic = s.egress.quic == capture::QuicPolicy::Refuse;
  r.refuse_udp = s.egress.quic == capture::QuicPolicy::BlockAll;
  r.udp_allow = s.egress.udp_allow;
  r.refuse_dot = s.egress.refuse_dot;
  r.mtu = s.tun_mtu;
  return r;
}

base::Result<PacketPath> start_packet_path(const Config& c) {
  const capture::CaptureSettings& s = c.capture;
  if (auto strict = platform::strict_rp_filter_interfaces(s.tun_name); !strict.empty()) {
    std::string fix = "sysctl -w net.ipv4.conf.all.rp_filter=2";
    for (const auto& i : strict) fix += fmt::format(" net.ipv4.conf.{}.rp_filter=2", i);
    return base::Error{base::ErrorCode::Internal, base::ErrorSource::Internal,
                       fmt::format("strict reverse-path filtering (rp_filter = 1 on {}) would drop "
                                   "the replies to Warden's own connections in tun mode; make it "
                                   "loose: {}",
                                   fmt::join(strict, ", "), fix)};
  }
  auto device = platform::TunDevice::create(s.tun_name, s.tun_mtu);
  if (!device) return device.error();
  PacketPath path;
  path.table = std::make_unique<capture::packet::ReflectionTable>();
  path.loop = std::make_unique<capture::packet::PacketLoop>(std::move(*device),
                                                            reflector_settings(c), *path.table);
  path.loop->start();
  return path;
}

}  // namespace warden::app
