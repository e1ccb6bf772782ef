#include "policy/phrase_rules.hpp"

#include <algorithm>

namespace warden::policy {

const PhraseRule* phrase_rule_for(const std::vector<PhraseRule>& rules, std::string_view group) {
  for (const auto& r : rules)
    if (r.groups.empty() || std::find(r.groups.begin(), r.groups.end(), group) != r.groups.end())
      return &r;
  return nullptr;
}

}  // namespace warden::policy
