#pragma once
// Asio vocabulary for the whole code base: every async operation completes as a tuple
// (`auto [ec, n] = co_await s.async_read_some(buf);`), so errors are values, never exceptions
// on the data path (../shared/STYLE.md §6).

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>

namespace warden::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

using DefaultToken = asio::as_tuple_t<asio::use_awaitable_t<>>;
using Socket = DefaultToken::as_default_on_t<tcp::socket>;
using Acceptor = DefaultToken::as_default_on_t<tcp::acceptor>;
using Timer = DefaultToken::as_default_on_t<asio::steady_timer>;
using Resolver = DefaultToken::as_default_on_t<tcp::resolver>;

template <class T = void>
using Awaitable = asio::awaitable<T>;

using Clock = std::chrono::steady_clock;
using Duration = std::chrono::milliseconds;

inline constexpr DefaultToken kUseTuple{};

}  // namespace warden::net
