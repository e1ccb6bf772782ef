#include "identity/local_users.hpp"

#include "base/split.hpp"
#include "http/chars.hpp"
#include "identity/password_hash.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace warden::identity {
namespace {

base::Error users_error(std::string what) {
  return {base::ErrorCode::BadRequest, base::ErrorSource::Client, std::move(what)};
}

}  // namespace

bool valid_user_name(std::string_view name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-' || c == '@';
  });
}

base::Result<LocalUsers> LocalUsers::parse(std::string_view text, std::string_view source) {
  LocalUsers users;
  int number = 0;
  for (std::string_view rest = text; !rest.empty();) {
    const std::size_t end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    const auto parts = base::split(line, ':');
    if (parts.size() != 3 || !valid_user_name(parts[0]) || !valid_user_name(parts[1]) ||
        !parts[2].starts_with("scrypt$"))
      return users_error(
          fmt::format("{}:{}: expected name:group:scrypt$... (warden users add)", source, number));
    const std::string name = canonical_name(parts[0]);
    if (users.users_.count(name) != 0)
      return users_error(fmt::format("{}:{}: {} is there twice", source, number, name));
    users.users_.emplace(name, LocalUser{name, std::string(parts[1]), std::string(parts[2])});
  }
  return users;
}

base::Result<LocalUsers> LocalUsers::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return users_error(path + ": cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  return parse(text.str(), path);
}

std::optional<std::string> LocalUsers::check(std::string_view name,
                                             std::string_view password) const {
  static const std::string kDecoy = hash_password("decoy");
  const auto it = users_.find(canonical_name(name));
  const bool ok = verify_password(password, it != users_.end() ? it->second.password_hash : kDecoy);
  if (!ok || it == users_.end()) return std::nullopt;
  return it->second.group;
}

std::string LocalUsers::canonical_name(std::string_view name) {
  std::string out(name);
  for (char& c : out) c = http::chars::to_lower(c);
  return out;
}

void LocalUsers::put(LocalUser user) {
  user.name = canonical_name(user.name);
  std::string key = user.name;
  users_.insert_or_assign(std::move(key), std::move(user));
}

bool LocalUsers::remove(std::string_view name) { return users_.erase(canonical_name(name)) != 0; }

const LocalUser* LocalUsers::find(std::string_view name) const {
  const auto it = users_.find(canonical_name(name));
  return it == users_.end() ? nullptr : &it->second;
}

std::vector<const LocalUser*> LocalUsers::all() const {
  std::vector<const LocalUser*> out;
  for (const auto& [name, user] : users_) out.push_back(&user);
  return out;
}

std::string LocalUsers::render() const {
  std::string out =
      "# Warden's users (auth.method = \"local\"): name:group:password hash.\n"
      "# Made by `warden users add|passwd|remove`; edits by hand must keep the form.\n";
  for (const auto& [name, user] : users_)
    out += fmt::format("{}:{}:{}\n", user.name, user.group, user.password_hash);
  return out;
}

}  // namespace warden::identity
