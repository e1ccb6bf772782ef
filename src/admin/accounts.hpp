#pragma once
// Who may sign in to the dashboard (docs/admin.md): one file in the state folder,
// admin/accounts, a line per account: "name:role:scrypt$N$r$p$salt$hash" (the hash:
// identity/password_hash.hpp). `warden admin add|passwd|remove` edits the file; the running Warden
// reads it again when it changes.

#include "base/result.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace warden::admin {

// What an account may see: viewers the reports without search terms and no alerts;
// safeguarding also searches and alerts; admin everything.
enum class Role { Viewer, Safeguarding, Admin };
[[nodiscard]] std::optional<Role> parse_role(std::string_view name);
[[nodiscard]] std::string_view role_name(Role r);

struct Account {
  std::string name;
  Role role = Role::Viewer;
  std::string password_hash;  // "scrypt$..."
};

// Lower-case letters, digits, '.', '_' and '-'; 1 to 64 of them.
[[nodiscard]] bool valid_account_name(std::string_view name);

class Accounts {
 public:
  // A missing file is no accounts; a malformed line is an error naming it.
  [[nodiscard]] static base::Result<Accounts> load(const std::string& path);
  // Replaces the file (0600).
  [[nodiscard]] base::Result<void> save(const std::string& path) const;

  [[nodiscard]] const Account* find(std::string_view name) const;
  void put(Account a);  // adds or replaces by name
  bool remove(std::string_view name);
  [[nodiscard]] const std::vector<Account>& all() const { return accounts_; }

 private:
  std::vector<Account> accounts_;
};

}  // namespace warden::admin
