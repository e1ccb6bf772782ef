#pragma once
// A worker's short-lived cache of name -> addresses, for the destination check of captured
// connections (flow/transparent.cpp): a page load opens many connections to the same names,
// and each would otherwise cost a lookup before its upstream connection. Entries live `ttl`
// (getaddrinfo gives no TTL, so it is short); the cache is bounded and drops the oldest half
// when full. Thread: one worker, no locks.

#include "net/types.hpp"

#include <string>
#include <unordered_map>
#include <vector>

namespace warden::flow {

class DnsCache {
 public:
  explicit DnsCache(std::size_t capacity = 4096) : capacity_(capacity) {}

  // The cached addresses of `name`, or null when absent or expired.
  [[nodiscard]] const std::vector<net::asio::ip::address>* find(const std::string& name,
                                                                net::Clock::time_point now);
  void put(const std::string& name, std::vector<net::asio::ip::address> addresses,
           net::Clock::time_point expires);
  [[nodiscard]] std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::vector<net::asio::ip::address> addresses;
    net::Clock::time_point expires;
  };
  std::size_t capacity_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace warden::flow
