#include "observe/prometheus_text.hpp"

#include <fmt/format.h>

namespace warden::observe {
namespace {

// Escapes `\`, newline and (in label values) `"`.
void append_escaped(std::string& out, std::string_view text, bool quote) {
  for (const char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

}  // namespace

void PrometheusText::family(std::string_view name, std::string_view type, std::string_view help) {
  fmt::format_to(std::back_inserter(out_), "# HELP {} ", name);
  append_escaped(out_, help, false);
  fmt::format_to(std::back_inserter(out_), "\n# TYPE {} {}\n", name, type);
}

void PrometheusText::start(std::string_view name, std::initializer_list<Label> labels) {
  out_ += name;
  if (labels.size() == 0) {
    out_ += ' ';
    return;
  }
  char sep = '{';
  for (const auto& [key, value] : labels) {
    out_ += sep;
    out_ += key;
    out_ += "=\"";
    append_escaped(out_, value, true);
    out_ += '"';
    sep = ',';
  }
  out_ += "} ";
}

void PrometheusText::sample(std::string_view name, std::initializer_list<Label> labels,
                            double value) {
  start(name, labels);
  fmt::format_to(std::back_inserter(out_), "{}\n", value);
}

void PrometheusText::sample(std::string_view name, std::initializer_list<Label> labels,
                            std::uint64_t value) {
  start(name, labels);
  fmt::format_to(std::back_inserter(out_), "{}\n", value);
}

void PrometheusText::histogram(std::string_view name, std::string_view help,
                               const Histogram::Sums& sums) {
  family(name, "histogram", help);
  const std::string bucket = fmt::format("{}_bucket", name);
  for (std::size_t i = 0; i < Histogram::kBounds.size(); ++i) {
    const std::string le = fmt::format("{}", Histogram::kBounds[i]);
    sample(bucket, {{"le", le}}, sums.cumulative[i]);
  }
  sample(bucket, {{"le", "+Inf"}}, sums.cumulative.back());
  sample(fmt::format("{}_sum", name), {}, sums.seconds);
  sample(fmt::format("{}_count", name), {}, sums.cumulative.back());
}

}  // namespace warden::observe
