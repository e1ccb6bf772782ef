#pragma once
// WinDivert 2.2's documented formats, declared by us (basil00/WinDivert include/windivert.h and
// doc/windivert.html; ../shared/WINDOWS-NOTES.md §1): the address record that comes with each
// packet, how a batch of packets lies in one buffer, and the filter that chooses what the
// driver diverts. Platform-neutral so the Linux tests exercise them with recorded packets; the
// Windows backend (platform/windows/windivert_device) only moves the bytes.

#include "capture/packet/packet_io.hpp"
#include "capture/packet/reflector.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace warden::capture::packet {

// WINDIVERT_ADDRESS (80 bytes). The bit fields are read through masks: one UINT32 holds
// Layer:8, Event:8, then Sniffed, Outbound, Loopback, Impostor, IPv6, IPChecksum, TCPChecksum,
// UDPChecksum from bit 16 (both MSVC and GCC allocate a UINT32's bit fields from its low bit).
struct WinDivertAddress {
  std::int64_t timestamp = 0;
  std::uint32_t bits = 0;
  std::uint32_t reserved2 = 0;
  std::uint32_t if_idx = 0;      // Network.IfIdx
  std::uint32_t sub_if_idx = 0;  // Network.SubIfIdx
  std::uint8_t reserved3[56] = {};

  static constexpr std::uint32_t kSniffed = 1u << 16;
  static constexpr std::uint32_t kOutbound = 1u << 17;
  static constexpr std::uint32_t kLoopback = 1u << 18;
  static constexpr std::uint32_t kImpostor = 1u << 19;
  static constexpr std::uint32_t kIPv6 = 1u << 20;
  static constexpr std::uint32_t kIPChecksum = 1u << 21;  // the IPv4 checksum is valid
  static constexpr std::uint32_t kTCPChecksum = 1u << 22;
  static constexpr std::uint32_t kUDPChecksum = 1u << 23;

  [[nodiscard]] bool has(std::uint32_t flag) const { return (bits & flag) != 0; }
};
static_assert(sizeof(WinDivertAddress) == 80, "WINDIVERT_ADDRESS is 80 bytes");

// WinDivert's limits (windivert.h).
inline constexpr std::size_t kWinDivertMtuMax = 40 + 0xFFFF;
inline constexpr std::size_t kWinDivertBatchMax = 255;

// The packet WinDivert handed over with `address`: its checksums' state (a NIC may be meant to
// fill them: the reflector then recomputes them in full) and the interface a reflected answer
// must be injected on.
void from_windivert(const WinDivertAddress& address, Packet& packet);

// The address to send `packet` with: reflected and generated packets inbound on the interface
// they came from, with their checksums complete (the reflector made them so); a passed packet
// outbound with the checksum bits it came with, so the NIC still fills what it was to fill.
// The Impostor bit is kept: re-injecting an impostor decrements its TTL, which ends a loop with
// another diverting driver.
[[nodiscard]] WinDivertAddress to_windivert(const Packet& packet);

// A batch lies in one buffer, the packets one after another, each as long as its IP header says
// (WinDivertRecvEx). Returns each packet's bytes; stops at the first that is truncated or whose
// header cannot say its length (what follows cannot be found), at most `count`.
[[nodiscard]] std::vector<std::span<const std::uint8_t>> split_batch(
    std::span<const std::uint8_t> buffer, std::size_t count);

// The NETWORK-layer filter for what `r` reflects and refuses: outbound, never loopback, TCP to
// the captured ports and from the listener, and the UDP the reflector refuses; never `exempt`
// ("CIDR", "CIDR:port", "[IPv6 CIDR]:port": capture.exempt, checked already), multicast or
// broadcast (diverting those, DHCP among them, took machines offline for mitmproxy), nor ICMP
// (path MTU discovery stays the kernel's).
[[nodiscard]] std::string windivert_filter(const ReflectorSettings& r,
                                           const std::vector<std::string>& exempt);

// What a failed WinDivertOpen's error code means, in words an administrator can act on
// (WinDivert's documentation lists each).
[[nodiscard]] std::string windivert_open_error(unsigned long code);

}  // namespace warden::capture::packet
