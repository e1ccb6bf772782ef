#include "platform/packet_device.hpp"

namespace warden::platform {

base::Result<std::unique_ptr<capture::packet::PacketIo>> open_packet_device(
    const capture::CaptureSettings&) {
  return base::Error{base::ErrorCode::Internal, base::ErrorSource::Internal,
                     "the packet path on Windows needs the WinDivert backend, which this build "
                     "does not have yet (docs/windows.md)"};
}

}  // namespace warden::platform
