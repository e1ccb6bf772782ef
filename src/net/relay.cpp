#include "net/relay.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/write.hpp>

namespace warden::net {
namespace {

struct Direction {
  Socket& from;
  Socket& to;
  std::uint64_t& bytes;
  error_code& from_error;
  error_code& to_error;
};

void tear_down(Socket& a, Socket& b) {
  error_code ignored;
  a.cancel(ignored);
  b.cancel(ignored);
}

Awaitable<void> pump(Direction d, BufferPool& pool, Watchdog& watchdog, Duration idle) {
  Buffer buf(pool);
  for (;;) {
    std::span<char> space = buf.prepare();
    error_code ec;
    const std::size_t n = d.from.read_some(asio::buffer(space.data(), space.size()), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) {
      buf.release_if_empty();  // idle: hold no memory while we wait
      auto [wait_ec] = co_await d.from.async_wait(tcp::socket::wait_read);
      if (wait_ec) {
        d.from_error = wait_ec;
        break;
      }
      continue;
    }
    if (ec == asio::error::eof) {
      error_code ignored;
      d.to.shutdown(tcp::socket::shutdown_send, ignored);  // pass the half-close on
      co_return;
    }
    if (ec) {
      d.from_error = ec;
      break;
    }
    buf.commit(n);
    watchdog.expire_after(idle);
    auto [write_ec, written] = co_await asio::async_write(d.to, asio::buffer(buf.data()));
    if (write_ec) {
      d.to_error = write_ec;
      break;
    }
    d.bytes += written;
    buf.consume(written);
  }
  tear_down(d.from, d.to);
}

}  // namespace

Awaitable<RelayResult> relay(Socket& a, Socket& b, BufferPool& pool, Watchdog& watchdog,
                             Duration idle) {
  using namespace asio::experimental::awaitable_operators;
  RelayResult r;
  error_code ignored;
  a.non_blocking(true, ignored);
  b.non_blocking(true, ignored);
  watchdog.expire_after(idle);
  co_await (pump({a, b, r.a_to_b, r.a_error, r.b_error}, pool, watchdog, idle) &&
            pump({b, a, r.b_to_a, r.b_error, r.a_error}, pool, watchdog, idle));
  co_return r;
}

}  // namespace warden::net
