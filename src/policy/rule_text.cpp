#include "policy/rule_text.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <re2/re2.h>

namespace warden::policy {
namespace {

constexpr std::size_t kShown = 5;  // list entries named before "and N more"

template <class T, class Fn>
std::string some(const std::vector<T>& items, Fn text) {
  std::string out;
  for (std::size_t i = 0; i < items.size() && i < kShown; ++i) {
    if (i != 0) out += ", ";
    out += text(items[i]);
  }
  if (items.size() > kShown) out += fmt::format(" and {} more", items.size() - kShown);
  return out;
}

std::string minutes_text(int m) { return fmt::format("{:02}:{:02}", m / 60, m % 60); }

}  // namespace

std::string cidr_text(const Cidr& c) {
  const std::string ip = base::format_ip(c.address);
  const bool v4 = base::is_ipv4_mapped(c.address);
  const unsigned prefix = v4 ? c.prefix - 96 : c.prefix;
  if ((v4 && prefix == 32) || (!v4 && prefix == 128)) return ip;
  return fmt::format("{}/{}", ip, prefix);
}

std::string rule_matcher_text(const Policy& p, const Rule& r) {
  switch (r.kind) {
    case Rule::Kind::Domain:
      return fmt::format("{} domain{}", r.domains.size(), r.domains.size() == 1 ? "" : "s");
    case Rule::Kind::Url:
      return "URLs: " + some(r.urls, [](const auto& u) { return u.first + u.second; });
    case Rule::Kind::Regex:
      return r.regex ? "expression " + r.regex->pattern() : std::string("expression");
    case Rule::Kind::Search:
      return fmt::format("search terms ({})", r.searches ? r.searches->size() : 0);
    case Rule::Kind::Category: {
      std::vector<std::string> names;
      r.categories.for_each([&](CategoryId id) {
        const auto& all = p.lists().names();
        names.push_back(id < all.size() ? all[id] : fmt::format("#{}", id));
      });
      return "categories: " + some(names, [](const std::string& n) { return n; });
    }
    case Rule::Kind::Port:
      return "ports " + some(r.ports, [](std::uint16_t port) { return std::to_string(port); });
    case Rule::Kind::Destination:
      return "destinations " + some(r.destinations, cidr_text);
    case Rule::Kind::Any:
      return "any other connection";
  }
  return "";
}

std::string schedule_text(const Rule& r) {
  if (!r.schedule) return "always";
  static constexpr const char* kDays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  std::vector<std::string> days;
  for (int d = 0; d < 7; ++d)
    if ((r.schedule->days >> d) & 1) days.emplace_back(kDays[d]);
  return fmt::format("{} {}-{}", fmt::join(days, " "), minutes_text(r.schedule->from_minute),
                     minutes_text(r.schedule->to_minute));
}

}  // namespace warden::policy
