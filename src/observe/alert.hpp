#pragma once
// Safeguarding alerts (docs/analysis.md, "Safeguarding alerts"): what a worker hands over for
// each search it sees and each scanned page that matched an [[alert]] rule, and the alert
// written when one matched, with the same pupil's searches just before and after it as context.

#include <chrono>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace warden::observe {

struct SearchSeen {
  std::chrono::system_clock::time_point ts;
  std::string terms;
  std::string engine;
  std::string kind;  // "submitted" or "partial"
  std::string url;   // scheme://host/path?query, as the pupil asked
};

// A page whose phrase score matched a rule (analysis/page_scan.hpp).
struct PageSeen {
  std::chrono::system_clock::time_point ts;
  std::string url;
  int score = 0;         // the page's whole score
  std::string category;  // the phrase category that weighed most
  std::string phrase;    // the entry that weighed most
};

struct AlertMatch {
  std::string rule;
  std::string category;
  std::string severity;
  std::string matched;  // the rule's entry that matched
};

// One search from a worker (`matches` usually empty: the search is context for later), or one
// scanned page that matched.
struct AlertEvent {
  std::variant<SearchSeen, PageSeen> seen;
  std::string client;  // the client's address
  std::string user;    // the local user, when capture knows it
  std::string group;
  std::string request_id;
  std::string decision;
  std::vector<AlertMatch> matches;

  [[nodiscard]] std::chrono::system_clock::time_point ts() const {
    return std::visit([](const auto& s) { return s.ts; }, seen);
  }
  [[nodiscard]] const SearchSeen* search() const { return std::get_if<SearchSeen>(&seen); }
};

struct Alert {
  std::string id;  // unique: the webhook's receiver can drop a second delivery of it
  AlertEvent event;
  AlertMatch match;
  std::vector<SearchSeen> before;  // the same pupil's searches just before, oldest first
  std::vector<SearchSeen> after;   // ... and just after
};

// {"v":1,"event":"alert",...} and '\n'.
[[nodiscard]] std::string alert_line(const Alert& a);
// A repeat of alert `id` (same pupil, same rule, inside the repeat window): counted, not sent.
[[nodiscard]] std::string alert_repeat_line(const std::string& id, const AlertEvent& e,
                                            const AlertMatch& m, std::uint64_t count);

}  // namespace warden::observe
