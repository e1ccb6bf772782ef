#pragma once
// Sign-in for the explicit proxy (auth; docs/identity.md): credentials a browser sent,
// answered from the cache or checked against the directory on this service's own threads
// (a check is slow: scrypt, a directory's round trip), so a worker never blocks on one.
// Too many checks waiting (a flood of wrong passwords) is Unavailable, not a longer queue.
//
// Thread safety: check() may be called from every worker at once. Outlives the engine.

#include "identity/directory.hpp"
#include "identity/proxy_credentials.hpp"
#include "identity/sign_in_cache.hpp"
#include "net/types.hpp"

#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <memory>

namespace warden::identity {

struct SignInSettings {
  net::Duration cache_ttl = std::chrono::minutes(5);
  unsigned threads = 2;
  std::size_t max_pending = 64;  // checks queued or running
};

struct SignInResult {
  CheckResult::Status status = CheckResult::Status::Refused;
  std::shared_ptr<const Identity> identity;  // with SignedIn
  std::string why;
  net::Clock::time_point expires{};  // with SignedIn: until when it holds without asking again
};

class SignIn {
 public:
  // `tickets` (may be null): Negotiate, beside the directory's passwords.
  SignIn(std::unique_ptr<Directory> directory, SignInSettings settings,
         std::unique_ptr<TicketAcceptor> tickets = nullptr);
  ~SignIn();
  SignIn(const SignIn&) = delete;
  SignIn& operator=(const SignIn&) = delete;

  // Who `value` (a Proxy-Authorization value) signed in within the cache's TTL; nullopt: ask
  // check(). Never blocks: the workers' path for every new connection of a signed-in browser.
  [[nodiscard]] std::optional<SignInResult> cached(std::string_view value) const;
  // `credentials` (parsed from `value`, which cached() did not know) checked by the directory,
  // and cached under `value` when they sign in. Resumes on the caller's executor.
  [[nodiscard]] net::Awaitable<SignInResult> check(BasicCredentials credentials, std::string value);
  // A Negotiate token (decoded): the ticket's user, their groups from the directory. Never
  // cached (every token is new; the connection it signed in is, by the caller).
  [[nodiscard]] net::Awaitable<SignInResult> accept_ticket(std::string token);
  [[nodiscard]] bool takes_tickets() const { return tickets_ != nullptr; }
  [[nodiscard]] std::string describe() const { return directory_->describe(); }
  [[nodiscard]] std::size_t cached() const { return cache_.size(); }
  [[nodiscard]] std::size_t pending() const { return pending_.load(); }  // checks in progress

 private:
  // A place among max_pending checks, given back when it goes (a check that throws too).
  struct Place {
    std::atomic<std::size_t>* pending = nullptr;
    ~Place() {
      if (pending != nullptr) pending->fetch_sub(1);
    }
  };
  [[nodiscard]] bool take_a_place(Place& place);  // false: max_pending checks wait already
  [[nodiscard]] static SignInResult too_busy();
  // A directory's or acceptor's answer as the caller gets it, signed in until `expires`.
  [[nodiscard]] static SignInResult result_of(CheckResult checked, net::Clock::time_point expires);

  std::unique_ptr<Directory> directory_;
  std::unique_ptr<TicketAcceptor> tickets_;
  SignInSettings settings_;
  SignInCache cache_;
  std::atomic<std::size_t> pending_{0};
  boost::asio::thread_pool pool_;
};

}  // namespace warden::identity
