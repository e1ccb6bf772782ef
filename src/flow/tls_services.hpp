#pragma once
// What the flows need to intercept TLS, built once by app/ and shared read-only by all workers
// (each piece is thread-safe): the minted-certificate cache, the upstream TLS client context,
// the client-facing server context, and the lists that decide splice vs bump.
// A null TlsServices means Warden only relays CONNECT tunnels.

#include "tls/cert_cache.hpp"
#include "tls/openssl_ptr.hpp"
#include "tls/upstream_tls.hpp"

#include <string>
#include <vector>

namespace warden::flow {

struct TlsServices {
  tls::CertCache* certs = nullptr;
  const tls::LeafMinter* minter = nullptr;
  const tls::UpstreamTls* upstream = nullptr;
  SSL_CTX* server_ctx = nullptr;               // towards pupils: TLS >= 1.2, tickets, ALPN
  std::vector<std::string> no_decrypt;         // domains (and their subdomains) spliced
  std::vector<std::string> verify_exceptions;  // domains whose upstream failures are tolerated

  [[nodiscard]] bool splices(const std::string& host) const { return matches(no_decrypt, host); }
  [[nodiscard]] bool excepted(const std::string& host) const {
    return matches(verify_exceptions, host);
  }
  // `host` equals a listed domain or is a subdomain of one (example.com covers a.example.com,
  // not notexample.com).
  [[nodiscard]] static bool matches(const std::vector<std::string>& domains,
                                    const std::string& host);
};

}  // namespace warden::flow
