#include "analysis/search_terms.hpp"

#include "analysis/json_field.hpp"
#include "analysis/text.hpp"

#include <algorithm>
#include <array>

namespace warden::analysis {
namespace {

enum class Hosts : std::uint8_t {
  Google,     // www.google.<country>, google.<country>
  Youtube,    // www.youtube.com, m.youtube.com, youtube.com
  Bing,       // www.bing.com, bing.com
  Duck,       // duckduckgo.com and its www., start., safe. names
  Yahoo,      // search.yahoo.com and <country>.search.yahoo.com
  Wikipedia,  // <language>.wikipedia.org, <language>.m.wikipedia.org
  Exact,      // the endpoint's own `host`
};

struct Endpoint {
  std::string_view engine;
  Hosts hosts;
  std::string_view host;  // Hosts::Exact only
  std::string_view path;  // exact, or a prefix when it ends with '*'
  std::string_view param;
  SearchKind kind;
};

constexpr auto S = SearchKind::Submitted;
constexpr auto P = SearchKind::Partial;

// Background requests that repeat a search already seen (result fetches by the page's own
// scripts) are left out, so one search is one line.
constexpr std::array kEndpoints{
    Endpoint{"google", Hosts::Google, "", "/search", "q", S},
    Endpoint{"google", Hosts::Google, "", "/complete/search", "q", P},
    Endpoint{"google", Hosts::Exact, "suggestqueries.google.com", "/complete/search", "q", P},
    Endpoint{"youtube", Hosts::Youtube, "", "/results", "search_query", S},
    Endpoint{"youtube", Hosts::Exact, "suggestqueries-clients6.youtube.com", "/complete/search",
             "q", P},
    Endpoint{"bing", Hosts::Bing, "", "/search", "q", S},
    Endpoint{"bing", Hosts::Bing, "", "/images/search", "q", S},
    Endpoint{"bing", Hosts::Bing, "", "/videos/search", "q", S},
    Endpoint{"bing", Hosts::Bing, "", "/news/search", "q", S},
    Endpoint{"bing", Hosts::Bing, "", "/AS/Suggestions", "qry", P},
    Endpoint{"bing", Hosts::Bing, "", "/osjson.aspx", "query", P},
    Endpoint{"duckduckgo", Hosts::Duck, "", "/", "q", S},
    Endpoint{"duckduckgo", Hosts::Duck, "", "/ac/", "q", P},
    Endpoint{"duckduckgo", Hosts::Exact, "html.duckduckgo.com", "/html*", "q", S},
    Endpoint{"duckduckgo", Hosts::Exact, "lite.duckduckgo.com", "/lite*", "q", S},
    Endpoint{"yahoo", Hosts::Yahoo, "", "/search*", "p", S},
    Endpoint{"yahoo", Hosts::Yahoo, "", "/sugg/*", "command", P},
    Endpoint{"ecosia", Hosts::Exact, "www.ecosia.org", "/search", "q", S},
    Endpoint{"ecosia", Hosts::Exact, "ac.ecosia.org", "/autocomplete", "q", P},
    Endpoint{"wikipedia", Hosts::Wikipedia, "", "/w/index.php", "search", S},
    Endpoint{"wikipedia", Hosts::Wikipedia, "", "/wiki/Special:Search*", "search", S},
    Endpoint{"wikipedia", Hosts::Wikipedia, "", "/w/api.php", "search", P},
    Endpoint{"brave", Hosts::Exact, "search.brave.com", "/search", "q", S},
    Endpoint{"brave", Hosts::Exact, "search.brave.com", "/api/suggest", "q", P},
    Endpoint{"qwant", Hosts::Exact, "www.qwant.com", "/", "q", S},
    Endpoint{"qwant", Hosts::Exact, "api.qwant.com", "/v3/suggest", "q", P},
    Endpoint{"startpage", Hosts::Exact, "www.startpage.com", "/sp/search", "query", S},
    Endpoint{"startpage", Hosts::Exact, "www.startpage.com", "/do/search", "query", S},
};

// Searches sent as POST bodies (ANALYSIS-NOTES.md §2.1).
struct BodyEndpoint {
  std::string_view engine;
  std::array<std::string_view, 3> hosts;  // (unused places empty)
  std::string_view path;                  // a prefix of the path (without the query)
  std::string_view field;
  bool json;  // a JSON object's top-level string; else an urlencoded form's field
};

constexpr std::array kBodyEndpoints{
    BodyEndpoint{"youtube",
                 {"www.youtube.com", "m.youtube.com", "youtubei.googleapis.com"},
                 "/youtubei/v1/search",
                 "query",
                 true},
    BodyEndpoint{"duckduckgo", {"html.duckduckgo.com"}, "/html", "q", false},
    BodyEndpoint{"duckduckgo", {"lite.duckduckgo.com"}, "/lite", "q", false},
    BodyEndpoint{"startpage", {"www.startpage.com"}, "/sp/search", "query", false},
    BodyEndpoint{"startpage", {"www.startpage.com"}, "/do/search", "query", false},
};

const BodyEndpoint* body_endpoint(std::string_view host, std::string_view target) {
  const std::string_view path = target.substr(0, target.find('?'));
  for (const BodyEndpoint& e : kBodyEndpoints)
    if (!host.empty() && path.starts_with(e.path) &&
        std::find(e.hosts.begin(), e.hosts.end(), host) != e.hosts.end())
      return &e;
  return nullptr;
}

bool is_form(std::string_view content_type) {
  constexpr std::string_view kForm = "application/x-www-form-urlencoded";
  if (content_type.size() < kForm.size()) return false;
  for (std::size_t i = 0; i < kForm.size(); ++i) {
    char c = content_type[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kForm[i]) return false;
  }
  return content_type.size() == kForm.size() || content_type[kForm.size()] == ';' ||
         content_type[kForm.size()] == ' ';
}

bool is_short_label(std::string_view l) {
  if (l.empty() || l.size() > 3) return false;
  for (const char c : l)
    if (c < 'a' || c > 'z') return false;
  return true;
}

bool one_of(std::string_view host, std::initializer_list<std::string_view> names) {
  for (const std::string_view n : names)
    if (host == n) return true;
  return false;
}

bool hosts_match(const Endpoint& e, std::string_view host) {
  switch (e.hosts) {
    case Hosts::Google:
      return is_google_search_host(host);
    case Hosts::Youtube:
      return one_of(host, {"www.youtube.com", "m.youtube.com", "youtube.com"});
    case Hosts::Bing:
      return one_of(host, {"www.bing.com", "bing.com"});
    case Hosts::Duck:
      return one_of(host, {"duckduckgo.com", "www.duckduckgo.com", "start.duckduckgo.com",
                           "safe.duckduckgo.com"});
    case Hosts::Yahoo:
      return host == "search.yahoo.com" || host.ends_with(".search.yahoo.com");
    case Hosts::Wikipedia:
      return host.ends_with(".wikipedia.org");
    case Hosts::Exact:
      return host == e.host;
  }
  return false;
}

bool path_matches(std::string_view pattern, std::string_view path) {
  if (pattern.ends_with('*')) return path.starts_with(pattern.substr(0, pattern.size() - 1));
  return path == pattern;
}

// Every value of `name` in `query` (the part after '?', or a form body), with its offset there.
// Names are compared decoded: `%71=` is `q=` to the engine too.
std::vector<std::pair<std::size_t, std::string_view>> parameters(std::string_view query,
                                                                 std::string_view name) {
  std::vector<std::pair<std::size_t, std::string_view>> found;
  std::size_t at = 0;
  while (at <= query.size()) {
    const std::size_t end = std::min(query.find('&', at), query.size());
    const std::string_view pair = query.substr(at, end - at);
    const std::size_t equals = pair.find('=');
    if (equals != std::string_view::npos) {
      const std::string_view key = pair.substr(0, equals);
      const bool encoded = key.find_first_of("%+") != std::string_view::npos;
      if (encoded ? form_decoded(key) == name : key == name)
        found.emplace_back(at + equals + 1, pair.substr(equals + 1));
    }
    at = end + 1;
  }
  return found;
}

// The terms of `values` (raw, form-encoded), joined.
std::string joined_terms(const std::vector<std::pair<std::size_t, std::string_view>>& values) {
  std::string raw;
  for (const auto& [offset, value] : values)
    raw.append(raw.empty() ? "" : " ").append(form_decoded(value));
  return collapsed(valid_utf8(raw), kMaxSearchBytes);
}

}  // namespace

bool body_may_search(std::string_view host, std::string_view target) {
  return body_endpoint(host, target) != nullptr;
}

std::optional<Search> search_in_body(std::string_view host, std::string_view target,
                                     std::string_view content_type, std::string_view body) {
  const BodyEndpoint* e = body_endpoint(host, target);
  if (e == nullptr || body.size() > kMaxSearchBody) return std::nullopt;
  Search s;
  s.engine = e->engine;
  if (e->json) {
    std::string raw;
    for (const std::string& value : json_string_fields(body, e->field))
      raw.append(raw.empty() ? "" : " ").append(value);
    s.terms = collapsed(valid_utf8(raw), kMaxSearchBytes);
  } else {
    if (!is_form(content_type)) return std::nullopt;
    s.terms = joined_terms(parameters(body, e->field));
  }
  if (s.terms.empty()) return std::nullopt;
  s.in_body = true;
  return s;
}

// "google.com", "www.google.co.uk", "google.com.au": Google and one or two short labels after.
bool is_google_search_host(std::string_view host) {
  if (host.starts_with("www.")) host.remove_prefix(4);
  if (!host.starts_with("google.")) return false;
  host.remove_prefix(7);
  const std::size_t dot = host.find('.');
  if (dot == std::string_view::npos) return is_short_label(host);
  return is_short_label(host.substr(0, dot)) && is_short_label(host.substr(dot + 1));
}

std::optional<Search> search_in_request(std::string_view host, std::string_view target) {
  const std::size_t question = target.find('?');
  if (question == std::string_view::npos) return std::nullopt;
  const std::string_view path = target.substr(0, question);
  const std::string_view query = target.substr(question + 1);
  for (const Endpoint& e : kEndpoints) {
    if (!path_matches(e.path, path) || !hosts_match(e, host)) continue;
    const auto found = parameters(query, e.param);
    Search s;
    s.engine = e.engine;
    s.kind = e.kind;
    s.terms = joined_terms(found);
    if (s.terms.empty()) return std::nullopt;
    for (const auto& [offset, value] : found)
      s.values.push_back({question + 1 + offset, value.size()});
    return s;
  }
  return std::nullopt;
}

}  // namespace warden::analysis
