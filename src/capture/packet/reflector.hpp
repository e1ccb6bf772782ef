#pragma once
// The packet path's core (sans-io: packets in, packets out; no sockets, no clock of its own).
// Captured TCP becomes connections of the operating system's own TCP stack by NAT reflection
// (../shared/PACKET-PATH-NOTES.md, WinDivert's streamdump): a client's packet A:pa -> B:pb is
// rewritten to B:pa -> A:listener and handed back inbound, so Warden's ordinary listener accepts
// it with peer B:pa; the listener's answer A:listener -> B:pa is rewritten to B:pb -> A:pa. The
// swap of addresses changes no checksum (one's-complement sums commute); the changed port is
// an RFC 1624 update when the input's checksum is valid, a full recomputation otherwise.
// SYNs have their MSS clamped to the path's MTU. The table (reflection_table.hpp) gives flow/
// the original destination of an accepted connection.
//
// What is not captured passes untouched (Verdict::Pass: the backend sends it on); QUIC (UDP
// 443) and DNS over TLS (853) are refused with ICMP port unreachable or a TCP reset, as in the
// other transparent modes; malformed, truncated and fragmented TCP is dropped and counted.
// Thread: the packet loop's.

#include "base/port_claims.hpp"
#include "capture/packet/ip_packet.hpp"
#include "capture/packet/packet_bytes.hpp"
#include "capture/packet/reflection_table.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace warden::capture::packet {

struct ReflectorSettings {
  std::uint16_t listener_port = 3132;  // Warden's listener the reflected connections reach
  bool all_ports = true;               // every TCP destination port; else `ports`
  std::vector<std::uint16_t> ports{80, 443};
  bool refuse_quic = true;  // UDP 443
  bool refuse_dot = true;   // TCP and UDP 853
  bool refuse_udp = false;  // every UDP port but `udp_allow` (egress.quic = "block-all")
  std::vector<std::uint16_t> udp_allow{53, 67, 123};
  std::size_t mtu = 1500;  // of the reflected path: SYNs' MSS is clamped to fit it
  // Windows: the ports Warden's own upstream sockets connect from (WinDivert diverts them like
  // a pupil's); their connections pass. Null on Linux, whose routing keeps them off the TUN.
  const base::PortClaims* own_ports = nullptr;
};

// Whether the checksums a captured packet carries are valid (WinDivert: a NIC may be meant to
// fill them). Invalid ones are recomputed in full after the rewrite.
struct ChecksumState {
  bool ip_valid = true;
  bool transport_valid = true;
  // The TCP checksum field holds only the pseudo-header sum, to be completed over the segment
  // later (Linux CHECKSUM_PARTIAL, a TUN's offloads): the rewrite leaves it as it is.
  bool transport_partial = false;
};

enum class Verdict : std::uint8_t {
  Reflect,  // the packet was rewritten in place: send it inbound
  Reply,    // send `reply` inbound instead (a reset or ICMP unreachable); drop the packet
  Pass,     // not captured: send it on unchanged
  Drop,
};

struct ReflectorStats {
  std::uint64_t reflected = 0;
  std::uint64_t passed = 0;
  std::uint64_t own = 0;           // passed: packets of Warden's own connections
  std::uint64_t malformed = 0;     // dropped: truncated or inconsistent headers
  std::uint64_t fragments = 0;     // dropped: TCP fragments (their ports cannot be known)
  std::uint64_t no_flow = 0;       // dropped: not a SYN, and no connection
  std::uint64_t collisions = 0;    // refused with RST
  std::uint64_t table_full = 0;    // refused with RST
  std::uint64_t refused_quic = 0;  // UDP 443, or any refused UDP port with refuse_udp
  std::uint64_t refused_dot = 0;
};

class Reflector {
 public:
  Reflector(ReflectorSettings settings, ReflectionTable& table)
      : settings_(std::move(settings)), table_(table) {}

  // `packet` is one IP packet the platform captured on its way out; it may be rewritten in
  // place. `reply` receives a generated packet (Verdict::Reply).
  [[nodiscard]] Verdict process(std::span<std::uint8_t> packet, ChecksumState checksums,
                                Clock::time_point now, PacketBytes& reply);

  [[nodiscard]] const ReflectorStats& stats() const { return stats_; }
  [[nodiscard]] const ReflectorSettings& settings() const { return settings_; }

 private:
  [[nodiscard]] bool captured_port(std::uint16_t port) const;
  [[nodiscard]] bool refuses_udp(std::uint16_t port) const;
  Verdict from_client(std::span<std::uint8_t> packet, const IpPacket& p, ChecksumState checksums,
                      Clock::time_point now, PacketBytes& reply);
  Verdict from_listener(std::span<std::uint8_t> packet, const IpPacket& p, ChecksumState checksums,
                        Clock::time_point now);
  // Swaps the addresses, sets the port at `port_field` and keeps the checksums right.
  void rewrite(std::span<std::uint8_t> packet, const IpPacket& p, std::size_t port_field,
               std::uint16_t port, ChecksumState checksums);

  ReflectorSettings settings_;
  ReflectionTable& table_;
  ReflectorStats stats_;
};

// Packets Warden makes itself, from `to`'s point of view the answer of its destination.
// A TCP reset answering the segment `to` (RFC 9293 §3.10.7.1).
void make_reset(std::span<const std::uint8_t> to, const IpPacket& p, PacketBytes& out);
// ICMP (IPv4) or ICMPv6 port unreachable quoting `to` (RFC 792, RFC 4443 §3.1).
void make_port_unreachable(std::span<const std::uint8_t> to, const IpPacket& p, PacketBytes& out);
// Recomputes the IPv4 header checksum and the TCP/UDP/ICMP checksum of a whole packet.
void recompute_checksums(std::span<std::uint8_t> packet, const IpPacket& p);

}  // namespace warden::capture::packet
