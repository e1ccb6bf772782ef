#include "tls_origin.hpp"

#include "tls/openssl_macros.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <arpa/inet.h>
#include <cerrno>
#include <fstream>
#include <iterator>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

namespace warden::test {

TlsOrigin::TlsOrigin(TlsOriginOptions options) : options_(std::move(options)) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  ctx_ = ctx;
  if (options_.security_level >= 0) SSL_CTX_set_security_level(ctx, options_.security_level);
  if (options_.min_version != 0) tls::ossl::set_min_version(ctx, options_.min_version);
  if (options_.max_version != 0) SSL_CTX_set_max_proto_version(ctx, options_.max_version);
  if (!options_.ciphers.empty()) SSL_CTX_set_cipher_list(ctx, options_.ciphers.c_str());
  if (!options_.ocsp_staple.empty()) {
    std::ifstream in(options_.ocsp_staple, std::ios::binary);
    staple_.assign(std::istreambuf_iterator<char>(in), {});
    tls::ossl::set_status_callback(
        ctx,
        [](SSL* ssl, void* arg) {
          const auto& der = *static_cast<const std::string*>(arg);
          auto* copy = static_cast<unsigned char*>(OPENSSL_memdup(der.data(), der.size()));
          tls::ossl::set_ocsp_staple(ssl, copy, static_cast<long>(der.size()));
          return SSL_TLSEXT_ERR_OK;
        },
        &staple_);
  }
  ok_ = (options_.ocsp_staple.empty() || !staple_.empty()) &&
        SSL_CTX_use_certificate_chain_file(ctx, options_.cert_chain.c_str()) == 1 &&
        SSL_CTX_use_PrivateKey_file(ctx, options_.key.c_str(), SSL_FILETYPE_PEM) == 1;
  ERR_clear_error();
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::listen(listen_fd_, 64);
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { serve(); });
}

TlsOrigin::~TlsOrigin() {
  stopping_ = true;
  ::shutdown(listen_fd_, SHUT_RDWR);
  ::close(listen_fd_);
  thread_.join();
  SSL_CTX_free(static_cast<SSL_CTX*>(ctx_));
}

void TlsOrigin::serve() {
  std::vector<std::thread> connections;  // one thread per connection, like a real server
  while (!stopping_) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) break;
    connections.emplace_back([this, fd] { serve_one(fd); });
  }
  for (auto& t : connections) t.join();
}

void TlsOrigin::serve_one(int fd) {
  timeval tv{2, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  SSL* ssl = SSL_new(static_cast<SSL_CTX*>(ctx_));
  SSL_set_fd(ssl, fd);
  if (SSL_accept(ssl) == 1) {
    ++handshakes_;
    if (SSL_session_reused(ssl) == 1) ++resumed_;
    std::string got;
    char buf[16384];
    while (!stopping_) {
      const int n = SSL_read(ssl, buf, sizeof buf);
      if (n <= 0) {
        if (SSL_get_error(ssl, n) == SSL_ERROR_SYSCALL && errno == EAGAIN) continue;  // idle
        break;
      }
      got.append(buf, static_cast<std::size_t>(n));
      std::size_t end;
      while ((end = got.find("\r\n\r\n")) != std::string::npos) {
        got.erase(0, end + 4);
        ++requests_;
        const std::string resp =
            "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(options_.body.size()) +
            "\r\n\r\n" + options_.body;
        SSL_write(ssl, resp.data(), static_cast<int>(resp.size()));
      }
    }
  }
  ERR_clear_error();
  SSL_free(ssl);
  ::close(fd);
}

}  // namespace warden::test
