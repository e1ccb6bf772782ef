// libFuzzer target: the policy parser on arbitrary text. Invariant: a policy or an error that
// names a position; never a crash or an escaped exception. A policy that loads is asked what it
// changes in a search and which alerts it raises, as the proxy would.
#include "policy/policy_file.hpp"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto lists = warden::policy::CategoryLists::empty();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto p = warden::policy::parse_policy(text, "fuzz.toml", lists);
  if (!p && p.error().context.empty()) __builtin_trap();
  if (p) {
    const auto changes = (*p)->changes("default", "www.google.com", "/search?q=hurt+myself");
    if (!changes.target.empty() && !changes.target.starts_with("/search?")) __builtin_trap();
    (void)(*p)->alerts_for("default", "hurt myself", true);
  }
  return 0;
}
