#include "tls/tls_stream.hpp"

#include "platform/sockets.hpp"

#include <openssl/err.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <utility>

namespace warden::tls {

namespace asio = net::asio;
using net::error_code;

std::string drain_openssl_errors() {
  std::string out;
  while (const unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

// The BIO between OpenSSL and the socket: replays bytes read before the handshake, then uses
// recv/send on the non-blocking descriptor directly.
struct TlsBio {
  static TlsStream* self(BIO* b) { return static_cast<TlsStream*>(BIO_get_data(b)); }

  static int read(BIO* b, char* out, std::size_t len, std::size_t* got) {
    TlsStream* s = self(b);
    BIO_clear_retry_flags(b);
    if (s->replay_pos_ < s->replay_.size()) {
      const std::size_t n = std::min(len, s->replay_.size() - s->replay_pos_);
      std::memcpy(out, s->replay_.data() + s->replay_pos_, n);
      s->replay_pos_ += n;
      if (s->replay_pos_ == s->replay_.size()) std::string().swap(s->replay_);  // free it
      *got = n;
      return 1;
    }
    if (!s->early_.empty()) {
      *got = s->early_.take(out, len);
      return 1;
    }
    const platform::Transfer t = platform::receive_now(s->socket_.native_handle(), out, len);
    *got = t.bytes;
    if (t.status == platform::Transfer::Status::Done) return 1;
    if (t.status == platform::Transfer::Status::WouldBlock) BIO_set_retry_read(b);
    return 0;
  }

  static int write(BIO* b, const char* in, std::size_t len, std::size_t* put) {
    TlsStream* s = self(b);
    BIO_clear_retry_flags(b);
    const platform::Transfer t = platform::send_now(s->socket_.native_handle(), in, len);
    *put = t.bytes;
    if (t.status == platform::Transfer::Status::Done) return 1;
    if (t.status == platform::Transfer::Status::WouldBlock) BIO_set_retry_write(b);
    return 0;
  }

  static long ctrl(BIO*, int cmd, long, void*) { return cmd == BIO_CTRL_FLUSH ? 1 : 0; }
  static int create(BIO* b) {
    BIO_set_init(b, 1);
    return 1;
  }

  static BIO_METHOD* method() {
    static BIO_METHOD* m = [] {
      BIO_METHOD* x = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "warden-socket");
      BIO_meth_set_read_ex(x, &TlsBio::read);
      BIO_meth_set_write_ex(x, &TlsBio::write);
      BIO_meth_set_ctrl(x, &TlsBio::ctrl);
      BIO_meth_set_create(x, &TlsBio::create);
      return x;
    }();
    return m;
  }
};

TlsStream::TlsStream(net::Socket socket, SslPtr ssl, std::string already_read)
    : socket_(std::move(socket)), ssl_(std::move(ssl)), replay_(std::move(already_read)) {
  error_code ignored;
  socket_.non_blocking(true, ignored);
  BIO* bio = BIO_new(TlsBio::method());
  BIO_set_data(bio, this);
  SSL_set_bio(ssl_.get(), bio, bio);  // the SSL owns the BIO
  SSL_set_mode(ssl_.get(), SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
                               SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_set_read_ahead(ssl_.get(), 1);  // one recv per wake-up, not one per record header and body
}

TlsStream::~TlsStream() {
  // Freeing an SSL that never sent close_notify makes OpenSSL mark its session unresumable;
  // a connection we simply stop using (an idle upstream, a client that went away) did nothing
  // wrong, so say the shutdown happened and keep its session (and tickets) usable.
  if (healthy_ && SSL_is_init_finished(ssl_.get()) == 1)
    SSL_set_shutdown(ssl_.get(), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
}

error_code TlsStream::classify(int ret) {
  const int err = SSL_get_error(ssl_.get(), ret);
  switch (err) {
    case SSL_ERROR_WANT_READ:
      want_write_ = false;
      return asio::error::would_block;
    case SSL_ERROR_WANT_WRITE:
      want_write_ = true;
      return asio::error::would_block;
    case SSL_ERROR_ZERO_RETURN:
      return asio::error::eof;
    case SSL_ERROR_SYSCALL: {
      healthy_ = false;
      const int saved = errno;
      error_detail_ = drain_openssl_errors();
      if (saved == 0 || saved == EAGAIN) return asio::error::eof;  // closed without close_notify
      return {saved, boost::system::system_category()};
    }
    default: {
      healthy_ = false;
      error_detail_ = drain_openssl_errors();
      if (error_detail_.find("unexpected eof") != std::string::npos) return asio::error::eof;
      return asio::error::connection_reset;  // a TLS protocol failure ends the stream
    }
  }
}

net::Awaitable<error_code> TlsStream::wait_io() {
  auto [ec] = co_await socket_.async_wait(want_write_ ? net::tcp::socket::wait_write
                                                      : net::tcp::socket::wait_read);
  co_return ec;
}

net::Awaitable<error_code> TlsStream::handshake() {
  for (;;) {
    ERR_clear_error();
    const int r = SSL_do_handshake(ssl_.get());
    if (r == 1) co_return error_code{};
    const error_code ec = classify(r);
    if (ec != asio::error::would_block) {
      if (error_detail_.empty()) error_detail_ = ec.message();
      co_return ec;
    }
    if (error_code wait_ec = co_await wait_io()) co_return wait_ec;
  }
}

std::size_t TlsStream::read_now(std::span<char> into, error_code& ec) {
  // The error queue is empty here: classify() drains it whenever a call fails for real.
  std::size_t n = 0;
  const int r = SSL_read_ex(ssl_.get(), into.data(), into.size(), &n);
  ec = r == 1 ? error_code{} : classify(r);
  return n;
}

std::size_t TlsStream::write_now(std::string_view data, error_code& ec) {
  std::size_t total = 0;
  ec = {};
  while (total < data.size()) {
    std::size_t written = 0;
    const int r = SSL_write_ex(ssl_.get(), data.data() + total, data.size() - total, &written);
    if (r != 1) {
      ec = classify(r);
      break;
    }
    total += written;
  }
  if (ec == asio::error::would_block && total > 0) ec = {};
  return total;
}

net::Awaitable<error_code> TlsStream::wait_readable() {
  // SSL_has_pending: decrypted bytes or read-ahead ciphertext OpenSSL already holds.
  if (SSL_has_pending(ssl_.get()) == 1 || !early_.empty()) co_return error_code{};
  if (want_write_) co_return co_await wait_io();
  // Read a little ciphertext ourselves (a read does not re-arm epoll, a wait does); OpenSSL
  // gets it through the BIO. An error surfaces at the next SSL_read.
  const std::span<char> space = early_.space();
  auto [ec, n] = co_await socket_.async_read_some(net::asio::buffer(space.data(), space.size()));
  if (ec == asio::error::operation_aborted) co_return ec;
  if (!ec) early_.filled(n);
  co_return error_code{};
}

net::Awaitable<error_code> TlsStream::write_plain(const char* data, std::size_t n) {
  while (n > 0) {
    std::size_t written = 0;
    const int r = SSL_write_ex(ssl_.get(), data, n, &written);
    if (r == 1) {
      data += written;
      n -= written;
      continue;
    }
    const error_code ec = classify(r);
    if (ec != asio::error::would_block) co_return ec;
    if (error_code wait_ec = co_await wait_io()) co_return wait_ec;
  }
  co_return error_code{};
}

net::Awaitable<std::tuple<error_code, std::size_t>> TlsStream::write_all(
    std::span<const asio::const_buffer> buffers) {
  // Gather the pieces (a head, chunk framing, body) into one TLS record's worth at a time, in a
  // per-thread staging buffer: the common case writes it all at once and allocates nothing.
  // If the socket is full, the unwritten rest moves to an owned buffer before we wait, since the
  // staging buffer is shared by every flow of this worker.
  constexpr std::size_t kRecord = 16 * 1024;
  thread_local std::string staging;
  std::size_t total = 0;
  auto flush = [&]() -> std::optional<std::string> {
    error_code ec;
    const std::size_t n = write_now(staging, ec);
    total += n;
    if (!ec && n == staging.size()) {
      staging.clear();
      return std::nullopt;
    }
    std::string rest = staging.substr(n);
    staging.clear();
    if (ec && ec != asio::error::would_block) last_error_ = ec;
    return rest;
  };
  for (const auto& b : buffers) {
    const char* p = static_cast<const char*>(b.data());
    std::size_t left = b.size();
    while (left > 0) {
      if (staging.empty() && left >= kRecord) {  // big pieces go out without a copy
        error_code ec;
        const std::size_t n = write_now(std::string_view(p, left), ec);
        total += n;
        p += n;
        left -= n;
        if (left == 0) break;
        if (ec && ec != asio::error::would_block) co_return std::tuple{ec, total};
        if (error_code wait_ec = co_await write_plain(p, left))
          co_return std::tuple{wait_ec, total};
        total += left;
        break;
      }
      const std::size_t take = std::min(left, kRecord - staging.size());
      staging.append(p, take);
      p += take;
      left -= take;
      if (staging.size() < kRecord) continue;
      if (auto rest = flush()) {
        // Slow path: wait until the socket takes the rest, then go on with what remains.
        if (last_error_) co_return std::tuple{std::exchange(last_error_, {}), total};
        if (error_code ec = co_await write_plain(rest->data(), rest->size()))
          co_return std::tuple{ec, total};
        total += rest->size();
      }
    }
  }
  if (!staging.empty()) {
    if (auto rest = flush()) {
      if (last_error_) co_return std::tuple{std::exchange(last_error_, {}), total};
      if (error_code ec = co_await write_plain(rest->data(), rest->size()))
        co_return std::tuple{ec, total};
      total += rest->size();
    }
  }
  co_return std::tuple{error_code{}, total};
}

net::Awaitable<void> TlsStream::shutdown_send() {
  ERR_clear_error();
  (void)SSL_shutdown(ssl_.get());  // close_notify, best effort (non-blocking)
  error_code ignored;
  socket_.shutdown(net::tcp::socket::shutdown_send, ignored);
  co_return;
}

bool TlsStream::idle_and_open() {
  const platform::Pending pending = platform::pending_input(socket_.native_handle());
  if (pending != platform::Pending::Data) return pending == platform::Pending::Nothing;
  // Bytes arrived while idle: a TLS 1.3 session ticket is fine, application data or an alert
  // (close_notify) is not.
  char scratch[256];
  error_code ec;
  const std::size_t got = read_now(scratch, ec);
  return got == 0 && ec == asio::error::would_block;
}

void TlsStream::cancel() {
  error_code ignored;
  socket_.cancel(ignored);
}

void TlsStream::close() {
  error_code ignored;
  socket_.close(ignored);
}

}  // namespace warden::tls
