#pragma once
// A TLS origin for tests, on 127.0.0.1: OpenSSL in a thread, one connection at a time, serving
// every HTTP/1.1 request with `body` (keep-alive). Configured from PEM files (leaf + chain, key)
// and, for the protocol cases, a version range and security level.

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

namespace warden::test {

struct TlsOriginOptions {
  std::string cert_chain;  // PEM: leaf first, then the chain
  std::string key;         // PEM private key
  std::string body = "hello over tls";
  int min_version = 0;  // 0: OpenSSL's default
  int max_version = 0;
  int security_level = -1;  // -1: OpenSSL's default
  std::string ciphers;      // TLS 1.2 cipher list; empty: default
  std::string ocsp_staple;  // a DER OCSP response file stapled when asked for; empty: none
};

class TlsOrigin {
 public:
  explicit TlsOrigin(TlsOriginOptions options);
  ~TlsOrigin();
  TlsOrigin(const TlsOrigin&) = delete;
  TlsOrigin& operator=(const TlsOrigin&) = delete;

  [[nodiscard]] std::uint16_t port() const { return port_; }
  [[nodiscard]] bool ok() const { return ok_; }
  [[nodiscard]] unsigned handshakes() const { return handshakes_.load(); }
  [[nodiscard]] unsigned requests() const { return requests_.load(); }
  [[nodiscard]] unsigned resumed() const { return resumed_.load(); }  // abbreviated handshakes

 private:
  void serve();
  void serve_one(int fd);
  TlsOriginOptions options_;
  std::string staple_;   // the OCSP response's bytes
  void* ctx_ = nullptr;  // SSL_CTX*
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  bool ok_ = false;
  std::atomic<bool> stopping_{false};
  std::atomic<unsigned> handshakes_{0};
  std::atomic<unsigned> requests_{0};
  std::atomic<unsigned> resumed_{0};
  std::thread thread_;
};

}  // namespace warden::test
