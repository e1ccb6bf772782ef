#include "policy/domain_set.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <unordered_map>

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

void DomainSet::Builder::reserve(std::size_t names, std::size_t bytes) {
  const std::size_t needed = arena_.size() + bytes + 2 * names;
  if (needed > arena_.capacity()) arena_.reserve(std::max(needed, arena_.capacity() * 3 / 2));
}

void DomainSet::Builder::add(std::string_view domain, CategoryId category) {
  if (domain.empty() || domain.size() > 0xff) return;
  arena_.push_back(static_cast<char>(domain.size()));
  arena_.push_back(static_cast<char>(category));
  arena_.append(domain);
  ++count_;
}

namespace {

// The category sets names have are few (most names are in one category): each is stored once
// and names refer to it by index; what a set becomes with one more category is remembered.
class SetIds {
 public:
  explicit SetIds(std::vector<CategorySet>& sets) : sets_(sets) {}
  std::uint16_t only(CategoryId c) {
    CategorySet cs;
    cs.add(c);
    return id_of(cs);
  }
  std::uint16_t with(std::uint16_t set, CategoryId c) {
    if (sets_[set].has(c)) return set;
    const std::uint32_t key = (std::uint32_t{set} << 8) | c;
    if (auto it = grown_.find(key); it != grown_.end()) return it->second;
    CategorySet cs = sets_[set];
    cs.add(c);
    return grown_[key] = id_of(cs);
  }

 private:
  std::uint16_t id_of(const CategorySet& cs) {
    for (std::size_t i = 0; i < sets_.size(); ++i)
      if (sets_[i] == cs) return static_cast<std::uint16_t>(i);
    sets_.push_back(cs);
    return static_cast<std::uint16_t>(sets_.size() - 1);
  }
  std::vector<CategorySet>& sets_;
  std::unordered_map<std::uint32_t, std::uint16_t> grown_;
};

}  // namespace

DomainSet DomainSet::Builder::build() {
  DomainSet set;
  if (arena_.capacity() > arena_.size() + arena_.size() / 8) arena_.shrink_to_fit();
  set.slots_.assign(std::max<std::size_t>(16, count_ * 5 / 3 + 1), Slot{});  // load 0.6
  SetIds set_ids(set.sets_);
  const std::size_t capacity = set.slots_.size();
  for (std::size_t at = 0; at < arena_.size();) {
    const auto length = static_cast<std::uint8_t>(arena_[at]);
    const auto category = static_cast<CategoryId>(arena_[at + 1]);
    const std::size_t offset = at + 2;
    const std::string_view name(arena_.data() + offset, length);
    at = offset + length;
    const std::uint64_t h = hash(name);
    for (std::size_t k = set.home(h);; k = k + 1 == capacity ? 0 : k + 1) {
      Slot& slot = set.slots_[k];
      if (slot.hash == 0) {  // a new name
        slot = {h, static_cast<std::uint32_t>(offset), length, set_ids.only(category)};
        ++set.count_;
        break;
      }
      if (slot.hash == h && slot.length == length &&
          std::memcmp(arena_.data() + slot.offset, name.data(), length) == 0) {
        slot.set = set_ids.with(slot.set, category);  // listed again, maybe in another category
        break;
      }
    }
  }
  set.arena_ = std::move(arena_);
  arena_ = {};
  count_ = 0;
  return set;
}

std::size_t DomainSet::home(std::uint64_t h) const {
  __extension__ using Wide = unsigned __int128;  // GCC and Clang, MinGW's included
  return static_cast<std::size_t>((static_cast<Wide>(h) * slots_.size()) >> 64);
}

const DomainSet::Slot* DomainSet::find(std::uint64_t h, std::string_view name) const {
  if (slots_.empty()) return nullptr;
  const std::size_t capacity = slots_.size();
  for (std::size_t k = home(h);; k = k + 1 == capacity ? 0 : k + 1) {
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
