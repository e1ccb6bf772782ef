#include "admin/accounts.hpp"

#include "base/hex.hpp"
#include "platform/files.hpp"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>

namespace warden::admin {
namespace {

constexpr std::uint64_t kLogN = 15;
constexpr std::uint64_t kR = 8;
constexpr std::uint64_t kP = 1;
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;
constexpr std::uint64_t kMaxMemory = 64ULL << 20;

std::optional<std::string> scrypt(std::string_view password, std::string_view salt,
                                  std::uint64_t log_n, std::uint64_t r, std::uint64_t p) {
  std::string out(kHashBytes, '\0');
  if (EVP_PBE_scrypt(password.data(), password.size(),
                     reinterpret_cast<const unsigned char*>(salt.data()), salt.size(),
                     std::uint64_t{1} << log_n, r, p, kMaxMemory,
                     reinterpret_cast<unsigned char*>(out.data()), out.size()) != 1)
    return std::nullopt;
  return out;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  for (;;) {
    const std::size_t at = s.find(sep);
    parts.push_back(s.substr(0, at));
    if (at == std::string_view::npos) return parts;
    s = s.substr(at + 1);
  }
}

std::optional<std::uint64_t> number(std::string_view s) {
  std::uint64_t v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

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

std::string hash_password(std::string_view password) {
  std::string salt(kSaltBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(salt.data()), static_cast<int>(salt.size())) != 1)
    return {};
  const auto hash = scrypt(password, salt, kLogN, kR, kP);
  if (!hash) return {};
  return fmt::format("scrypt${}${}${}${}${}", kLogN, kR, kP, base::to_hex(salt),
                     base::to_hex(*hash));
}

bool verify_password(std::string_view password, std::string_view encoded) {
  const auto parts = split(encoded, '$');
  if (parts.size() != 6 || parts[0] != "scrypt") return false;
  const auto log_n = number(parts[1]);
  const auto r = number(parts[2]);
  const auto p = number(parts[3]);
  const auto salt = base::from_hex(parts[4]);
  const auto expected = base::from_hex(parts[5]);
  // Bounds: a file someone edited must not make a sign-in take a minute or all memory.
  if (!log_n || !r || !p || !salt || !expected || *log_n < 10 || *log_n > 20 || *r == 0 ||
      *r > 16 || *p == 0 || *p > 4 || expected->size() != kHashBytes)
    return false;
  const auto got = scrypt(password, *salt, *log_n, *r, *p);
  return got && CRYPTO_memcmp(got->data(), expected->data(), kHashBytes) == 0;
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
    const auto parts = split(line, ':');
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
  // Written beside it and renamed over it: a running Warden reads the old file or the new,
  // never none or half of one.
  const std::string fresh = path + ".new";
  if (auto ok = platform::write_new_file(fresh, text, platform::FileAccess::OwnerOnly, true); !ok)
    return ok;
  std::error_code ec;
  std::filesystem::rename(fresh, path, ec);
  if (ec) {  // (MinGW's rename does not replace a file: say it at least)
    std::filesystem::remove(path, ec);
    std::filesystem::rename(fresh, path, ec);
  }
  if (ec)
    return base::Error{base::ErrorCode::Internal, base::ErrorSource::Internal,
                       fmt::format("{}: {}", path, ec.message())};
  return {};
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
