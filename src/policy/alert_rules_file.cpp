#include "policy/alert_rules_file.hpp"

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

}  // namespace

std::optional<Failure> parse_alert_rule(const toml::table& t, std::size_t index,
                                        const std::vector<Group>& groups,
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
  if (terms->empty())
    return Failure{t.source(), "alert: searches or searches_file (with an entry) is required"};
  rule.searches = std::move(terms);
  out.push_back(std::move(rule));
  return std::nullopt;
}

}  // namespace warden::policy::detail
