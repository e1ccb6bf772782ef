// ClientSession: sign-in on the explicit proxy (auth; docs/identity.md). A browser that is
// asked (407 with Proxy-Authenticate: Basic) sends its user's name and password with every
// request; the first request of a connection with a new value waits for SignIn (cache, or the
// directory on SignIn's threads), the rest compare it with the value already taken. A
// directory that cannot answer is a 503 page, never a way in. Credentials are never logged.
#include "flow/detail/exchange.hpp"
#include "identity/proxy_credentials.hpp"

#include <spdlog/spdlog.h>

namespace warden::flow {

using base::ErrorCode;
using Status = identity::CheckResult::Status;

net::Awaitable<bool> ClientSession::signed_in(Exchange& ex, bool& keep_open) {
  const std::optional<std::string_view> value = ex.head.find("proxy-authorization");
  if (!value) {
    co_await refuse_sign_in(ex, ErrorCode::SignInRequired,
                            "This network's web filter asks everyone to sign in.", keep_open);
    co_return false;
  }
  if (*value == signed_in_value_ && net::Clock::now() < signed_in_until_) co_return true;
  std::string why;
  std::optional<identity::BasicCredentials> credentials =
      identity::parse_basic_credentials(*value, why);
  if (!credentials) {
    co_await refuse_sign_in(ex, ErrorCode::SignInFailed,
                            "The browser's sign-in could not be read: " + why + ".", keep_open);
    co_return false;
  }
  identity::SignIn& sign_in = *ctx_.shared.sign_in;
  const net::Clock::time_point asked = net::Clock::now();
  const identity::SignInResult result = co_await sign_in.check(std::move(*credentials));
  if (state_ == State::Closed) {
    keep_open = false;
    co_return false;
  }
  switch (result.status) {
    case Status::SignedIn:
      identity_ = result.identity;
      signed_in_value_ = *value;
      signed_in_until_ = asked + sign_in.cache_ttl();
      co_return true;
    case Status::Refused:
      identity_ = nullptr;
      signed_in_value_.clear();
      co_await refuse_sign_in(ex, ErrorCode::SignInFailed,
                              "That name and password did not sign in: try again.", keep_open);
      co_return false;
    case Status::Unavailable:
      break;
  }
  spdlog::warn("auth: sign-in from {} not checked ({}): {}", client_ip_, sign_in.describe(),
               result.why);
  co_await respond_error(&ex, 503, ErrorCode::SignInUnavailable,
                         "Sign-in cannot be checked right now, so no page can be shown. Try "
                         "again in a minute; if it lasts, tell the IT team.",
                         true);
  keep_open = false;
  co_return false;
}

net::Awaitable<void> ClientSession::refuse_sign_in(Exchange& ex, ErrorCode code, std::string detail,
                                                   bool& keep_open) {
  // A body the client is still sending would be read as the next request: close then.
  keep_open = ex.semantics.body.kind == http::BodyKind::None && !drain_;
  co_await respond_error(
      &ex, 407, code, std::move(detail), !keep_open,
      fmt::format("Proxy-Authenticate: Basic realm=\"{}\", charset=\"UTF-8\"\r\n",
                  config_->sign_in_realm));
  if (!ex.record.status) keep_open = false;  // not sent: the client is gone
}

}  // namespace warden::flow
