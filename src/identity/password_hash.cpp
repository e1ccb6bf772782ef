#include "identity/password_hash.hpp"

#include "base/hex.hpp"
#include "base/split.hpp"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <charconv>
#include <optional>
#include <vector>

namespace warden::identity {
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

std::optional<std::uint64_t> number(std::string_view s) {
  std::uint64_t v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

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
  const auto parts = base::split(encoded, '$');
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

}  // namespace warden::identity
