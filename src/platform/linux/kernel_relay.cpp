#include "net/kernel_relay.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>

#include <array>
#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

namespace warden::net {
namespace {

struct Direction {
  TcpStream& from;
  TcpStream& to;
  std::uint64_t& bytes;
  error_code& from_error;
  error_code& to_error;
};

// A pipe for splice(2); both ends non-blocking. Empty, it holds no memory.
struct Pipe {
  Pipe() {
    int fds[2];
    if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) == 0) {
      read_end = fds[0];
      write_end = fds[1];
    }
  }
  ~Pipe() {
    if (read_end >= 0) ::close(read_end);
    if (write_end >= 0) ::close(write_end);
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  [[nodiscard]] bool ok() const { return read_end >= 0; }
  int read_end = -1;
  int write_end = -1;
};

error_code last_error() { return {errno, boost::system::system_category()}; }

// TCP to TCP: bytes move socket -> pipe -> socket inside the kernel (splice(2)), never copied
// through user space. What a readiness wait already read (TcpStream's early bytes) goes first.
Awaitable<void> splice_pump(Direction d, Pipe& pipe, Watchdog& watchdog, Duration idle) {
  TcpStream& from = d.from;
  TcpStream& to = d.to;
  constexpr std::size_t kChunk = 64 * 1024;  // the pipe's default capacity
  constexpr unsigned kFlags = SPLICE_F_MOVE | SPLICE_F_NONBLOCK;
  std::array<char, 512> early;
  while (from.has_early()) {
    error_code ec;
    const std::size_t n = from.read_now(early, ec);
    if (ec == asio::error::eof) {
      co_await to.shutdown_send();
      co_return;
    }
    if (ec) {
      d.from_error = ec;
      break;
    }
    auto [write_ec, written] = co_await to.write_all(std::string_view(early.data(), n));
    if (write_ec) {
      d.to_error = write_ec;
      break;
    }
    d.bytes += written;
  }
  const int in = from.socket().native_handle();
  const int out = to.socket().native_handle();
  while (!d.from_error && !d.to_error) {
    const ssize_t n = ::splice(in, nullptr, pipe.write_end, nullptr, kChunk, kFlags);
    if (n == 0) {
      co_await to.shutdown_send();  // pass the half-close on
      co_return;
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN) {
        d.from_error = last_error();
        break;
      }
      auto [ec] = co_await from.socket().async_wait(tcp::socket::wait_read);
      if (ec) d.from_error = ec;
      continue;
    }
    watchdog.expire_after(idle);
    auto left = static_cast<std::size_t>(n);
    while (left > 0) {
      const ssize_t m = ::splice(pipe.read_end, nullptr, out, nullptr, left, kFlags);
      if (m > 0) {
        left -= static_cast<std::size_t>(m);
        d.bytes += static_cast<std::uint64_t>(m);
      } else if (m < 0 && errno == EINTR) {
        continue;
      } else if (m < 0 && errno == EAGAIN) {
        auto [ec] = co_await to.socket().async_wait(tcp::socket::wait_write);
        if (ec) {
          d.to_error = ec;
          break;
        }
      } else {
        d.to_error = last_error();
        break;
      }
    }
  }
  d.from.cancel();  // the other direction ends too
  d.to.cancel();
}

}  // namespace

Awaitable<std::optional<RelayResult>> kernel_relay(TcpStream& a, TcpStream& b, Watchdog& watchdog,
                                                   Duration idle) {
  using namespace asio::experimental::awaitable_operators;
  Pipe a_to_b;
  Pipe b_to_a;
  if (!a_to_b.ok() || !b_to_a.ok()) co_return std::nullopt;
  RelayResult r;
  co_await (splice_pump({a, b, r.a_to_b, r.a_error, r.b_error}, a_to_b, watchdog, idle) &&
            splice_pump({b, a, r.b_to_a, r.b_error, r.a_error}, b_to_a, watchdog, idle));
  co_return r;
}

}  // namespace warden::net
