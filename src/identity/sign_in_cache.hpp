#pragma once
// Sign-ins already checked, for auth.cache_ttl: a browser sends its credentials with every
// request, and the directory is asked once per TTL, not once per request. Keyed by SHA-256 of
// a secret made at start followed by the credentials, so the cache holds no password and a
// changed password is a different key. Bounded; every worker reads it (one mutex, held for a
// lookup).

#include "identity/directory.hpp"
#include "net/types.hpp"

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX (its headers stay out of this one)

namespace warden::identity {

// A cached sign-in and when its entry ends (null identity: none).
struct CachedSignIn {
  std::shared_ptr<const Identity> identity;
  net::Clock::time_point expires{};
};

class SignInCache {
 public:
  static constexpr std::size_t kMaxEntries = 100'000;

  explicit SignInCache(net::Duration ttl);

  // `credentials` as the browser sent them (the Proxy-Authorization value): a hit costs no
  // decoding. (The same pair spelt another way, "basic" or two spaces, is another entry.)
  [[nodiscard]] std::string key(std::string_view credentials) const;
  [[nodiscard]] CachedSignIn find(const std::string& key, net::Clock::time_point now) const;
  // Returns when the entry ends.
  net::Clock::time_point put(const std::string& key, std::shared_ptr<const Identity> identity,
                             net::Clock::time_point now);
  [[nodiscard]] std::size_t size() const;

 private:
  struct Entry {
    std::shared_ptr<const Identity> identity;
    net::Clock::time_point expires;
  };
  struct Free {
    void operator()(evp_md_ctx_st* ctx) const;
  };
  net::Duration ttl_;
  std::unique_ptr<evp_md_ctx_st, Free> keyed_;  // SHA-256 with the secret absorbed
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace warden::identity
