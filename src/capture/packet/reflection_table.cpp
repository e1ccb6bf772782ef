#include "capture/packet/reflection_table.hpp"

#include "capture/packet/ip_packet.hpp"

#include <string_view>

namespace warden::capture::packet {

std::size_t FlowKeyHash::operator()(const FlowKey& k) const {
  const std::string_view a(reinterpret_cast<const char*>(k.client.data()), k.client.size());
  const std::string_view b(reinterpret_cast<const char*>(k.server.data()), k.server.size());
  const std::hash<std::string_view> h;
  return h(a) ^ (h(b) * 31) ^ (std::size_t{k.client_port} * 0x9e3779b97f4a7c15ULL);
}

bool ReflectionTable::expired(const Entry& e, Clock::time_point now) const {
  if (e.finished) return now - *e.finished >= limits_.linger;
  return now - e.last_seen >= limits_.idle;
}

SynOutcome ReflectionTable::on_syn(const FlowKey& key, std::uint16_t port, Clock::time_point now) {
  const std::lock_guard lock(mutex_);
  if (auto it = entries_.find(key); it != entries_.end()) {
    Entry& e = it->second;
    const bool live = !e.finished && !expired(e, now);
    if (live && e.server_port != port) return SynOutcome::Collision;
    e = Entry{port, false, false, std::nullopt, now};
    return SynOutcome::Repeated;
  }
  if (entries_.size() >= limits_.capacity) return SynOutcome::Full;
  entries_.emplace(key, Entry{port, false, false, std::nullopt, now});
  return SynOutcome::Created;
}

std::optional<std::uint16_t> ReflectionTable::on_packet(const FlowKey& key, std::uint8_t tcp_flags,
                                                        bool from_client, Clock::time_point now) {
  const std::lock_guard lock(mutex_);
  const auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  Entry& e = it->second;
  e.last_seen = now;
  if ((tcp_flags & kFin) != 0) (from_client ? e.client_fin : e.listener_fin) = true;
  const bool own = e.server_port == kOwnConnection;
  if (!e.finished && ((tcp_flags & kRst) != 0 || (e.client_fin && (e.listener_fin || own))))
    e.finished = now;
  return e.server_port;
}

std::optional<std::uint16_t> ReflectionTable::original_port(const FlowKey& key) const {
  const std::lock_guard lock(mutex_);
  const auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  return it->second.server_port;
}

std::size_t ReflectionTable::expire(Clock::time_point now) {
  const std::lock_guard lock(mutex_);
  return std::erase_if(entries_, [&](const auto& kv) { return expired(kv.second, now); });
}

std::size_t ReflectionTable::size() const {
  const std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace warden::capture::packet
