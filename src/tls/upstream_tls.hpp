#pragma once
// The upstream TLS leg: Warden as a TLS client that verifies at least as strictly as a browser
// (../shared/SECURITY.md a.2). One process-wide SSL_CTX, read-only after creation:
// - trust: the system store (Debian ca-certificates) plus configured extra CA files, never the
//   school's own CA (a chain through it is refused even if an admin installed it system-wide);
// - TLS >= 1.2 set explicitly, security level 2 (RSA/DH >= 2048, no SHA-1 signatures),
//   only forward-secret suites for TLS 1.2 (AEAD first, ECDHE-CBC last as browsers), no
//   renegotiation, no compression;
// - host name from the SAN only (no CN fallback), wildcards only as the whole left-most label;
//   an IP target is checked against IP SANs;
// - X509_STRICT chain checks, serverAuth purpose;
// - during the handshake, so that no session of a refused upstream is ever kept for resumption:
//   no root on the distrust list or the school CA in the chain, and a stapled OCSP response
//   that is valid and does not say "revoked";
// - client sessions cached per "host:port" for resumption (bounded).
// Per-domain verification exceptions exist only in config, and every use is logged by the caller.
//
// Thread safety: new_ssl() and the session cache may be used from any worker.

#include "base/result.hpp"
#include "tls/openssl_ptr.hpp"

#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace warden::tls {

struct UpstreamTlsOptions {
  std::vector<std::string> extra_ca_files;  // PEM files of extra trust anchors
  X509* school_ca = nullptr;                // refused as an anchor
  // Extra roots refused even if trusted: SHA-1 or SHA-256 fingerprints, hex (colons allowed).
  std::vector<std::string> distrusted_roots;
  std::size_t session_cache_size = 4096;
};

class UpstreamTls {
 public:
  [[nodiscard]] static base::Result<std::unique_ptr<UpstreamTls>> create(
      const UpstreamTlsOptions& o);
  ~UpstreamTls();

  // A client SSL for `host` (a DNS name or an IP literal) and port: SNI set for names, the
  // name or IP to verify, ALPN `alpn` (wire format: length-prefixed), and a cached session.
  [[nodiscard]] SslPtr new_ssl(const std::string& host, std::uint16_t port,
                               std::string_view alpn_wire) const;

  // After a handshake: why the upstream is refused, or nothing. `handshake_error` is what the
  // handshake itself reported ("" if it completed).
  [[nodiscard]] std::optional<base::Error> judge(SSL* ssl, const std::string& host,
                                                 const std::string& handshake_error) const;

  [[nodiscard]] SSL_CTX* ctx() const { return ctx_.get(); }

 private:
  UpstreamTls(SslCtxPtr ctx, X509* school_ca, std::vector<std::string> distrusted,
              std::size_t cache_size);
  static int on_new_session(SSL* ssl, SSL_SESSION* session);
  static int on_verify(int ok, X509_STORE_CTX* store);
  static int on_ocsp_staple(SSL* ssl, void*);
  // Why a verified chain is refused anyway (distrusted root, school CA), or nothing.
  [[nodiscard]] std::optional<base::Error> refuse_chain(STACK_OF(X509) * chain) const;

  SslCtxPtr ctx_;
  X509Ptr school_ca_;
  std::vector<std::string> distrusted_;  // upper-case hex, no colons
  // Resumption sessions by "host:port", LRU-bounded; guarded by mu_ (one lock per new upstream
  // TLS connection, never per request).
  mutable std::mutex mu_;
  mutable std::list<std::string> lru_;
  mutable std::unordered_map<std::string, std::pair<SSL_SESSION*, std::list<std::string>::iterator>>
      sessions_;
  std::size_t cache_size_;
};

// Interception roots whose private keys are public (Superfish, eDellRoot, GoAgent...): refused
// even when someone installed them as trusted (../shared/SECURITY.md a.4 C28).
[[nodiscard]] const std::vector<std::string>& known_interception_roots();
// "ab:cd:..." or "ABCD..." -> "ABCD..."; empty if not 40 or 64 hex digits.
[[nodiscard]] std::string normalise_fingerprint(std::string_view text);

// The stable code for an OpenSSL verify result (X509_V_ERR_*).
[[nodiscard]] base::ErrorCode error_for_verify_result(long verify_result);

}  // namespace warden::tls
