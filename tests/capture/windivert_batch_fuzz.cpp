// libFuzzer target: what the Windows packet path reads from WinDivertRecvEx, on any platform.
// Input: a count byte, that many 80-byte WINDIVERT_ADDRESS records, then the packet buffer.
// Invariants: split_batch never returns more than asked, and each packet lies inside the buffer
// with the length its own IP header gives; every packet goes through the reflector as the
// Windows loop sends it, and the address it is sent with says inbound exactly when it was
// reflected, on the interface it came from.
#include "base/assert.hpp"
#include "capture/packet/ip_packet.hpp"
#include "capture/packet/windivert_format.hpp"

#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

using namespace warden::capture::packet;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::size_t count = data[0] % 8;
  std::size_t offset = 1;
  std::vector<WinDivertAddress> addresses(count);
  for (auto& a : addresses) {
    if (size - offset < sizeof a) return 0;
    std::memcpy(&a, data + offset, sizeof a);
    offset += sizeof a;
  }
  const std::span<const std::uint8_t> buffer(data + offset, size - offset);
  const auto packets = split_batch(buffer, count);
  WARDEN_CHECK(packets.size() <= count);

  static ReflectionTable table({64, std::chrono::seconds(60), std::chrono::seconds(3600)});
  Reflector reflector(ReflectorSettings{}, table);
  PacketBytes reply;
  const std::uint8_t* at = buffer.data();
  for (std::size_t i = 0; i < packets.size(); ++i) {
    WARDEN_CHECK(packets[i].data() == at && packets[i].size() <= buffer.size());
    at += packets[i].size();
    Packet p;
    p.bytes.assign(packets[i].begin(), packets[i].end());
    from_windivert(addresses[i], p);
    const Verdict v = reflector.process(p.bytes, p.checksums, Clock::now(), reply);
    if (v == Verdict::Reply) p.bytes.swap(reply);
    p.inbound = v == Verdict::Reflect || v == Verdict::Reply;
    const WinDivertAddress sent = to_windivert(p);
    WARDEN_CHECK(sent.has(WinDivertAddress::kOutbound) == !p.inbound);
    WARDEN_CHECK(sent.if_idx == addresses[i].if_idx);
  }
  WARDEN_CHECK(table.size() <= 64);
  return 0;
}
