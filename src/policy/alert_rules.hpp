#pragma once
// Safeguarding alert rules ([[alert]] in a policy file; docs/analysis.md, "Safeguarding
// alerts"): words that, when a pupil searches for them, staff should know about, and pages
// whose phrase score (the group's [[phrases]] rule) in some categories says the same. A rule has
// a category (self-harm, bullying, violence, sexual, drugs, or the school's own) and a
// severity; its words match as a `searches` rule's do (policy/term_list.hpp). An alert never
// changes the decision: what is blocked is the rules' business; an alert tells someone.

#include "policy/term_list.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace warden::policy {

enum class Severity : std::uint8_t { Low, Medium, High, Critical };
[[nodiscard]] std::string_view severity_name(Severity s);
[[nodiscard]] std::optional<Severity> parse_severity(std::string_view s);

struct AlertRule {
  std::string name;
  std::string category;
  Severity severity = Severity::Medium;
  std::vector<std::string> groups;           // empty: every group
  std::shared_ptr<const TermList> searches;  // null: the rule is about pages only
  bool partial = true;                       // what a pupil is typing (autocomplete) counts too
  // A scanned page scoring at least this in `page_categories` (all, when empty) raises the
  // alert, as does a banned phrase of one of them; 0: pages do not.
  long long page_score = 0;
  std::vector<std::string> page_categories;  // ASCII-lower-cased phrase list categories
};

struct AlertMatch {
  const AlertRule* rule = nullptr;
  std::string matched;  // the entry that matched, its words joined by spaces
};

// The rules a search by `group` matches, in the policy's order; `partial`: the search is what
// the pupil is typing, not a submitted one.
[[nodiscard]] std::vector<AlertMatch> alerts_for(const std::vector<AlertRule>& rules,
                                                 std::string_view group, std::string_view terms,
                                                 bool partial);

// What a page scan found, as alert rules read it: positive points per phrase category and the
// banned phrase's category ("" when none).
struct PageFindings {
  const std::map<std::string, long long>& points;
  std::string_view banned_category;
};

// Whether some rule looks at the pages `group` is shown.
[[nodiscard]] bool alerts_on_pages(const std::vector<AlertRule>& rules, std::string_view group);

// The rules a scanned page fetched by `group` matches, in the policy's order; each one's
// `matched` says which categories scored and how much.
[[nodiscard]] std::vector<AlertMatch> page_alerts_for(const std::vector<AlertRule>& rules,
                                                      std::string_view group,
                                                      const PageFindings& page);

}  // namespace warden::policy
