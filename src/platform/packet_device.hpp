#pragma once
// The packet path's source of packets for this OS (capture/packet/packet_io.hpp): Linux a TUN
// device that Warden's policy routing feeds (after checking the kernel settings that would
// break reflection); Windows a WinDivert handle. One call, so app/ knows neither.

#include "base/result.hpp"
#include "capture/capture_settings.hpp"
#include "capture/packet/packet_io.hpp"

#include <memory>

namespace warden::platform {

// This OS's packet capture mode: tun on Linux, windivert on Windows.
[[nodiscard]] capture::CaptureMode native_packet_mode();

// `r`: what the packet loop will reflect and refuse (WinDivert diverts only that).
[[nodiscard]] base::Result<std::unique_ptr<capture::packet::PacketIo>> open_packet_device(
    const capture::CaptureSettings& s, const capture::packet::ReflectorSettings& r);

}  // namespace warden::platform
