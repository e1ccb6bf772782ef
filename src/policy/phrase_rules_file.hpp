#pragma once
// The [[phrases]] tables of a policy file (docs/analysis.md). Private to policy/.

#include "policy/phrase_rules.hpp"
#include "policy/toml_read.hpp"

#include <filesystem>

namespace warden::policy::detail {

// One [[phrases]] table (the `index`th), its lists read and compiled, appended to `out`. List
// paths are relative to `folder` (the policy file's).
[[nodiscard]] std::optional<Failure> parse_phrase_rule(const toml::table& t, std::size_t index,
                                                       const std::vector<Group>& groups,
                                                       const std::filesystem::path& folder,
                                                       std::vector<PhraseRule>& out);

}  // namespace warden::policy::detail
