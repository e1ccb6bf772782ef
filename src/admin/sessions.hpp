#pragma once
// Signed-in sessions and sign-in throttling for the dashboard (docs/admin.md). Session ids and
// CSRF tokens are 256 random bits; a session ends after 30 idle minutes or 12 hours, at sign
// out, or when its account is removed or its role changed. Five failed sign-ins within 15
// minutes, for one account name or from one address (an IPv6 /64), hold further tries for 15
// minutes.
//
// Thread: the admin thread only (no locks).

#include "admin/accounts.hpp"

#include <chrono>
#include <map>
#include <optional>
#include <string>

namespace warden::admin {

using Clock = std::chrono::steady_clock;

struct Session {
  std::string user;
  Role role = Role::Viewer;
  std::string password_hash;  // as when signed in: a new password ends the session
  std::string csrf;           // what every change must carry
  Clock::time_point started;
  Clock::time_point last_seen;
};

class Sessions {
 public:
  static constexpr auto kIdle = std::chrono::minutes(30);
  static constexpr auto kLongest = std::chrono::hours(12);

  // A new session for `a`; returns its id (the cookie's value).
  std::string start(const Account& a, Clock::time_point now);
  // The live session with this id (its idle time renewed), or null.
  Session* find(std::string_view id, Clock::time_point now);
  void end(std::string_view id) { sessions_.erase(std::string(id)); }
  // Ends the sessions of accounts that are gone or whose role or password changed.
  void keep_only(const Accounts& accounts);
  [[nodiscard]] std::size_t size() const { return sessions_.size(); }

 private:
  std::map<std::string, Session, std::less<>> sessions_;
};

class SignInThrottle {
 public:
  static constexpr int kTries = 5;
  static constexpr auto kWindow = std::chrono::minutes(15);

  // Whether a try for `user` from `address` is held back now. `first`: set when this is the
  // first try held in this hold (so the audit log says it once, not once per try).
  [[nodiscard]] bool held(const std::string& user, const std::string& address,
                          Clock::time_point now, bool* first = nullptr);
  void failed(const std::string& user, const std::string& address, Clock::time_point now);
  // A right password: the account's count starts again; the address's does not (else one
  // account's owner could guess at the others' without end).
  void succeeded(const std::string& user);

 private:
  struct Record {
    int failures = 0;
    Clock::time_point first;
    bool told = false;  // the hold was reported
  };
  Record* over(std::map<std::string, Record>& m, const std::string& key, Clock::time_point now);
  void count(std::map<std::string, Record>& m, const std::string& key, Clock::time_point now);
  std::map<std::string, Record> by_user_;
  std::map<std::string, Record> by_address_;
};

// 32 random bytes as hex; empty if the system has no randomness to give.
[[nodiscard]] std::string random_token();
// The key an address is counted under: itself, or its /64 for IPv6 (one host's many addresses).
[[nodiscard]] std::string throttle_key(const std::string& address);

}  // namespace warden::admin
