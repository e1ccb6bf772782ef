#pragma once
// Reading policy-file values (private to policy/): what the [[rule]], [[safe_search]] and
// [[header]] parsers share, and the shape of their errors (file:line:column and why).

#include "policy/policy.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace warden::policy::detail {

struct Failure {
  toml::source_region where;
  std::string what;
};

// A list of strings (a single string is accepted as a list of one).
[[nodiscard]] std::optional<std::vector<std::string>> strings(const toml::node& n);

// `<table>.groups = [...]` into `out`: every name a defined group, or "default".
[[nodiscard]] std::optional<Failure> group_names(const toml::node& v, std::string_view table,
                                                 const std::vector<Group>& groups,
                                                 std::vector<std::string>& out);

// A [[name]] array of tables, each handed to `each` with its index; errors for anything else.
template <typename Each>
std::optional<Failure> for_each_table(const toml::node& v, std::string_view name, Each&& each) {
  const auto* arr = v.as_array();
  if (arr == nullptr) return Failure{v.source(), fmt::format("{0}: expected [[{0}]] tables", name)};
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const auto* t = (*arr)[i].as_table();
    if (t == nullptr) return Failure{(*arr)[i].source(), fmt::format("{}: expected a table", name)};
    if (auto f = each(*t, i)) return f;
  }
  return std::nullopt;
}

}  // namespace warden::policy::detail
