#include "net/relay.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>

namespace warden::net {
namespace {

struct Direction {
  Stream& from;
  Stream& to;
  std::uint64_t& bytes;
  error_code& from_error;
  error_code& to_error;
};

Awaitable<void> pump(Direction d, BufferPool& pool, Watchdog& watchdog, Duration idle) {
  Buffer buf(pool);
  for (;;) {
    std::span<char> space = buf.prepare();
    error_code ec;
    const std::size_t n = d.from.read_now(space, ec);
    if (ec == asio::error::would_block) {
      buf.release_if_empty();  // idle: hold no memory while we wait
      if (error_code wait_ec = co_await d.from.wait_readable()) {
        d.from_error = wait_ec;
        break;
      }
      continue;
    }
    if (ec == asio::error::eof) {
      co_await d.to.shutdown_send();  // pass the half-close on
      co_return;
    }
    if (ec) {
      d.from_error = ec;
      break;
    }
    buf.commit(n);
    watchdog.expire_after(idle);
    // Fast path: the other side usually takes the bytes at once.
    error_code now_ec;
    const std::size_t sent = d.to.write_now(buf.data(), now_ec);
    if (now_ec && now_ec != asio::error::would_block) {
      d.to_error = now_ec;
      break;
    }
    d.bytes += sent;
    buf.consume(sent);
    if (buf.empty()) continue;
    auto [write_ec, written] = co_await d.to.write_all(buf.data());
    if (write_ec) {
      d.to_error = write_ec;
      break;
    }
    d.bytes += written;
    buf.consume(written);
  }
  d.from.cancel();  // the other direction ends too
  d.to.cancel();
}

}  // namespace

Awaitable<RelayResult> relay(Stream& a, Stream& b, BufferPool& pool, Watchdog& watchdog,
                             Duration idle) {
  using namespace asio::experimental::awaitable_operators;
  RelayResult r;
  watchdog.expire_after(idle);
  co_await (pump({a, b, r.a_to_b, r.a_error, r.b_error}, pool, watchdog, idle) &&
            pump({b, a, r.b_to_a, r.b_error, r.a_error}, pool, watchdog, idle));
  co_return r;
}

}  // namespace warden::net
