#pragma once
// Signs leaf certificates with the school CA's key. The one seam where the CA key is used, kept
// small so signing can move to a separate process later (../shared/SECURITY.md f.2): the
// filtering workers would then hold no CA key at all. Today one implementation signs in process.
//
// Thread safety: sign() may be called from any worker at once.

#include "base/result.hpp"
#include "tls/certificate_authority.hpp"

namespace warden::tls {

class CertSigner {
 public:
  virtual ~CertSigner() = default;
  // Sets the issuer fields (name, authority key id) of `leaf` and signs it with SHA-256.
  [[nodiscard]] virtual base::Result<void> sign(X509* leaf) = 0;
  [[nodiscard]] virtual X509* ca_certificate() const = 0;
};

class InProcessSigner final : public CertSigner {
 public:
  explicit InProcessSigner(const CertificateAuthority& ca) : ca_(ca) {}
  [[nodiscard]] base::Result<void> sign(X509* leaf) override;
  [[nodiscard]] X509* ca_certificate() const override { return ca_.certificate(); }

 private:
  const CertificateAuthority& ca_;
};

}  // namespace warden::tls
