#include "app/auth_setup.hpp"

#include "identity/local_directory.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>

namespace warden::app {

std::string users_file_path(const Config& c) {
  if (!c.auth.users_file.empty()) return c.auth.users_file;
  return (std::filesystem::path(c.state_dir) / "auth" / "users").string();
}

base::Result<std::unique_ptr<identity::SignIn>> start_sign_in(const Config& c) {
  if (c.auth.method == "off") return std::unique_ptr<identity::SignIn>();
  auto directory = identity::LocalDirectory::open(users_file_path(c));
  if (!directory)
    return base::Error{
        directory.error().code, directory.error().source,
        "auth: " + directory.error().context + " (warden users add NAME GROUP makes it)"};
  identity::SignInSettings settings;
  settings.cache_ttl = c.auth.cache_ttl;
  auto sign_in = std::make_unique<identity::SignIn>(std::move(*directory), settings);
  spdlog::info("auth: sign-in against the {}", sign_in->describe());
  return sign_in;
}

std::vector<net::tcp::endpoint> sign_in_listeners(const Config& c) {
  std::vector<net::tcp::endpoint> out;
  for (const auto& l : c.auth.listen) out.push_back(*parse_listen_address(l));
  return out;
}

}  // namespace warden::app
