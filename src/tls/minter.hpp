#pragma once
// Mints the leaf certificates Warden presents to pupils (../shared/SECURITY.md a.2 §4): one
// process-wide ECDSA P-256 leaf key (generated at start: minting costs one signature, and a
// flood of new names cannot make us generate keys), SAN = the name asked for (DNS) or the IP,
// serverAuth, digitalSignature, CA:FALSE, key ids, a random 128-bit serial,
// notBefore = now - 1 day, notAfter = min(upstream's notAfter, now + 30 days, CA's notAfter).
//
// Thread safety: mint() may run on any worker at once (the signer is thread-safe).

#include "tls/cert_signer.hpp"
#include "tls/leaf_minter.hpp"

namespace warden::tls {

class Minter final : public LeafMinter {
 public:
  // A new leaf key pair, or `leaf_key` (the signer process gets only the public half: the
  // filtering process keeps the private one).
  Minter(CertSigner& signer, std::chrono::system_clock::time_point ca_not_after,
         PkeyPtr leaf_key = nullptr);
  Minter(const Minter&) = delete;
  Minter& operator=(const Minter&) = delete;

  [[nodiscard]] base::Result<X509Ptr> mint(
      const std::string& name,
      std::optional<std::chrono::system_clock::time_point> upstream_not_after) const override;
  [[nodiscard]] EVP_PKEY* leaf_key() const override { return leaf_key_.get(); }
  [[nodiscard]] X509* ca_certificate() const override { return signer_.ca_certificate(); }

 private:
  CertSigner& signer_;
  std::chrono::system_clock::time_point ca_not_after_;
  PkeyPtr leaf_key_;
};

}  // namespace warden::tls
