#include "capture/packet/ip_packet.hpp"

#include "capture/packet/checksum.hpp"

#include <algorithm>

namespace warden::capture::packet {
namespace {

constexpr std::size_t kV4Header = 20;
constexpr std::size_t kV6Header = 40;
constexpr std::size_t kTcpHeader = 20;
constexpr std::size_t kUdpHeader = 8;
constexpr int kMaxExtensionHeaders = 8;  // more is an attack, not a packet

base::IpBytes v4_address(const std::uint8_t* p) {
  return base::ip_bytes_v4({p[0], p[1], p[2], p[3]});
}

base::IpBytes v6_address(const std::uint8_t* p) {
  base::IpBytes out{};
  std::copy(p, p + 16, out.begin());
  return out;
}

// The transport header at `offset` of a packet `length` long.
void parse_transport(std::span<const std::uint8_t> bytes, IpPacket& p) {
  const std::size_t room = p.length - p.l4_offset;
  const std::uint8_t* l4 = bytes.data() + p.l4_offset;
  if (p.protocol == kTcp) {
    if (room < kTcpHeader) return;  // stays Malformed
    const std::size_t header = static_cast<std::size_t>(l4[12] >> 4) * 4;
    if (header < kTcpHeader || header > room) return;
    p.source_port = load16(l4);
    p.destination_port = load16(l4 + 2);
    p.sequence = load32(l4 + 4);
    p.acknowledgment = load32(l4 + 8);
    p.tcp_flags = l4[13];
    p.tcp_header_length = header;
    p.kind = PacketKind::Tcp;
  } else if (p.protocol == kUdp) {
    if (room < kUdpHeader) return;
    p.source_port = load16(l4);
    p.destination_port = load16(l4 + 2);
    p.kind = PacketKind::Udp;
  } else {
    p.kind = PacketKind::Other;
  }
}

IpPacket parse_v4(std::span<const std::uint8_t> bytes) {
  IpPacket p;
  if (bytes.size() < kV4Header) return p;
  const std::size_t header = static_cast<std::size_t>(bytes[0] & 0x0f) * 4;
  const std::size_t total = load16(bytes.data() + 2);
  if (header < kV4Header || total < header || total > bytes.size()) return p;
  p.length = total;
  p.l4_offset = header;
  p.protocol = bytes[9];
  p.source = v4_address(bytes.data() + kV4Source);
  p.destination = v4_address(bytes.data() + kV4Source + 4);
  const std::uint16_t fragment = load16(bytes.data() + 6);
  if ((fragment & 0x2000) != 0 || (fragment & 0x1fff) != 0) {  // MF, or an offset
    p.kind = PacketKind::Fragment;
    return p;
  }
  parse_transport(bytes, p);
  return p;
}

IpPacket parse_v6(std::span<const std::uint8_t> bytes) {
  IpPacket p;
  p.v6 = true;
  if (bytes.size() < kV6Header) return p;
  const std::size_t total = kV6Header + load16(bytes.data() + 4);
  if (total > bytes.size()) return p;  // (a jumbogram's 0 payload length is not supported)
  p.length = total;
  p.source = v6_address(bytes.data() + kV6Source);
  p.destination = v6_address(bytes.data() + kV6Source + 16);
  std::uint8_t next = bytes[6];
  std::size_t offset = kV6Header;
  for (int i = 0; i <= kMaxExtensionHeaders; ++i) {
    switch (next) {
      case 0:     // hop-by-hop options
      case 43:    // routing
      case 60:    // destination options
      case 51: {  // authentication header: its length counts 4-byte units, less 2
        if (offset + 2 > total) return p;
        const std::size_t length = next == 51 ? (std::size_t{bytes[offset + 1]} + 2) * 4
                                              : (std::size_t{bytes[offset + 1]} + 1) * 8;
        if (offset + length > total) return p;
        next = bytes[offset];
        offset += length;
        continue;
      }
      case 44:  // fragment
        if (offset + 8 > total) return p;
        p.protocol = bytes[offset];
        p.l4_offset = offset + 8;
        p.kind = PacketKind::Fragment;
        return p;
      default:
        p.protocol = next;
        p.l4_offset = offset;
        parse_transport(bytes, p);
        return p;
    }
  }
  return p;  // too many extension headers: Malformed
}

}  // namespace

IpPacket parse_ip_packet(std::span<const std::uint8_t> bytes) {
  if (bytes.empty()) return {};
  switch (bytes[0] >> 4) {
    case 4:
      return parse_v4(bytes);
    case 6:
      return parse_v6(bytes);
    default:
      return {};
  }
}

}  // namespace warden::capture::packet
