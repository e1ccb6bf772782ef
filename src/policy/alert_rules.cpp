#include "policy/alert_rules.hpp"

#include <algorithm>
#include <array>

namespace warden::policy {
namespace {
constexpr std::array<std::string_view, 4> kSeverities = {"low", "medium", "high", "critical"};
}  // namespace

std::string_view severity_name(Severity s) { return kSeverities[static_cast<std::size_t>(s)]; }

std::optional<Severity> parse_severity(std::string_view s) {
  const auto it = std::find(kSeverities.begin(), kSeverities.end(), s);
  if (it == kSeverities.end()) return std::nullopt;
  return static_cast<Severity>(it - kSeverities.begin());
}

std::vector<AlertMatch> alerts_for(const std::vector<AlertRule>& rules, std::string_view group,
                                   std::string_view terms, bool partial) {
  std::vector<AlertMatch> out;
  for (const AlertRule& rule : rules) {
    if (partial && !rule.partial) continue;
    if (!rule.groups.empty() &&
        std::find(rule.groups.begin(), rule.groups.end(), group) == rule.groups.end())
      continue;
    std::string matched = rule.searches->matching(terms);
    if (!matched.empty()) out.push_back({&rule, std::move(matched)});
  }
  return out;
}

}  // namespace warden::policy
