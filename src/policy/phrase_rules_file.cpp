#include "policy/phrase_rules_file.hpp"

#ifdef WARDEN_PAGE_SCAN
#include "analysis/phrase_list.hpp"
#include "analysis/phrase_matcher.hpp"
#endif

#include <fmt/format.h>

namespace warden::policy::detail {

#ifdef WARDEN_PAGE_SCAN

std::optional<Failure> parse_phrase_rule(const toml::table& t, std::size_t index,
                                         const std::vector<Group>& groups,
                                         const std::filesystem::path& folder,
                                         std::vector<PhraseRule>& out) {
  PhraseRule rule;
  rule.name = fmt::format("phrases {} (line {})", index + 1, t.source().begin.line);
  std::vector<analysis::PhraseEntry> entries;
  // The lists are read after the other keys (lenient changes how).
  std::vector<std::pair<analysis::PhraseKind, const toml::node*>> lists;
  analysis::PhraseLimits limits;
  bool has_limit = false;
  for (const auto& [k, v] : t) {
    const std::string_view key = k.str();
    if (key == "name") {
      const auto* s = v.as_string();
      if (s == nullptr || s->get().empty())
        return Failure{v.source(), "phrases.name: expected a non-empty string"};
      rule.name = s->get();
    } else if (key == "groups") {
      if (auto f = group_names(v, "phrases", groups, rule.groups)) return f;
    } else if (key == "limit") {
      const auto* n = v.as_integer();
      if (n == nullptr || n->get() < 0 || n->get() > 1'000'000)
        return Failure{v.source(), "phrases.limit: expected a score from 0 (never block) up"};
      rule.limit = static_cast<int>(n->get());
      has_limit = true;
    } else if (key == "lenient") {
      const auto* b = v.as_boolean();
      if (b == nullptr) return Failure{v.source(), "phrases.lenient: expected true or false"};
      limits.lenient = b->get();
    } else if (key == "weighted" || key == "banned" || key == "exception") {
      lists.emplace_back(key == "weighted" ? analysis::PhraseKind::Weighted
                         : key == "banned" ? analysis::PhraseKind::Banned
                                           : analysis::PhraseKind::Exception,
                         &v);
    } else {
      return Failure{k.source(), fmt::format("unknown key phrases.{}", key)};
    }
  }
  if (!has_limit)
    return Failure{t.source(),
                   "phrases: limit is required (the score that blocks a page; 0: "
                   "never block, only score)"};
  if (lists.empty())
    return Failure{t.source(), "phrases: name at least one list (weighted, banned, exception)"};
  analysis::PhraseListReport report;
  for (const auto& [kind, v] : lists) {
    const std::string_view key = kind == analysis::PhraseKind::Weighted ? "weighted"
                                 : kind == analysis::PhraseKind::Banned ? "banned"
                                                                        : "exception";
    auto files = strings(*v);
    if (!files || files->empty())
      return Failure{v->source(), fmt::format("phrases.{}: expected a list of list files", key)};
    for (std::string file : *files) {
      if (std::filesystem::path(file).is_relative()) file = (folder / file).string();
      if (auto why = analysis::read_phrase_list(file, kind, entries, limits, &report))
        return Failure{v->source(), fmt::format("phrases.{}: {}", key, *why)};
    }
  }
  rule.entries = entries.size();
  rule.skipped = report.skipped;
  rule.first_skipped = std::move(report.first_skipped);
  if (entries.empty()) return Failure{t.source(), "phrases: the lists named hold no phrase"};
  auto compiled = analysis::PhraseMatcher::compile(std::move(entries));
  if (auto* why = std::get_if<std::string>(&compiled))
    return Failure{t.source(), "phrases: " + *why};
  rule.matcher = std::get<0>(std::move(compiled));
  out.push_back(std::move(rule));
  return std::nullopt;
}

#else

std::optional<Failure> parse_phrase_rule(const toml::table& t, std::size_t,
                                         const std::vector<Group>&, const std::filesystem::path&,
                                         std::vector<PhraseRule>&) {
  return Failure{t.source(),
                 "phrases: phrase scanning is not in this build (the Windows build "
                 "has no Vectorscan yet; docs/windows.md)"};
}

#endif

}  // namespace warden::policy::detail
