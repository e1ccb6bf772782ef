#pragma once
// `warden check` asks the policy engine `warden run` uses about URLs, without a network
// connection; `warden lists stats` shows what a lists folder holds and which lines it refused.

#include <optional>
#include <string>
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

// Per category: domains, URLs and expressions loaded, lines refused and why. 1 if the folder
// cannot be read.
[[nodiscard]] int lists_stats(const std::string& folder);

}  // namespace warden::app
