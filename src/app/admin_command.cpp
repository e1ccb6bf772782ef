#include "app/admin_command.hpp"

#include "admin/accounts.hpp"
#include "admin/audit_log.hpp"
#include "app/password_prompt.hpp"
#include "app/run.hpp"
#include "identity/password_hash.hpp"
#include "platform/files.hpp"
#include "platform/os.hpp"

#include <fmt/format.h>

#include <filesystem>

namespace warden::app {

int admin_command(const AdminCommandOptions& o) {
  auto state = state_dir_for(o.config_file, o.state_dir);
  if (!state) {
    fmt::print(stderr, "warden admin: {}\n", state.error().context);
    return 1;
  }
  const std::string folder = (std::filesystem::path(*state) / "admin").string();
  if (auto ok = ensure_state_dir(*state); !ok) {
    fmt::print(stderr, "warden admin: {}\n", ok.error().context);
    return 1;
  }
  if (auto ok = ensure_state_dir(folder); !ok) {
    fmt::print(stderr, "warden admin: {}\n", ok.error().context);
    return 1;
  }
  // Run with sudo for a service with an account of its own: what is made here is the
  // service's (the state folder's owner's), or it could not read its accounts.
  const auto give = [&](const std::string& path) {
    if (!platform::running_as_administrator()) return true;
    auto given = platform::give_to_folder_owner(path, *state);
    if (!given) fmt::print(stderr, "warden admin: {}\n", given.error().context);
    return static_cast<bool>(given);
  };
  if (!give(folder)) return 1;
  const std::string path = folder + "/accounts";
  auto accounts = admin::Accounts::load(path);
  if (!accounts) {
    fmt::print(stderr, "warden admin: {}\n", accounts.error().context);
    return 1;
  }
  if (o.action == "list") {
    for (const admin::Account& a : accounts->all())
      fmt::print("{} {}\n", a.name, admin::role_name(a.role));
    return 0;
  }
  if (!admin::valid_account_name(o.name)) {
    fmt::print(stderr,
               "warden admin: {:?} is not an account name (a-z, 0-9, '.', '_', '-'; at most 64)\n",
               o.name);
    return 2;
  }
  admin::AuditLog audit(folder + "/audit.log");
  const admin::Account* existing = accounts->find(o.name);
  std::string event;
  if (o.action == "remove") {
    if (!accounts->remove(o.name)) {
      fmt::print(stderr, "warden admin: no account {}\n", o.name);
      return 1;
    }
    event = "account_removed";
  } else {
    std::optional<admin::Role> role;
    if (o.action == "add") {
      role = admin::parse_role(o.role);
      if (!role) {
        fmt::print(stderr, "warden admin add: --role must be admin, safeguarding or viewer\n");
        return 2;
      }
    } else if (existing == nullptr) {
      fmt::print(stderr, "warden admin passwd: no account {} (warden admin add makes one)\n",
                 o.name);
      return 1;
    } else {
      role = existing->role;
    }
    const auto password = new_password("warden admin");
    if (!password) return 2;
    const std::string hash = identity::hash_password(*password);
    if (hash.empty()) {
      fmt::print(stderr, "warden admin: the password could not be hashed\n");
      return 1;
    }
    event = o.action == "add" ? (existing ? "account_replaced" : "account_added")
                              : "account_password_changed";
    accounts->put({o.name, *role, hash});
  }
  if (auto saved = accounts->save(path); !saved) {
    fmt::print(stderr, "warden admin: {}\n", saved.error().context);
    return 1;
  }
  audit.write(event, o.name, "local");
  if (!give(path) || !give(audit.path())) return 1;
  fmt::print(stderr, "{}: {}\n", event, o.name);
  return 0;
}

}  // namespace warden::app
