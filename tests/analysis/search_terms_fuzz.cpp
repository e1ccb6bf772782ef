// libFuzzer target: search-term extraction from a request's host and target, and from a POST
// body (a JSON object or a form). Input: the host, a newline, the target, and optionally a
// newline, the Content-Type, a newline and the body. Invariants: no crash; terms are valid UTF-8
// with no whitespace run or edge, within kMaxSearchBytes; the located raw value lies inside the
// target; a body search is marked so, and only for a target that may carry one.
#include "analysis/search_terms.hpp"
#include "analysis/text.hpp"
#include "base/assert.hpp"

#include <algorithm>
#include <cstdint>
#include <string_view>

using namespace warden::analysis;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const std::size_t newline = in.find('\n');
  if (newline == std::string_view::npos) return 0;
  const std::string_view host = in.substr(0, newline);
  std::string_view target = in.substr(newline + 1);
  std::string_view content_type;
  std::string_view body;
  if (const std::size_t end = target.find('\n'); end != std::string_view::npos) {
    const std::string_view rest = target.substr(end + 1);
    target = target.substr(0, end);
    const std::size_t type_end = std::min(rest.find('\n'), rest.size());
    content_type = rest.substr(0, type_end);
    body = rest.substr(std::min(type_end + 1, rest.size()));
  }
  for (const auto& s :
       {search_in_request(host, target), search_in_body(host, target, content_type, body)}) {
    if (!s) continue;
    WARDEN_CHECK(!s->terms.empty() && s->terms.size() <= kMaxSearchBytes);
    WARDEN_CHECK(valid_utf8(s->terms) == s->terms);
    WARDEN_CHECK(collapsed(s->terms, kMaxSearchBytes) == s->terms);
    for (const auto& v : s->values) WARDEN_CHECK(v.offset + v.length <= target.size());
    WARDEN_CHECK(!s->in_body || body_may_search(host, target));
  }
  return 0;
}
