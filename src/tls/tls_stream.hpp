#pragma once
// TLS over a non-blocking TCP socket, the nginx way: OpenSSL reads and writes the socket itself
// (through a small BIO that first replays bytes we already read, such as a peeked ClientHello),
// and Asio only tells us when the socket is ready. No extra copies, no per-stream buffers of our
// own; with SSL_MODE_RELEASE_BUFFERS an idle connection holds no record buffers either.
//
// Thread: the flow's worker. Lifecycle: construct with an SSL in accept or connect state,
// co_await handshake(), then use it as a net::Stream.

#include "net/stream.hpp"
#include "tls/openssl_ptr.hpp"

#include <string>

namespace warden::tls {

class TlsStream final : public net::Stream {
 public:
  // `already_read`: bytes taken from the socket before TLS started (replayed first).
  TlsStream(net::Socket socket, SslPtr ssl, std::string already_read = {});
  ~TlsStream() override;

  // Runs the handshake; on failure `error_detail` says why (OpenSSL's reason).
  [[nodiscard]] net::Awaitable<net::error_code> handshake();
  [[nodiscard]] const std::string& error_detail() const { return error_detail_; }
  [[nodiscard]] SSL* native() { return ssl_.get(); }

  std::size_t read_now(std::span<char> into, net::error_code& ec) override;
  std::size_t write_now(std::string_view data, net::error_code& ec) override;
  net::Awaitable<net::error_code> wait_readable() override;
  net::Awaitable<std::tuple<net::error_code, std::size_t>> write_all(
      std::span<const net::asio::const_buffer> buffers) override;
  using Stream::write_all;
  net::Awaitable<void> shutdown_send() override;
  void cancel() override;
  void close() override;
  [[nodiscard]] bool is_open() const override { return socket_.is_open(); }
  [[nodiscard]] bool idle_and_open() override;
  net::Socket& socket() override { return socket_; }

 private:
  friend struct TlsBio;
  // Maps the result of an SSL call to would_block (setting want_write_), eof or an error.
  net::error_code classify(int ret);
  net::Awaitable<net::error_code> wait_io();
  net::Awaitable<net::error_code> write_plain(const char* data, std::size_t n);

  net::Socket socket_;
  SslPtr ssl_;
  std::string replay_;  // bytes read before TLS started, handed to OpenSSL first
  std::size_t replay_pos_ = 0;
  net::InlineBytes early_;      // ciphertext read by wait_readable(), handed to OpenSSL next
  bool want_write_ = false;     // the last call wanted the socket writable, not readable
  net::error_code last_error_;  // a write error met on the synchronous path
  bool healthy_ = true;         // no TLS error so far: its session may be resumed
  std::string error_detail_;
};

}  // namespace warden::tls
