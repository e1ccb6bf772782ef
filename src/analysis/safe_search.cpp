#include "analysis/safe_search.hpp"

#include "analysis/search_terms.hpp"
#include "analysis/text.hpp"

#include <array>

namespace warden::analysis {
namespace {

bool one_of(std::string_view host, std::initializer_list<std::string_view> names) {
  for (const std::string_view n : names)
    if (host == n) return true;
  return false;
}

// Google's list for YouTube's restricted mode (support.google.com/a/answer/6214622).
bool is_youtube(std::string_view host) {
  return one_of(host, {"www.youtube.com", "m.youtube.com", "youtube.com", "youtubei.googleapis.com",
                       "youtube.googleapis.com", "www.youtube-nocookie.com"});
}

struct Parameter {
  std::string_view engine;  // as search_in_request names it
  std::string_view name;
  std::string_view value;
  bool SafeSearchModes::*enabled;
};

constexpr std::array kParameters{
    Parameter{"google", "safe", "active", &SafeSearchModes::google},
    Parameter{"bing", "adlt", "strict", &SafeSearchModes::bing},
    Parameter{"duckduckgo", "kp", "1", &SafeSearchModes::duckduckgo},
    Parameter{"yahoo", "vm", "r", &SafeSearchModes::yahoo},
};

// `query` without any `name=...` (or bare `name`) pair, however spelled, then `name=value`.
std::string query_with(std::string_view query, std::string_view name, std::string_view value) {
  std::string out;
  std::size_t at = 0;
  while (at <= query.size()) {
    const std::size_t end = std::min(query.find('&', at), query.size());
    const std::string_view pair = query.substr(at, end - at);
    const std::string_view key = pair.substr(0, pair.find('='));
    // (compared decoded: `saf%65=off` is `safe=off` to the engine)
    const bool encoded = key.find_first_of("%+") != std::string_view::npos;
    if (!pair.empty() && (encoded ? form_decoded(key) != name : key != name))
      out.append(out.empty() ? "" : "&").append(pair);
    at = end + 1;
  }
  out.append(out.empty() ? "" : "&").append(name).append("=").append(value);
  return out;
}

}  // namespace

std::string_view safe_address(const SafeSearchModes& modes, std::string_view host) {
  for (const auto& [from, to] : modes.addresses)
    if (host == from) return to;
  if (!modes.by_address) return {};
  if (modes.google && host.starts_with("www.") && is_google_search_host(host))
    return "forcesafesearch.google.com";
  if (modes.youtube != YouTubeMode::Off && is_youtube(host))
    return modes.youtube == YouTubeMode::Strict ? "restrict.youtube.com"
                                                : "restrictmoderate.youtube.com";
  if (modes.bing && host == "www.bing.com") return "strict.bing.com";
  if (modes.duckduckgo &&
      one_of(host, {"duckduckgo.com", "www.duckduckgo.com", "start.duckduckgo.com"}))
    return "safe.duckduckgo.com";
  return {};
}

std::string_view youtube_restrict(const SafeSearchModes& modes, std::string_view host) {
  if (!modes.by_parameters || modes.youtube == YouTubeMode::Off || !is_youtube(host)) return {};
  return modes.youtube == YouTubeMode::Strict ? "Strict" : "Moderate";
}

std::optional<std::string> with_safe_parameter(const SafeSearchModes& modes, std::string_view host,
                                               std::string_view target) {
  if (!modes.by_parameters) return std::nullopt;
  const std::optional<Search> search = search_in_request(host, target);
  if (!search) return std::nullopt;
  for (const Parameter& p : kParameters) {
    if (p.engine != search->engine || !(modes.*p.enabled)) continue;
    const std::size_t question = target.find('?');  // a search always has a query
    return std::string(target.substr(0, question + 1))
        .append(query_with(target.substr(question + 1), p.name, p.value));
  }
  return std::nullopt;
}

}  // namespace warden::analysis
