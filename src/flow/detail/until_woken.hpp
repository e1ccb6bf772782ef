#pragma once
// The HTTP/2 writers' idle wait (h2_bridge, h2_upstream): until someone cancels `timer`.

#include "net/types.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace warden::flow::detail {

inline net::Awaitable<void> until_woken(net::asio::steady_timer& timer) {
  timer.expires_at(net::asio::steady_timer::time_point::max());
  net::error_code ignored;
  co_await timer.async_wait(net::asio::redirect_error(net::asio::use_awaitable, ignored));
}

}  // namespace warden::flow::detail
