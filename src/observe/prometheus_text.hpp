#pragma once
// Prometheus' text exposition format 0.0.4 (https://prometheus.io/docs/instrumenting/
// exposition_formats/): a family's HELP and TYPE lines, then its samples. Label values and help
// texts are escaped as the format says, so a category named with a quote or a newline cannot
// break the page.

#include "observe/metrics.hpp"

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace warden::observe {

using Label = std::pair<std::string_view, std::string_view>;

class PrometheusText {
 public:
  static constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

  // `type`: "counter", "gauge" or "histogram".
  void family(std::string_view name, std::string_view type, std::string_view help);
  void sample(std::string_view name, std::initializer_list<Label> labels, double value);
  void sample(std::string_view name, std::initializer_list<Label> labels, std::uint64_t value);
  // A whole histogram family (its _bucket, _sum and _count samples).
  void histogram(std::string_view name, std::string_view help, const Histogram::Sums& sums);

  [[nodiscard]] std::string take() { return std::move(out_); }

 private:
  void start(std::string_view name, std::initializer_list<Label> labels);
  std::string out_;
};

}  // namespace warden::observe
