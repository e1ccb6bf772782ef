#pragma once
// The policy file (TOML; policy.example.toml documents every key) and the built-in defaults a
// school would choose when it has none: block adult, gambling, malware, phishing, redirector
// (anonymising proxies), vpn and doh (so browsers keep using the school's DNS); never decrypt
// bank; allow (and log) the rest. Errors name file:line:column and why; a policy that fails
// to load is refused whole.

#include "base/result.hpp"
#include "policy/policy.hpp"

#include <string>

namespace warden::policy {

// `policy_file` empty: the defaults. `lists_folder` empty: no category lists (a policy file
// may name its own with `lists = "..."`, relative to the file; the argument wins when both are
// given).
[[nodiscard]] base::Result<PolicyPtr> load_policy(const std::string& policy_file,
                                                  const std::string& lists_folder);
// The same over lists already loaded (the policy file's own `lists` is not read).
[[nodiscard]] base::Result<PolicyPtr> load_policy_over(const std::string& policy_file,
                                                       std::shared_ptr<const CategoryLists> lists);
// The lists folder load_policy would read: `lists_folder`, else the policy file's `lists`
// (relative to the file), else "" (none).
[[nodiscard]] base::Result<std::string> lists_folder_of(const std::string& policy_file,
                                                        const std::string& lists_folder);
// The same from text (tests, fuzzing); `lists` already loaded.
[[nodiscard]] base::Result<PolicyPtr> parse_policy(std::string_view text, const std::string& source,
                                                   std::shared_ptr<const CategoryLists> lists);
// The built-in policy over `lists`.
[[nodiscard]] PolicyPtr default_policy(std::shared_ptr<const CategoryLists> lists);

// UT1's alias names (porn -> adult, proxy -> redirector...) resolved to folder names.
[[nodiscard]] std::string_view canonical_category(std::string_view name);

}  // namespace warden::policy
