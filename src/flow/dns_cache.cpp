#include "flow/dns_cache.hpp"

#include <algorithm>

namespace warden::flow {

const std::vector<net::asio::ip::address>* DnsCache::find(const std::string& name,
                                                          net::Clock::time_point now) {
  const auto it = entries_.find(name);
  if (it == entries_.end()) return nullptr;
  if (it->second.expires <= now) {
    entries_.erase(it);
    return nullptr;
  }
  return &it->second.addresses;
}

void DnsCache::put(const std::string& name, std::vector<net::asio::ip::address> addresses,
                   net::Clock::time_point expires) {
  if (entries_.size() >= capacity_ && entries_.find(name) == entries_.end()) {
    // Full: keep the newer half (a rare, linear pass; lookups stay O(1)).
    std::vector<net::Clock::time_point> times;
    times.reserve(entries_.size());
    for (const auto& [_, e] : entries_) times.push_back(e.expires);
    auto middle = times.begin() + static_cast<std::ptrdiff_t>(times.size() / 2);
    std::nth_element(times.begin(), middle, times.end());
    const net::Clock::time_point cut = *middle;
    std::erase_if(entries_, [&](const auto& kv) { return kv.second.expires <= cut; });
  }
  entries_[name] = Entry{std::move(addresses), expires};
}

}  // namespace warden::flow
