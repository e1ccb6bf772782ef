#include "app/packet_path.hpp"

#include "platform/packet_device.hpp"

#include <fmt/format.h>

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

platform::WfpSettings wfp_settings(const Config& c) {
  platform::WfpSettings w;
  w.listener_port = c.capture.windivert_port;
  return w;
}

base::Result<PacketPath> start_packet_path(const Config& c) {
  const capture::CaptureMode native = platform::native_packet_mode();
  for (auto m : c.capture.modes)
    if (capture::is_packet_path(m) && m != native)
      return base::Error{
          base::ErrorCode::Internal, base::ErrorSource::Internal,
          fmt::format("capture.mode {} is not this system's packet capture; here "
                      "it is {}",
                      capture::capture_mode_name(m), capture::capture_mode_name(native))};
  PacketPath path;
  // Windows: the web opens through Warden only while this permit lives (platform/wfp_plan.hpp);
  // no WFP, no capture.
  if (native == capture::CaptureMode::WinDivert && c.capture.fail_closed) {
    auto permit = platform::open_healthy_permit(wfp_settings(c));
    if (!permit)
      return base::Error{
          base::ErrorCode::Internal, base::ErrorSource::Internal,
          "capture.fail = \"closed\" needs fail-closed filters, and " + permit.error().context};
    path.healthy = std::move(*permit);
  }
  auto settings = reflector_settings(c);
  auto device = platform::open_packet_device(c.capture, settings);
  if (!device) return device.error();
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
