#pragma once
// A signed policy bundle (docs/fleet.md, "One policy for the fleet"): the school's policy file
// and lists in one archive, signed with the school's Ed25519 key so that instances apply only
// what the school made, whatever server or network it came through:
//
//   warden-bundle 1\n
//   version 1765130000\n                      (a decimal number; each new bundle's is larger)
//   signature <128 hex digits>\n              (Ed25519, see signed_message())
//   \n
//   <the archive: a tar.gz with policy.toml and, optionally, lists/>
//
// What is signed is the first two lines and the archive's SHA-512:
// "warden-bundle 1\nversion N\nsha512 <128 hex digits>\n" (a short message, so the archive is
// hashed as it is and never copied).
// The version is signed with the archive, so an old bundle cannot be passed off as new, and
// instances refuse any version not larger than the one they run (no going back by replay).
// Parsing is strict and bounded; everything in a bundle is hostile until the signature holds.

#include "base/result.hpp"
#include "tls/openssl_ptr.hpp"

#include <openssl/evp.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace warden::app {

inline constexpr std::string_view kBundleMagic = "warden-bundle 1\n";

struct BundleView {
  std::uint64_t version = 0;
  std::string signature;  // 64 bytes
  std::string_view archive;
};

// The message a bundle of `archive` as `version` is signed over.
[[nodiscard]] std::string signed_message(std::uint64_t version, std::string_view archive);

// Splits a bundle into its parts; says what is wrong with one that is not well formed.
[[nodiscard]] base::Result<BundleView> parse_bundle(std::string_view bytes);

// Whether `signature` is `key`'s Ed25519 signature of `message`.
[[nodiscard]] bool ed25519_verifies(EVP_PKEY* key, std::string_view message,
                                    std::string_view signature);

// Parses and verifies: the bundle's parts when `key` signed it, else what is wrong.
[[nodiscard]] base::Result<BundleView> open_bundle(std::string_view bytes, EVP_PKEY* key);

// A bundle of `archive` as `version`, signed with the private `key`.
[[nodiscard]] base::Result<std::string> make_bundle(std::string_view archive, std::uint64_t version,
                                                    EVP_PKEY* key);

// An Ed25519 key from a PEM file (public or private as asked), or what is wrong with it.
[[nodiscard]] base::Result<tls::PkeyPtr> read_ed25519_key(const std::string& path, bool is_private);

}  // namespace warden::app
