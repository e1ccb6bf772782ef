#include "net/stream.hpp"

#include "platform/sockets.hpp"

#include <boost/asio/write.hpp>

#include <cstring>
#include <utility>

namespace warden::net {

Awaitable<std::tuple<error_code, std::size_t>> Stream::read_some(std::span<char> into) {
  for (;;) {
    error_code ec;
    const std::size_t n = read_now(into, ec);
    if (ec != asio::error::would_block) co_return std::tuple{ec, n};
    if (error_code wait_ec = co_await wait_readable())
      co_return std::tuple{wait_ec, std::size_t{0}};
  }
}

Awaitable<std::tuple<error_code, std::size_t>> Stream::write_all(std::string_view data) {
  const asio::const_buffer b(data.data(), data.size());
  co_return co_await write_all(std::span<const asio::const_buffer>(&b, 1));
}

std::size_t InlineBytes::take(char* out, std::size_t max) {
  const std::size_t n = std::min<std::size_t>(max, static_cast<std::size_t>(end_ - begin_));
  std::memcpy(out, data_.data() + begin_, n);
  begin_ = static_cast<std::uint16_t>(begin_ + n);
  return n;
}

TcpStream::TcpStream(Socket socket) : socket_(std::move(socket)) {
  error_code ignored;
  socket_.non_blocking(true, ignored);
}

std::size_t TcpStream::read_now(std::span<char> into, error_code& ec) {
  ec = {};
  if (!early_.empty()) return early_.take(into.data(), into.size());
  if (early_ec_) {
    ec = std::exchange(early_ec_, {});
    return 0;
  }
  return socket_.read_some(asio::buffer(into.data(), into.size()), ec);
}

Awaitable<std::tuple<error_code, std::size_t>> TcpStream::read_some(std::span<char> into) {
  if (!early_.empty() || early_ec_) {
    error_code ec;
    const std::size_t n = read_now(into, ec);
    co_return std::tuple{ec, n};
  }
  // A read (speculative first, no epoll re-arm) straight into the caller's buffer.
  auto [ec, n] = co_await socket_.async_read_some(asio::buffer(into.data(), into.size()));
  co_return std::tuple{ec, n};
}

std::size_t TcpStream::write_now(std::string_view data, error_code& ec) {
  return socket_.write_some(asio::buffer(data.data(), data.size()), ec);
}

Awaitable<error_code> TcpStream::wait_readable() {
  if (!early_.empty() || early_ec_) co_return error_code{};
  auto [ec, n] =
      co_await socket_.async_read_some(asio::buffer(early_.space().data(), early_.space().size()));
  if (ec == asio::error::operation_aborted) co_return ec;
  if (ec) {
    early_ec_ = ec;  // eof or reset: the next read reports it
  } else {
    early_.filled(n);
  }
  co_return error_code{};
}

Awaitable<std::tuple<error_code, std::size_t>> TcpStream::write_all(
    std::span<const asio::const_buffer> buffers) {
  auto [ec, n] = co_await asio::async_write(socket_, buffers);
  co_return std::tuple{ec, n};
}

Awaitable<void> TcpStream::shutdown_send() {
  error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_send, ignored);
  co_return;
}

bool TcpStream::idle_and_open() {
  return early_.empty() && !early_ec_ &&
         platform::pending_input(socket_.native_handle()) == platform::Pending::Nothing;
}

void TcpStream::cancel() {
  error_code ignored;
  socket_.cancel(ignored);
}

void TcpStream::close() {
  error_code ignored;
  socket_.close(ignored);
}

}  // namespace warden::net
