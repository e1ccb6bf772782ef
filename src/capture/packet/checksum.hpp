#pragma once
// The Internet checksum (RFC 1071) and its incremental update (RFC 1624), for the packet path's
// rewrites. Sums are kept as 32-bit accumulators and folded at the end.

#include <cstdint>
#include <span>

namespace warden::capture::packet {

// The one's-complement sum of `bytes` (big-endian 16-bit words; an odd last byte padded),
// added to `sum`, unfolded.
[[nodiscard]] std::uint32_t sum_words(std::span<const std::uint8_t> bytes, std::uint32_t sum = 0);
// Folds a sum to 16 bits and complements it: the value a checksum field holds.
[[nodiscard]] std::uint16_t finish(std::uint32_t sum);
// RFC 1624 eqn. 3: the checksum after one 16-bit word of the covered data changed from `old`
// to `now`: HC' = ~(~HC + ~m + m').
[[nodiscard]] std::uint16_t update(std::uint16_t checksum, std::uint16_t old, std::uint16_t now);

// Big-endian field access.
[[nodiscard]] inline std::uint16_t load16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}
[[nodiscard]] inline std::uint32_t load32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         p[3];
}
inline void store16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}
inline void store32(std::uint8_t* p, std::uint32_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 24);
  p[1] = static_cast<std::uint8_t>(v >> 16);
  p[2] = static_cast<std::uint8_t>(v >> 8);
  p[3] = static_cast<std::uint8_t>(v);
}

}  // namespace warden::capture::packet
