// The packet path's core against packets recorded on a real TUN (packets/tun_http_v4_v6.hex:
// what the kernel routed in, and what Warden wrote back), with every checksum verified by an
// independent sum over the whole packet; the table's lifecycle with an injected clock; and the
// defensive parser on truncated, fragmented and malformed input.
#include "capture/packet/reflector.hpp"

#include "capture/packet/checksum.hpp"
#include "recorded_packets.hpp"

#include <gtest/gtest.h>

#include <string>

namespace warden::capture::packet {
namespace {

using namespace std::chrono_literals;
using namespace test;

TEST(Reflector, RewritesRecordedPacketsExactlyAsWardenDidOnARealTun) {
  const auto packets = recorded();
  ASSERT_EQ(packets.size(), 50u);
  ReflectionTable table;
  Reflector r(ReflectorSettings{}, table);
  const auto now = Clock::now();
  PacketBytes reply;
  for (std::size_t i = 0; i + 1 < packets.size(); i += 2) {
    SCOPED_TRACE("packet " + std::to_string(i));
    ASSERT_TRUE(checksums_valid(packets[i]));
    PacketBytes p(packets[i].begin(), packets[i].end());
    const Verdict v = r.process(p, {}, now, reply);
    const PacketBytes& out = v == Verdict::Reply ? reply : p;
    EXPECT_TRUE(v == Verdict::Reflect || v == Verdict::Reply);
    EXPECT_EQ(Bytes(out.begin(), out.end()), packets[i + 1]);
    EXPECT_TRUE(checksums_valid(Bytes(out.begin(), out.end())));
  }
  EXPECT_EQ(r.stats().reflected, 24u);
  EXPECT_EQ(r.stats().refused_quic, 1u);
  // The accepted connections' original destinations, as a worker asks for them.
  const FlowKey v4{*base::parse_ip("100.127.83.1"), *base::parse_ip("198.19.5.5"), 45940};
  EXPECT_EQ(table.original_port(v4), 80);
}

TEST(Reflector, AnInvalidChecksumIsRecomputedInFull) {
  auto packets = recorded();
  for (std::size_t i : {0u, 24u}) {  // the v4 and v6 SYNs
    ReflectionTable table;
    Reflector r(ReflectorSettings{}, table);
    PacketBytes p(packets[i].begin(), packets[i].end());
    const std::size_t ip = (p[0] >> 4) == 6 ? 40 : 20;
    p[ip + 16] ^= 0x5a;  // as WinDivert may hand it: the NIC was to fill it
    PacketBytes reply;
    ASSERT_EQ(r.process(p, {true, false}, Clock::now(), reply), Verdict::Reflect);
    EXPECT_EQ(Bytes(p.begin(), p.end()), packets[i + 1]) << i;
  }
}

TEST(Reflector, SynsHaveTheirMssClampedToTheMtu) {
  const auto packets = recorded();
  ReflectionTable table;
  ReflectorSettings s;
  s.mtu = 1400;
  Reflector r(s, table);
  for (std::size_t i : {0u, 2u, 24u, 26u}) {  // SYN and SYN-ACK, v4 and v6
    PacketBytes p(packets[i].begin(), packets[i].end());
    PacketBytes reply;
    ASSERT_EQ(r.process(p, {}, Clock::now(), reply), Verdict::Reflect) << i;
    const Bytes out(p.begin(), p.end());
    EXPECT_TRUE(checksums_valid(out)) << i;
    const std::size_t mss_at = ((out[0] >> 4) == 6 ? 40 : 20) + 22;  // the first option
    EXPECT_EQ(load16(out.data() + mss_at), (out[0] >> 4) == 6 ? 1340 : 1360) << i;
  }
}

TEST(ReflectionTable, ACollisionIsRefusedWithAReset) {
  const auto packets = recorded();
  ReflectionTable table;
  Reflector r(ReflectorSettings{}, table);
  PacketBytes reply;
  const auto now = Clock::now();
  const Bytes first = syn_from(packets[0], 40000, 80);
  PacketBytes p(first.begin(), first.end());
  ASSERT_EQ(r.process(p, {true, false}, now, reply), Verdict::Reflect);
  // The same client port to the same server, another port: the reflected 4-tuple would clash.
  const Bytes second = syn_from(packets[0], 40000, 8080);
  p.assign(second.begin(), second.end());
  ASSERT_EQ(r.process(p, {true, false}, now, reply), Verdict::Reply);
  EXPECT_EQ(r.stats().collisions, 1u);
  const IpPacket rst = parse_ip_packet(reply);
  ASSERT_EQ(rst.kind, PacketKind::Tcp);
  EXPECT_EQ(rst.tcp_flags, kRst | kAck);
  EXPECT_EQ(rst.source_port, 8080);
  EXPECT_EQ(rst.destination_port, 40000);
  EXPECT_EQ(rst.acknowledgment, load32(second.data() + 24) + 1);
  EXPECT_TRUE(checksums_valid(Bytes(reply.begin(), reply.end())));
  // A retransmitted SYN of the first is not a collision.
  p.assign(first.begin(), first.end());
  EXPECT_EQ(r.process(p, {true, false}, now, reply), Verdict::Reflect);
}

TEST(ReflectionTable, EntriesEndAfterFinsOrResetPlusLingerAndAfterIdle) {
  ReflectionTable table({16, 60s, 3600s});
  const FlowKey a{*base::parse_ip("10.0.0.1"), *base::parse_ip("192.0.2.1"), 1000};
  const FlowKey b{*base::parse_ip("10.0.0.1"), *base::parse_ip("192.0.2.1"), 1001};
  const FlowKey c{*base::parse_ip("10.0.0.1"), *base::parse_ip("192.0.2.1"), 1002};
  const auto t0 = Clock::time_point{} + 1000h;
  EXPECT_EQ(table.on_syn(a, 80, t0), SynOutcome::Created);
  EXPECT_EQ(table.on_syn(b, 80, t0), SynOutcome::Created);
  EXPECT_EQ(table.on_syn(c, 80, t0), SynOutcome::Created);
  (void)table.on_packet(a, kFin | kAck, true, t0 + 1s);  // both FINs
  (void)table.on_packet(a, kFin | kAck, false, t0 + 2s);
  (void)table.on_packet(b, kRst, false, t0 + 2s);  // a reset
  EXPECT_EQ(table.expire(t0 + 61s), 0u);           // lingering (TIME_WAIT)
  EXPECT_EQ(table.original_port(a), 80);
  EXPECT_EQ(table.expire(t0 + 62s), 2u);
  EXPECT_FALSE(table.original_port(a));
  EXPECT_FALSE(table.on_packet(b, kAck, true, t0 + 63s));
  EXPECT_EQ(table.original_port(c), 80);  // idle, not yet long enough
  (void)table.on_packet(c, kAck, true, t0 + 1800s);
  EXPECT_EQ(table.expire(t0 + 1800s + 3599s), 0u);
  EXPECT_EQ(table.expire(t0 + 1800s + 3600s), 1u);
  EXPECT_EQ(table.size(), 0u);
  // A finished entry's key may start a new connection to another port.
  EXPECT_EQ(table.on_syn(a, 80, t0), SynOutcome::Created);
  (void)table.on_packet(a, kRst, true, t0);
  EXPECT_EQ(table.on_syn(a, 443, t0 + 1s), SynOutcome::Repeated);
  EXPECT_EQ(table.original_port(a), 443);
}

TEST(ReflectionTable, AFullTableRefusesNewSyns) {
  const auto packets = recorded();
  ReflectionTable table({2, 60s, 3600s});
  Reflector r(ReflectorSettings{}, table);
  PacketBytes reply;
  for (const std::uint16_t port :
       {std::uint16_t{40001}, std::uint16_t{40002}, std::uint16_t{40003}}) {
    const Bytes syn = syn_from(packets[0], port, 80);
    PacketBytes p(syn.begin(), syn.end());
    const Verdict v = r.process(p, {true, false}, Clock::now(), reply);
    EXPECT_EQ(v, port == 40003 ? Verdict::Reply : Verdict::Reflect) << port;
  }
  EXPECT_EQ(r.stats().table_full, 1u);
  EXPECT_EQ(table.size(), 2u);
}

TEST(Reflector, PacketsOfNoConnectionAreResetOrDropped) {
  const auto packets = recorded();
  ReflectionTable table;
  Reflector r(ReflectorSettings{}, table);
  PacketBytes reply;
  // A client's ACK of a connection that began before capture: reset, so it fails at once.
  PacketBytes p(packets[4].begin(), packets[4].end());
  ASSERT_EQ(r.process(p, {}, Clock::now(), reply), Verdict::Reply);
  const IpPacket rst = parse_ip_packet(reply);
  EXPECT_EQ(rst.tcp_flags, kRst);
  EXPECT_EQ(rst.sequence, parse_ip_packet(packets[4]).acknowledgment);
  EXPECT_TRUE(checksums_valid(Bytes(reply.begin(), reply.end())));
  // The listener's SYN-ACK for no connection: dropped (Warden's own socket times out).
  p.assign(packets[2].begin(), packets[2].end());
  EXPECT_EQ(r.process(p, {}, Clock::now(), reply), Verdict::Drop);
  EXPECT_EQ(r.stats().no_flow, 2u);
}

TEST(Reflector, TruncatedMalformedAndFragmentedTcpIsDroppedAndCounted) {
  const auto packets = recorded();
  ReflectionTable table;
  Reflector r(ReflectorSettings{}, table);
  PacketBytes reply;
  // Every truncation of a recorded SYN (v4 and v6) is dropped, never read past its end.
  for (std::size_t i : {0u, 24u}) {
    for (std::size_t n = 0; n < packets[i].size(); ++n) {
      PacketBytes p(packets[i].begin(), packets[i].begin() + static_cast<std::ptrdiff_t>(n));
      EXPECT_EQ(r.process(p, {}, Clock::now(), reply), Verdict::Drop) << i << " cut at " << n;
    }
  }
  Bytes bad = packets[0];
  bad[0] = 0x44;  // IHL 4: shorter than a header
  PacketBytes p(bad.begin(), bad.end());
  EXPECT_EQ(r.process(p, {}, Clock::now(), reply), Verdict::Drop);
  bad = packets[0];
  bad[32] = 0x30;  // TCP data offset 3
  p.assign(bad.begin(), bad.end());
  EXPECT_EQ(r.process(p, {}, Clock::now(), reply), Verdict::Drop);
  bad = packets[0];
  store16(bad.data() + 6, 0x2000);  // more fragments
  p.assign(bad.begin(), bad.end());
  EXPECT_EQ(r.process(p, {}, Clock::now(), reply), Verdict::Drop);
  EXPECT_EQ(r.stats().fragments, 1u);
  EXPECT_EQ(r.stats().reflected, 0u);
}

TEST(IpPacket, WalksIpv6ExtensionHeadersAndStopsAtFragments) {
  const auto packets = recorded();
  Bytes v6 = packets[24];  // a v6 SYN; insert a hop-by-hop header of 8 bytes
  Bytes with(v6.begin(), v6.begin() + 40);
  with[6] = 0;                                        // next header: hop-by-hop
  with.insert(with.end(), {6, 0, 1, 4, 0, 0, 0, 0});  // -> TCP, PadN
  with.insert(with.end(), v6.begin() + 40, v6.end());
  store16(with.data() + 4, static_cast<std::uint16_t>(with.size() - 40));
  const IpPacket p = parse_ip_packet(with);
  ASSERT_EQ(p.kind, PacketKind::Tcp);
  EXPECT_EQ(p.l4_offset, 48u);
  EXPECT_EQ(p.destination_port, 80);
  with[40] = 44;  // then a fragment header
  with.insert(with.begin() + 48, {6, 0, 0, 1, 0, 0, 0, 1});
  store16(with.data() + 4, static_cast<std::uint16_t>(with.size() - 40));
  EXPECT_EQ(parse_ip_packet(with).kind, PacketKind::Fragment);
  with[41] = 200;  // an extension header longer than the packet
  EXPECT_EQ(parse_ip_packet(with).kind, PacketKind::Malformed);
}

TEST(Reflector, QuicAndDnsOverTlsAreRefusedOtherUdpPasses) {
  const auto packets = recorded();
  ReflectionTable table;
  ReflectorSettings s;
  Reflector r(s, table);
  PacketBytes reply;
  Bytes udp = packets[48];  // UDP to 443
  PacketBytes p(udp.begin(), udp.end());
  ASSERT_EQ(r.process(p, {}, Clock::now(), reply), Verdict::Reply);
  const IpPacket icmp = parse_ip_packet(reply);
  EXPECT_EQ(icmp.protocol, kIcmp);
  EXPECT_EQ(reply[20], 3);  // destination unreachable
  EXPECT_EQ(reply[21], 3);  // port
  store16(udp.data() + 22, 53);
  recompute_checksums(std::span(udp), parse_ip_packet(udp));
  p.assign(udp.begin(), udp.end());
  EXPECT_EQ(r.process(p, {}, Clock::now(), reply), Verdict::Pass);
  // block-all: every UDP port but the allowed ones.
  s.refuse_udp = true;
  Reflector strict(s, table);
  store16(udp.data() + 22, 8443);
  recompute_checksums(std::span(udp), parse_ip_packet(udp));
  p.assign(udp.begin(), udp.end());
  EXPECT_EQ(strict.process(p, {}, Clock::now(), reply), Verdict::Reply);
  // DNS over TLS on TCP: a reset.
  const Bytes dot = syn_from(packets[0], 40100, 853);
  p.assign(dot.begin(), dot.end());
  ASSERT_EQ(r.process(p, {true, false}, Clock::now(), reply), Verdict::Reply);
  EXPECT_EQ(parse_ip_packet(reply).tcp_flags, kRst | kAck);
  EXPECT_EQ(r.stats().refused_dot, 1u);
}

TEST(Reflector, PortsOutsideAListPassUntouched) {
  const auto packets = recorded();
  ReflectionTable table;
  ReflectorSettings s;
  s.all_ports = false;
  s.ports = {443};
  Reflector r(s, table);
  PacketBytes p(packets[0].begin(), packets[0].end());
  PacketBytes reply;
  EXPECT_EQ(r.process(p, {}, Clock::now(), reply), Verdict::Pass);
  EXPECT_EQ(Bytes(p.begin(), p.end()), packets[0]);
}

}  // namespace
}  // namespace warden::capture::packet
