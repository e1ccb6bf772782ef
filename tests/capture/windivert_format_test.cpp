// The WinDivert backend's packet handling, which Wine cannot run (no driver): the packets
// recorded on a real TUN, packed into one buffer as WinDivertRecvEx hands a batch over, with
// address records as WinDivert writes them (outbound, an interface, checksums a NIC was to
// fill), split, reflected by the same core as the TUN's, and given the records they are sent
// with; Warden's own connections passed; the filter the driver is opened with.
#include "capture/packet/windivert_format.hpp"

#include "capture/packet/reflector.hpp"
#include "recorded_packets.hpp"

#include <gtest/gtest.h>

#include <cstddef>

namespace warden::capture::packet {
namespace {

using namespace std::chrono_literals;
using namespace test;
using A = WinDivertAddress;

TEST(WinDivertAddress, HasTheDocumentedLayout) {
  EXPECT_EQ(offsetof(WinDivertAddress, bits), 8u);
  EXPECT_EQ(offsetof(WinDivertAddress, if_idx), 16u);
  EXPECT_EQ(offsetof(WinDivertAddress, sub_if_idx), 20u);
  // Layer:8 Event:8 Sniffed Outbound Loopback Impostor IPv6 IPChecksum TCPChecksum UDPChecksum
  EXPECT_EQ(A::kOutbound, 0x20000u);
  EXPECT_EQ(A::kUDPChecksum, 0x800000u);
}

TEST(WinDivertBatch, RecordedPacketsWithOffloadedChecksumsAreReflectedAsOnTheTun) {
  const auto packets = recorded();
  // A batch as the driver fills it: the captured packets back to back. Every third TCP segment
  // as a NIC with checksum offload leaves it: the field not yet filled, the flag clear. (Not
  // the UDP datagram: the ICMP refusal quotes it as it came.)
  std::vector<std::uint8_t> buffer;
  std::vector<A> addresses;
  for (std::size_t i = 0; i + 1 < packets.size(); i += 2) {
    Bytes p = packets[i];
    A a;
    a.bits = A::kOutbound | A::kIPChecksum | A::kTCPChecksum | A::kUDPChecksum;
    if ((p[0] >> 4) == 6) a.bits = (a.bits & ~A::kIPChecksum) | A::kIPv6;
    a.if_idx = 7;
    a.sub_if_idx = 3;
    const bool v6 = (p[0] >> 4) == 6;
    if (i % 3 == 0 && p[v6 ? 6 : 9] == kTcp) {
      const std::size_t field = (v6 ? 40 : 20) + 16;
      p[field] = p[field + 1] = 0;
      a.bits &= ~(A::kTCPChecksum | A::kUDPChecksum);
    }
    buffer.insert(buffer.end(), p.begin(), p.end());
    addresses.push_back(a);
  }
  const auto split = split_batch(buffer, addresses.size());
  ASSERT_EQ(split.size(), addresses.size());

  ReflectionTable table;
  Reflector r(ReflectorSettings{}, table);
  PacketBytes reply;
  for (std::size_t k = 0; k < split.size(); ++k) {
    SCOPED_TRACE("packet " + std::to_string(2 * k));
    Packet p;
    p.bytes.assign(split[k].begin(), split[k].end());
    from_windivert(addresses[k], p);
    EXPECT_EQ(p.checksums.transport_valid, addresses[k].has(A::kTCPChecksum));
    const Verdict v = r.process(p.bytes, p.checksums, Clock::now(), reply);
    ASSERT_TRUE(v == Verdict::Reflect || v == Verdict::Reply);
    if (v == Verdict::Reply) p.bytes.swap(reply);
    p.inbound = true;
    EXPECT_EQ(Bytes(p.bytes.begin(), p.bytes.end()), packets[2 * k + 1]);
    EXPECT_TRUE(checksums_valid(Bytes(p.bytes.begin(), p.bytes.end())));
    // Injected inbound on the interface it came from, its checksums complete.
    const A sent = to_windivert(p);
    EXPECT_FALSE(sent.has(A::kOutbound));
    EXPECT_EQ(sent.if_idx, 7u);
    EXPECT_EQ(sent.sub_if_idx, 3u);
    EXPECT_TRUE(sent.has(A::kIPChecksum) && sent.has(A::kTCPChecksum));
  }
}

TEST(WinDivertBatch, SplittingStopsAtATruncatedOrUnreadablePacket) {
  const auto packets = recorded();
  std::vector<std::uint8_t> buffer(packets[0].begin(), packets[0].end());
  buffer.insert(buffer.end(), packets[24].begin(), packets[24].end());  // IPv6
  EXPECT_EQ(split_batch(buffer, 10).size(), 2u);
  EXPECT_EQ(split_batch(buffer, 1).size(), 1u);
  auto truncated = buffer;
  truncated.pop_back();
  EXPECT_EQ(split_batch(truncated, 10).size(), 1u);
  auto garbage = buffer;
  garbage[packets[0].size()] = 0x00;  // version 0
  EXPECT_EQ(split_batch(garbage, 10).size(), 1u);
  std::vector<std::uint8_t> short_header{0x45, 0, 0, 10};
  EXPECT_TRUE(split_batch(short_header, 10).empty());
}

TEST(WinDivertBatch, APassedPacketGoesOnOutboundAsItCame) {
  Packet p;
  A received;
  received.bits = A::kOutbound | A::kImpostor | A::kIPChecksum;  // TCP checksum to be filled
  received.if_idx = 4;
  from_windivert(received, p);
  p.inbound = false;
  const A sent = to_windivert(p);
  EXPECT_TRUE(sent.has(A::kOutbound));
  EXPECT_TRUE(sent.has(A::kImpostor));
  EXPECT_TRUE(sent.has(A::kIPChecksum));
  EXPECT_FALSE(sent.has(A::kTCPChecksum));  // still the NIC's to fill
  EXPECT_EQ(sent.if_idx, 4u);
}

TEST(OwnConnections, WardensOwnClaimedPortsPassAndPupilsAreStillReflected) {
  const auto packets = recorded();
  base::PortClaims claims;
  ReflectionTable table;
  ReflectorSettings settings;
  settings.own_ports = &claims;
  Reflector r(settings, table);
  PacketBytes reply;
  const auto t0 = Clock::now();
  // Warden's upstream socket bound port 40000 and claimed it before connect().
  claims.claim(40000);
  const Bytes own_syn = syn_from(packets[0], 40000, 443);
  PacketBytes p(own_syn.begin(), own_syn.end());
  EXPECT_EQ(r.process(p, {}, t0, reply), Verdict::Pass);
  EXPECT_EQ(Bytes(p.begin(), p.end()), own_syn);  // untouched
  claims.release(40000);                          // connect() has finished
  // The rest of that connection passes on the table's word, until Warden's FIN plus linger.
  Bytes ack = packets[4];
  store16(ack.data() + 20, 40000);
  store16(ack.data() + 22, 443);
  p.assign(ack.begin(), ack.end());
  EXPECT_EQ(r.process(p, {true, false}, t0 + 1s, reply), Verdict::Pass);
  Bytes fin = ack;
  fin[33] = kFin | kAck;
  p.assign(fin.begin(), fin.end());
  EXPECT_EQ(r.process(p, {true, false}, t0 + 2s, reply), Verdict::Pass);
  EXPECT_EQ(r.stats().own, 3u);
  EXPECT_EQ(table.expire(t0 + 63s), 1u);
  // A pupil's connection from an unclaimed port is reflected as ever, and a stale packet from
  // the released port is reset, never passed.
  const Bytes pupil = syn_from(packets[0], 40001, 443);
  p.assign(pupil.begin(), pupil.end());
  EXPECT_EQ(r.process(p, {true, false}, t0 + 64s, reply), Verdict::Reflect);
  p.assign(ack.begin(), ack.end());
  EXPECT_EQ(r.process(p, {true, false}, t0 + 64s, reply), Verdict::Reply);
  const Bytes late_syn = syn_from(packets[0], 40000, 443);
  p.assign(late_syn.begin(), late_syn.end());
  EXPECT_EQ(r.process(p, {true, false}, t0 + 65s, reply), Verdict::Reflect);
}

TEST(PortClaims, ClaimAndReleaseEachPortAlone) {
  base::PortClaims c;
  c.claim(0);
  c.claim(63);
  c.claim(64);
  c.claim(65535);
  EXPECT_TRUE(c.claimed(63) && c.claimed(64) && c.claimed(65535) && c.claimed(0));
  EXPECT_FALSE(c.claimed(62) || c.claimed(65) || c.claimed(65534));
  c.release(64);
  EXPECT_FALSE(c.claimed(64));
  EXPECT_TRUE(c.claimed(63));
}

TEST(WinDivertFilter, TakesOutboundTcpAndTheListenerAndRefusedUdpNeverLoopbackOrMulticast) {
  ReflectorSettings s;
  s.listener_port = 3133;
  EXPECT_EQ(windivert_filter(s, {}),
            "outbound and !loopback and (tcp.SrcPort == 3133 or (tcp and (true))"
            " or (tcp and tcp.DstPort == 853)"
            " or (udp and (udp.DstPort == 443 or udp.DstPort == 853) and"
            " ((ip and ip.DstAddr < 224.0.0.0) or (ipv6 and ipv6.DstAddr < ff00::))))");
}

TEST(WinDivertFilter, ListedPortsExemptDestinationsAndEveryUdpPortRefused) {
  ReflectorSettings s;
  s.listener_port = 3133;
  s.all_ports = false;
  s.ports = {80, 443};
  s.refuse_dot = false;
  s.refuse_udp = true;
  s.udp_allow = {53, 123};
  const std::vector<std::string> exempt_list{"10.20.0.0/16", "192.0.2.7:25", "[2001:db8::/32]:443"};
  const std::string exempt =
      " and !(ip and ip.DstAddr >= 10.20.0.0 and ip.DstAddr <= 10.20.255.255)"
      " and !(ip and ip.DstAddr >= 192.0.2.7 and ip.DstAddr <= 192.0.2.7 and tcp.DstPort == 25)"
      " and !(ipv6 and ipv6.DstAddr >= 2001:db8:: and ipv6.DstAddr <= "
      "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff and tcp.DstPort == 443)";
  EXPECT_EQ(windivert_filter(s, exempt_list),
            "outbound and !loopback and (tcp.SrcPort == 3133 or (tcp and (tcp.DstPort == 80 or "
            "tcp.DstPort == 443)" +
                exempt +
                ") or (udp and (udp.DstPort != 53 and udp.DstPort != 123) and"
                " ((ip and ip.DstAddr < 224.0.0.0) or (ipv6 and ipv6.DstAddr < ff00::))" +
                exempt + "))");
}

TEST(WinDivertOpen, EachDocumentedErrorIsNamedInWords) {
  EXPECT_NE(windivert_open_error(5).find("administrator"), std::string::npos);
  EXPECT_NE(windivert_open_error(577).find("signature"), std::string::npos);
  EXPECT_NE(windivert_open_error(1275).find("blocked"), std::string::npos);
  EXPECT_NE(windivert_open_error(1753).find("Base Filtering Engine"), std::string::npos);
  EXPECT_NE(windivert_open_error(87).find("filter"), std::string::npos);
  EXPECT_NE(windivert_open_error(654).find("incompatible"), std::string::npos);
  EXPECT_EQ(windivert_open_error(31), "WinDivertOpen failed with Windows error 31");
}

}  // namespace
}  // namespace warden::capture::packet
