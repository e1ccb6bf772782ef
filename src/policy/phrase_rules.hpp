#pragma once
// Phrase scanning rules ([[phrases]] in a policy file; docs/analysis.md, "Phrase scanning"):
// which phrase lists (e2guardian's format) score the pages of which groups, and the score at
// which a page is blocked. The lists are read and compiled when the policy is, so a reload
// takes new lists and a broken list is refused with its file and line like any policy mistake.

#include <memory>
#include <string>
#include <vector>

namespace warden::analysis {
class PhraseMatcher;
}

namespace warden::policy {

struct PhraseRule {
  std::string name;
  std::vector<std::string> groups;  // empty: every group
  // A page scoring this much (or with a banned phrase) is blocked; 0: scored and logged only.
  int limit = 0;
  std::shared_ptr<const analysis::PhraseMatcher> matcher;
  // For the start and reload log: entries read, and (lenient = true) lines skipped.
  std::size_t entries = 0;
  std::size_t skipped = 0;
  std::string first_skipped;
};

// The first rule that applies to `group`, or null.
[[nodiscard]] const PhraseRule* phrase_rule_for(const std::vector<PhraseRule>& rules,
                                                std::string_view group);

}  // namespace warden::policy
