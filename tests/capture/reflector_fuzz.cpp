// libFuzzer target: the packet path's parser and rewrite over hostile packets. Invariants: no
// crash or read past the input (ASan); a reflected packet keeps its length and parses again as
// TCP with valid structure; replies parse; the table never exceeds its capacity.
#include "base/assert.hpp"
#include "capture/packet/reflector.hpp"

#include <cstdint>

using namespace warden::capture::packet;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static ReflectionTable table({64, std::chrono::seconds(60), std::chrono::seconds(3600)});
  ReflectorSettings settings;
  settings.mtu = 1280 + (size % 300);
  Reflector r(settings, table);
  PacketBytes packet(data, data + size);
  PacketBytes reply;
  const bool valid = size > 0 && (data[0] & 1) != 0;
  const Verdict v = r.process(packet, {valid, valid}, Clock::now(), reply);
  WARDEN_CHECK(packet.size() == size);
  if (v == Verdict::Reflect) WARDEN_CHECK(parse_ip_packet(packet).kind == PacketKind::Tcp);
  if (v == Verdict::Reply) WARDEN_CHECK(parse_ip_packet(reply).kind != PacketKind::Malformed);
  WARDEN_CHECK(table.size() <= 64);
  return 0;
}
