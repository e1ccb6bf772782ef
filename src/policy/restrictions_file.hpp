#pragma once
// The [[safe_search]] and [[header]] tables of a policy file (policy.example.toml shows both;
// docs/policy.md explains them). Private to policy/.

#include "policy/restrictions.hpp"
#include "policy/toml_read.hpp"

namespace warden::policy::detail {

// One [[safe_search]] table, appended to `out`.
[[nodiscard]] std::optional<Failure> parse_safe_search(const toml::table& t,
                                                       const std::vector<Group>& groups,
                                                       std::vector<SafeSearchRule>& out);

// One [[header]] table (the `index`th), appended to `out`.
[[nodiscard]] std::optional<Failure> parse_header_rule(const toml::table& t, std::size_t index,
                                                       const std::vector<Group>& groups,
                                                       std::vector<HeaderRule>& out);

}  // namespace warden::policy::detail
