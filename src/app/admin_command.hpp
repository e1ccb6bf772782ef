#pragma once
// `warden admin`: the dashboard's accounts (docs/admin.md), in the state folder `warden run`
// uses (found through the same -c FILE / --state-dir DIR). The running Warden sees a change at
// the next request; removing an account or changing its role ends its sessions.
//
//   warden admin add NAME --role admin|safeguarding|viewer   asks for a password
//   warden admin passwd NAME                                 a new password
//   warden admin remove NAME
//   warden admin list
//
// The password is read from the terminal without echo, or as the first line of standard input
// when that is not a terminal (scripts). At least 10 characters.

#include <optional>
#include <string>

namespace warden::app {

struct AdminCommandOptions {
  std::optional<std::string> config_file;
  std::optional<std::string> state_dir;
  std::string action;  // add, passwd, remove, list
  std::string name;
  std::string role;
};

[[nodiscard]] int admin_command(const AdminCommandOptions& o);

}  // namespace warden::app
