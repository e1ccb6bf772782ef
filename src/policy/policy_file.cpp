#include "policy/policy_file.hpp"

#include "platform/os.hpp"
#include "policy/alert_rules_file.hpp"
#include "policy/host.hpp"
#include "policy/phrase_rules_file.hpp"
#include "policy/restrictions_file.hpp"
#include "policy/toml_read.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <filesystem>
#include <fstream>
#include <re2/re2.h>
#include <sstream>

namespace warden::policy {
namespace {

using base::Error;
using base::ErrorCode;
using base::ErrorSource;
using detail::Failure;
using detail::strings;

Error to_error(const Failure& f, const std::string& source) {
  return {ErrorCode::BadRequest, ErrorSource::Client,
          fmt::format("{}:{}:{}: {}", f.where.path ? *f.where.path : source, f.where.begin.line,
                      f.where.begin.column, f.what)};
}

std::optional<Action> parse_action(std::string_view s) {
  if (s == "allow") return Action::Allow;
  if (s == "block") return Action::Block;
  if (s == "no_decrypt") return Action::NoDecrypt;
  if (s == "reject") return Action::Reject;
  return std::nullopt;
}

std::optional<int> parse_clock(std::string_view s) {  // "08:30"
  if (s.size() != 5 || s[2] != ':') return std::nullopt;
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (!digit(s[0]) || !digit(s[1]) || !digit(s[3]) || !digit(s[4])) return std::nullopt;
  const int h = (s[0] - '0') * 10 + (s[1] - '0');
  const int m = (s[3] - '0') * 10 + (s[4] - '0');
  if (h > 24 || m > 59 || (h == 24 && m != 0)) return std::nullopt;
  return h * 60 + m;
}

// A user name (looked up now) or a numeric id; nullopt with `why`.
std::optional<std::uint32_t> user_id(const toml::node& n, std::string& why) {
  if (const auto* i = n.as_integer()) {
    if (i->get() >= 0 && i->get() <= 0xfffffffe) return static_cast<std::uint32_t>(i->get());
    why = "not a user id";
    return std::nullopt;
  }
  const auto* s = n.as_string();
  if (s == nullptr) {
    why = "expected a user name or id";
    return std::nullopt;
  }
  const auto uid = platform::user_id(s->get());
  if (!uid) why = "no user named \"" + s->get() + "\" on this system";
  return uid;
}

std::optional<Failure> parse_schedule(const toml::node& n, Schedule& out) {
  const auto* t = n.as_table();
  if (t == nullptr) return Failure{n.source(), "schedule: expected a table {days, from, to}"};
  out = Schedule{};
  for (const auto& [k, v] : *t) {
    const std::string_view key = k.str();
    if (key == "days") {
      auto days = strings(v);
      if (!days) return Failure{v.source(), "schedule.days: expected a list of day names"};
      out.days = 0;
      static constexpr std::array<std::string_view, 7> kDays = {"mon", "tue", "wed", "thu",
                                                                "fri", "sat", "sun"};
      for (const auto& d : *days) {
        const auto it = std::find(kDays.begin(), kDays.end(), d);
        if (it == kDays.end())
          return Failure{v.source(), "schedule.days: \"" + d + "\" is not one of mon..sun"};
        out.days |= static_cast<std::uint8_t>(1u << (it - kDays.begin()));
      }
    } else if (key == "from" || key == "to") {
      const auto* s = v.as_string();
      const auto minute = s ? parse_clock(s->get()) : std::nullopt;
      if (!minute) return Failure{v.source(), fmt::format("schedule.{}: expected \"HH:MM\"", key)};
      (key == "from" ? out.from_minute : out.to_minute) = *minute;
    } else {
      return Failure{k.source(), fmt::format("unknown key schedule.{}", key)};
    }
  }
  return std::nullopt;
}

// One [[rule]] table into `rule`.
std::optional<Failure> parse_rule(const toml::table& t, std::size_t index,
                                  const CategoryLists& lists, const std::vector<Group>& groups,
                                  Rule& rule) {
  rule.name = fmt::format("rule {} (line {})", index + 1, t.source().begin.line);
  bool have_action = false;
  int kinds = 0;
  toml::source_region protocol_at = t.source();
  for (const auto& [k, v] : t) {
    const std::string_view key = k.str();
    if (key == "name") {
      const auto* s = v.as_string();
      if (s == nullptr || s->get().empty())
        return Failure{v.source(), "rule.name: expected a non-empty string"};
      rule.name = s->get();
    } else if (key == "action") {
      const auto* s = v.as_string();
      const auto a = s ? parse_action(s->get()) : std::nullopt;
      if (!a)
        return Failure{v.source(), "rule.action: expected allow, block, no_decrypt or reject"};
      rule.action = *a;
      have_action = true;
    } else if (key == "groups") {
      if (auto f = detail::group_names(v, "rule", groups, rule.groups)) return f;
    } else if (key == "schedule") {
      Schedule s;
      if (auto f = parse_schedule(v, s)) return f;
      rule.schedule = s;
    } else if (key == "domains") {
      auto d = strings(v);
      if (!d || d->empty()) return Failure{v.source(), "rule.domains: expected a list of domains"};
      DomainSet::Builder b;
      for (const auto& name : *d) {
        std::string why;
        const NormalHost h = normalize_host(name, why);
        if (!why.empty()) return Failure{v.source(), "rule.domains: \"" + name + "\": " + why};
        b.add(h.text, 0);
      }
      rule.domains = b.build();
      rule.kind = Rule::Kind::Domain;
      ++kinds;
    } else if (key == "urls") {
      auto u = strings(v);
      if (!u || u->empty())
        return Failure{v.source(), "rule.urls: expected a list of URL prefixes"};
      for (const auto& entry : *u) {
        std::string why;
        auto [host, path] = split_url_entry(entry, why);
        if (host.empty()) return Failure{v.source(), "rule.urls: \"" + entry + "\": " + why};
        rule.urls.emplace_back(std::move(host), std::move(path));
      }
      rule.kind = Rule::Kind::Url;
      ++kinds;
    } else if (key == "regex") {
      const auto* s = v.as_string();
      if (s == nullptr) return Failure{v.source(), "rule.regex: expected a string"};
      RE2::Options o;
      o.set_log_errors(false);
      auto re = std::make_shared<re2::RE2>(s->get(), o);
      if (!re->ok()) return Failure{v.source(), "rule.regex: " + re->error()};
      rule.regex = std::move(re);
      rule.kind = Rule::Kind::Regex;
      ++kinds;
    } else if (key == "searches") {
      auto entries = strings(v);
      if (!entries || entries->empty())
        return Failure{v.source(), "rule.searches: expected a list of search terms"};
      auto terms = std::make_shared<TermList>();
      for (const auto& entry : *entries)
        if (!terms->add(entry))
          return Failure{v.source(), "rule.searches: \"" + entry + "\" has no word in it"};
      rule.searches = std::move(terms);
      rule.kind = Rule::Kind::Search;
      ++kinds;
    } else if (key == "categories") {
      auto c = strings(v);
      if (!c || c->empty())
        return Failure{v.source(), "rule.categories: expected a list of category names"};
      for (const auto& name : *c) {
        const int id = lists.id(canonical_category(name));
        if (id < 0) {
          std::string known;
          for (const auto& n : lists.names()) known += (known.empty() ? "" : ", ") + n;
          return Failure{v.source(),
                         fmt::format("rule.categories: no list named \"{}\" (loaded: {})", name,
                                     known.empty() ? "none" : known)};
        }
        rule.categories.add(static_cast<CategoryId>(id));
      }
      rule.kind = Rule::Kind::Category;
      ++kinds;
    } else if (key == "ports") {
      const auto* arr = v.as_array();
      if (arr == nullptr || arr->empty())
        return Failure{v.source(), "rule.ports: expected a list of ports"};
      for (const auto& e : *arr) {
        const auto* i = e.as_integer();
        if (i == nullptr || i->get() < 1 || i->get() > 65535)
          return Failure{e.source(), "rule.ports: expected port numbers between 1 and 65535"};
        rule.ports.push_back(static_cast<std::uint16_t>(i->get()));
      }
      rule.kind = Rule::Kind::Port;
      ++kinds;
    } else if (key == "destinations") {
      auto d = strings(v);
      if (!d || d->empty())
        return Failure{v.source(), "rule.destinations: expected a list of CIDRs"};
      for (const auto& text : *d) {
        auto cidr = parse_cidr(text);
        if (!cidr)
          return Failure{v.source(),
                         "rule.destinations: \"" + text +
                             "\" is not a CIDR (\"203.0.113.0/24\", \"2001:db8::/32\")"};
        rule.destinations.push_back(*cidr);
      }
      rule.kind = Rule::Kind::Destination;
      ++kinds;
    } else if (key == "protocol") {
      const auto* s = v.as_string();
      if (s == nullptr || (s->get() != "web" && s->get() != "other"))
        return Failure{v.source(), "rule.protocol: expected \"web\" or \"other\""};
      rule.protocol = s->get() == "web" ? Rule::Protocol::Web : Rule::Protocol::Other;
      protocol_at = v.source();
    } else {
      return Failure{k.source(), fmt::format("unknown key rule.{}", key)};
    }
  }
  if (!have_action) return Failure{t.source(), "rule: action is required"};
  if (rule.protocol == Rule::Protocol::Other) {
    // Traffic that is neither HTTP nor TLS has no host name or URL: addresses and ports only.
    if (kinds == 0) rule.kind = Rule::Kind::Any;
    if (rule.kind != Rule::Kind::Any && rule.kind != Rule::Kind::Port &&
        rule.kind != Rule::Kind::Destination)
      return Failure{protocol_at,
                     "rule: protocol = \"other\" rules match ports or destinations "
                     "(traffic that is neither HTTP nor TLS has no host name)"};
    if (rule.action == Action::NoDecrypt)
      return Failure{protocol_at, "rule: no_decrypt means nothing for protocol = \"other\""};
    if (kinds > 1)
      return Failure{t.source(),
                     "rule: only one of ports or destinations per rule (write one "
                     "rule for each)"};
    return std::nullopt;
  }
  if (rule.kind == Rule::Kind::Destination)
    return Failure{t.source(), "rule: destinations are for protocol = \"other\" rules"};
  if (kinds == 0)
    return Failure{t.source(),
                   "rule: one of domains, urls, regex, searches, categories or ports is required"};
  if (kinds > 1)
    return Failure{t.source(),
                   "rule: only one of domains, urls, regex, searches, categories or ports per rule "
                   "(write one rule for each)"};
  return std::nullopt;
}

void set_string(const toml::node& v, std::string& out, std::optional<Failure>& failure,
                std::string_view key) {
  const auto* s = v.as_string();
  if (s == nullptr)
    failure = Failure{v.source(), fmt::format("page.{}: expected a string", key)};
  else
    out = s->get();
}

}  // namespace

std::string_view canonical_category(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 7> kAliases = {
      {{"porn", "adult"},
       {"proxy", "redirector"},
       {"ads", "publicite"},
       {"aggressive", "agressif"},
       {"drugs", "drogue"},
       {"mail", "forums"},
       {"violence", "agressif"}}};
  for (const auto& [alias, real] : kAliases)
    if (name == alias) return real;
  return name;
}

PolicyPtr default_policy(std::shared_ptr<const CategoryLists> lists) {
  std::vector<Rule> rules;
  auto add = [&](std::string name, Action action, std::initializer_list<std::string_view> cats) {
    Rule r;
    r.name = std::move(name);
    r.action = action;
    r.kind = Rule::Kind::Category;
    bool any = false;
    for (auto c : cats)
      if (const int id = lists->id(c); id >= 0) {
        r.categories.add(static_cast<CategoryId>(id));
        any = true;
      }
    if (any) rules.push_back(std::move(r));
  };
  add("default: blocked categories", Action::Block,
      {"adult", "gambling", "malware", "phishing", "redirector", "vpn", "doh"});
  add("default: never decrypted", Action::NoDecrypt, {"bank"});
  return std::make_shared<const Policy>(std::vector<Group>{}, std::move(rules), std::move(lists),
                                        PageStrings{}, "built-in");
}

base::Result<PolicyPtr> parse_policy(std::string_view text, const std::string& source,
                                     std::shared_ptr<const CategoryLists> lists) {
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    return to_error({e.source(), std::string(e.description())}, source);
  }
  std::vector<Group> groups;
  std::vector<Rule> rules;
  PageStrings page;
  Restrictions restrictions;
  std::vector<AlertRule> alerts;
  std::vector<PhraseRule> phrases;
  // Files a policy names (alert term lists, phrase lists) are relative to it (either separator
  // on Windows).
  const std::filesystem::path folder = std::filesystem::path(source).parent_path();
  std::optional<Failure> failure;
  // Groups first: rules refer to them.
  if (const auto* g = root.get("group")) {
    const auto* arr = g->as_array();
    if (arr == nullptr) return to_error({g->source(), "group: expected [[group]] tables"}, source);
    for (const auto& e : *arr) {
      const auto* t = e.as_table();
      if (t == nullptr) return to_error({e.source(), "group: expected a table"}, source);
      Group group;
      for (const auto& [k, v] : *t) {
        if (k.str() == "name") {
          const auto* s = v.as_string();
          if (s == nullptr || s->get().empty())
            return to_error({v.source(), "group.name: expected a non-empty string"}, source);
          group.name = s->get();
        } else if (k.str() == "users") {
          const auto* users = v.as_array();
          if (users == nullptr)
            return to_error({v.source(), "group.users: expected a list of user names or ids"},
                            source);
          for (const auto& u : *users) {
            std::string why;
            auto uid = user_id(u, why);
            if (!uid) return to_error({u.source(), "group.users: " + why}, source);
            group.users.push_back(*uid);
          }
        } else if (k.str() == "sources") {
          auto list = strings(v);
          if (!list)
            return to_error({v.source(), "group.sources: expected a list of addresses or CIDRs"},
                            source);
          for (const auto& c : *list) {
            auto cidr = parse_cidr(c);
            if (!cidr)
              return to_error(
                  {v.source(), "group.sources: \"" + c + "\" is not an address or CIDR"}, source);
            group.sources.push_back(*cidr);
          }
        } else {
          return to_error({k.source(), fmt::format("unknown key group.{}", k.str())}, source);
        }
      }
      if (group.name.empty()) return to_error({t->source(), "group: name is required"}, source);
      if (std::any_of(groups.begin(), groups.end(),
                      [&](const Group& x) { return x.name == group.name; }))
        return to_error({t->source(), "group: \"" + group.name + "\" is defined twice"}, source);
      groups.push_back(std::move(group));
    }
  }
  for (const auto& [k, v] : root) {
    const std::string_view key = k.str();
    if (key == "group") continue;
    if (key == "lists") {
      if (v.as_string() == nullptr)
        return to_error({v.source(), "lists: expected a folder name (a string)"}, source);
      continue;
    }
    if (key == "rule") {
      failure = detail::for_each_table(v, "rule", [&](const toml::table& t, std::size_t i) {
        Rule rule;
        auto f = parse_rule(t, i, *lists, groups, rule);
        if (!f) rules.push_back(std::move(rule));
        return f;
      });
      if (failure) return to_error(*failure, source);
    } else if (key == "safe_search") {
      failure = detail::for_each_table(v, "safe_search", [&](const toml::table& t, std::size_t) {
        return detail::parse_safe_search(t, groups, restrictions.safe_search);
      });
      if (failure) return to_error(*failure, source);
    } else if (key == "alert") {
      continue;  // after the loop: a rule about pages needs the [[phrases]] rules
    } else if (key == "phrases") {
      failure = detail::for_each_table(v, "phrases", [&](const toml::table& t, std::size_t i) {
        return detail::parse_phrase_rule(t, i, groups, folder, phrases);
      });
      if (failure) return to_error(*failure, source);
    } else if (key == "header") {
      failure = detail::for_each_table(v, "header", [&](const toml::table& t, std::size_t i) {
        return detail::parse_header_rule(t, i, groups, restrictions.headers);
      });
      if (failure) return to_error(*failure, source);
    } else if (key == "page") {
      const auto* t = v.as_table();
      if (t == nullptr) return to_error({v.source(), "page: expected a table"}, source);
      for (const auto& [pk, pv] : *t) {
        const std::string_view name = pk.str();
        std::string* field = name == "language"         ? &page.language
                             : name == "title"          ? &page.title
                             : name == "heading"        ? &page.heading
                             : name == "explanation"    ? &page.explanation
                             : name == "category_label" ? &page.category_label
                             : name == "rule_label"     ? &page.rule_label
                             : name == "time_label"     ? &page.time_label
                             : name == "request_label"  ? &page.request_label
                             : name == "user_label"     ? &page.user_label
                             : name == "contact"        ? &page.contact
                                                        : nullptr;
        if (field == nullptr)
          return to_error({pk.source(), fmt::format("unknown key page.{}", name)}, source);
        set_string(pv, *field, failure, name);
        if (failure) return to_error(*failure, source);
      }
    } else {
      return to_error({k.source(), fmt::format("unknown key {}", key)}, source);
    }
  }
  if (const auto* a = root.get("alert")) {
    failure = detail::for_each_table(*a, "alert", [&](const toml::table& t, std::size_t i) {
      return detail::parse_alert_rule(t, i, groups, phrases, folder, alerts);
    });
    if (failure) return to_error(*failure, source);
  }
  return std::make_shared<const Policy>(std::move(groups), std::move(rules), std::move(lists),
                                        std::move(page), source, std::move(restrictions),
                                        std::move(alerts), std::move(phrases));
}

base::Result<std::string> lists_folder_of(const std::string& policy_file,
                                          const std::string& lists_folder) {
  if (!lists_folder.empty() || policy_file.empty()) return lists_folder;
  try {
    const toml::table root = toml::parse_file(policy_file);
    const auto* l = root.get("lists");
    if (l == nullptr || l->as_string() == nullptr) return std::string();
    std::string folder = l->as_string()->get();
    // Relative to the policy file, so a policy and its lists can move together.
    const std::size_t slash = policy_file.rfind('/');
    if (!folder.starts_with('/') && slash != std::string::npos)
      folder = policy_file.substr(0, slash + 1) + folder;
    return folder;
  } catch (const toml::parse_error& e) {
    return to_error({e.source(), std::string(e.description())}, policy_file);
  }
}

base::Result<PolicyPtr> load_policy(const std::string& policy_file,
                                    const std::string& lists_folder) {
  auto located = lists_folder_of(policy_file, lists_folder);
  if (!located) return located.error();
  const std::string& folder = *located;
  std::shared_ptr<const CategoryLists> lists = CategoryLists::empty();
  if (!folder.empty()) {
    auto loaded = CategoryLists::load(folder);
    if (!loaded) return loaded.error();
    lists = std::move(*loaded);
  }
  return load_policy_over(policy_file, std::move(lists));
}

base::Result<PolicyPtr> load_policy_over(const std::string& policy_file,
                                         std::shared_ptr<const CategoryLists> lists) {
  if (policy_file.empty()) return default_policy(std::move(lists));
  std::ifstream in(policy_file);
  std::stringstream s;
  s << in.rdbuf();
  return parse_policy(s.str(), policy_file, std::move(lists));
}

}  // namespace warden::policy
