#pragma once
// `warden users`: the proxy's own users (auth.method = "local", docs/identity.md), in the
// users file `warden run` reads (found through the same -c FILE / --state-dir DIR). A running
// Warden reads the file again at the next sign-in it has not cached (auth.cache_ttl).
//
//   warden users add NAME GROUP   asks for a password; GROUP is the policy group to judge by
//   warden users passwd NAME      a new password
//   warden users remove NAME
//   warden users list             name and group, no hashes
//
// The password is read as `warden admin` reads it (app/password_prompt.hpp); at least 8
// characters.

#include <optional>
#include <string>

namespace warden::app {

struct UsersCommandOptions {
  std::optional<std::string> config_file;
  std::optional<std::string> state_dir;
  std::string action;  // add, passwd, remove, list
  std::string name;
  std::string group;
};

[[nodiscard]] int users_command(const UsersCommandOptions& o);

}  // namespace warden::app
