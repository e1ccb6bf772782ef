#pragma once
// The packet path's test data: 50 packets recorded on a real TUN (packets/tun_http_v4_v6.hex;
// in pairs: what the kernel routed in, then what Warden wrote back), and an independent
// checksum check. Shared by the reflector's and the WinDivert backend's tests.

#include "capture/packet/checksum.hpp"

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

namespace warden::capture::packet::test {

using Bytes = std::vector<std::uint8_t>;

inline std::vector<Bytes> recorded() {
  std::ifstream in(std::string(WARDEN_SOURCE_DIR) + "/tests/capture/packets/tun_http_v4_v6.hex");
  std::vector<Bytes> out;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    Bytes b;
    for (std::size_t i = 0; i + 1 < line.size(); i += 2)
      b.push_back(static_cast<std::uint8_t>(std::stoi(line.substr(i, 2), nullptr, 16)));
    out.push_back(std::move(b));
  }
  return out;
}

// An independent check: the one's-complement sum over the pseudo-header and the whole
// transport segment (checksum field included) is 0xffff, and so is the IPv4 header's.
inline std::uint32_t fold(std::uint64_t s) {
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return static_cast<std::uint32_t>(s);
}
inline std::uint64_t add(const std::uint8_t* p, std::size_t n) {
  std::uint64_t s = 0;
  for (std::size_t i = 0; i < n; ++i) s += (i % 2 == 0) ? (std::uint64_t{p[i]} << 8) : p[i];
  return s;
}
inline bool checksums_valid(const Bytes& b) {
  const bool v6 = (b[0] >> 4) == 6;
  const std::size_t ip = v6 ? 40 : static_cast<std::size_t>(b[0] & 15) * 4;
  const std::size_t total = v6 ? 40u + load16(b.data() + 4) : load16(b.data() + 2);
  const std::uint8_t proto = v6 ? b[6] : b[9];
  if (!v6 && fold(add(b.data(), ip)) != 0xffff) return false;
  std::uint64_t s = add(b.data() + ip, total - ip);
  if (proto != 1) {  // ICMPv4 has no pseudo-header
    s += v6 ? add(b.data() + 8, 32) : add(b.data() + 12, 8);
    s += proto + (total - ip);
  }
  return fold(s) == 0xffff;
}

inline Bytes syn_from(const Bytes& recorded_syn, std::uint16_t client_port,
                      std::uint16_t server_port) {
  Bytes b = recorded_syn;
  store16(b.data() + 20, client_port);
  store16(b.data() + 22, server_port);
  return b;
}

}  // namespace warden::capture::packet::test
