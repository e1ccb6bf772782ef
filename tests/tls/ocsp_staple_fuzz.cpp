// libFuzzer target: an upstream's stapled OCSP response (tls/ocsp_staple), read for a fixed
// chain under a fixed anchor. Invariants: no crash, leak or UB on any bytes; and a staple that
// says anything counts only with a valid signature, which fuzzed bytes cannot have: whenever the
// check lets a staple through, the response was not "successful" (tryLater and the like, which
// say nothing either way).
#include "base/assert.hpp"
#include "tls/certificate_authority.hpp"
#include "tls/ocsp_staple.hpp"

#include <openssl/ocsp.h>

#include <cstdint>
#include <span>

using namespace warden::tls;

namespace {

struct Anchor {
  Anchor() {
    auto created = CertificateAuthority::create({});
    WARDEN_CHECK(created.has_value());
    ca = std::move(*created);
    chain = sk_X509_new_null();
    // The CA as leaf and issuer: enough for a certificate id and a signature check.
    WARDEN_CHECK(X509_up_ref(ca->certificate()) == 1 && sk_X509_push(chain, ca->certificate()) > 0);
    WARDEN_CHECK(X509_up_ref(ca->certificate()) == 1 && sk_X509_push(chain, ca->certificate()) > 0);
    store = X509_STORE_new();
    WARDEN_CHECK(X509_STORE_add_cert(store, ca->certificate()) == 1);
  }
  std::optional<CertificateAuthority> ca;
  STACK_OF(X509) * chain = nullptr;
  X509_STORE* store = nullptr;
};

bool says_successful(const std::uint8_t* data, std::size_t size) {
  const unsigned char* p = data;
  OCSP_RESPONSE* r = d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(size));
  const bool ok = r != nullptr && OCSP_response_status(r) == OCSP_RESPONSE_STATUS_SUCCESSFUL;
  OCSP_RESPONSE_free(r);
  return ok;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Anchor anchor;  // lives for the process: freed by the OS, not counted as a leak
  const auto refused = check_ocsp_staple(std::span(data, size), anchor.chain, anchor.store);
  if (!refused) WARDEN_CHECK(!says_successful(data, size));
  return 0;
}
