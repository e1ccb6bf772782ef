#include "platform/packet_device.hpp"

#include "capture/packet/windivert_format.hpp"
#include "platform/windows/windivert_device.hpp"

namespace warden::platform {

capture::CaptureMode native_packet_mode() { return capture::CaptureMode::WinDivert; }

base::Result<std::unique_ptr<capture::packet::PacketIo>> open_packet_device(
    const capture::CaptureSettings& s, const capture::packet::ReflectorSettings& r) {
  auto device = WinDivertDevice::open(capture::packet::windivert_filter(r, s.exempt));
  if (!device) return device.error();
  return std::unique_ptr<capture::packet::PacketIo>(std::move(*device));
}

}  // namespace warden::platform
