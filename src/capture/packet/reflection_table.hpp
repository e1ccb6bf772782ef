#pragma once
// The packet path's connection table: for each captured connection, the port the client dialled.
// Reflection (reflector.hpp) rewrites a client's packets A:pa -> B:pb into B:pa -> A:listener,
// so the listener's accepted socket sees peer B:pa and local A; (A, B, pa) is the key, pb the
// value (../shared/PACKET-PATH-NOTES.md). Two live connections that differ only in pb would
// share one reflected 4-tuple: the second is refused (a collision).
//
// An entry is made only by a client's SYN; it ends RST or both FINs plus `linger` (TIME_WAIT's
// length) later, or after `idle` without a packet; the table holds at most `capacity` entries.
// Time is passed in (tests need no sleeps). Thread safety: the packet loop's thread writes,
// workers look up accepted connections (original_port); one mutex, held briefly.

#include "base/cidr.hpp"

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <unordered_map>

namespace warden::capture::packet {

using Clock = std::chrono::steady_clock;

struct FlowKey {
  base::IpBytes client{};  // A: the client's own address (the TUN's, on Linux)
  base::IpBytes server{};  // B: where the client connected
  std::uint16_t client_port = 0;
  friend bool operator==(const FlowKey&, const FlowKey&) = default;
};

struct FlowKeyHash {
  std::size_t operator()(const FlowKey& k) const;
};

struct TableLimits {
  std::size_t capacity = 65'536;
  std::chrono::seconds linger{60};  // after RST or both FINs (TIME_WAIT)
  std::chrono::seconds idle{3600};  // longer than any idle wait of Warden's (tunnel_idle)
};

// The server port recorded for one of Warden's own connections (WinDivert sees them too): its
// packets are passed on unchanged; it ends with Warden's FIN or RST (the other side's packets
// are inbound and never captured).
inline constexpr std::uint16_t kOwnConnection = 0;

enum class SynOutcome : std::uint8_t {
  Created,    // a new connection
  Repeated,   // a retransmitted SYN (or a new connection on a finished entry's key)
  Collision,  // a live connection has this key with another server port: refuse
  Full,       // no room: refuse
};

class ReflectionTable {
 public:
  explicit ReflectionTable(TableLimits limits = {}) : limits_(limits) {}

  // A client's SYN for `key` to server port `port` (kOwnConnection: one of Warden's own).
  [[nodiscard]] SynOutcome on_syn(const FlowKey& key, std::uint16_t port, Clock::time_point now);
  // Any other packet of the connection, either way (`tcp_flags` for FIN/RST); the server port,
  // or nullopt when there is no such connection (the packet is dropped).
  std::optional<std::uint16_t> on_packet(const FlowKey& key, std::uint8_t tcp_flags,
                                         bool from_client, Clock::time_point now);
  // For an accepted connection: the port its client dialled.
  [[nodiscard]] std::optional<std::uint16_t> original_port(const FlowKey& key) const;
  // Removes finished and idle entries; returns how many.
  std::size_t expire(Clock::time_point now);
  [[nodiscard]] std::size_t size() const;

 private:
  struct Entry {
    std::uint16_t server_port = 0;
    bool client_fin = false;
    bool listener_fin = false;
    std::optional<Clock::time_point> finished;  // RST or both FINs
    Clock::time_point last_seen;
  };
  [[nodiscard]] bool expired(const Entry& e, Clock::time_point now) const;

  TableLimits limits_;
  mutable std::mutex mutex_;
  std::unordered_map<FlowKey, Entry, FlowKeyHash> entries_;
};

}  // namespace warden::capture::packet
