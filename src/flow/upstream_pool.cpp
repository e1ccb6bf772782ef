#include "flow/upstream_pool.hpp"

#include <algorithm>

namespace warden::flow {

net::StreamPtr UpstreamPool::take(const std::string& key, net::Duration max_idle) {
  auto it = idle_.find(key);
  if (it == idle_.end()) return nullptr;
  auto& list = it->second;
  const auto now = net::Clock::now();
  net::StreamPtr found;
  while (!list.empty() && !found) {
    Idle c = std::move(list.back());
    list.pop_back();
    --total_;
    if (now - c.since < max_idle && c.stream->idle_and_open()) found = std::move(c.stream);
  }
  if (list.empty()) idle_.erase(it);
  return found;
}

void UpstreamPool::give_back(const std::string& key, net::StreamPtr s, std::size_t per_host,
                             std::size_t total) {
  if (stopped_ || total_ >= total) return;  // `s` closes as it goes out of scope
  auto& list = idle_[key];
  if (list.size() >= per_host) return;
  list.push_back({std::move(s), net::Clock::now()});
  ++total_;
}

void UpstreamPool::clear() {
  idle_.clear();
  total_ = 0;
}

void UpstreamPool::sweep(net::Duration max_idle) {
  const auto now = net::Clock::now();
  for (auto it = idle_.begin(); it != idle_.end();) {
    auto& list = it->second;
    const auto before = list.size();
    std::erase_if(list,
                  [&](Idle& c) { return now - c.since >= max_idle || !c.stream->idle_and_open(); });
    total_ -= before - list.size();
    it = list.empty() ? idle_.erase(it) : std::next(it);
  }
}

net::Awaitable<void> UpstreamPool::sweep_loop(net::Duration max_idle) {
  const net::Duration period =
      std::clamp<net::Duration>(max_idle / 4, std::chrono::seconds(1), std::chrono::seconds(15));
  while (!stopped_) {
    sweep_timer_.expires_after(period);
    co_await sweep_timer_.async_wait();
    if (!stopped_) sweep(max_idle);
  }
}

void UpstreamPool::stop() {
  stopped_ = true;
  sweep_timer_.cancel();
  clear();
}

}  // namespace warden::flow
