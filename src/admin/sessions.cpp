#include "admin/sessions.hpp"

#include "base/cidr.hpp"
#include "base/hex.hpp"

#include <openssl/rand.h>

namespace warden::admin {
namespace {

constexpr std::size_t kMaxSessions = 10'000;  // old ones go first beyond it
constexpr std::size_t kMaxTracked = 100'000;  // throttle records, for a flood of names

}  // namespace

std::string random_token() {
  std::string bytes(32, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(bytes.size())) !=
      1)
    return {};
  return base::to_hex(bytes);
}

std::string Sessions::start(const Account& a, Clock::time_point now) {
  std::erase_if(sessions_, [&](const auto& kv) {
    return now - kv.second.last_seen > kIdle || now - kv.second.started > kLongest;
  });
  if (sessions_.size() >= kMaxSessions) {
    auto oldest = sessions_.begin();
    for (auto it = sessions_.begin(); it != sessions_.end(); ++it)
      if (it->second.last_seen < oldest->second.last_seen) oldest = it;
    sessions_.erase(oldest);
  }
  std::string id = random_token();
  std::string csrf = random_token();
  if (id.empty() || csrf.empty()) return {};
  sessions_[id] = Session{a.name, a.role, a.password_hash, std::move(csrf), now, now};
  return id;
}

Session* Sessions::find(std::string_view id, Clock::time_point now) {
  const auto it = sessions_.find(id);
  if (it == sessions_.end()) return nullptr;
  Session& s = it->second;
  if (now - s.last_seen > kIdle || now - s.started > kLongest) {
    sessions_.erase(it);
    return nullptr;
  }
  s.last_seen = now;
  return &s;
}

void Sessions::keep_only(const Accounts& accounts) {
  std::erase_if(sessions_, [&](const auto& kv) {
    const Account* a = accounts.find(kv.second.user);
    return a == nullptr || a->role != kv.second.role || a->password_hash != kv.second.password_hash;
  });
}

SignInThrottle::Record* SignInThrottle::over(std::map<std::string, Record>& m,
                                             const std::string& key, Clock::time_point now) {
  const auto it = m.find(key);
  if (it == m.end()) return nullptr;
  if (now - it->second.first > kWindow) {
    m.erase(it);
    return nullptr;
  }
  return it->second.failures >= kTries ? &it->second : nullptr;
}

void SignInThrottle::count(std::map<std::string, Record>& m, const std::string& key,
                           Clock::time_point now) {
  if (m.size() >= kMaxTracked)
    std::erase_if(m, [&](const auto& kv) { return now - kv.second.first > kWindow; });
  if (m.size() >= kMaxTracked) return;  // still full: a flood; the address limit holds it
  Record& r = m[key];
  if (r.failures == 0 || now - r.first > kWindow) r = Record{0, now, false};
  ++r.failures;
}

bool SignInThrottle::held(const std::string& user, const std::string& address,
                          Clock::time_point now, bool* first) {
  Record* by_user = over(by_user_, user, now);
  Record* by_address = over(by_address_, throttle_key(address), now);
  bool fresh = false;
  for (Record* r : {by_user, by_address})
    if (r != nullptr && !r->told) {
      r->told = true;
      fresh = true;
    }
  if (first != nullptr) *first = fresh;
  return by_user != nullptr || by_address != nullptr;
}

void SignInThrottle::failed(const std::string& user, const std::string& address,
                            Clock::time_point now) {
  if (!user.empty()) count(by_user_, user, now);
  count(by_address_, throttle_key(address), now);
}

void SignInThrottle::succeeded(const std::string& user) { by_user_.erase(user); }

std::string throttle_key(const std::string& address) {
  auto ip = base::parse_ip(address);
  if (!ip || base::is_ipv4_mapped(*ip)) return address;
  std::fill(ip->begin() + 8, ip->end(), std::uint8_t{0});
  return base::format_ip(*ip) + "/64";
}

}  // namespace warden::admin
