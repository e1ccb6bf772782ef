#pragma once
// RAII owners for OpenSSL handles (../shared/STYLE.md §3: every C handle gets an RAII type at
// first use), and the error queue drained into a readable string.

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

namespace warden::tls {

template <auto Free>
struct Deleter {
  template <class T>
  void operator()(T* p) const {
    Free(p);
  }
};

using SslPtr = std::unique_ptr<SSL, Deleter<SSL_free>>;
using SslCtxPtr = std::unique_ptr<SSL_CTX, Deleter<SSL_CTX_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;

// Shared, immutable-after-creation handles (a cached certificate, the leaf key) use OpenSSL's
// own reference counts.
inline X509Ptr up_ref(X509* x) {
  X509_up_ref(x);
  return X509Ptr(x);
}
inline PkeyPtr up_ref(EVP_PKEY* k) {
  EVP_PKEY_up_ref(k);
  return PkeyPtr(k);
}

// Empties OpenSSL's thread-local error queue into "what; what" (or "" when empty).
[[nodiscard]] std::string drain_openssl_errors();

}  // namespace warden::tls
