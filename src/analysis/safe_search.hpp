#pragma once
// Restricted modes (SafeSearch) the way a proxy can enforce them (ANALYSIS-NOTES.md §1): the
// pupil's name (Host and SNI) is kept and the connection goes to the provider's "safe" address,
// which serves the same names with the mode locked on, for every request of the host, background
// and POST included, decrypted or not. As a second line, on decrypted requests: the engines' own
// URL parameters and YouTube's `YouTube-Restrict` header, a pupil's own value replaced.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace warden::analysis {

enum class YouTubeMode : std::uint8_t { Off, Moderate, Strict };

// Which restricted modes apply to a client (a policy's [[safe_search]] table; docs/policy.md).
struct SafeSearchModes {
  bool google = true;
  bool bing = true;
  bool duckduckgo = true;
  bool yahoo = true;  // the parameter only: Yahoo has no safe address
  YouTubeMode youtube = YouTubeMode::Strict;
  bool by_address = true;      // connect to the provider's safe address
  bool by_parameters = false;  // add the URL parameters and YouTube-Restrict (decrypted only)
  // Further (host, safe host) pairs, e.g. {"pixabay.com", "safesearch.pixabay.com"}.
  std::vector<std::pair<std::string, std::string>> addresses;

  [[nodiscard]] static SafeSearchModes none() {
    SafeSearchModes m;
    m.google = m.bing = m.duckduckgo = m.yahoo = m.by_address = m.by_parameters = false;
    m.youtube = YouTubeMode::Off;
    return m;
  }
};

// The safe address requests to `host` (normalised, lower case) are sent to; empty: the host's
// own. Only the hosts the providers name: `www.google.<country>` (never mail.google.com and the
// like, whose services the safe address does not carry), YouTube's web and API hosts, Bing's and
// DuckDuckGo's, and the pairs in `modes.addresses`.
[[nodiscard]] std::string_view safe_address(const SafeSearchModes& modes, std::string_view host);

// The value of `YouTube-Restrict` for requests to `host`; empty: none (not YouTube, or off, or
// the second line is not on).
[[nodiscard]] std::string_view youtube_restrict(const SafeSearchModes& modes,
                                                std::string_view host);

// `target` (origin-form path and query) with the engine's safe parameter (`safe=active`,
// `adlt=strict`, `kp=1`, `vm=r`) in place of any the pupil sent, when it is a search there and
// the second line is on; nullopt: sent as it is.
[[nodiscard]] std::optional<std::string> with_safe_parameter(const SafeSearchModes& modes,
                                                             std::string_view host,
                                                             std::string_view target);

}  // namespace warden::analysis
