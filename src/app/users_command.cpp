#include "app/users_command.hpp"

#include "app/auth_setup.hpp"
#include "app/password_prompt.hpp"
#include "app/run.hpp"
#include "identity/local_users.hpp"
#include "identity/password_hash.hpp"
#include "identity/proxy_credentials.hpp"
#include "platform/files.hpp"
#include "platform/os.hpp"

#include <fmt/format.h>

#include <filesystem>

namespace warden::app {
namespace {

constexpr std::size_t kShortestPupilPassword = 8;

int fail(std::string_view what) {
  fmt::print(stderr, "warden users: {}\n", what);
  return 1;
}

}  // namespace

int users_command(const UsersCommandOptions& o) {
  RunOptions run;
  run.config_file = o.config_file;
  run.state_dir = o.state_dir;
  auto config = build_config(run);
  if (!config) return fail(config.error().context);
  const std::string path = users_file_path(*config);
  const std::string folder = std::filesystem::path(path).parent_path().string();
  if (auto ok = ensure_state_dir(config->state_dir); !ok) return fail(ok.error().context);
  if (!folder.empty())
    if (auto ok = ensure_state_dir(folder); !ok) return fail(ok.error().context);

  identity::LocalUsers users;
  if (std::error_code ec; std::filesystem::exists(path, ec)) {
    auto loaded = identity::LocalUsers::load(path);
    if (!loaded) return fail(loaded.error().context);
    users = std::move(*loaded);
  }
  if (o.action == "list") {
    for (const identity::LocalUser* u : users.all()) fmt::print("{} {}\n", u->name, u->group);
    return 0;
  }
  if (!identity::valid_user_name(o.name)) {
    fmt::print(stderr,
               "warden users: {:?} is not a user name (letters, digits, '.', '_', '-', '@'; at "
               "most 64)\n",
               o.name);
    return 2;
  }
  const identity::LocalUser* existing = users.find(o.name);
  std::string done;
  if (o.action == "remove") {
    if (!users.remove(o.name)) return fail("no user " + o.name);
    done = "removed";
  } else {
    std::string group;
    if (o.action == "add") {
      if (!identity::valid_user_name(o.group)) {
        fmt::print(stderr, "warden users add: GROUP must be a policy group's name, {:?} is not\n",
                   o.group);
        return 2;
      }
      group = o.group;
    } else if (existing == nullptr) {
      return fail("no user " + o.name + " (warden users add NAME GROUP makes one)");
    } else {
      group = existing->group;
    }
    const auto password = new_password("warden users", kShortestPupilPassword);
    if (!password) return 2;
    // Only what a browser can send, as the proxy will read it (identity/proxy_credentials).
    std::string why;
    if (!identity::parse_basic_credentials(identity::basic_credentials_value({o.name, *password}),
                                           why)) {
      fmt::print(stderr,
                 "warden users: a password of at most 1024 bytes without control characters "
                 "(a browser could not send it)\n");
      return 2;
    }
    std::string hash = identity::hash_password(*password);
    if (hash.empty()) return fail("the password could not be hashed");
    done = o.action == "add" ? (existing ? "replaced" : "added") : "password changed";
    users.put({o.name, std::move(group), std::move(hash)});
  }
  if (auto saved = platform::replace_file(path, users.render(), platform::FileAccess::OwnerOnly);
      !saved)
    return fail(saved.error().context);
  // Run with sudo for a service with an account of its own: the file must be the service's.
  if (platform::running_as_administrator() && !folder.empty()) {
    if (auto given = platform::give_to_folder_owner(folder, config->state_dir); !given)
      return fail(given.error().context);
    if (auto given = platform::give_to_folder_owner(path, config->state_dir); !given)
      return fail(given.error().context);
  }
  fmt::print(stderr, "{}: {} ({})\n", done, identity::LocalUsers::canonical_name(o.name), path);
  return 0;
}

}  // namespace warden::app
