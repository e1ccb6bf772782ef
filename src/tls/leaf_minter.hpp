#pragma once
// What the flows need to present a certificate for a name: a minted leaf, the leaf key it
// certifies, and the CA certificate to chain. Two answers: Minter signs in this process (the
// signer process itself, Windows, tests); SignerClient asks the signer process, so the
// filtering process never holds the CA key (../shared/SECURITY.md f.2).
//
// Thread safety: mint() may be called from any worker at once.

#include "base/result.hpp"
#include "tls/openssl_ptr.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace warden::tls {

class LeafMinter {
 public:
  virtual ~LeafMinter() = default;
  // `name`: a DNS name (lower case) or an IP literal. `upstream_not_after`: when the upstream's
  // own certificate expires, if one was verified.
  [[nodiscard]] virtual base::Result<X509Ptr> mint(
      const std::string& name,
      std::optional<std::chrono::system_clock::time_point> upstream_not_after) const = 0;
  [[nodiscard]] virtual EVP_PKEY* leaf_key() const = 0;
  [[nodiscard]] virtual X509* ca_certificate() const = 0;
};

}  // namespace warden::tls
