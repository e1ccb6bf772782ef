#pragma once
// OpenSSL exposes many calls as macros with C-style casts; these inline functions wrap them so
// the rest of the code builds clean under -Wold-style-cast. One place, no logic.

#include <openssl/bio.h>
#include <openssl/ssl.h>

#include <string_view>

namespace warden::tls::ossl {

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
#if !defined(__clang__)  // a GCC-only warning: clang would reject the unknown name under -Werror
#pragma GCC diagnostic ignored "-Wuseless-cast"
#endif

inline bool set_sni(SSL* ssl, const char* name) { return SSL_set_tlsext_host_name(ssl, name) == 1; }
inline bool set_min_version(SSL_CTX* ctx, int v) {
  return SSL_CTX_set_min_proto_version(ctx, v) == 1;
}
inline void set_mode(SSL* ssl, long mode) { SSL_set_mode(ssl, mode); }
inline void set_ctx_mode(SSL_CTX* ctx, long mode) { SSL_CTX_set_mode(ctx, mode); }
inline void set_session_cache_mode(SSL_CTX* ctx, long mode) {
  SSL_CTX_set_session_cache_mode(ctx, mode);
}
inline void set_ctx_options(SSL_CTX* ctx, std::uint64_t opts) { SSL_CTX_set_options(ctx, opts); }
inline std::string_view mem_data(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return {data, n < 0 ? 0 : static_cast<std::size_t>(n)};
}
inline bool add1_chain_cert(SSL* ssl, X509* cert) { return SSL_add1_chain_cert(ssl, cert) == 1; }
// OCSP stapling: a client asks for the server's stapled response and reads it; a server serves
// one from its status callback (`der` allocated with OPENSSL_malloc, owned by the SSL after).
inline void request_ocsp_staple(SSL* ssl) {
  SSL_set_tlsext_status_type(ssl, TLSEXT_STATUSTYPE_ocsp);
}
inline long ocsp_staple(SSL* ssl, const unsigned char** der) {
  unsigned char* p = nullptr;
  const long n = SSL_get_tlsext_status_ocsp_resp(ssl, &p);
  *der = p;
  return n;
}
inline void set_ocsp_staple(SSL* ssl, unsigned char* der, long len) {
  SSL_set_tlsext_status_ocsp_resp(ssl, der, len);
}
inline void set_status_callback(SSL_CTX* ctx, int (*cb)(SSL*, void*), void* arg) {
  SSL_CTX_set_tlsext_status_cb(ctx, cb);
  SSL_CTX_set_tlsext_status_arg(ctx, arg);
}

#pragma GCC diagnostic pop

}  // namespace warden::tls::ossl
