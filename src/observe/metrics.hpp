#pragma once
// What the filter counts, for Prometheus (docs/admin.md): one WorkerMetrics per worker, written
// by that worker only and read by the admin thread, so the data path takes no lock and shares
// no cache line. Counters are relaxed atomics with a single writer (a load and a store, no
// locked instruction); a scrape sums the workers' shards.
//
// Labels stay bounded: decisions, capture modes, status classes and ERR_* codes are fixed
// sets; categories are the policy's list names. No host name or client address is a label.

#include "observe/access_record.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace warden::observe {

class Counter {
 public:
  void add(std::uint64_t n = 1) { v_.store(v_.load(std::memory_order_relaxed) + n, kOrder); }
  [[nodiscard]] std::uint64_t get() const { return v_.load(std::memory_order_relaxed); }

 private:
  static constexpr auto kOrder = std::memory_order_relaxed;
  std::atomic<std::uint64_t> v_{0};
};

// Latencies in seconds: Prometheus' default buckets (5 ms to 10 s) and 1 and 2.5 ms below them.
class Histogram {
 public:
  static constexpr std::array<double, 13> kBounds{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                  0.25,  0.5,    1.0,   2.5,  5.0,   10.0};
  void observe(std::chrono::microseconds d);
  // Cumulative counts per bound, then +Inf; and the sum in seconds.
  struct Sums {
    std::array<std::uint64_t, kBounds.size() + 1> cumulative{};
    double seconds = 0;
  };
  void add_to(Sums& s) const;

 private:
  std::array<Counter, kBounds.size() + 1> buckets_;  // not cumulative; the last is +Inf
  Counter micros_;
};

// The fixed label sets.
inline constexpr std::array<std::string_view, 5> kDecisions{"allow", "block", "no_decrypt",
                                                            "reject", "none"};
inline constexpr std::array<std::string_view, 8> kCaptures{
    "explicit", "redirect", "tproxy", "local", "tun", "windivert", "balancer", "other"};
inline constexpr std::array<std::string_view, 6> kStatusClasses{"none", "1xx", "2xx",
                                                                "3xx",  "4xx", "5xx"};
// TLS connections from clients: decrypted, passed through, refused by the policy, or whose
// handshake with Warden failed (the client does not trust the school CA, went away...).
enum class TlsOutcome { Bumped, Spliced, Refused, Failed };
inline constexpr std::array<std::string_view, 4> kTlsOutcomes{"bumped", "spliced", "refused",
                                                              "failed"};

class alignas(64) WorkerMetrics {
 public:
  // One finished exchange or tunnel, as logged.
  void record(const AccessRecord& r);
  // A client connection opened or closed on this worker, by how it was captured.
  void connection_opened(std::string_view capture) { open_[capture_index(capture)].add(); }
  void connection_closed(std::string_view capture) { closed_[capture_index(capture)].add(); }
  void tls(TlsOutcome o) { tls_[static_cast<std::size_t>(o)].add(); }
  Histogram upstream_connect;   // TCP connect to an origin
  Histogram upstream_response;  // request sent to response head read (HTTP/1.1)

 private:
  friend class Metrics;
  std::array<std::array<Counter, kCaptures.size()>, kDecisions.size()> requests_;
  std::array<Counter, kStatusClasses.size()> responses_;
  std::array<Counter, kTlsOutcomes.size()> tls_;
  std::array<Counter, kCaptures.size()> open_;    // opened and closed: their difference is
  std::array<Counter, kCaptures.size()> closed_;  // what is open now, and neither goes down
  Counter h2_streams_;
  static std::size_t capture_index(std::string_view capture);
  // ERR_* codes and blocking categories: few, named at run time; a lock per error or block
  // only (the writer's; a scrape takes it briefly).
  mutable std::mutex mu_;
  std::map<std::string, std::uint64_t, std::less<>> errors_;
  std::map<std::string, std::uint64_t, std::less<>> blocks_;
};

// Every worker's shard; created before the workers start, read by the admin thread.
class Metrics {
 public:
  explicit Metrics(unsigned workers);
  [[nodiscard]] WorkerMetrics& worker(unsigned index) { return *shards_.at(index); }

  // The sums over workers.
  struct Totals {
    std::array<std::array<std::uint64_t, kCaptures.size()>, kDecisions.size()> requests{};
    std::array<std::uint64_t, kStatusClasses.size()> responses{};
    std::array<std::uint64_t, kTlsOutcomes.size()> tls{};
    std::array<std::uint64_t, kCaptures.size()> open_connections{};
    std::uint64_t h2_streams = 0;
    std::map<std::string, std::uint64_t> errors;
    std::map<std::string, std::uint64_t> blocks;
    Histogram::Sums upstream_connect;
    Histogram::Sums upstream_response;
  };
  [[nodiscard]] Totals totals() const;

 private:
  std::vector<std::unique_ptr<WorkerMetrics>> shards_;
};

}  // namespace warden::observe
