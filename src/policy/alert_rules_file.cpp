#include "policy/alert_rules_file.hpp"

#include "analysis/text.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>

namespace warden::policy::detail {
namespace {

constexpr std::uintmax_t kMaxTermsFile = 16u << 20;  // a term list, not a dictionary

// One entry per line; blank lines and lines starting with '#' are skipped.
std::optional<std::string> read_terms_file(const std::string& path, TermList& terms) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return fmt::format("{} is not a file", path);
  if (std::filesystem::file_size(path, ec) > kMaxTermsFile)
    return fmt::format("{} is larger than {} MiB", path, kMaxTermsFile >> 20);
  std::ifstream in(path);
  if (!in) return fmt::format("cannot read {}", path);
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    const std::size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    if (!terms.add(line)) return fmt::format("{}:{}: \"{}\" has no word in it", path, number, line);
  }
  if (in.bad()) return fmt::format("cannot read {}", path);
  return std::nullopt;
}

std::optional<Failure> read_string(const toml::node& v, std::string_view key, std::string& out) {
  const auto* s = v.as_string();
  if (s == nullptr || s->get().empty())
    return Failure{v.source(), fmt::format("alert.{}: expected a non-empty string", key)};
  out = s->get();
  return std::nullopt;
}

// A rule about pages needs its groups' pages scanned: a [[phrases]] rule for each.
std::optional<Failure> pages_scanned(const toml::table& t, const AlertRule& rule,
                                     const std::vector<PhraseRule>& phrases) {
  if (phrases.empty())
    return Failure{t.source(), "alert: page_score needs a [[phrases]] rule (it scores the pages)"};
  for (const auto& group : rule.groups)
    if (phrase_rule_for(phrases, group) == nullptr)
      return Failure{t.source(),
                     fmt::format("alert: page_score: no [[phrases]] rule scans the pages of group "
                                 "\"{}\"",
                                 group)};
  return std::nullopt;
}

}  // namespace

std::optional<Failure> parse_alert_rule(const toml::table& t, std::size_t index,
                                        const std::vector<Group>& groups,
                                        const std::vector<PhraseRule>& phrases,
                                        const std::filesystem::path& folder,
                                        std::vector<AlertRule>& out) {
  AlertRule rule;
  rule.name = fmt::format("alert {} (line {})", index + 1, t.source().begin.line);
  auto terms = std::make_shared<TermList>();
  for (const auto& [k, v] : t) {
    const std::string_view key = k.str();
    std::optional<Failure> f;
    if (key == "name" || key == "category") {
      f = read_string(v, key, key == "name" ? rule.name : rule.category);
    } else if (key == "severity") {
      const auto* s = v.as_string();
      const auto severity = s != nullptr ? parse_severity(s->get()) : std::nullopt;
      if (severity)
        rule.severity = *severity;
      else
        f = Failure{v.source(), "alert.severity: expected low, medium, high or critical"};
    } else if (key == "groups") {
      f = group_names(v, "alert", groups, rule.groups);
    } else if (key == "partial") {
      const auto* b = v.as_boolean();
      if (b != nullptr)
        rule.partial = b->get();
      else
        f = Failure{v.source(), "alert.partial: expected true or false"};
    } else if (key == "searches") {
      auto entries = strings(v);
      if (!entries || entries->empty())
        return Failure{v.source(), "alert.searches: expected a list of search terms"};
      for (const auto& entry : *entries)
        if (!terms->add(entry))
          return Failure{v.source(), "alert.searches: \"" + entry + "\" has no word in it"};
    } else if (key == "page_score") {
      const auto* n = v.as_integer();
      if (n == nullptr || n->get() <= 0)
        return Failure{v.source(), "alert.page_score: expected a score above 0"};
      rule.page_score = n->get();
    } else if (key == "pages") {
      auto entries = strings(v);
      if (!entries || entries->empty())
        return Failure{v.source(), "alert.pages: expected a list of phrase list categories"};
      for (const auto& entry : *entries)
        rule.page_categories.push_back(analysis::ascii_lowered(analysis::trimmed(entry)));
    } else if (key == "searches_file") {
      std::string file;
      if ((f = read_string(v, key, file))) return f;
      if (std::filesystem::path(file).is_relative()) file = (folder / file).string();
      if (auto why = read_terms_file(file, *terms))
        f = Failure{v.source(), "alert.searches_file: " + *why};
    } else {
      f = Failure{k.source(), fmt::format("unknown key alert.{}", key)};
    }
    if (f) return f;
  }
  if (rule.category.empty()) return Failure{t.source(), "alert: category is required"};
  if (auto f = rule.page_score > 0 ? pages_scanned(t, rule, phrases) : std::nullopt) return f;
  if (!rule.page_categories.empty() && rule.page_score == 0)
    return Failure{t.source(), "alert: pages needs page_score (the score that raises the alert)"};
  if (terms->empty() && rule.page_score == 0)
    return Failure{t.source(),
                   "alert: searches, searches_file (with an entry) or page_score is required"};
  if (!terms->empty()) rule.searches = std::move(terms);
  out.push_back(std::move(rule));
  return std::nullopt;
}

}  // namespace warden::policy::detail
