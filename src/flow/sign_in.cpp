// ClientSession: sign-in on the explicit proxy (auth; docs/identity.md). A browser that is
// asked (407 with Proxy-Authenticate: Negotiate and/or Basic) answers with a Kerberos ticket,
// or its user's name and password with every request. A password's check waits for SignIn
// (its cache, or the directory on SignIn's threads) the first time a connection sends that
// value; a ticket signs in the connection it came on (RFC 4559), as browsers expect. A
// directory that cannot answer is a 503 page, never a way in. Credentials are never logged.
#include "base/base64.hpp"
#include "flow/detail/exchange.hpp"
#include "http/chars.hpp"
#include "identity/proxy_credentials.hpp"

#include <spdlog/spdlog.h>

namespace warden::flow {

using base::ErrorCode;
using Status = identity::CheckResult::Status;

namespace {

// The token of a "Negotiate <base64>" value, or nullopt when the value is not one.
std::optional<std::string_view> negotiate_token(std::string_view value) {
  constexpr std::string_view kScheme = "negotiate ";
  if (value.size() <= kScheme.size() ||
      !http::chars::iequals(value.substr(0, kScheme.size()), kScheme))
    return std::nullopt;
  return value.substr(kScheme.size());
}

}  // namespace

net::Awaitable<bool> ClientSession::signed_in(Exchange& ex, bool& keep_open) {
  identity::SignIn& sign_in = *ctx_.shared.sign_in;
  std::optional<std::string_view> value = ex.head.find("proxy-authorization");
  if (value && value->empty()) value.reset();  // "Proxy-Authorization:" alone says nothing
  const bool in_time = identity_ != nullptr && net::Clock::now() < signed_in_until_;
  if (!value) {
    if (in_time && signed_in_by_ticket_) co_return true;  // this connection signed in (ticket)
    forget_sign_in();
    co_await refuse_sign_in(ex, ErrorCode::SignInRequired,
                            "This network's web filter asks everyone to sign in.", keep_open);
    co_return false;
  }
  if (in_time && !signed_in_by_ticket_ && *value == signed_in_value_) co_return true;
  // Anything else is a new attempt: whatever it comes to, the old sign-in is over.
  forget_sign_in();
  std::string why;
  identity::SignInResult result;
  const std::optional<std::string_view> token = negotiate_token(*value);
  const bool by_ticket = token && sign_in.takes_tickets();
  if (by_ticket) {
    std::optional<std::string> ticket = base::from_base64(*token);
    if (!ticket) why = "the Negotiate token is not base64";
    if (ticket) result = co_await sign_in.accept_ticket(std::move(*ticket));
  } else if (auto known = sign_in.cached(*value)) {
    result = std::move(*known);  // (no coroutine, no decoding: a new connection's usual case)
  } else if (auto credentials = identity::parse_basic_credentials(*value, why)) {
    result = co_await sign_in.check(std::move(*credentials), std::string(*value));
  }
  if (state_ == State::Closed) {
    keep_open = false;
    co_return false;
  }
  if (!why.empty()) {
    co_await refuse_sign_in(ex, ErrorCode::SignInFailed,
                            "The browser's sign-in could not be read: " + why + ".", keep_open);
    co_return false;
  }
  switch (result.status) {
    case Status::SignedIn:
      identity_ = result.identity;
      signed_in_by_ticket_ = by_ticket;
      signed_in_value_ = by_ticket ? std::string() : std::string(*value);
      signed_in_until_ = result.expires;  // a cached sign-in: when its entry ends
      co_return true;
    case Status::Refused:
      // (A ticket's refusal is worth a line: a rotated key fails every pupil the same way.)
      if (by_ticket)
        spdlog::info("auth: a Kerberos ticket from {} refused: {}", client_ip_, result.why);
      co_await refuse_sign_in(ex, ErrorCode::SignInFailed,
                              "That name and password, or that ticket, did not sign in: try again.",
                              keep_open);
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
  // Open for the browser's answer, unless it must close, or a HEAD's text answer carries a body
  // it would not expect.
  keep_open = !closes_after_own_answer(ex) && ex.head.method() != "HEAD";
  std::string challenge;
  if (ctx_.shared.sign_in->takes_tickets()) challenge = "Proxy-Authenticate: Negotiate\r\n";
  challenge += fmt::format("Proxy-Authenticate: Basic realm=\"{}\", charset=\"UTF-8\"\r\n",
                           config_->sign_in_realm);
  co_await respond_error(&ex, 407, code, std::move(detail), !keep_open, std::move(challenge));
  if (!ex.record.status) keep_open = false;  // not sent: the client is gone
}

void ClientSession::forget_sign_in() {
  identity_ = nullptr;
  signed_in_by_ticket_ = false;
  signed_in_value_.clear();
  signed_in_until_ = {};
}

}  // namespace warden::flow
