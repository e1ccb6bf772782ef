#pragma once
// Revocation from a stapled OCSP response (../shared/SECURITY.md a.2, C24). A staple is the
// server's own signed proof of status, so checking it needs no network. "Revoked" refuses the
// upstream; so does a staple that is malformed, not signed for the verified chain, about another
// certificate or out of date (as Firefox does: a server that staples must staple correctly).
// Without a staple Warden fetches no OCSP or CRL (soft-fail, as Chrome; docs/tls.md).

#include "base/error.hpp"

#include <openssl/x509.h>

#include <optional>
#include <span>

namespace warden::tls {

// `der`: the stapled response; `chain`: the verified chain, leaf first; `store`: the trust
// anchors. The error's context completes "the certificate of HOST ...".
[[nodiscard]] std::optional<base::Error> check_ocsp_staple(std::span<const unsigned char> der,
                                                           STACK_OF(X509) * chain,
                                                           X509_STORE* store);

}  // namespace warden::tls
