#pragma once
// Where the packet path's packets come from and go to: a TUN device on Linux
// (platform/linux/tun_device), WinDivert on Windows. Two implementations, one small interface.
// Receive a batch of outbound packets; send a batch, each inbound (reflected to this host) or
// outbound (passed on as it was). Thread: the packet loop's; wake() may be called from any.

#include "base/result.hpp"
#include "capture/packet/reflector.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <span>

namespace warden::capture::packet {

struct Packet {
  PacketBytes bytes;            // capacity: the backend's largest packet; size: this one
  ChecksumState checksums;      // as captured
  bool inbound = false;         // to send: towards this host (reflected), else on its way
  std::uint32_t interface = 0;  // WinDivert's interface index (inbound injection needs it)
  std::uint32_t sub_interface = 0;
  bool impostor = false;  // WinDivert: injected by another driver (kept when sent on)
  // The backend's offload header for this packet (Linux: the TUN's virtio_net_hdr, segmentation
  // and partial checksum), sent back as it came with the reflected packet; zero for packets
  // Warden makes.
  std::array<std::uint8_t, 10> offload{};
};

class PacketIo {
 public:
  virtual ~PacketIo() = default;
  // Waits up to `timeout` for packets, then reads as many as are ready, at most batch.size();
  // returns how many (0 on timeout or wake()).
  [[nodiscard]] virtual base::Result<std::size_t> receive(std::span<Packet> batch,
                                                          std::chrono::milliseconds timeout) = 0;
  // Sends each packet; a packet the backend cannot send (a full queue) is dropped and counted:
  // TCP recovers, nothing queues without bound.
  virtual void send(std::span<const Packet> batch) = 0;
  // Makes a waiting receive() return now.
  virtual void wake() = 0;
  // The largest packet receive() may return.
  [[nodiscard]] virtual std::size_t max_packet() const = 0;
  // Whether send() can pass a packet on outbound (WinDivert can; a TUN cannot: what reaches it
  // was routed there to be captured, and anything else is dropped).
  [[nodiscard]] virtual bool can_pass() const = 0;
  [[nodiscard]] virtual std::uint64_t send_drops() const = 0;
};

}  // namespace warden::capture::packet
