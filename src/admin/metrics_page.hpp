#pragma once
// GET /metrics: everything Warden counts, in Prometheus' text format (observe/prometheus_text).
// The workers' counters come summed (observe::Metrics::Totals); the rest is read at the scrape
// by app/ and handed over as plain figures.

#include "observe/metrics.hpp"
#include "platform/process_usage.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace warden::admin {

struct ServiceFigures {
  std::string_view version;
  std::uint64_t rejected_busy = 0;  // refused at proxy.max_connections
  // Minted certificates: lookups the cache answered, mints, names held.
  std::uint64_t cert_hits = 0;
  std::uint64_t cert_mints = 0;
  std::uint64_t certs_cached = 0;
  double ca_not_after = 0;  // seconds since the epoch; 0: no CA
  std::uint64_t policy_reloads_ok = 0;
  std::uint64_t policy_reloads_failed = 0;
  double policy_loaded_at = 0;              // seconds since the epoch
  std::uint64_t policy_bundle_version = 0;  // the signed bundle's (bundle.url); 0: none
  std::vector<std::pair<std::string, std::uint64_t>> list_domains;  // category, domains
  std::uint64_t access_log_lost = 0;
  // The activity database: rows written, rows dropped (queue full, disk refused); none: off.
  std::optional<std::pair<std::uint64_t, std::uint64_t>> activity;
  std::optional<platform::ProcessUsage> process;
};

[[nodiscard]] std::string render_metrics(const observe::Metrics::Totals& t,
                                         const ServiceFigures& f);

}  // namespace warden::admin
