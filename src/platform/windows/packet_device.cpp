#include "platform/packet_device.hpp"

#include "capture/packet/windivert_format.hpp"
#include "platform/windows/windivert_device.hpp"

namespace warden::platform {

base::Result<std::unique_ptr<capture::packet::PacketIo>> open_packet_device(
    const capture::CaptureSettings& s, const capture::packet::ReflectorSettings& r) {
  if (s.has(capture::CaptureMode::Tun))
    return base::Error{base::ErrorCode::Internal, base::ErrorSource::Internal,
                       "capture.mode tun is Linux's packet capture; on Windows use windivert"};
  auto device = WinDivertDevice::open(capture::packet::windivert_filter(r, s.exempt));
  if (!device) return device.error();
  return std::unique_ptr<capture::packet::PacketIo>(std::move(*device));
}

}  // namespace warden::platform
