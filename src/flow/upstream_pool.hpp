#pragma once
// Idle keep-alive connections to origins, per worker (no locks), keyed by scheme, host and port
// (and the TLS server name). Checked out most-recent-first; a connection is handed out only if
// it is younger than the idle timeout and the origin has neither closed it nor sent unexpected
// bytes (Stream::idle_and_open).
// A periodic sweep closes connections that outlived the idle timeout.

#include "net/stream.hpp"

#include <string>
#include <unordered_map>
#include <vector>

namespace warden::flow {

class UpstreamPool {
 public:
  explicit UpstreamPool(const net::asio::any_io_executor& ex) : sweep_timer_(ex) {}

  // A live idle connection for `key`, or nullopt.
  [[nodiscard]] net::StreamPtr take(const std::string& key, net::Duration max_idle);
  // Keeps `s` for reuse if there is room; closes it otherwise.
  void give_back(const std::string& key, net::StreamPtr s, std::size_t per_host, std::size_t total);
  [[nodiscard]] std::size_t idle_count() const { return total_; }
  // Closes every idle connection (shutdown, tests).
  void clear();
  // Runs until stop(): every few seconds closes connections idle longer than `max_idle`.
  net::Awaitable<void> sweep_loop(net::Duration max_idle);
  void stop();

 private:
  struct Idle {
    net::StreamPtr stream;
    net::Clock::time_point since;
  };
  void sweep(net::Duration max_idle);

  std::unordered_map<std::string, std::vector<Idle>> idle_;
  std::size_t total_ = 0;
  net::Timer sweep_timer_;
  bool stopped_ = false;
};

}  // namespace warden::flow
