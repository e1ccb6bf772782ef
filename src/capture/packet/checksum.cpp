#include "capture/packet/checksum.hpp"

namespace warden::capture::packet {

std::uint32_t sum_words(std::span<const std::uint8_t> bytes, std::uint32_t sum) {
  std::uint64_t acc = sum;
  std::size_t i = 0;
  for (; i + 1 < bytes.size(); i += 2) acc += load16(bytes.data() + i);
  if (i < bytes.size()) acc += static_cast<std::uint32_t>(bytes[i]) << 8;
  while ((acc >> 32) != 0) acc = (acc & 0xffffffff) + (acc >> 32);
  return static_cast<std::uint32_t>(acc);
}

std::uint16_t finish(std::uint32_t sum) {
  while ((sum >> 16) != 0) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

std::uint16_t update(std::uint16_t checksum, std::uint16_t old, std::uint16_t now) {
  std::uint32_t sum = static_cast<std::uint16_t>(~checksum);
  sum += static_cast<std::uint16_t>(~old);
  sum += now;
  return finish(sum);
}

}  // namespace warden::capture::packet
