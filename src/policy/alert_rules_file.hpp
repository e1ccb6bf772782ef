#pragma once
// The [[alert]] tables of a policy file (policy.example.toml shows one; docs/analysis.md
// explains them). Private to policy/.

#include "policy/alert_rules.hpp"
#include "policy/phrase_rules.hpp"
#include "policy/toml_read.hpp"

#include <filesystem>

namespace warden::policy::detail {

// One [[alert]] table (the `index`th), appended to `out`. A `searches_file` is read relative to
// `folder` (the policy file's). A `page_score` needs a [[phrases]] rule (of `phrases`) scanning
// the pages of the rule's groups.
[[nodiscard]] std::optional<Failure> parse_alert_rule(const toml::table& t, std::size_t index,
                                                      const std::vector<Group>& groups,
                                                      const std::vector<PhraseRule>& phrases,
                                                      const std::filesystem::path& folder,
                                                      std::vector<AlertRule>& out);

}  // namespace warden::policy::detail
