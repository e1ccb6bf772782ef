#include "policy/domain_set.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <map>

namespace warden::policy {
namespace {

constexpr std::uint64_t kPrime = 0x100000001b3ULL;  // FNV prime, as a polynomial base

std::uint64_t mix(std::uint64_t h) {  // splitmix64 finaliser: spreads the polynomial hash
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  h ^= h >> 31;
  return h | 1;  // never 0: 0 marks an empty slot
}

}  // namespace

std::uint64_t DomainSet::hash(std::string_view s) {
  std::uint64_t h = 0;
  std::uint64_t power = 1;
  for (std::size_t i = s.size(); i-- > 0;) {
    h += static_cast<unsigned char>(s[i]) * power;
    power *= kPrime;
  }
  return mix(h);
}

void DomainSet::Builder::add(std::string_view domain, CategoryId category) {
  if (domain.empty() || domain.size() > 0xffff) return;
  pending_.push_back({hash(domain), static_cast<std::uint32_t>(arena_.size()),
                      static_cast<std::uint16_t>(domain.size()), category});
  arena_.append(domain);
}

DomainSet DomainSet::Builder::build() {
  DomainSet set;
  // Group equal names (same hash and bytes) so each name gets one slot with all its categories.
  std::sort(pending_.begin(), pending_.end(), [&](const Pending& a, const Pending& b) {
    if (a.hash != b.hash) return a.hash < b.hash;
    return std::string_view(arena_).substr(a.offset, a.length) <
           std::string_view(arena_).substr(b.offset, b.length);
  });
  std::size_t unique = 0;
  for (std::size_t i = 0; i < pending_.size(); ++i)
    if (i == 0 || pending_[i].hash != pending_[i - 1].hash ||
        std::string_view(arena_).substr(pending_[i].offset, pending_[i].length) !=
            std::string_view(arena_).substr(pending_[i - 1].offset, pending_[i - 1].length))
      ++unique;
  const std::size_t capacity = std::bit_ceil(std::max<std::size_t>(16, unique + unique / 3 + 1));
  set.slots_.assign(capacity, Slot{});
  std::map<std::vector<std::uint64_t>, std::uint16_t> set_ids;  // few distinct sets
  auto set_id = [&](const CategorySet& cs) {
    std::vector<std::uint64_t> key(4);
    std::memcpy(key.data(), &cs, sizeof cs);
    auto [it, inserted] = set_ids.emplace(key, static_cast<std::uint16_t>(set.sets_.size()));
    if (inserted) set.sets_.push_back(cs);
    return it->second;
  };
  // The arena is rebuilt with each unique name once.
  std::string arena;
  arena.reserve(arena_.size());
  for (std::size_t i = 0; i < pending_.size();) {
    const Pending& first = pending_[i];
    const std::string_view name = std::string_view(arena_).substr(first.offset, first.length);
    CategorySet cats;
    std::size_t j = i;
    for (; j < pending_.size() && pending_[j].hash == first.hash &&
           std::string_view(arena_).substr(pending_[j].offset, pending_[j].length) == name;
         ++j)
      cats.add(pending_[j].category);
    Slot slot{first.hash, static_cast<std::uint32_t>(arena.size()), first.length, set_id(cats)};
    arena.append(name);
    for (std::size_t k = first.hash & (capacity - 1);; k = (k + 1) & (capacity - 1)) {
      if (set.slots_[k].hash == 0) {
        set.slots_[k] = slot;
        break;
      }
    }
    ++set.count_;
    i = j;
  }
  set.arena_ = std::move(arena);
  set.arena_.shrink_to_fit();
  arena_.clear();
  pending_.clear();
  return set;
}

const DomainSet::Slot* DomainSet::find(std::uint64_t h, std::string_view name) const {
  if (slots_.empty()) return nullptr;
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t k = h & mask;; k = (k + 1) & mask) {
    const Slot& s = slots_[k];
    if (s.hash == 0) return nullptr;
    if (s.hash == h && s.length == name.size() &&
        std::memcmp(arena_.data() + s.offset, name.data(), name.size()) == 0)
      return &s;
  }
}

CategorySet DomainSet::match(std::string_view host) const {
  CategorySet out;
  if (slots_.empty()) return out;
  std::uint64_t h = 0;
  std::uint64_t power = 1;
  for (std::size_t i = host.size(); i-- > 0;) {
    h += static_cast<unsigned char>(host[i]) * power;
    power *= kPrime;
    if (i == 0 || host[i - 1] == '.') {
      if (const Slot* s = find(mix(h), host.substr(i))) out |= sets_[s->set];
    }
  }
  return out;
}

std::string_view DomainSet::longest_match(std::string_view host) const {
  std::string_view best;
  if (slots_.empty()) return best;
  std::uint64_t h = 0;
  std::uint64_t power = 1;
  for (std::size_t i = host.size(); i-- > 0;) {
    h += static_cast<unsigned char>(host[i]) * power;
    power *= kPrime;
    if ((i == 0 || host[i - 1] == '.') && find(mix(h), host.substr(i)) != nullptr)
      best = host.substr(i);
  }
  return best;
}

std::size_t DomainSet::memory_bytes() const {
  return arena_.capacity() + slots_.capacity() * sizeof(Slot) +
         sets_.capacity() * sizeof(CategorySet);
}

}  // namespace warden::policy
