#include "observe/metrics.hpp"

#include <algorithm>

namespace warden::observe {
namespace {

// The index of `name` in `names`; the last entry ("none", "other") when absent.
template <std::size_t N>
std::size_t index_of(const std::array<std::string_view, N>& names, std::string_view name,
                     std::size_t otherwise) {
  const auto* it = std::find(names.begin(), names.end(), name);
  return it == names.end() ? otherwise : static_cast<std::size_t>(it - names.begin());
}

void count(std::map<std::string, std::uint64_t, std::less<>>& m, std::string_view key) {
  auto it = m.find(key);
  if (it == m.end()) it = m.emplace(std::string(key), 0).first;
  ++it->second;
}

}  // namespace

void Histogram::observe(std::chrono::microseconds d) {
  const double seconds = static_cast<double>(d.count()) / 1e6;
  const auto* bound = std::lower_bound(kBounds.begin(), kBounds.end(), seconds);
  buckets_[static_cast<std::size_t>(bound - kBounds.begin())].add();
  micros_.add(static_cast<std::uint64_t>(std::max<std::int64_t>(0, d.count())));
}

void Histogram::add_to(Sums& s) const {
  std::uint64_t running = 0;
  for (std::size_t i = 0; i < buckets_.size(); ++i) {
    running += buckets_[i].get();
    s.cumulative[i] += running;
  }
  s.seconds += static_cast<double>(micros_.get()) / 1e6;
}

std::size_t WorkerMetrics::capture_index(std::string_view capture) {
  return index_of(kCaptures, capture, kCaptures.size() - 1);
}

void WorkerMetrics::record(const AccessRecord& r) {
  const std::size_t decision =
      index_of(kDecisions, r.decision.empty() ? "none" : r.decision, kDecisions.size() - 1);
  requests_[decision][index_of(kCaptures, r.capture, kCaptures.size() - 1)].add();
  responses_[r.status >= 100 && r.status < 600 ? r.status / 100 : 0].add();
  if (r.proto == "h2") h2_streams_.add();
  if (r.error.empty() && r.decision != "block") return;
  const std::lock_guard lock(mu_);
  if (!r.error.empty()) count(errors_, r.error);
  if (r.decision == "block") count(blocks_, r.category.empty() ? "none" : r.category);
}

Metrics::Metrics(unsigned workers) {
  for (unsigned i = 0; i < workers; ++i) shards_.push_back(std::make_unique<WorkerMetrics>());
}

Metrics::Totals Metrics::totals() const {
  Totals t;
  for (const auto& w : shards_) {
    for (std::size_t d = 0; d < kDecisions.size(); ++d)
      for (std::size_t c = 0; c < kCaptures.size(); ++c)
        t.requests[d][c] += w->requests_[d][c].get();
    for (std::size_t i = 0; i < kStatusClasses.size(); ++i)
      t.responses[i] += w->responses_[i].get();
    for (std::size_t i = 0; i < kTlsOutcomes.size(); ++i) t.tls[i] += w->tls_[i].get();
    for (std::size_t i = 0; i < kCaptures.size(); ++i) {
      // Closed read first: a connection closed between the two reads is not counted as -1.
      const std::uint64_t closed = w->closed_[i].get();
      const std::uint64_t opened = w->open_[i].get();
      t.open_connections[i] += opened >= closed ? opened - closed : 0;
    }
    t.h2_streams += w->h2_streams_.get();
    w->upstream_connect.add_to(t.upstream_connect);
    w->upstream_response.add_to(t.upstream_response);
    const std::lock_guard lock(w->mu_);
    for (const auto& [k, v] : w->errors_) t.errors[k] += v;
    for (const auto& [k, v] : w->blocks_) t.blocks[k] += v;
  }
  return t;
}

}  // namespace warden::observe
