// libFuzzer target: search-term extraction from a request's host and target. Input: the host,
// a newline, the target. Invariants: no crash; terms are valid UTF-8 with no whitespace run or
// edge, within kMaxSearchBytes; the located raw value lies inside the target.
#include "analysis/search_terms.hpp"
#include "analysis/text.hpp"
#include "base/assert.hpp"

#include <cstdint>
#include <string_view>

using namespace warden::analysis;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const std::size_t newline = in.find('\n');
  if (newline == std::string_view::npos) return 0;
  const std::string_view host = in.substr(0, newline);
  const std::string_view target = in.substr(newline + 1);
  const auto s = search_in_request(host, target);
  if (!s) return 0;
  WARDEN_CHECK(!s->terms.empty() && s->terms.size() <= kMaxSearchBytes);
  WARDEN_CHECK(valid_utf8(s->terms) == s->terms);
  WARDEN_CHECK(collapsed(s->terms, kMaxSearchBytes) == s->terms);
  WARDEN_CHECK(s->value_offset + s->value_length <= target.size());
  return 0;
}
