#include "app/bundle_format.hpp"

#include "base/hex.hpp"
#include "tls/openssl_ptr.hpp"

#include <fmt/format.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include <charconv>
#include <cstdio>
#include <memory>
#include <optional>

namespace warden::app {
namespace {

constexpr std::size_t kSignatureBytes = 64;

base::Error bundle_error(std::string what) {
  return {base::ErrorCode::BadRequest, base::ErrorSource::Upstream, std::move(what)};
}

// The line at the start of `rest` without its '\n', and `rest` moved past it; nullopt when no
// '\n' comes within `max` bytes.
std::optional<std::string_view> take_line(std::string_view& rest, std::size_t max) {
  const std::size_t end = rest.substr(0, max + 1).find('\n');
  if (end == std::string_view::npos) return std::nullopt;
  const std::string_view line = rest.substr(0, end);
  rest.remove_prefix(end + 1);
  return line;
}

}  // namespace

std::string signed_message(std::uint64_t version, std::string_view archive) {
  unsigned char digest[SHA512_DIGEST_LENGTH];
  SHA512(reinterpret_cast<const unsigned char*>(archive.data()), archive.size(), digest);
  return fmt::format("{}version {}\nsha512 {}\n", kBundleMagic, version,
                     base::to_hex({reinterpret_cast<const char*>(digest), sizeof digest}));
}

base::Result<BundleView> parse_bundle(std::string_view bytes) {
  if (!bytes.starts_with(kBundleMagic))
    return bundle_error("not a Warden policy bundle (it must start with \"warden-bundle 1\")");
  std::string_view rest = bytes.substr(kBundleMagic.size());
  BundleView b;
  const auto version = take_line(rest, 64);
  if (!version || !version->starts_with("version "))
    return bundle_error("the second line must be \"version N\"");
  const std::string_view digits = version->substr(8);
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), b.version);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() ||
      digits.front() == '0')
    return bundle_error("the version must be a decimal number from 1, without leading zeros");
  const auto signature = take_line(rest, 10 + 2 * kSignatureBytes);
  // Lower-case digits only, as signing writes them: one spelling per bundle.
  const bool lower = signature && signature->find_first_of("ABCDEF") == std::string_view::npos;
  const auto raw = lower && signature->starts_with("signature ")
                       ? base::from_hex(signature->substr(10))
                       : std::nullopt;
  if (!raw || raw->size() != kSignatureBytes)
    return bundle_error("the third line must be \"signature\" and 128 lower-case hex digits");
  b.signature = *raw;
  if (const auto blank = take_line(rest, 0); !blank)
    return bundle_error("an empty line must follow the signature");
  if (rest.empty()) return bundle_error("the bundle holds no archive");
  b.archive = rest;
  return b;
}

bool ed25519_verifies(EVP_PKEY* key, std::string_view message, std::string_view signature) {
  if (key == nullptr || EVP_PKEY_get_id(key) != EVP_PKEY_ED25519) return false;
  std::unique_ptr<EVP_MD_CTX, tls::Deleter<EVP_MD_CTX_free>> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key) != 1) return false;
  const bool ok =
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                       message.size()) == 1;
  (void)tls::drain_openssl_errors();
  return ok;
}

base::Result<BundleView> open_bundle(std::string_view bytes, EVP_PKEY* key) {
  auto b = parse_bundle(bytes);
  if (!b) return b.error();
  if (!ed25519_verifies(key, signed_message(b->version, b->archive), b->signature))
    return bundle_error(fmt::format(
        "version {}: the signature does not verify with bundle.public_key (not signed by the "
        "school's key, or changed since)",
        b->version));
  return b;
}

base::Result<std::string> make_bundle(std::string_view archive, std::uint64_t version,
                                      EVP_PKEY* key) {
  if (version == 0) return bundle_error("a bundle's version starts at 1");
  if (key == nullptr || EVP_PKEY_get_id(key) != EVP_PKEY_ED25519)
    return bundle_error("the signing key is not an Ed25519 key");
  const std::string message = signed_message(version, archive);
  std::unique_ptr<EVP_MD_CTX, tls::Deleter<EVP_MD_CTX_free>> ctx(EVP_MD_CTX_new());
  unsigned char signature[kSignatureBytes];
  std::size_t length = sizeof signature;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key) != 1 ||
      EVP_DigestSign(ctx.get(), signature, &length,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1 ||
      length != kSignatureBytes)
    return bundle_error("cannot sign: " + tls::drain_openssl_errors());
  std::string out =
      fmt::format("{}version {}\nsignature {}\n\n", kBundleMagic, version,
                  base::to_hex({reinterpret_cast<const char*>(signature), kSignatureBytes}));
  out.append(archive);
  return out;
}

base::Result<tls::PkeyPtr> read_ed25519_key(const std::string& path, bool is_private) {
  std::unique_ptr<std::FILE, decltype(&std::fclose)> f(std::fopen(path.c_str(), "rb"), std::fclose);
  if (!f) return bundle_error("cannot read " + path);
  tls::PkeyPtr key(is_private ? PEM_read_PrivateKey(f.get(), nullptr, nullptr, nullptr)
                              : PEM_read_PUBKEY(f.get(), nullptr, nullptr, nullptr));
  (void)tls::drain_openssl_errors();
  if (!key || EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519)
    return bundle_error(
        fmt::format("{}: not an Ed25519 {} key in PEM", path, is_private ? "private" : "public"));
  return key;
}

}  // namespace warden::app
