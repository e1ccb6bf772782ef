#include "app/packet_path.hpp"

#include "platform/packet_device.hpp"

namespace warden::app {

capture::packet::ReflectorSettings reflector_settings(const Config& c) {
  const capture::CaptureSettings& s = c.capture;
  capture::packet::ReflectorSettings r;
  r.listener_port =
      s.listener_port(s.has(capture::CaptureMode::WinDivert) ? capture::CaptureMode::WinDivert
                                                             : capture::CaptureMode::Tun);
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
  auto settings = reflector_settings(c);
  auto device = platform::open_packet_device(c.capture, settings);
  if (!device) return device.error();
  PacketPath path;
  path.table = std::make_unique<capture::packet::ReflectionTable>();
  if (c.capture.has(capture::CaptureMode::WinDivert)) {
    path.own_ports = std::make_unique<base::PortClaims>();
    settings.own_ports = path.own_ports.get();
  }
  path.loop = std::make_unique<capture::packet::PacketLoop>(std::move(*device), std::move(settings),
                                                            *path.table);
  path.loop->start();
  return path;
}

}  // namespace warden::app
