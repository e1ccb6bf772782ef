#pragma once
// log.search = "hash": a search's terms written as a keyed hash, so a school can count and
// compare searches (the same words give the same hash) without a log that says what was asked.
// The key is the installation's own (app/search_hash_key): without it, guessing a term and
// hashing it proves nothing, which a plain SHA-256 of the terms would allow.

#include <string>
#include <string_view>

namespace warden::analysis {

// Bytes in a search hash key.
inline constexpr std::size_t kSearchHashKeyBytes = 32;

// HMAC-SHA-256 of `terms` under `key`, ASCII letters folded to lower case first ("Cats" and
// "cats" are one search), cut to its first 16 bytes and written as 32 lower-case hex digits.
[[nodiscard]] std::string search_hash(std::string_view key, std::string_view terms);

}  // namespace warden::analysis
