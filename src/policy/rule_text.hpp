#pragma once
// A policy's rules and groups in words, for people reading the running policy (the dashboard's
// Policy page): what each rule matches, when it applies, which addresses make a group.

#include "policy/policy.hpp"

#include <string>

namespace warden::policy {

// "categories: adult, gambling", "12 domains", "URLs: example.com/games, ...", "expression
// ...", "search terms (34)", "ports 22, 25", "destinations 10.0.0.0/8", "any other connection".
[[nodiscard]] std::string rule_matcher_text(const Policy& p, const Rule& r);
// "always", or "Mon-Fri 08:00-16:00" style: the days and the minutes.
[[nodiscard]] std::string schedule_text(const Rule& r);
// "192.0.2.0/24", "10.0.0.7" (a whole address), "2001:db8::/32".
[[nodiscard]] std::string cidr_text(const Cidr& c);

}  // namespace warden::policy
