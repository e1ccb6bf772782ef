#pragma once
// Local TCP ports Warden's own upstream sockets are connecting from, so a packet capture that
// sees every outbound connection (WinDivert) can tell Warden's own SYNs from a pupil's and let
// them pass instead of reflecting them back into Warden. A port is claimed after bind() and
// before connect(), so it is known before its SYN exists, and released once connect() has
// finished (the capture has then seen the SYN and remembers the connection itself). Lock-free:
// workers claim and release, the packet loop reads.

#include <array>
#include <atomic>
#include <cstdint>

namespace warden::base {

class PortClaims {
 public:
  void claim(std::uint16_t port) { word(port).fetch_or(bit(port), std::memory_order_release); }
  void release(std::uint16_t port) { word(port).fetch_and(~bit(port), std::memory_order_release); }
  [[nodiscard]] bool claimed(std::uint16_t port) const {
    return (words_[port / 64].load(std::memory_order_acquire) & bit(port)) != 0;
  }

 private:
  std::atomic<std::uint64_t>& word(std::uint16_t port) { return words_[port / 64]; }
  static std::uint64_t bit(std::uint16_t port) { return std::uint64_t{1} << (port % 64); }

  std::array<std::atomic<std::uint64_t>, 65536 / 64> words_{};
};

}  // namespace warden::base
