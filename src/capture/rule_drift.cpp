#include "capture/rule_drift.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace warden::capture {
namespace {

// The listing's lines, trimmed, without blank ones: nft indents with tabs.
std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    const std::size_t end = std::min(text.find('\n'), text.size());
    std::string_view line = text.substr(0, end);
    text.remove_prefix(std::min(end + 1, text.size()));
    while (!line.empty() && (line.front() == '\t' || line.front() == ' ')) line.remove_prefix(1);
    while (!line.empty() && (line.back() == '\t' || line.back() == ' ' || line.back() == '\r'))
      line.remove_suffix(1);
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

// Lines of `a` that `b` lacks (as a multiset), the first few joined by " | ".
std::string missing_from(const std::vector<std::string_view>& a, std::vector<std::string_view> b) {
  std::string out;
  std::size_t count = 0;
  for (const auto line : a) {
    const auto it = std::find(b.begin(), b.end(), line);
    if (it != b.end()) {
      b.erase(it);
      continue;
    }
    if (++count <= 5) out += fmt::format("{}\"{}\"", out.empty() ? "" : " | ", line);
  }
  if (count > 5) out += fmt::format(" (and {} more)", count - 5);
  return out;
}

}  // namespace

std::optional<std::string> describe_drift(std::string_view what, std::string_view expected,
                                          const std::optional<std::string>& found) {
  if (!found) return fmt::format("{} was removed", what);
  if (*found == expected) return std::nullopt;
  const auto want = lines_of(expected);
  const auto have = lines_of(*found);
  if (want == have) return std::nullopt;  // only whitespace moved
  const std::string removed = missing_from(want, have);
  const std::string added = missing_from(have, want);
  std::string said = fmt::format("{} was altered:", what);
  if (!removed.empty()) said += " removed " + removed;
  if (!removed.empty() && !added.empty()) said += ";";
  if (!added.empty()) said += " added " + added;
  if (removed.empty() && added.empty()) said += " its lines were reordered";
  return said;
}

}  // namespace warden::capture
