#pragma once
// What the packet path reads of a captured IP packet: the IPv4 or IPv6 header (with IPv6
// extension headers walked), and the TCP or UDP ports. Sans-io and defensive: nothing is read
// past the packet's end or past the length its own header declares; a packet that is truncated,
// inconsistent or fragmented says so instead of being parsed further.

#include "base/cidr.hpp"

#include <cstdint>
#include <span>

namespace warden::capture::packet {

inline constexpr std::uint8_t kTcp = 6;
inline constexpr std::uint8_t kUdp = 17;
inline constexpr std::uint8_t kIcmp = 1;
inline constexpr std::uint8_t kIcmpV6 = 58;

// TCP flags (RFC 9293 §3.1).
inline constexpr std::uint8_t kFin = 0x01;
inline constexpr std::uint8_t kSyn = 0x02;
inline constexpr std::uint8_t kRst = 0x04;
inline constexpr std::uint8_t kAck = 0x10;

enum class PacketKind : std::uint8_t {
  Tcp,        // a whole TCP segment: every field below is valid
  Udp,        // a whole UDP datagram: addresses, ports, l4_offset
  Other,      // another protocol (ICMP, ESP...): addresses only
  Fragment,   // an IPv4 or IPv6 fragment: its ports cannot be known
  Malformed,  // truncated, a bad header length or version
};

struct IpPacket {
  PacketKind kind = PacketKind::Malformed;
  bool v6 = false;
  std::size_t length = 0;     // the IP packet's length by its header (<= the buffer)
  std::size_t l4_offset = 0;  // where the TCP/UDP header starts
  std::uint8_t protocol = 0;  // the upper-layer protocol (after IPv6 extension headers)
  base::IpBytes source{};     // IPv4 as IPv4-mapped
  base::IpBytes destination{};
  std::uint16_t source_port = 0;
  std::uint16_t destination_port = 0;
  // TCP only
  std::size_t tcp_header_length = 0;
  std::uint8_t tcp_flags = 0;
  std::uint32_t sequence = 0;
  std::uint32_t acknowledgment = 0;

  [[nodiscard]] std::size_t payload_length() const {
    return length - l4_offset - tcp_header_length;
  }
  [[nodiscard]] bool has(std::uint8_t flag) const { return (tcp_flags & flag) != 0; }
};

[[nodiscard]] IpPacket parse_ip_packet(std::span<const std::uint8_t> bytes);

// The byte offsets of the addresses in the IP header, for rewriting in place.
inline constexpr std::size_t kV4Source = 12;
inline constexpr std::size_t kV6Source = 8;
[[nodiscard]] inline std::size_t address_size(bool v6) { return v6 ? 16 : 4; }
[[nodiscard]] inline std::size_t source_offset(bool v6) { return v6 ? kV6Source : kV4Source; }

}  // namespace warden::capture::packet
