#pragma once
// A leg's byte stream: plain TCP or TLS over TCP, behind one small interface so the HTTP code,
// the relay and the body copier run unchanged over either (Envoy's Network::Connection seam;
// two real implementations: TcpStream here, tls::TlsStream in tls/).
//
// Reads are non-blocking attempts plus a readiness wait, so a caller can wait for data without
// holding a buffer (idle flows hold no memory) and reads cost one syscall when data is there.
// Thread: the flow's worker. cancel() makes pending waits complete with operation_aborted;
// close() is idempotent.

#include "net/types.hpp"

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <tuple>

namespace warden::net {

class Stream {
 public:
  virtual ~Stream() = default;
  Stream() = default;
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  // Reads what is available now: n > 0 bytes, or an error: would_block (wait_readable and try
  // again), eof (the other side finished cleanly), or another error.
  [[nodiscard]] virtual std::size_t read_now(std::span<char> into, error_code& ec) = 0;
  // Completes when read_now may make progress.
  [[nodiscard]] virtual Awaitable<error_code> wait_readable() = 0;
  // Writes what the socket takes now, without waiting: the bytes written, or an error
  // (would_block when nothing could be written). The relay's fast path.
  [[nodiscard]] virtual std::size_t write_now(std::string_view data, error_code& ec) = 0;
  // Writes every byte of `buffers` (a gather list), or fails.
  [[nodiscard]] virtual Awaitable<std::tuple<error_code, std::size_t>> write_all(
      std::span<const asio::const_buffer> buffers) = 0;
  // Ends our sending direction cleanly (TCP FIN; TLS close_notify then FIN).
  virtual Awaitable<void> shutdown_send() = 0;
  virtual void cancel() = 0;
  virtual void close() = 0;
  [[nodiscard]] virtual bool is_open() const = 0;
  // For a pooled idle connection: still open, and the other side sent nothing unexpected.
  [[nodiscard]] virtual bool idle_and_open() = 0;
  // The TCP socket underneath (addresses, options).
  [[nodiscard]] virtual Socket& socket() = 0;

  // read_now, waiting as needed.
  [[nodiscard]] virtual Awaitable<std::tuple<error_code, std::size_t>> read_some(
      std::span<char> into);
  [[nodiscard]] Awaitable<std::tuple<error_code, std::size_t>> write_all(std::string_view data);
};

using StreamPtr = std::unique_ptr<Stream>;

// Waiting for readability uses a read into a small inline buffer rather than a readiness wait:
// Asio re-arms epoll (an epoll_ctl per wait) for waits but not for reads, and an idle
// connection then holds 512 bytes, not a pool block.
class InlineBytes {
 public:
  [[nodiscard]] bool empty() const { return begin_ == end_; }
  [[nodiscard]] std::span<char> space() { return {data_.data(), data_.size()}; }
  void filled(std::size_t n) {
    begin_ = 0;
    end_ = static_cast<std::uint16_t>(n);
  }
  std::size_t take(char* out, std::size_t max);

 private:
  std::array<char, 512> data_{};
  std::uint16_t begin_ = 0;
  std::uint16_t end_ = 0;
};

class TcpStream final : public Stream {
 public:
  explicit TcpStream(Socket socket);
  std::size_t read_now(std::span<char> into, error_code& ec) override;
  Awaitable<std::tuple<error_code, std::size_t>> read_some(std::span<char> into) override;
  std::size_t write_now(std::string_view data, error_code& ec) override;
  Awaitable<error_code> wait_readable() override;
  Awaitable<std::tuple<error_code, std::size_t>> write_all(
      std::span<const asio::const_buffer> buffers) override;
  using Stream::write_all;
  Awaitable<void> shutdown_send() override;
  void cancel() override;
  void close() override;
  [[nodiscard]] bool is_open() const override { return socket_.is_open(); }
  [[nodiscard]] bool idle_and_open() override;
  Socket& socket() override { return socket_; }
  // Bytes or an error a readiness wait already took from the socket, not yet read.
  [[nodiscard]] bool has_early() const { return !early_.empty() || early_ec_; }

 private:
  Socket socket_;
  InlineBytes early_;    // read by wait_readable(), handed out first
  error_code early_ec_;  // an error (eof, reset) wait_readable() met, reported by the next read
};

}  // namespace warden::net
