#include "policy/alert_rules.hpp"

#include "analysis/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace warden::policy {
namespace {

constexpr std::array<std::string_view, 4> kSeverities = {"low", "medium", "high", "critical"};

bool applies(const AlertRule& rule, std::string_view group) {
  return rule.groups.empty() ||
         std::find(rule.groups.begin(), rule.groups.end(), group) != rule.groups.end();
}

bool names(const AlertRule& rule, std::string_view category) {
  if (rule.page_categories.empty()) return true;
  return std::find(rule.page_categories.begin(), rule.page_categories.end(),
                   analysis::ascii_lowered(category)) != rule.page_categories.end();
}

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
    if (!rule.searches || (partial && !rule.partial) || !applies(rule, group)) continue;
    std::string matched = rule.searches->matching(terms);
    if (!matched.empty()) out.push_back({&rule, std::move(matched)});
  }
  return out;
}

bool alerts_on_pages(const std::vector<AlertRule>& rules, std::string_view group) {
  return std::any_of(rules.begin(), rules.end(), [&](const AlertRule& rule) {
    return rule.page_score > 0 && applies(rule, group);
  });
}

std::vector<AlertMatch> page_alerts_for(const std::vector<AlertRule>& rules, std::string_view group,
                                        const PageFindings& page) {
  std::vector<AlertMatch> out;
  for (const AlertRule& rule : rules) {
    if (rule.page_score <= 0 || !applies(rule, group)) continue;
    if (!page.banned_category.empty() && names(rule, page.banned_category)) {
      out.push_back({&rule, fmt::format("a banned phrase ({})", page.banned_category)});
      continue;
    }
    long long points = 0;
    std::string scored;  // "Violence 120, Gore 40"
    for (const auto& [category, p] : page.points) {
      if (!names(rule, category)) continue;
      points += p;
      scored += fmt::format("{}{} {}", scored.empty() ? "" : ", ", category, p);
    }
    if (points >= rule.page_score)
      out.push_back({&rule, fmt::format("page score {} ({})", points, scored)});
  }
  return out;
}

}  // namespace warden::policy
