#pragma once
// Passwords at rest (the dashboard's accounts, the proxy's local users): scrypt (RFC 7914,
// OpenSSL's; N=2^15, r=8, p=1: 32 MiB and about 0.1 s per try), each with its own random salt,
// written "scrypt$logN$r$p$salt$hash" (hex). Slow on purpose: run checks off the workers.

#include <string>
#include <string_view>

namespace warden::identity {

// A new hash (fresh salt) of `password`; empty if the random source failed.
[[nodiscard]] std::string hash_password(std::string_view password);
// Whether `password` matches `encoded`; false for anything that is not a hash of ours, and for
// parameters outside sane bounds (an edited file must not make a check take a minute).
[[nodiscard]] bool verify_password(std::string_view password, std::string_view encoded);

}  // namespace warden::identity
