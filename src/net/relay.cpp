#include "net/relay.hpp"

#include "net/kernel_relay.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>

#include <array>

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
  // Reads go straight into a buffer (a read costs no epoll re-arm, a readiness wait does). An
  // idle direction holds only a small buffer in this frame; a read that fills it switches to a
  // pool block for bulk transfers, and the block goes back once reads are small again.
  std::array<char, 2048> small;
  Buffer block(pool);
  for (;;) {
    const bool bulk = block.has_storage();
    const std::span<char> space = bulk ? block.prepare() : std::span<char>(small);
    auto [ec, n] = co_await d.from.read_some(space);
    if (ec == asio::error::eof) {
      co_await d.to.shutdown_send();  // pass the half-close on
      co_return;
    }
    if (ec) {
      d.from_error = ec;
      break;
    }
    watchdog.expire_after(idle);
    std::string_view data(space.data(), n);
    error_code now_ec;
    const std::size_t sent = d.to.write_now(data, now_ec);  // usually all of it, at once
    if (now_ec && now_ec != asio::error::would_block) {
      d.to_error = now_ec;
      break;
    }
    d.bytes += sent;
    data.remove_prefix(sent);
    if (!data.empty()) {
      auto [write_ec, written] = co_await d.to.write_all(data);
      if (write_ec) {
        d.to_error = write_ec;
        break;
      }
      d.bytes += written;
    }
    if (!bulk && n == space.size()) {
      (void)block.prepare();  // filled the small buffer: take a block for what follows
    } else if (bulk && n < space.size() / 4) {
      block.release_if_empty();
    }
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
  auto* tcp_a = dynamic_cast<TcpStream*>(&a);
  auto* tcp_b = dynamic_cast<TcpStream*>(&b);
  if (tcp_a != nullptr && tcp_b != nullptr) {
    // In the kernel where the OS can (else, or out of descriptors for its pipes, copy).
    if (auto done = co_await kernel_relay(*tcp_a, *tcp_b, watchdog, idle)) co_return *done;
  }
  co_await (pump({a, b, r.a_to_b, r.a_error, r.b_error}, pool, watchdog, idle) &&
            pump({b, a, r.b_to_a, r.b_error, r.a_error}, pool, watchdog, idle));
  co_return r;
}

}  // namespace warden::net
