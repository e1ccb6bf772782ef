#pragma once
// OpenSSL exposes many calls as macros with C-style casts; these inline functions wrap them so
// the rest of the code builds clean under -Wold-style-cast. One place, no logic.

#include <openssl/bio.h>
#include <openssl/ssl.h>

#include <string_view>

namespace warden::tls::ossl {

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
#pragma GCC diagnostic ignored "-Wuseless-cast"

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

#pragma GCC diagnostic pop

}  // namespace warden::tls::ossl
