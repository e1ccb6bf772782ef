#include "policy/policy.hpp"

#include "platform/os.hpp"

#include <algorithm>
#include <cstring>
#include <ctime>
#include <re2/re2.h>

namespace warden::policy {

std::string_view action_name(Action a) {
  switch (a) {
    case Action::Allow:
      return "allow";
    case Action::NoDecrypt:
      return "no_decrypt";
    case Action::Reject:
      return "reject";
    case Action::Block:
      return "block";
  }
  return "allow";
}

bool Schedule::active(std::chrono::system_clock::time_point now) const {
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  const std::tm local = platform::local_time(t);
  const int weekday = (local.tm_wday + 6) % 7;  // Monday = 0
  const int minute = local.tm_hour * 60 + local.tm_min;
  if (((days >> weekday) & 1) == 0) return false;
  if (from_minute <= to_minute) return minute >= from_minute && minute < to_minute;
  return minute >= from_minute || minute < to_minute;  // over midnight
}

Policy::Policy(std::vector<Group> groups, std::vector<Rule> rules,
               std::shared_ptr<const CategoryLists> lists, PageStrings strings, std::string source,
               Restrictions restrictions, std::vector<AlertRule> alerts,
               std::vector<PhraseRule> phrases)
    : groups_(std::move(groups)),
      rules_(std::move(rules)),
      lists_(std::move(lists)),
      strings_(std::move(strings)),
      source_(std::move(source)),
      restrictions_(std::move(restrictions)),
      alerts_(std::move(alerts)),
      phrases_(std::move(phrases)) {}

std::shared_ptr<const Policy> Policy::with_bypass(std::optional<Bypass> b) const {
  auto copy = std::make_shared<Policy>(*this);
  copy->bypass_ = std::move(b);
  return copy;
}

std::string_view Policy::group_of(const std::optional<std::array<std::uint8_t, 16>>& ip,
                                  std::optional<std::uint32_t> user,
                                  std::span<const std::string> signed_in) const {
  if (!signed_in.empty())
    for (const auto& g : groups_)
      if (std::find(signed_in.begin(), signed_in.end(), g.name) != signed_in.end()) return g.name;
  for (const auto& g : groups_) {
    if (ip)
      for (const auto& c : g.sources)
        if (c.contains(*ip)) return g.name;
    if (user && std::find(g.users.begin(), g.users.end(), *user) != g.users.end()) return g.name;
  }
  return "default";
}

namespace {

// How specific an explicit match is; category matches are below every explicit one.
constexpr int kSearch = 4000;  // what the pupil asked for is more specific than where
constexpr int kUrlBase = 3000;
constexpr int kDomainBase = 2000;
constexpr int kRegex = 1000;
constexpr int kPort = 500;
constexpr int kDestinationBase = 600;  // + the prefix length (other rules)

bool applies_to(const Rule& r, std::string_view group) {
  return r.groups.empty() || std::find(r.groups.begin(), r.groups.end(), group) != r.groups.end();
}

}  // namespace

Decision Policy::evaluate(const Request& r) const {
  Decision d;
  d.group = r.group.empty() ? std::string(group_of(r.client, r.user, r.signed_in_groups))
                            : std::string(r.group);
  if (bypass_ && bypass_->covers(d.group, r.now)) {
    d.rule = "bypass";
    d.by_bypass = true;
    return d;
  }
  int best_specificity = -1;
  const Rule* best = nullptr;
  auto consider = [&](const Rule& rule, int specificity) {
    if (specificity > best_specificity ||
        (specificity == best_specificity && best != nullptr && rule.action > best->action)) {
      best_specificity = specificity;
      best = &rule;
    }
  };
  const std::string_view path =
      r.url ? r.url->substr(std::min(r.host.size(), r.url->size())) : std::string_view();

  // Explicit rules.
  for (const Rule& rule : rules_) {
    if (rule.kind == Rule::Kind::Category || rule.protocol != Rule::Protocol::Web ||
        !applies_to(rule, d.group))
      continue;
    if (rule.schedule && !rule.schedule->active(r.now)) continue;
    switch (rule.kind) {
      case Rule::Kind::Domain: {
        const std::string_view m = rule.domains.longest_match(r.host);
        if (!m.empty()) consider(rule, kDomainBase + static_cast<int>(m.size()));
        break;
      }
      case Rule::Kind::Url:
        if (!r.url) break;
        for (const auto& [host, prefix] : rule.urls) {
          const bool host_ok =
              r.host == host || (r.host.size() > host.size() && r.host.ends_with(host) &&
                                 r.host[r.host.size() - host.size() - 1] == '.');
          if (host_ok && path.rfind(prefix, 0) == 0)
            consider(rule, kUrlBase + static_cast<int>(host.size() + prefix.size()));
        }
        break;
      case Rule::Kind::Regex:
        if (r.url && RE2::PartialMatch(*r.url, *rule.regex)) consider(rule, kRegex);
        break;
      case Rule::Kind::Port:
        if (std::find(rule.ports.begin(), rule.ports.end(), r.port) != rule.ports.end())
          consider(rule, kPort);
        break;
      case Rule::Kind::Search:
        if (r.search && rule.searches->matches(*r.search)) consider(rule, kSearch);
        break;
      case Rule::Kind::Category:
      case Rule::Kind::Destination:
      case Rule::Kind::Any:
        break;
    }
  }
  if (best != nullptr) {
    d.action = best->action;
    d.rule = best->name;
    d.by_search = best->kind == Rule::Kind::Search;
    return d;
  }

  // Category rules: the strongest action among the host's (and URL's) categories.
  CategorySet cats = lists_->match_host(r.host);
  if (r.url) cats |= lists_->match_url(r.host, *r.url);
  if (cats.empty()) {
    d.rule = "default";
    return d;
  }
  CategoryId matched = 0;
  for (const Rule& rule : rules_) {
    if (rule.kind != Rule::Kind::Category || rule.protocol != Rule::Protocol::Web ||
        !applies_to(rule, d.group))
      continue;
    if (rule.schedule && !rule.schedule->active(r.now)) continue;
    bool hit = false;
    CategoryId which = 0;
    cats.for_each([&](CategoryId c) {
      if (!hit && rule.categories.has(c)) {
        hit = true;
        which = c;
      }
    });
    if (hit && (best == nullptr || rule.action > best->action)) {
      best = &rule;
      matched = which;
    }
  }
  if (best == nullptr) {
    d.rule = "default";
    cats.for_each([&](CategoryId c) {
      if (d.category.empty()) d.category = lists_->name(c);  // logged, even when allowed
    });
    return d;
  }
  d.action = best->action;
  d.rule = best->name;
  d.category = lists_->name(matched);
  return d;
}

Decision Policy::evaluate_other(const OtherFlow& f) const {
  Decision d;
  d.group = std::string(group_of(f.client, f.user));
  if (bypass_ && bypass_->covers(d.group, f.now)) {
    d.rule = "bypass";
    return d;
  }
  int best_specificity = -1;
  const Rule* best = nullptr;
  for (const Rule& rule : rules_) {
    if (rule.protocol != Rule::Protocol::Other || !applies_to(rule, d.group)) continue;
    if (rule.schedule && !rule.schedule->active(f.now)) continue;
    int specificity = -1;
    if (rule.kind == Rule::Kind::Destination) {
      for (const Cidr& c : rule.destinations)
        if (c.contains(f.destination))
          specificity = std::max(specificity, kDestinationBase + static_cast<int>(c.prefix));
    } else if (rule.kind == Rule::Kind::Port) {
      if (std::find(rule.ports.begin(), rule.ports.end(), f.port) != rule.ports.end())
        specificity = kPort;
    } else if (rule.kind == Rule::Kind::Any) {
      specificity = 0;
    }
    if (specificity > best_specificity ||
        (specificity >= 0 && specificity == best_specificity && rule.action > best->action)) {
      best_specificity = specificity;
      best = &rule;
    }
  }
  if (best == nullptr) {
    d.rule = "default";
    return d;
  }
  d.action = best->action;
  d.rule = best->name;
  return d;
}

}  // namespace warden::policy
