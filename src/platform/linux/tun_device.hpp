#pragma once
// The Linux backend of the packet path (capture/packet/packet_io.hpp): a TUN device
// (/dev/net/tun, IFF_TUN | IFF_NO_PI), created by Warden and gone with its process, so that
// the routes through it go too and the `prohibit` route beneath them refuses connections while
// Warden is not running (capture/tun_routing.hpp). What the kernel routes into it is read as
// outbound packets; what is written to it arrives at this host as inbound. A TUN cannot send a
// packet on its way (can_pass() is false): only what is to be captured is routed into it.
// Reads are non-blocking, a batch per wakeup; a write the device's queue refuses is dropped.
// With offloads (IFF_VNET_HDR, TUNSETOFFLOAD: checksum and TSO), the kernel hands over TCP
// segments of up to 64 KiB with partial checksums instead of one packet per MTU, and takes them
// back the same way: a fortieth of the system calls for bulk transfers.
// Thread: the packet loop's; wake() from any thread.

#include "base/result.hpp"
#include "capture/packet/packet_io.hpp"

#include <atomic>
#include <memory>
#include <string>

namespace warden::platform {

class TunDevice final : public capture::packet::PacketIo {
 public:
  // Creates the device `name` (needs CAP_NET_ADMIN); errors say what is missing.
  [[nodiscard]] static base::Result<std::unique_ptr<TunDevice>> create(const std::string& name,
                                                                       std::size_t mtu);
  ~TunDevice() override;
  TunDevice(const TunDevice&) = delete;
  TunDevice& operator=(const TunDevice&) = delete;

  [[nodiscard]] base::Result<std::size_t> receive(std::span<capture::packet::Packet> batch,
                                                  std::chrono::milliseconds timeout) override;
  void send(std::span<const capture::packet::Packet> batch) override;
  void wake() override;
  [[nodiscard]] std::size_t max_packet() const override { return offloads_ ? 65535 : mtu_; }
  [[nodiscard]] bool offloads() const { return offloads_; }
  [[nodiscard]] bool can_pass() const override { return false; }
  [[nodiscard]] std::uint64_t send_drops() const override { return send_drops_; }

 private:
  TunDevice(int fd, int wake_fd, std::size_t mtu, bool offloads)
      : fd_(fd), wake_fd_(wake_fd), mtu_(mtu), offloads_(offloads) {}
  int fd_;
  int wake_fd_;  // an eventfd that ends a wait
  std::size_t mtu_;
  bool offloads_;  // segmentation and checksum offload are on
  std::atomic<std::uint64_t> send_drops_{0};
};

}  // namespace warden::platform
