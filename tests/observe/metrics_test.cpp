#include "observe/metrics.hpp"

#include "observe/prometheus_text.hpp"

#include <gtest/gtest.h>

namespace warden::observe {
namespace {

AccessRecord record(std::string_view decision, std::string_view capture, unsigned status) {
  AccessRecord r;
  r.decision = decision;
  r.capture = capture;
  r.status = status;
  return r;
}

TEST(Metrics, RecordsAreCountedByDecisionCaptureAndStatusClassAcrossWorkers) {
  Metrics m(2);
  m.worker(0).record(record("allow", "explicit", 200));
  m.worker(1).record(record("allow", "explicit", 304));
  m.worker(1).record(record("allow", "tun", 502));
  m.worker(0).record(record("", "redirect", 0));          // refused before a decision
  m.worker(0).record(record("allow", "from-mars", 200));  // an unknown mode is "other"
  const Metrics::Totals t = m.totals();
  EXPECT_EQ(t.requests[0][0], 2u);  // allow, explicit
  EXPECT_EQ(t.requests[0][4], 1u);  // allow, tun
  EXPECT_EQ(t.requests[4][1], 1u);  // none, redirect
  EXPECT_EQ(t.requests[0][7], 1u);  // allow, other
  EXPECT_EQ(t.responses[0], 1u);    // none
  EXPECT_EQ(t.responses[2], 2u);    // 2xx
  EXPECT_EQ(t.responses[3], 1u);    // 3xx
  EXPECT_EQ(t.responses[5], 1u);    // 5xx
}

TEST(Metrics, BlocksCountByCategoryAndErrorsByCode) {
  Metrics m(1);
  AccessRecord blocked = record("block", "explicit", 403);
  blocked.category = "adult";
  m.worker(0).record(blocked);
  m.worker(0).record(blocked);
  AccessRecord by_rule = record("block", "explicit", 403);  // a rule without a category
  m.worker(0).record(by_rule);
  AccessRecord failed = record("allow", "explicit", 502);
  failed.error = "ERR_CONNECT_REFUSED";
  m.worker(0).record(failed);
  AccessRecord stream = record("allow", "explicit", 200);
  stream.proto = "h2";
  m.worker(0).record(stream);
  const Metrics::Totals t = m.totals();
  EXPECT_EQ(t.blocks.at("adult"), 2u);
  EXPECT_EQ(t.blocks.at("none"), 1u);
  EXPECT_EQ(t.errors.at("ERR_CONNECT_REFUSED"), 1u);
  EXPECT_EQ(t.errors.size(), 1u);
  EXPECT_EQ(t.h2_streams, 1u);
}

TEST(Metrics, OpenConnectionsAreCountedByCaptureAcrossWorkers) {
  Metrics m(2);
  m.worker(0).connection_opened("explicit");
  m.worker(0).connection_opened("explicit");
  m.worker(1).connection_opened("tun");
  m.worker(1).connection_opened("explicit");
  m.worker(0).connection_closed("explicit");
  m.worker(1).connection_opened("nonsense");  // "other"
  const Metrics::Totals t = m.totals();
  EXPECT_EQ(t.open_connections[0], 2u);  // explicit: 1 on each worker
  EXPECT_EQ(t.open_connections[4], 1u);  // tun
  EXPECT_EQ(t.open_connections[7], 1u);  // other
  EXPECT_EQ(t.open_connections[1], 0u);  // redirect
}

TEST(Metrics, HistogramBucketsAreCumulativeWithTheSumInSeconds) {
  Metrics m(1);
  m.worker(0).upstream_connect.observe(std::chrono::microseconds(500));     // <= 1 ms
  m.worker(0).upstream_connect.observe(std::chrono::microseconds(1000));    // <= 1 ms (le)
  m.worker(0).upstream_connect.observe(std::chrono::microseconds(30'000));  // <= 50 ms
  m.worker(0).upstream_connect.observe(std::chrono::seconds(60));           // +Inf only
  const Histogram::Sums s = m.totals().upstream_connect;
  EXPECT_EQ(s.cumulative[0], 2u);   // le 0.001
  EXPECT_EQ(s.cumulative[4], 2u);   // le 0.025
  EXPECT_EQ(s.cumulative[5], 3u);   // le 0.05
  EXPECT_EQ(s.cumulative[12], 3u);  // le 10
  EXPECT_EQ(s.cumulative[13], 4u);  // +Inf
  EXPECT_NEAR(s.seconds, 60.0315, 1e-9);
}

TEST(PrometheusText, FamiliesSamplesAndEscapedLabels) {
  PrometheusText out;
  out.family("warden_blocks_total", "counter", "Blocks\nby category \\ rule.");
  out.sample("warden_blocks_total", {{"category", "a\"b\\c\nd"}}, std::uint64_t{3});
  out.sample("warden_up", {}, 1.5);
  EXPECT_EQ(out.take(),
            "# HELP warden_blocks_total Blocks\\nby category \\\\ rule.\n"
            "# TYPE warden_blocks_total counter\n"
            "warden_blocks_total{category=\"a\\\"b\\\\c\\nd\"} 3\n"
            "warden_up 1.5\n");
}

TEST(PrometheusText, HistogramHasEveryBucketThenSumAndCount) {
  Histogram h;
  h.observe(std::chrono::milliseconds(3));
  Histogram::Sums sums;
  h.add_to(sums);
  PrometheusText out;
  out.histogram("warden_x_seconds", "X.", sums);
  const std::string text = out.take();
  EXPECT_NE(text.find("# TYPE warden_x_seconds histogram\n"), std::string::npos);
  EXPECT_NE(text.find("warden_x_seconds_bucket{le=\"0.0025\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("warden_x_seconds_bucket{le=\"0.005\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("warden_x_seconds_bucket{le=\"+Inf\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("warden_x_seconds_sum 0.003\n"), std::string::npos);
  EXPECT_NE(text.find("warden_x_seconds_count 1\n"), std::string::npos);
}

}  // namespace
}  // namespace warden::observe
