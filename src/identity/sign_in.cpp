#include "identity/sign_in.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <openssl/crypto.h>

namespace warden::identity {
namespace {

// Runs on SignIn's threads. (A function, not a capturing coroutine lambda: built with GCC 12,
// that lambda's moved-in credentials were freed from a bad pointer on the pool's thread.)
net::Awaitable<CheckResult> check_on(const Directory& directory, BasicCredentials c) {
  CheckResult r = directory.check(c.user, c.password);
  OPENSSL_cleanse(c.password.data(), c.password.size());
  co_return r;
}

net::Awaitable<CheckResult> accept_on(const TicketAcceptor& tickets, const Directory& directory,
                                      std::string token) {
  CheckResult r = tickets.accept(token);
  if (r.status == CheckResult::Status::SignedIn)
    r.identity.groups = directory.groups_of(r.identity.user);
  co_return r;
}

}  // namespace

SignIn::SignIn(std::unique_ptr<Directory> directory, SignInSettings settings,
               std::unique_ptr<TicketAcceptor> tickets)
    : directory_(std::move(directory)),
      tickets_(std::move(tickets)),
      settings_(settings),
      cache_(settings.cache_ttl),
      pool_(settings.threads) {}

SignIn::~SignIn() {
  pool_.stop();
  pool_.join();
}

std::optional<SignInResult> SignIn::cached(std::string_view value) const {
  CachedSignIn known = cache_.find(cache_.key(value), net::Clock::now());
  if (!known.identity) return std::nullopt;
  SignInResult r;
  r.status = CheckResult::Status::SignedIn;
  r.identity = std::move(known.identity);
  r.expires = known.expires;
  return r;
}

net::Awaitable<SignInResult> SignIn::check(BasicCredentials credentials, std::string value) {
  const std::string key = cache_.key(value);
  OPENSSL_cleanse(value.data(), value.size());
  Place place;
  if (!take_a_place(place)) co_return too_busy();
  CheckResult checked = co_await net::asio::co_spawn(
      pool_, check_on(*directory_, std::move(credentials)), net::asio::use_awaitable);
  // (A local, not a temporary in co_return: GCC 12 mishandles those.)
  SignInResult result = result_of(std::move(checked), {});
  if (result.identity) result.expires = cache_.put(key, result.identity, net::Clock::now());
  co_return result;
}

net::Awaitable<SignInResult> SignIn::accept_ticket(std::string token) {
  Place place;
  if (!take_a_place(place)) co_return too_busy();
  CheckResult checked = co_await net::asio::co_spawn(
      pool_, accept_on(*tickets_, *directory_, std::move(token)), net::asio::use_awaitable);
  SignInResult result = result_of(std::move(checked), net::Clock::now() + settings_.cache_ttl);
  co_return result;
}

SignInResult SignIn::result_of(CheckResult checked, net::Clock::time_point expires) {
  SignInResult r;
  r.status = checked.status;
  r.why = std::move(checked.why);
  if (checked.status == CheckResult::Status::SignedIn) {
    r.identity = std::make_shared<const Identity>(std::move(checked.identity));
    r.expires = expires;
  }
  return r;
}

bool SignIn::take_a_place(Place& place) {
  if (pending_.fetch_add(1) >= settings_.max_pending) {
    pending_.fetch_sub(1);
    return false;
  }
  place.pending = &pending_;
  return true;
}

SignInResult SignIn::too_busy() {
  return result_of(CheckResult::unavailable("too many sign-ins are being checked at once"), {});
}

}  // namespace warden::identity
