#include "admin/accounts.hpp"

#include "base/split.hpp"
#include "platform/files.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace warden::admin {

std::optional<Role> parse_role(std::string_view name) {
  if (name == "viewer") return Role::Viewer;
  if (name == "safeguarding") return Role::Safeguarding;
  if (name == "admin") return Role::Admin;
  return std::nullopt;
}

std::string_view role_name(Role r) {
  switch (r) {
    case Role::Viewer:
      return "viewer";
    case Role::Safeguarding:
      return "safeguarding";
    case Role::Admin:
      return "admin";
  }
  return "viewer";
}

bool valid_account_name(std::string_view name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

base::Result<Accounts> Accounts::load(const std::string& path) {
  Accounts accounts;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec) && !ec) return accounts;
  std::ifstream in(path);
  if (!in)  // there, but not for us: not "no accounts"
    return base::Error{base::ErrorCode::Internal, base::ErrorSource::Internal,
                       fmt::format("{}: cannot be read (whose is it? warden admin run with sudo "
                                   "gives it to the state folder's owner)",
                                   path)};
  std::string line;
  for (int number_ = 1; std::getline(in, line); ++number_) {
    if (line.empty() || line.starts_with('#')) continue;
    const auto parts = base::split(line, ':');
    const auto role = parts.size() == 3 ? parse_role(parts[1]) : std::nullopt;
    if (!role || !valid_account_name(parts[0]) || !parts[2].starts_with("scrypt$"))
      return base::Error{base::ErrorCode::BadRequest, base::ErrorSource::Client,
                         fmt::format("{}:{}: expected name:role:scrypt$... (warden admin add "
                                     "writes it)",
                                     path, number_)};
    accounts.put({std::string(parts[0]), *role, std::string(parts[2])});
  }
  return accounts;
}

base::Result<void> Accounts::save(const std::string& path) const {
  std::string text =
      "# Dashboard accounts (docs/admin.md): name:role:password hash. Edit with `warden admin`.\n";
  for (const Account& a : accounts_)
    text += fmt::format("{}:{}:{}\n", a.name, role_name(a.role), a.password_hash);
  // A running Warden reads the old file or the new, never none or half of one.
  return platform::replace_file(path, text, platform::FileAccess::OwnerOnly);
}

const Account* Accounts::find(std::string_view name) const {
  const auto it = std::find_if(accounts_.begin(), accounts_.end(),
                               [&](const Account& a) { return a.name == name; });
  return it == accounts_.end() ? nullptr : &*it;
}

void Accounts::put(Account a) {
  for (Account& existing : accounts_)
    if (existing.name == a.name) {
      existing = std::move(a);
      return;
    }
  accounts_.push_back(std::move(a));
}

bool Accounts::remove(std::string_view name) {
  const auto before = accounts_.size();
  std::erase_if(accounts_, [&](const Account& a) { return a.name == name; });
  return accounts_.size() != before;
}

}  // namespace warden::admin
