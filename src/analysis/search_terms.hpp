#pragma once
// Which requests are searches, and what was searched for (ANALYSIS-NOTES.md §2): the query
// parameter of the common engines' result pages, and of their autocomplete endpoints, which
// carry what a pupil is typing before they submit (kept apart as "partial").

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace warden::analysis {

enum class SearchKind : std::uint8_t { Submitted, Partial };

[[nodiscard]] constexpr std::string_view search_kind_name(SearchKind k) {
  return k == SearchKind::Submitted ? "submitted" : "partial";
}

inline constexpr std::size_t kMaxSearchBytes = 512;

struct Search {
  std::string_view engine;  // "google", "bing", "duckduckgo", ...
  SearchKind kind = SearchKind::Submitted;
  // Decoded (%XX, +), valid UTF-8, whitespace collapsed, at most kMaxSearchBytes.
  std::string terms;
  // Where the raw parameter value lies in the target, so a log can leave it out.
  std::size_t value_offset = 0;
  std::size_t value_length = 0;
};

// `host`: lower case, as policy normalised it; `target`: origin-form path and query. nullopt
// when the request is not a search or searched for nothing.
[[nodiscard]] std::optional<Search> search_in_request(std::string_view host,
                                                      std::string_view target);

// Google's search host on any country domain: "www.google.com", "google.co.uk", ...
[[nodiscard]] bool is_google_search_host(std::string_view host);

}  // namespace warden::analysis
