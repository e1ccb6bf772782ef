#include "tls/cert_signer.hpp"

#include <openssl/x509v3.h>

namespace warden::tls {

base::Result<void> InProcessSigner::sign(X509* leaf) {
  X509* ca = ca_.certificate();
  X509_set_issuer_name(leaf, X509_get_subject_name(ca));
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, ca, leaf, nullptr, nullptr, 0);
  X509_EXTENSION* aki =
      X509V3_EXT_conf_nid(nullptr, &ctx, NID_authority_key_identifier, "keyid:always");
  const bool ok = aki != nullptr && X509_add_ext(leaf, aki, -1) == 1 &&
                  X509_sign(leaf, ca_.key(), EVP_sha256()) != 0;
  X509_EXTENSION_free(aki);
  if (!ok)
    return base::Error{base::ErrorCode::Internal, base::ErrorSource::Internal,
                       "cannot sign a certificate: " + drain_openssl_errors()};
  return {};
}

}  // namespace warden::tls
