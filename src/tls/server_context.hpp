#pragma once
// The client-facing TLS context (Warden as the server pupils' browsers talk to): TLS >= 1.2,
// forward-secret AEAD suites, no renegotiation (CVE-2011-1473) or compression, stateless
// session tickets for resumption (no per-name session cache to grow), and ALPN that selects h2
// (where allowed) or http/1.1 from what the client offers. The certificate is set per
// connection from the cache.
//
// Thread safety: read-only after creation; used by every worker.

#include "base/result.hpp"
#include "tls/openssl_ptr.hpp"

namespace warden::tls {

[[nodiscard]] base::Result<SslCtxPtr> make_server_context();

// A server SSL presenting `cert` (signed by `ca`) with the shared leaf `key`; nullptr on failure.
// `allow_h2`: ALPN may select h2 (else http/1.1 only).
[[nodiscard]] SslPtr new_server_ssl(SSL_CTX* ctx, X509* cert, EVP_PKEY* key, X509* ca,
                                    bool allow_h2 = false);

}  // namespace warden::tls
