#pragma once
// Search terms a rule matches (`searches = [...]` in a policy rule, docs/policy.md). An entry is
// a few words; it matches a search that contains every one of them as a whole word, in any order
// and case ("make bomb" matches "How to MAKE a bomb"), as e2guardian's banned search lists do.
// Case is folded for ASCII letters only; other letters must match as written.

#include <string>
#include <string_view>
#include <vector>

namespace warden::policy {

class TermList {
 public:
  // False when `entry` has no word in it (only spaces or punctuation).
  bool add(std::string_view entry);
  [[nodiscard]] bool matches(std::string_view search) const { return !matching(search).empty(); }
  // The first entry `search` matches, as its words joined by spaces; empty: none.
  [[nodiscard]] std::string matching(std::string_view search) const;
  [[nodiscard]] bool empty() const { return entries_.empty(); }
  [[nodiscard]] std::size_t size() const { return entries_.size(); }

 private:
  std::vector<std::vector<std::string>> entries_;  // each entry's words, lower case
};

// The words of `text`, ASCII letters lower-cased: runs of letters, digits and non-ASCII bytes
// (so UTF-8 words stay whole), split at everything else.
[[nodiscard]] std::vector<std::string> words_of(std::string_view text);

}  // namespace warden::policy
