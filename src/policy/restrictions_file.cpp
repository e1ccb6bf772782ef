#include "policy/restrictions_file.hpp"

#include "http/chars.hpp"
#include "policy/host.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace warden::policy::detail {
namespace {

using analysis::SafeSearchModes;
using analysis::YouTubeMode;

std::optional<Failure> read_bool(const toml::node& v, std::string_view key, bool& out) {
  const auto* b = v.as_boolean();
  if (b == nullptr)
    return Failure{v.source(), fmt::format("safe_search.{}: expected true or false", key)};
  out = b->get();
  return std::nullopt;
}

// `name` normalised as a host, or a failure naming `what`.
std::optional<Failure> read_host(const toml::node& at, std::string_view what, std::string_view name,
                                 std::string& out) {
  std::string why;
  const NormalHost h = normalize_host(name, why);
  if (!why.empty()) return Failure{at.source(), fmt::format("{}: \"{}\": {}", what, name, why)};
  out = h.text;
  return std::nullopt;
}

std::optional<Failure> read_addresses(const toml::node& v, SafeSearchModes& modes) {
  const auto* t = v.as_table();
  if (t == nullptr)
    return Failure{v.source(),
                   "safe_search.addresses: expected a table of host = \"safe host\" pairs"};
  for (const auto& [k, safe] : *t) {
    const auto* s = safe.as_string();
    if (s == nullptr)
      return Failure{safe.source(), "safe_search.addresses: expected \"safe host\" strings"};
    std::pair<std::string, std::string> pair;
    if (auto f = read_host(safe, "safe_search.addresses", k.str(), pair.first)) return f;
    if (auto f = read_host(safe, "safe_search.addresses", s->get(), pair.second)) return f;
    modes.addresses.push_back(std::move(pair));
  }
  return std::nullopt;
}

// Fields the framing, the connection or Warden's own forwarding own: a rule must not set them.
constexpr std::array<std::string_view, 13> kReserved = {"host",
                                                        "content-length",
                                                        "transfer-encoding",
                                                        "connection",
                                                        "keep-alive",
                                                        "te",
                                                        "upgrade",
                                                        "trailer",
                                                        "expect",
                                                        "proxy-connection",
                                                        "proxy-authorization",
                                                        "via",
                                                        "x-forwarded-for"};

std::optional<Failure> read_fields(const toml::node& v, Fields& out) {
  const auto* t = v.as_table();
  if (t == nullptr || t->empty())
    return Failure{v.source(), "header.set: expected a table of \"Field-Name\" = \"value\""};
  for (const auto& [k, value] : *t) {
    std::string name(k.str());
    if (!http::chars::is_token(name))
      return Failure{k.source(), fmt::format("header.set: \"{}\" is not a field name", name)};
    std::transform(name.begin(), name.end(), name.begin(),
                   [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; });
    if (std::find(kReserved.begin(), kReserved.end(), name) != kReserved.end())
      return Failure{k.source(), fmt::format("header.set: {} is not a field a rule may set", name)};
    const auto* s = value.as_string();
    const std::string_view text = s != nullptr ? std::string_view(s->get()) : std::string_view();
    const bool valid = !text.empty() && text.front() != ' ' && text.front() != '\t' &&
                       text.back() != ' ' && text.back() != '\t' &&
                       std::all_of(text.begin(), text.end(), http::chars::is_field_value_char);
    if (!valid)
      return Failure{value.source(),
                     fmt::format("header.set.{}: expected a value (visible characters, no line "
                                 "breaks, no spaces at either end)",
                                 k.str())};
    out.emplace_back(std::move(name), std::string(text));
  }
  return std::nullopt;
}

}  // namespace

std::optional<Failure> parse_safe_search(const toml::table& t, const std::vector<Group>& groups,
                                         std::vector<SafeSearchRule>& out) {
  SafeSearchRule rule;
  SafeSearchModes& m = rule.modes;
  for (const auto& [k, v] : t) {
    const std::string_view key = k.str();
    std::optional<Failure> f;
    if (key == "groups") {
      f = group_names(v, "safe_search", groups, rule.groups);
    } else if (key == "google" || key == "bing" || key == "duckduckgo" || key == "yahoo") {
      bool& flag = key == "google"       ? m.google
                   : key == "bing"       ? m.bing
                   : key == "duckduckgo" ? m.duckduckgo
                                         : m.yahoo;
      f = read_bool(v, key, flag);
    } else if (key == "youtube") {
      const auto* s = v.as_string();
      const std::string_view mode = s != nullptr ? std::string_view(s->get()) : "";
      if (mode == "strict" || mode == "moderate" || mode == "off")
        m.youtube = mode == "strict"     ? YouTubeMode::Strict
                    : mode == "moderate" ? YouTubeMode::Moderate
                                         : YouTubeMode::Off;
      else
        f = Failure{v.source(),
                    "safe_search.youtube: expected \"strict\", \"moderate\" or \"off\""};
    } else if (key == "method") {
      const auto* s = v.as_string();
      const std::string_view method = s != nullptr ? std::string_view(s->get()) : "";
      if (method == "address" || method == "parameters" || method == "both" || method == "off") {
        m.by_address = method == "address" || method == "both";
        m.by_parameters = method == "parameters" || method == "both";
      } else {
        f = Failure{
            v.source(),
            "safe_search.method: expected \"address\", \"parameters\", \"both\" or \"off\""};
      }
    } else if (key == "addresses") {
      f = read_addresses(v, m);
    } else {
      f = Failure{k.source(), fmt::format("unknown key safe_search.{}", key)};
    }
    if (f) return f;
  }
  if (!m.by_address && !m.by_parameters) m = SafeSearchModes::none();  // "off": the pairs too
  out.push_back(std::move(rule));
  return std::nullopt;
}

std::optional<Failure> parse_header_rule(const toml::table& t, std::size_t index,
                                         const std::vector<Group>& groups,
                                         std::vector<HeaderRule>& out) {
  HeaderRule rule;
  rule.name = fmt::format("header {} (line {})", index + 1, t.source().begin.line);
  bool have_domains = false;
  for (const auto& [k, v] : t) {
    const std::string_view key = k.str();
    std::optional<Failure> f;
    if (key == "name") {
      const auto* s = v.as_string();
      if (s == nullptr || s->get().empty())
        f = Failure{v.source(), "header.name: expected a non-empty string"};
      else
        rule.name = s->get();
    } else if (key == "groups") {
      f = group_names(v, "header", groups, rule.groups);
    } else if (key == "domains") {
      auto d = strings(v);
      if (!d || d->empty())
        return Failure{v.source(), "header.domains: expected a list of domains"};
      DomainSet::Builder b;
      for (const auto& name : *d) {
        std::string host;
        if ((f = read_host(v, "header.domains", name, host))) return f;
        b.add(host, 0);
      }
      rule.domains = b.build();
      have_domains = true;
    } else if (key == "set") {
      f = read_fields(v, rule.fields);
    } else {
      f = Failure{k.source(), fmt::format("unknown key header.{}", key)};
    }
    if (f) return f;
  }
  if (!have_domains) return Failure{t.source(), "header: domains is required"};
  if (rule.fields.empty()) return Failure{t.source(), "header: set is required"};
  out.push_back(std::move(rule));
  return std::nullopt;
}

}  // namespace warden::policy::detail
