#include "app/check_command.hpp"

#include "analysis/search_terms.hpp"
#include "app/bundle_setup.hpp"
#include "app/run.hpp"
#include "platform/os.hpp"
#include "policy/host.hpp"
#include "policy/policy.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>

namespace warden::app {
namespace {

struct CheckedUrl {
  std::string host;  // normalised
  std::uint16_t port = 0;
  std::string path;  // "/path?query"
};

// "[scheme://]host[:port][/path][?query][#fragment]", the way a person pastes a URL. Without a
// scheme it is http (as curl assumes). `why` says what is wrong when nullopt.
std::optional<CheckedUrl> parse_url(std::string_view text, std::string& why) {
  std::uint16_t port = 80;
  if (const std::size_t colon = text.find("://"); colon != std::string_view::npos) {
    std::string scheme(text.substr(0, colon));
    for (char& ch : scheme) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (scheme == "https" || scheme == "wss") {
      port = 443;
    } else if (scheme != "http" && scheme != "ws") {
      why = "scheme is not http or https";
      return std::nullopt;
    }
    text.remove_prefix(colon + 3);
  }
  text = text.substr(0, text.find('#'));
  const std::size_t end = text.find_first_of("/?");
  std::string_view authority = text.substr(0, end);
  CheckedUrl url;
  url.path = end == std::string_view::npos ? "/" : std::string(text.substr(end));
  if (url.path.front() == '?') url.path.insert(0, "/");
  if (authority.find('@') != std::string_view::npos) {
    why = "user information in the URL";
    return std::nullopt;
  }
  // The port: after the last colon, unless that colon is inside an IPv6 literal's brackets.
  const std::size_t colon = authority.rfind(':');
  const std::size_t bracket = authority.rfind(']');
  if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
    const std::string_view digits = authority.substr(colon + 1);
    unsigned value = 0;
    const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec != std::errc() || ptr != digits.data() + digits.size() || value == 0 || value > 65535) {
      why = "invalid port";
      return std::nullopt;
    }
    port = static_cast<std::uint16_t>(value);
    authority = authority.substr(0, colon);
  }
  if (authority.size() >= 2 && authority.front() == '[' && authority.back() == ']')
    authority = authority.substr(1, authority.size() - 2);
  const policy::NormalHost host = policy::normalize_host(authority, why);
  if (!why.empty()) return std::nullopt;
  url.host = host.text;
  url.port = port;
  return url;
}

// The answer for one URL: "<URL as given> <action> <rule> <category or ->", then indented lines
// for alerts (`alerts`: said at all), restricted modes and header changes.
std::vector<std::string> explain(const policy::Policy& p, const CheckedUrl& url,
                                 std::string_view given,
                                 std::optional<std::array<std::uint8_t, 16>> client,
                                 std::optional<std::uint32_t> user, std::string_view group,
                                 bool alerts) {
  std::vector<std::string> lines;
  const std::string full = policy::url_for_policy(url.host, url.path);
  policy::Request request;
  request.client = client;
  request.user = user;
  request.group = group;
  request.host = url.host;
  request.port = url.port;
  request.url = full;
  // A search's terms, as the proxy reads them (a rule's `searches`).
  const auto search = analysis::search_in_request(url.host, url.path);
  if (search) request.search = search->terms;
  const policy::Decision d = p.evaluate(request);
  lines.push_back(fmt::format("{} {} {} {}", given, policy::action_name(d.action), d.rule,
                              d.category.empty() ? "-" : d.category));
  if (search && alerts) {
    const bool partial = search->kind == analysis::SearchKind::Partial;
    for (const policy::AlertMatch& m : p.alerts_for(d.group, search->terms, partial))
      lines.push_back(fmt::format("  alerts {} ({}, {})", m.rule->name, m.rule->category,
                                  policy::severity_name(m.rule->severity)));
  }
  if (d.action == policy::Action::Block || d.action == policy::Action::Reject) return lines;
  // What restricted modes and header rules change in it, one indented line each.
  const policy::RequestChanges c = p.changes(d.group, url.host, url.path);
  if (!c.safe_host.empty())
    lines.push_back(fmt::format("  connects to {} (the name kept)", c.safe_host));
  if (!c.target.empty()) lines.push_back(fmt::format("  sends {}", c.target));
  for (const auto& [name, value] : c.fields)
    lines.push_back(fmt::format("  sets {}: {}", name, value));
  return lines;
}

}  // namespace

std::vector<std::string> explain_url(const policy::Policy& p, std::string_view url,
                                     std::string_view client, bool alerts, std::string& why) {
  std::optional<std::array<std::uint8_t, 16>> address;
  if (!client.empty()) {
    address = policy::parse_ip(client);
    if (!address) {
      why = fmt::format("{}: not an IP address", client);
      return {};
    }
  }
  auto parsed = parse_url(url, why);
  if (!parsed) {
    why = fmt::format("{}: {}", url, why);
    return {};
  }
  return explain(p, *parsed, url, address, std::nullopt, {}, alerts);
}

int check_urls(const CheckOptions& o) {
  if (!o.group.empty() && !o.client.empty()) {
    fmt::print(stderr, "warden check: give --group or --client, not both\n");
    return 2;
  }
  std::optional<std::array<std::uint8_t, 16>> client;
  if (!o.client.empty()) {
    client = policy::parse_ip(o.client);
    if (!client) {
      fmt::print(stderr, "warden check: --client {}: not an IP address\n", o.client);
      return 2;
    }
  }
  std::optional<std::uint32_t> user;
  if (!o.user.empty()) {
    unsigned long uid = 0;
    const auto [ptr, ec] = std::from_chars(o.user.data(), o.user.data() + o.user.size(), uid);
    if (ec == std::errc() && ptr == o.user.data() + o.user.size() && uid < 0xffffffffUL) {
      user = static_cast<std::uint32_t>(uid);
    } else if (const auto named = platform::user_id(o.user)) {
      user = named;
    } else {
      fmt::print(stderr, "warden check: --user {}: no such user\n", o.user);
      return 2;
    }
  }
  // Every URL is checked before any answer is printed: bad input gives no partial output.
  std::vector<CheckedUrl> parsed;
  for (const auto& text : o.urls) {
    std::string why;
    auto url = parse_url(text, why);
    if (!url) {
      fmt::print(stderr, "warden check: {}: {}\n", text, why);
      return 2;
    }
    parsed.push_back(std::move(*url));
  }

  RunOptions run;
  run.config_file = o.config_file;
  run.policy_file = o.policy_file;
  run.lists = o.lists;
  auto config = build_config(run);
  if (!config) {
    fmt::print(stderr, "warden check: {}\n", config.error().context);
    return 1;
  }
  use_bundle(*config);  // with bundle.url: the bundle version this instance runs
  auto policy = load_configured_policy(*config);
  if (!policy) {
    fmt::print(stderr, "warden check: policy: {}\n", policy.error().context);
    return 1;
  }
  if (!o.group.empty()) {
    const auto& groups = (*policy)->groups();
    if (o.group != "default" && std::none_of(groups.begin(), groups.end(),
                                             [&](const auto& g) { return g.name == o.group; }))
      spdlog::warn("group {} is not in the policy; only rules for every group apply", o.group);
  }
  for (std::size_t i = 0; i < parsed.size(); ++i)
    for (const std::string& line :
         explain(**policy, parsed[i], o.urls[i], client, user, o.group, true))
      fmt::print("{}\n", line);
  return 0;
}

int lists_stats(const std::string& folder) {
  auto lists = policy::CategoryLists::load(folder);
  if (!lists) {
    fmt::print(stderr, "warden lists stats: {}\n", lists.error().context);
    return 1;
  }
  fmt::print("{:<24} {:>10} {:>8} {:>11} {:>8}\n", "category", "domains", "urls", "expressions",
             "refused");
  policy::CategoryStats total;
  for (const auto& s : (*lists)->stats()) {
    fmt::print("{:<24} {:>10} {:>8} {:>11} {:>8}\n", s.name, s.domains, s.urls, s.expressions,
               s.refused);
    for (const auto& [why, count] : s.refused_why) fmt::print("    refused {}: {}\n", count, why);
    for (const auto& line : s.refused_examples) fmt::print("      e.g. {:?}\n", line);
    total.domains += s.domains;
    total.urls += s.urls;
    total.expressions += s.expressions;
    total.refused += s.refused;
  }
  fmt::print("{:<24} {:>10} {:>8} {:>11} {:>8}\n", "total", total.domains, total.urls,
             total.expressions, total.refused);
  return 0;
}

}  // namespace warden::app
