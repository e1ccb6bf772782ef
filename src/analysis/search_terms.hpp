#pragma once
// Which requests are searches, and what was searched for (ANALYSIS-NOTES.md §2): the query
// parameter of the common engines' result pages, and of their autocomplete endpoints, which
// carry what a pupil is typing before they submit (kept apart as "partial").

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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
  // Where each raw value of the parameter lies in the target, so a log can leave them out. A
  // parameter given twice (`q=&q=...`) is a trick, since an engine may read either: the terms
  // are all of its values, joined by a space.
  struct Span {
    std::size_t offset = 0;
    std::size_t length = 0;
  };
  std::vector<Span> values;
  bool in_body = false;  // the terms came in a POST body: the target does not carry them
};

// The most of a POST body read for its search (YouTube's is a few KiB of context).
inline constexpr std::size_t kMaxSearchBody = 64 * 1024;

// `host`: lower case, as policy normalised it; `target`: origin-form path and query. nullopt
// when the request is not a search or searched for nothing.
[[nodiscard]] std::optional<Search> search_in_request(std::string_view host,
                                                      std::string_view target);

// Whether a POST to `host` `target` is one that carries a search in its body (so the proxy
// reads the body, up to kMaxSearchBody, before judging the request).
[[nodiscard]] bool body_may_search(std::string_view host, std::string_view target);

// The search in such a body: YouTube's in-app search (JSON `query` to /youtubei/v1/search),
// DuckDuckGo's html and lite forms (`q`), Startpage's form (`query`); `content_type` as sent.
// nullopt when it is not one of them or searched for nothing.
[[nodiscard]] std::optional<Search> search_in_body(std::string_view host, std::string_view target,
                                                   std::string_view content_type,
                                                   std::string_view body);

// Google's search host on any country domain: "www.google.com", "google.co.uk", ...
[[nodiscard]] bool is_google_search_host(std::string_view host);

}  // namespace warden::analysis
