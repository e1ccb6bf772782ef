#pragma once
// The Windows backend of the packet path (capture/packet/packet_io.hpp): one WinDivert 2.2
// NETWORK-layer handle. WinDivert.dll is loaded at run time from warden.exe's own folder (the
// school's installer puts the signed driver and DLL there; the repository never ships them),
// its functions declared by us from WinDivert's documentation. Packets arrive in batches
// (WinDivertRecvEx, overlapped, so a wait can time out or be woken) and leave in batches
// (WinDivertSendEx); the address records say which checksums a NIC was to fill and on which
// interface a reflected packet is injected (capture/packet/windivert_format.hpp). Untested
// here: Wine has no WinDivert driver (docs/windows.md). Thread: the packet loop's; wake() from
// any thread.

#include "base/result.hpp"
#include "capture/packet/packet_io.hpp"
#include "capture/packet/windivert_format.hpp"

#include <atomic>
#include <memory>
#include <string>
#include <vector>

namespace warden::platform {

class WinDivertDevice final : public capture::packet::PacketIo {
 public:
  // Opens a handle diverting what `filter` matches (needs an administrator); errors name the
  // cause (windivert_open_error).
  [[nodiscard]] static base::Result<std::unique_ptr<WinDivertDevice>> open(
      const std::string& filter);
  ~WinDivertDevice() override;
  WinDivertDevice(const WinDivertDevice&) = delete;
  WinDivertDevice& operator=(const WinDivertDevice&) = delete;

  [[nodiscard]] base::Result<std::size_t> receive(std::span<capture::packet::Packet> batch,
                                                  std::chrono::milliseconds timeout) override;
  void send(std::span<const capture::packet::Packet> batch) override;
  void wake() override;
  [[nodiscard]] std::size_t max_packet() const override {
    return capture::packet::kWinDivertMtuMax;
  }
  [[nodiscard]] bool can_pass() const override { return true; }
  [[nodiscard]] std::uint64_t send_drops() const override { return send_drops_; }

  struct Api;
  struct State;

 private:
  explicit WinDivertDevice(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
  std::atomic<std::uint64_t> send_drops_{0};
};

}  // namespace warden::platform
