#include "policy/toml_read.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace warden::policy::detail {

std::optional<std::vector<std::string>> strings(const toml::node& n) {
  std::vector<std::string> out;
  if (const auto* s = n.as_string()) {
    out.push_back(s->get());
    return out;
  }
  const auto* arr = n.as_array();
  if (arr == nullptr) return std::nullopt;
  for (const auto& e : *arr) {
    const auto* s = e.as_string();
    if (s == nullptr) return std::nullopt;
    out.push_back(s->get());
  }
  return out;
}

std::optional<Failure> group_names(const toml::node& v, std::string_view table,
                                   const std::vector<Group>& groups,
                                   std::vector<std::string>& out) {
  auto g = strings(v);
  if (!g)
    return Failure{v.source(), fmt::format("{}.groups: expected a list of group names", table)};
  for (const auto& name : *g)
    if (name != "default" &&
        std::none_of(groups.begin(), groups.end(), [&](const Group& x) { return x.name == name; }))
      return Failure{v.source(), fmt::format("{}.groups: no group named \"{}\"", table, name)};
  out = std::move(*g);
  return std::nullopt;
}

}  // namespace warden::policy::detail
