#pragma once
// `warden check` asks the policy engine `warden run` uses about URLs, without a network
// connection; `warden lists stats` shows what a lists folder holds and which lines it refused.

#include "policy/policy.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace warden::app {

struct CheckOptions {
  std::optional<std::string> config_file;  // -c: its policy.file and policy.lists
  std::optional<std::string> policy_file;  // --policy (wins over the config)
  std::optional<std::string> lists;        // --lists (wins over the config)
  std::string group;                       // --group: judge as this group
  std::string client;                      // --client: judge as this address
  std::string user;                        // --user: as this local user (name or uid)
  std::vector<std::string> urls;
};

// One line per URL on stdout: "<URL as given> <action> <rule> <category or ->"; 0, or 2 on a
// bad URL or option (named on stderr), 1 when the policy cannot be loaded.
[[nodiscard]] int check_urls(const CheckOptions& o);

// What `warden check URL [--client ADDRESS]` prints for one URL, as lines, against the policy
// `p` (the dashboard's "why" and "check a URL"); `alerts`: with the alert rules a search would
// raise. Empty with `why` said when the URL or address is not valid.
[[nodiscard]] std::vector<std::string> explain_url(const policy::Policy& p, std::string_view url,
                                                   std::string_view client, bool alerts,
                                                   std::string& why);

// Per category: domains, URLs and expressions loaded, lines refused and why. 1 if the folder
// cannot be read.
[[nodiscard]] int lists_stats(const std::string& folder);

}  // namespace warden::app
