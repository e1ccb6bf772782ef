#include "identity/sign_in_cache.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <stdexcept>

namespace warden::identity {

SignInCache::SignInCache(net::Duration ttl) : ttl_(ttl) {
  if (RAND_bytes(secret_.data(), static_cast<int>(secret_.size())) != 1)
    throw std::runtime_error("no random bytes for the sign-in cache's key");
}

std::string SignInCache::key(std::string_view user, std::string_view password) const {
  // A name cannot hold ':' (RFC 7617), so "name:password" is one pair only.
  std::string message;
  message.reserve(user.size() + 1 + password.size());
  message.append(user).append(1, ':').append(password);
  std::string out(EVP_MAX_MD_SIZE, '\0');
  unsigned length = 0;
  HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(),
       reinterpret_cast<unsigned char*>(out.data()), &length);
  OPENSSL_cleanse(message.data(), message.size());
  out.resize(length);
  return out;
}

std::shared_ptr<const Identity> SignInCache::find(const std::string& key,
                                                  net::Clock::time_point now) const {
  const std::lock_guard lock(mutex_);
  const auto it = entries_.find(key);
  if (it == entries_.end() || it->second.expires <= now) return nullptr;
  return it->second.identity;
}

void SignInCache::put(const std::string& key, std::shared_ptr<const Identity> identity,
                      net::Clock::time_point now) {
  const std::lock_guard lock(mutex_);
  if (entries_.size() >= kMaxEntries) {
    std::erase_if(entries_, [&](const auto& e) { return e.second.expires <= now; });
    if (entries_.size() >= kMaxEntries) entries_.clear();  // all fresh: everyone asks again
  }
  entries_.insert_or_assign(key, Entry{std::move(identity), now + ttl_});
}

std::size_t SignInCache::size() const {
  const std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace warden::identity
