#include "capture/packet/reflector.hpp"

#include "capture/packet/checksum.hpp"

#include <algorithm>

namespace warden::capture::packet {
namespace {

constexpr std::uint8_t kTtl = 64;
constexpr std::size_t kTcpChecksum = 16;  // offsets in the transport header
constexpr std::size_t kUdpChecksum = 6;
constexpr std::size_t kIpChecksum = 10;  // in the IPv4 header

void swap_addresses(std::span<std::uint8_t> packet, bool v6) {
  const std::size_t at = source_offset(v6);
  const std::size_t n = address_size(v6);
  std::swap_ranges(packet.begin() + static_cast<std::ptrdiff_t>(at),
                   packet.begin() + static_cast<std::ptrdiff_t>(at + n),
                   packet.begin() + static_cast<std::ptrdiff_t>(at + n));
}

// The pseudo-header sum of RFC 9293 §3.1 / RFC 8200 §8.1 for `length` bytes of `protocol`.
std::uint32_t pseudo_header(std::span<const std::uint8_t> packet, bool v6, std::uint8_t protocol,
                            std::size_t length) {
  const std::size_t at = source_offset(v6);
  std::uint32_t sum = sum_words(packet.subspan(at, 2 * address_size(v6)));
  sum += protocol;
  sum += static_cast<std::uint32_t>(length >> 16) + static_cast<std::uint32_t>(length & 0xffff);
  return sum;
}

void set_ip_checksum(std::span<std::uint8_t> packet, std::size_t header) {
  store16(packet.data() + kIpChecksum, 0);
  store16(packet.data() + kIpChecksum, finish(sum_words(packet.first(header))));
}

// Rewrites the port at `field` (an even offset), updating the TCP checksum if `update`.
void set_port(std::span<std::uint8_t> packet, const IpPacket& p, std::size_t field,
              std::uint16_t port, bool update_sum) {
  std::uint8_t* at = packet.data() + p.l4_offset + field;
  std::uint8_t* sum = packet.data() + p.l4_offset + kTcpChecksum;
  if (update_sum) store16(sum, update(load16(sum), load16(at), port));
  store16(at, port);
}

// The largest segment the reflected path carries without fragmenting.
std::uint16_t mss_for(std::size_t mtu, bool v6) {
  const std::size_t headers = (v6 ? 40 : 20) + 20;
  return static_cast<std::uint16_t>(std::clamp<std::size_t>(mtu, headers + 64, 65535) - headers);
}

// Lowers a SYN's MSS option to `limit`; returns false when the checksum must be recomputed in
// full (`update_sum` and the option at an odd offset).
bool clamp_mss(std::span<std::uint8_t> packet, const IpPacket& p, std::uint16_t limit,
               bool update_sum) {
  std::uint8_t* tcp = packet.data() + p.l4_offset;
  std::size_t i = 20;
  while (i < p.tcp_header_length) {
    const std::uint8_t kind = tcp[i];
    if (kind == 0) break;  // end of options
    if (kind == 1) {       // no-op
      ++i;
      continue;
    }
    if (i + 1 >= p.tcp_header_length) break;
    const std::size_t length = tcp[i + 1];
    if (length < 2 || i + length > p.tcp_header_length) break;  // malformed options: leave them
    if (kind == 2 && length == 4) {
      const std::uint16_t mss = load16(tcp + i + 2);
      if (mss <= limit) return true;
      if (!update_sum || (i % 2) != 0) {
        store16(tcp + i + 2, limit);
        return !update_sum;
      }
      std::uint8_t* sum = tcp + kTcpChecksum;
      store16(sum, update(load16(sum), mss, limit));
      store16(tcp + i + 2, limit);
      return true;
    }
    i += length;
  }
  return true;
}

// Writes an IP header for a packet Warden answers with: from `p`'s destination to its source.
std::size_t answer_header(const IpPacket& p, std::uint8_t protocol, std::size_t payload,
                          PacketBytes& out) {
  const std::size_t header = p.v6 ? 40 : 20;
  out.assign(header + payload, 0);
  std::uint8_t* h = out.data();
  const std::size_t n = address_size(p.v6);
  const std::size_t skip = p.v6 ? 0 : 12;  // the IPv4-mapped prefix
  if (p.v6) {
    h[0] = 0x60;
    store16(h + 4, static_cast<std::uint16_t>(payload));
    h[6] = protocol;
    h[7] = kTtl;
  } else {
    h[0] = 0x45;
    store16(h + 2, static_cast<std::uint16_t>(header + payload));
    h[8] = kTtl;
    h[9] = protocol;
  }
  std::copy_n(p.destination.begin() + skip, n, h + source_offset(p.v6));
  std::copy_n(p.source.begin() + skip, n, h + source_offset(p.v6) + n);
  return header;
}

}  // namespace

void recompute_checksums(std::span<std::uint8_t> packet, const IpPacket& p) {
  if (!p.v6) set_ip_checksum(packet, p.l4_offset);
  const std::size_t length = p.length - p.l4_offset;
  const std::span<std::uint8_t> l4 = packet.subspan(p.l4_offset, length);
  std::size_t field = 0;
  std::uint32_t sum = 0;
  if (p.protocol == kTcp) {
    field = kTcpChecksum;
    sum = pseudo_header(packet, p.v6, kTcp, length);
  } else if (p.protocol == kUdp) {
    field = kUdpChecksum;
    sum = pseudo_header(packet, p.v6, kUdp, length);
  } else if (p.protocol == kIcmpV6) {
    field = 2;
    sum = pseudo_header(packet, true, kIcmpV6, length);
  } else if (p.protocol == kIcmp) {
    field = 2;
  } else {
    return;
  }
  store16(l4.data() + field, 0);
  std::uint16_t value = finish(sum_words(l4, sum));
  if (p.protocol == kUdp && value == 0) value = 0xffff;  // 0 means "no checksum" in UDP
  store16(l4.data() + field, value);
}

void make_reset(std::span<const std::uint8_t> to, const IpPacket& p, PacketBytes& out) {
  (void)to;
  const std::size_t header = answer_header(p, kTcp, 20, out);
  std::uint8_t* tcp = out.data() + header;
  store16(tcp, p.destination_port);
  store16(tcp + 2, p.source_port);
  if (p.has(kAck)) {
    store32(tcp + 4, p.acknowledgment);
    tcp[13] = kRst;
  } else {
    const auto length = static_cast<std::uint32_t>(p.payload_length()) + (p.has(kSyn) ? 1 : 0) +
                        (p.has(kFin) ? 1 : 0);
    store32(tcp + 8, p.sequence + length);
    tcp[13] = kRst | kAck;
  }
  tcp[12] = 5 << 4;
  IpPacket made = parse_ip_packet(out);
  recompute_checksums(out, made);
}

void make_port_unreachable(std::span<const std::uint8_t> to, const IpPacket& p, PacketBytes& out) {
  // As much of the packet as RFC 1812 §4.3.2.3 (576 bytes in all) / RFC 4443 (1280) allow.
  const std::size_t header = p.v6 ? 40 : 20;
  const std::size_t quoted = std::min(p.length, (p.v6 ? 1280 : 576) - header - 8);
  answer_header(p, p.v6 ? kIcmpV6 : kIcmp, 8 + quoted, out);
  std::uint8_t* icmp = out.data() + header;
  icmp[0] = p.v6 ? 1 : 3;  // destination unreachable
  icmp[1] = p.v6 ? 4 : 3;  // port unreachable
  std::copy_n(to.begin(), quoted, icmp + 8);
  IpPacket made = parse_ip_packet(out);
  recompute_checksums(out, made);
}

bool Reflector::captured_port(std::uint16_t port) const {
  return settings_.all_ports ||
         std::find(settings_.ports.begin(), settings_.ports.end(), port) != settings_.ports.end();
}

bool Reflector::refuses_udp(std::uint16_t port) const {
  if (settings_.refuse_dot && port == 853) return true;
  if (settings_.refuse_udp)
    return std::find(settings_.udp_allow.begin(), settings_.udp_allow.end(), port) ==
           settings_.udp_allow.end();
  return settings_.refuse_quic && port == 443;
}

Verdict Reflector::process(std::span<std::uint8_t> packet, ChecksumState checksums,
                           Clock::time_point now, PacketBytes& reply) {
  const IpPacket p = parse_ip_packet(packet);
  switch (p.kind) {
    case PacketKind::Malformed:
      ++stats_.malformed;
      return Verdict::Drop;
    case PacketKind::Fragment:
      if (p.protocol != kTcp) break;
      ++stats_.fragments;
      return Verdict::Drop;
    case PacketKind::Udp:
      if (refuses_udp(p.destination_port)) {
        ++(p.destination_port == 853 ? stats_.refused_dot : stats_.refused_quic);
        make_port_unreachable(packet, p, reply);
        return Verdict::Reply;
      }
      break;
    case PacketKind::Tcp:
      if (p.source_port == settings_.listener_port)
        return from_listener(packet.first(p.length), p, checksums, now);
      if (settings_.refuse_dot && p.destination_port == 853) {
        ++stats_.refused_dot;
        make_reset(packet, p, reply);
        return Verdict::Reply;
      }
      if (captured_port(p.destination_port))
        return from_client(packet.first(p.length), p, checksums, now, reply);
      break;
    case PacketKind::Other:
      break;
  }
  ++stats_.passed;
  return Verdict::Pass;
}

Verdict Reflector::from_client(std::span<std::uint8_t> packet, const IpPacket& p,
                               ChecksumState checksums, Clock::time_point now, PacketBytes& reply) {
  const FlowKey key{p.source, p.destination, p.source_port};
  std::uint16_t server_port = p.destination_port;
  if (p.has(kSyn) && !p.has(kAck)) {
    if (settings_.own_ports != nullptr && settings_.own_ports->claimed(p.source_port))
      server_port = kOwnConnection;
    const SynOutcome outcome = table_.on_syn(key, server_port, now);
    if (outcome == SynOutcome::Collision || outcome == SynOutcome::Full) {
      ++(outcome == SynOutcome::Collision ? stats_.collisions : stats_.table_full);
      make_reset(packet, p, reply);
      return Verdict::Reply;
    }
  } else if (auto known = table_.on_packet(key, p.tcp_flags, true, now)) {
    server_port = *known;
  } else {
    // A connection the table does not know (it began before capture did, or outlived its
    // entry): a reset ends it at once instead of leaving the client to time out.
    ++stats_.no_flow;
    if (p.has(kRst)) return Verdict::Drop;
    make_reset(packet, p, reply);
    return Verdict::Reply;
  }
  if (server_port == kOwnConnection) {
    ++stats_.own;
    return Verdict::Pass;
  }
  // A:pa -> B:pb becomes B:pa -> A:listener.
  rewrite(packet, p, 2, settings_.listener_port, checksums);
  return Verdict::Reflect;
}

void Reflector::rewrite(std::span<std::uint8_t> packet, const IpPacket& p, std::size_t port_field,
                        std::uint16_t port, ChecksumState checksums) {
  swap_addresses(packet, p.v6);
  // A partial checksum (to be completed over the segment by the kernel or the NIC) covers the
  // port and options changed here: nothing to update.
  const bool update_sum = !checksums.transport_partial;
  set_port(packet, p, port_field, port, update_sum);
  bool incremental = checksums.transport_valid || checksums.transport_partial;
  if (p.has(kSyn)) incremental &= clamp_mss(packet, p, mss_for(settings_.mtu, p.v6), update_sum);
  if (!incremental) {
    recompute_checksums(packet, p);
  } else if (!checksums.ip_valid && !p.v6) {
    set_ip_checksum(packet, p.l4_offset);
  }
  ++stats_.reflected;
}

Verdict Reflector::from_listener(std::span<std::uint8_t> packet, const IpPacket& p,
                                 ChecksumState checksums, Clock::time_point now) {
  // A:listener -> B:pa becomes B:pb -> A:pa.
  const FlowKey key{p.source, p.destination, p.destination_port};
  const auto server_port = table_.on_packet(key, p.tcp_flags, false, now);
  if (!server_port) {
    ++stats_.no_flow;
    return Verdict::Drop;
  }
  rewrite(packet, p, 0, *server_port, checksums);
  return Verdict::Reflect;
}

}  // namespace warden::capture::packet
