#include "platform/packet_device.hpp"

#include "platform/linux/rp_filter.hpp"
#include "platform/linux/tun_device.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace warden::platform {

capture::CaptureMode native_packet_mode() { return capture::CaptureMode::Tun; }

base::Result<std::unique_ptr<capture::packet::PacketIo>> open_packet_device(
    const capture::CaptureSettings& s, const capture::packet::ReflectorSettings&) {
  if (auto strict = strict_rp_filter_interfaces(s.tun_name); !strict.empty()) {
    std::string fix = "sysctl -w net.ipv4.conf.all.rp_filter=2";
    for (const auto& i : strict) fix += fmt::format(" net.ipv4.conf.{}.rp_filter=2", i);
    return base::Error{base::ErrorCode::Internal, base::ErrorSource::Internal,
                       fmt::format("strict reverse-path filtering (rp_filter = 1 on {}) would drop "
                                   "the replies to Warden's own connections in tun mode; make it "
                                   "loose: {}",
                                   fmt::join(strict, ", "), fix)};
  }
  auto device = TunDevice::create(s.tun_name, s.tun_mtu);
  if (!device) return device.error();
  return std::unique_ptr<capture::packet::PacketIo>(std::move(*device));
}

}  // namespace warden::platform
