#pragma once
// The policy: groups of clients, rules per group, category lists, and the strings of the block
// page — compiled into one immutable snapshot (shared_ptr<const Policy>) that every worker reads
// without locks; a reload builds a new one beside it and swaps.
//
// evaluate() is pure: no I/O, no locks, no allocation beyond the Decision's strings.
// Order (documented in docs/policy.md):
//   1. the client's group: for a signed-in user, the first group named as one of their
//      directory groups; else the first group whose sources contain its address or whose users
//      include its local user (known under local capture); else "default";
//   2. explicit rules (search terms, domain, URL prefix, regex, port) of that group (or of every
//      group) beat category rules; among explicit rules the most specific match wins (search
//      terms over a URL prefix over a domain, a longer domain over a shorter one, then regexes,
//      then ports); among category rules, and on any tie, block > reject > no_decrypt > allow;
//   3. nothing matched: allow (and the access log still records it).
// A bypass in force for the client's group (warden bypass) comes before 2: allow, rule "bypass".
// A rule with a schedule applies only inside it (local time).

#include "base/cidr.hpp"
#include "policy/alert_rules.hpp"
#include "policy/category_lists.hpp"
#include "policy/domain_set.hpp"
#include "policy/phrase_rules.hpp"
#include "policy/restrictions.hpp"
#include "policy/term_list.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace re2 {
class RE2;
}

namespace warden::policy {

// Ordered by strength: on a tie the larger wins.
enum class Action : std::uint8_t { Allow, NoDecrypt, Reject, Block };
[[nodiscard]] std::string_view action_name(Action a);

using base::Cidr;
using base::parse_cidr;
using base::parse_ip;

struct Schedule {
  std::uint8_t days = 0x7f;  // bit 0 Monday ... bit 6 Sunday
  int from_minute = 0;       // [from, to) in minutes after local midnight
  int to_minute = 24 * 60;
  [[nodiscard]] bool active(std::chrono::system_clock::time_point now) const;
};

struct Rule {
  // Web rules judge HTTP and TLS by host and URL; other rules judge captured connections that
  // are neither (SSH, mail, games) by destination and port, since they carry no name.
  enum class Protocol : std::uint8_t { Web, Other };
  // Any: an "other" rule with no matcher (every non-web connection of its groups).
  enum class Kind : std::uint8_t { Domain, Url, Regex, Search, Category, Port, Destination, Any };
  std::string name;                 // shown in logs and on the block page
  std::vector<std::string> groups;  // empty: every group
  Action action = Action::Allow;
  Kind kind = Kind::Domain;
  DomainSet domains;                                      // Domain
  std::vector<std::pair<std::string, std::string>> urls;  // Url: (host, path prefix)
  std::shared_ptr<re2::RE2> regex;                        // Regex (over "host/path?query")
  std::shared_ptr<const TermList> searches;               // Search (a search's terms)
  CategorySet categories;                                 // Category
  std::vector<std::uint16_t> ports;                       // Port
  std::vector<Cidr> destinations;                         // Destination
  Protocol protocol = Protocol::Web;
  std::optional<Schedule> schedule;
};

struct Group {
  std::string name;
  std::vector<Cidr> sources;
  std::vector<std::uint32_t> users;  // uids, for connections from this device (local capture)
};

// What the block page says; the school's language (defaults: English).
struct PageStrings {
  std::string language = "en";
  std::string title = "Blocked";
  std::string heading = "This page is blocked";
  std::string explanation = "The school's web filter blocked this page.";
  std::string category_label = "Category";
  std::string rule_label = "Rule";
  std::string time_label = "Time";
  std::string request_label = "Request id";
  std::string user_label = "Signed in as";
  std::string contact = "If you need this page for your work, ask your teacher or the IT team.";
};

struct Decision {
  Action action = Action::Allow;
  std::string rule;        // the rule's name, "default" when none matched
  std::string category;    // the category (list) that matched, "" when not a category match
  std::string group;       // the client's group
  bool by_search = false;  // a `searches` rule decided: pages must not repeat the terms
  bool by_bypass = false;  // a bypass let it through: unfiltered, restricted modes included
};

struct Request {
  std::optional<std::array<std::uint8_t, 16>> client;  // the client's address
  std::optional<std::uint32_t> user;                   // the local user, when capture knows it
  std::span<const std::string> signed_in_groups;       // a signed-in user's directory groups
  std::string_view group;  // a forced group (warden check --group); empty: from the address
  std::string_view host;   // normalised (policy/host.hpp)
  std::uint16_t port = 0;
  // "host/path?query" when the request is known (at the request stage); nullopt at the
  // connection and ClientHello stages, where only host-level rules can decide.
  std::optional<std::string_view> url;
  // What was searched for, when the request is a search (analysis/search_terms).
  std::optional<std::string_view> search;
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
};

// An emergency bypass (`warden bypass`): one group, or every client, let through unfiltered
// until a time. A snapshot holds it, so it starts and ends with the same swap as a reload, and
// the time is checked on every decision: it ends on the second even between checks.
struct Bypass {
  std::string group;  // empty: every client
  std::chrono::system_clock::time_point until;
  [[nodiscard]] bool covers(std::string_view client_group,
                            std::chrono::system_clock::time_point now) const {
    return now < until && (group.empty() || group == client_group);
  }
};

// A captured connection that is neither HTTP nor TLS: only its addresses are known.
struct OtherFlow {
  std::optional<std::array<std::uint8_t, 16>> client;
  std::optional<std::uint32_t> user;
  base::IpBytes destination{};
  std::uint16_t port = 0;
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
};

// The URL form evaluate() judges: "host/path?query", the host normalised (no scheme, no port).
[[nodiscard]] inline std::string url_for_policy(std::string_view host, std::string_view path) {
  std::string url;
  url.reserve(host.size() + path.size());
  url.append(host).append(path);
  return url;
}

class Policy {
 public:
  Policy(std::vector<Group> groups, std::vector<Rule> rules,
         std::shared_ptr<const CategoryLists> lists, PageStrings strings, std::string source,
         Restrictions restrictions = {}, std::vector<AlertRule> alerts = {},
         std::vector<PhraseRule> phrases = {});

  [[nodiscard]] Decision evaluate(const Request& r) const;
  // The "other" rules (protocol = "other"): a destination match beats a port match beats a
  // rule with neither; on a tie the stronger action; none: allow ("default").
  [[nodiscard]] Decision evaluate_other(const OtherFlow& f) const;
  [[nodiscard]] std::string_view group_of(const std::optional<std::array<std::uint8_t, 16>>& ip,
                                          std::optional<std::uint32_t> user = std::nullopt,
                                          std::span<const std::string> signed_in = {}) const;
  [[nodiscard]] const PageStrings& strings() const { return strings_; }
  [[nodiscard]] const CategoryLists& lists() const { return *lists_; }
  [[nodiscard]] const std::vector<Rule>& rules() const { return rules_; }
  [[nodiscard]] const std::vector<Group>& groups() const { return groups_; }
  [[nodiscard]] const std::string& source() const { return source_; }  // file, or "built-in"
  [[nodiscard]] const std::optional<Bypass>& bypass() const { return bypass_; }
  [[nodiscard]] const Restrictions& restrictions() const { return restrictions_; }
  [[nodiscard]] const std::vector<AlertRule>& alerts() const { return alerts_; }
  // The alert rules a search by `group` matches (`partial`: what the pupil is typing).
  [[nodiscard]] std::vector<AlertMatch> alerts_for(std::string_view group, std::string_view terms,
                                                   bool partial) const {
    return policy::alerts_for(alerts_, group, terms, partial);
  }
  // Whether an alert rule looks at the pages `group` is shown.
  [[nodiscard]] bool alerts_on_pages(std::string_view group) const {
    return policy::alerts_on_pages(alerts_, group);
  }
  // The alert rules a scanned page fetched by `group` matches.
  [[nodiscard]] std::vector<AlertMatch> page_alerts_for(std::string_view group,
                                                        const PageFindings& page) const {
    return policy::page_alerts_for(alerts_, group, page);
  }
  [[nodiscard]] const std::vector<PhraseRule>& phrase_rules() const { return phrases_; }
  // The [[phrases]] rule that scans the pages `group` is shown, or null (not scanned).
  [[nodiscard]] const PhraseRule* phrase_rule(std::string_view group) const {
    return phrase_rule_for(phrases_, group);
  }
  // What an allowed request of `group` to `host` gets: restricted modes and header rules
  // (`target` empty where only the host is known).
  [[nodiscard]] RequestChanges changes(std::string_view group, std::string_view host,
                                       std::string_view target) const {
    return request_changes(restrictions_, group, host, target);
  }
  // This policy with `b` in force (nullopt: none): the category lists are shared, the rules
  // (a school's own few) copied.
  [[nodiscard]] std::shared_ptr<const Policy> with_bypass(std::optional<Bypass> b) const;

 private:
  std::vector<Group> groups_;
  std::vector<Rule> rules_;
  std::shared_ptr<const CategoryLists> lists_;
  PageStrings strings_;
  std::string source_;
  Restrictions restrictions_;
  std::vector<AlertRule> alerts_;
  std::vector<PhraseRule> phrases_;
  std::optional<Bypass> bypass_;
};

using PolicyPtr = std::shared_ptr<const Policy>;

}  // namespace warden::policy
