#include "tls/server_context.hpp"

#include "tls/openssl_macros.hpp"

#include <cstring>
#include <string_view>

namespace warden::tls {
namespace {

// The protocol each connection may select, set by new_server_ssl (SSL app data): h2 only where
// the upstream chose h2 too, so the client speaks what the origin speaks.
const char kH2Allowed = 1;

bool offered(const unsigned char* in, unsigned int inlen, std::string_view protocol,
             const unsigned char** out, unsigned char* outlen) {
  for (unsigned int i = 0; i < inlen;) {
    const unsigned len = in[i];
    if (i + 1 + len > inlen) break;
    if (std::string_view(reinterpret_cast<const char*>(in + i + 1), len) == protocol) {
      *out = in + i + 1;
      *outlen = static_cast<unsigned char>(len);
      return true;
    }
    i += 1 + len;
  }
  return false;
}

// h2 when allowed and offered, else http/1.1 if offered; otherwise no ALPN, and the client
// speaks HTTP/1.1 by default.
int select_alpn(SSL* ssl, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                unsigned int inlen, void*) {
  if (SSL_get_app_data(ssl) == &kH2Allowed && offered(in, inlen, "h2", out, outlen))
    return SSL_TLSEXT_ERR_OK;
  if (offered(in, inlen, "http/1.1", out, outlen)) return SSL_TLSEXT_ERR_OK;
  return SSL_TLSEXT_ERR_NOACK;
}

}  // namespace

base::Result<SslCtxPtr> make_server_context() {
  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  auto fail = [](const char* what) {
    return base::Error{base::ErrorCode::Internal, base::ErrorSource::Internal,
                       std::string(what) + ": " + drain_openssl_errors()};
  };
  if (!ctx) return fail("cannot create the client-facing TLS context");
  if (!ossl::set_min_version(ctx.get(), TLS1_2_VERSION)) return fail("cannot require TLS 1.2");
  if (SSL_CTX_set_cipher_list(ctx.get(),
                              "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
                              "ECDHE-ECDSA-CHACHA20-POLY1305") != 1)
    return fail("cannot set the client-facing ciphers");
  // AES-128-GCM first: as strong as a browser needs and cheaper for both ends than AES-256.
  if (SSL_CTX_set_ciphersuites(ctx.get(),
                               "TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256:"
                               "TLS_AES_256_GCM_SHA384") != 1)
    return fail("cannot set the client-facing TLS 1.3 suites");
  ossl::set_ctx_options(
      ctx.get(), SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  ossl::set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);  // tickets only
  SSL_CTX_set_num_tickets(ctx.get(), 1);
  SSL_CTX_set_alpn_select_cb(ctx.get(), &select_alpn, nullptr);
  return ctx;
}

SslPtr new_server_ssl(SSL_CTX* ctx, X509* cert, EVP_PKEY* key, X509* /*ca*/, bool allow_h2) {
  SslPtr ssl(SSL_new(ctx));
  if (!ssl) return nullptr;
  if (allow_h2) SSL_set_app_data(ssl.get(), const_cast<char*>(&kH2Allowed));
  // The leaf alone: devices trust the school CA as a root, so sending it too only makes every
  // client parse (and some verify) one more certificate per handshake.
  if (SSL_use_cert_and_key(ssl.get(), cert, key, nullptr, 1) != 1) return nullptr;
  SSL_set_accept_state(ssl.get());
  return ssl;
}

}  // namespace warden::tls
