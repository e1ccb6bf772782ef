#pragma once
// Domain lists compiled into one immutable matcher. A listed domain covers its subdomains, so a
// lookup walks the host's suffixes at label boundaries from the left ("a.b.example.com",
// "b.example.com", "example.com", "com") — one hash computed right-to-left covers them all — and
// probes a flat open-addressing table for each. No allocation per lookup.
//
// Memory: all names in one byte arena (two bytes of header each) plus 16-byte slots at 0.6 load
// (misses, most of a lookup's probes, stay short), about 45 bytes per domain for UT1-like names.
// Building needs little more than the set itself (the names are read into the arena the set
// keeps; no sort, no second copy), so a reload peaks near twice one set, not more. Immutable after
// build(): safe to share between threads.

#include "policy/category_set.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace warden::policy {

class DomainSet {
 public:
  class Builder {
   public:
    // Room for `names` more names of `bytes` in all (a list file's lines and size), so the
    // arena is allocated once per list rather than doubled into a larger peak.
    void reserve(std::size_t names, std::size_t bytes);
    // `domain`: already normalised (policy/host.hpp), so at most 253 bytes; longer is ignored.
    void add(std::string_view domain, CategoryId category);
    [[nodiscard]] std::size_t size() const { return count_; }
    [[nodiscard]] DomainSet build();

   private:
    // Each name as [length][category][bytes]; the set keeps this arena as it is.
    std::string arena_;
    std::size_t count_ = 0;
  };

  DomainSet() = default;
  // The categories of every listed domain that equals `host` or is a parent of it.
  [[nodiscard]] CategorySet match(std::string_view host) const;
  // The most specific (longest) listed suffix of `host` in `category`, or "".
  [[nodiscard]] std::string_view longest_match(std::string_view host) const;
  [[nodiscard]] std::size_t size() const { return count_; }
  [[nodiscard]] std::size_t memory_bytes() const;

  // Suffix hashes use this: hash(s) = sum s[i] * P^(n-1-i), computed from the right.
  [[nodiscard]] static std::uint64_t hash(std::string_view s);

 private:
  struct Slot {
    std::uint64_t hash = 0;  // 0: empty
    std::uint32_t offset = 0;
    std::uint16_t length = 0;
    std::uint16_t set = 0;  // index into sets_
  };
  [[nodiscard]] const Slot* find(std::uint64_t h, std::string_view name) const;
  // Where a hash's probe starts: its high bits scaled to the table (any size, not only 2^n).
  [[nodiscard]] std::size_t home(std::uint64_t h) const;

  std::string arena_;
  std::vector<Slot> slots_;
  std::vector<CategorySet> sets_;
  std::size_t count_ = 0;
};

}  // namespace warden::policy
