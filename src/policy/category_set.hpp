#pragma once
// A set of category ids (0..255): which lists matched a host or URL.

#include <array>
#include <bit>
#include <cstdint>

namespace warden::policy {

using CategoryId = std::uint8_t;
inline constexpr std::size_t kMaxCategories = 256;

class CategorySet {
 public:
  void add(CategoryId c) { bits_[c >> 6] |= std::uint64_t{1} << (c & 63); }
  [[nodiscard]] bool has(CategoryId c) const { return (bits_[c >> 6] >> (c & 63)) & 1; }
  [[nodiscard]] bool empty() const { return (bits_[0] | bits_[1] | bits_[2] | bits_[3]) == 0; }
  CategorySet& operator|=(const CategorySet& o) {
    for (std::size_t i = 0; i < bits_.size(); ++i) bits_[i] |= o.bits_[i];
    return *this;
  }
  bool operator==(const CategorySet&) const = default;
  // Calls fn(id) for each member, in increasing order.
  template <class Fn>
  void for_each(Fn&& fn) const {
    for (std::size_t w = 0; w < bits_.size(); ++w)
      for (std::uint64_t b = bits_[w]; b != 0; b &= b - 1)
        fn(static_cast<CategoryId>(w * 64 + static_cast<std::size_t>(std::countr_zero(b))));
  }

 private:
  std::array<std::uint64_t, 4> bits_{};
};

}  // namespace warden::policy
