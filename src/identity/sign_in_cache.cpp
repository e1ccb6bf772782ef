#include "identity/sign_in_cache.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <stdexcept>

namespace warden::identity {

SignInCache::SignInCache(net::Duration ttl) : ttl_(ttl), keyed_(EVP_MD_CTX_new()) {
  std::array<unsigned char, 32> secret{};
  if (RAND_bytes(secret.data(), static_cast<int>(secret.size())) != 1 || keyed_ == nullptr ||
      EVP_DigestInit_ex(keyed_.get(), EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(keyed_.get(), secret.data(), secret.size()) != 1)
    throw std::runtime_error("no random bytes or SHA-256 for the sign-in cache's key");
  OPENSSL_cleanse(secret.data(), secret.size());
}

std::string SignInCache::key(std::string_view credentials) const {
  // SHA-256 of the start's secret, then the credentials: a digest started with the secret is
  // copied, not made again, for each key.
  const std::unique_ptr<EVP_MD_CTX, Free> ctx(EVP_MD_CTX_new());  // (not thread_local: MinGW)
  std::string out(32, '\0');
  unsigned length = 0;
  if (ctx == nullptr || EVP_MD_CTX_copy_ex(ctx.get(), keyed_.get()) != 1 ||
      EVP_DigestUpdate(ctx.get(), credentials.data(), credentials.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &length) != 1)
    return {};  // no key: nothing is cached or found under it
  return out;
}

void SignInCache::Free::operator()(evp_md_ctx_st* ctx) const { EVP_MD_CTX_free(ctx); }

CachedSignIn SignInCache::find(const std::string& key, net::Clock::time_point now) const {
  if (key.empty()) return {};
  const std::lock_guard lock(mutex_);
  const auto it = entries_.find(key);
  if (it == entries_.end() || it->second.expires <= now) return {};
  return {it->second.identity, it->second.expires};
}

net::Clock::time_point SignInCache::put(const std::string& key,
                                        std::shared_ptr<const Identity> identity,
                                        net::Clock::time_point now) {
  const net::Clock::time_point expires = now + ttl_;
  if (key.empty()) return expires;  // (no key: not cached, but signed in as long)
  const std::lock_guard lock(mutex_);
  if (entries_.size() >= kMaxEntries) {
    std::erase_if(entries_, [&](const auto& e) { return e.second.expires <= now; });
    if (entries_.size() >= kMaxEntries) entries_.clear();  // all fresh: everyone asks again
  }
  entries_.insert_or_assign(key, Entry{std::move(identity), expires});
  return expires;
}

std::size_t SignInCache::size() const {
  const std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace warden::identity
