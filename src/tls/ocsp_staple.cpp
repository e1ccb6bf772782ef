#include "tls/ocsp_staple.hpp"

#include "tls/openssl_ptr.hpp"

#include <openssl/ocsp.h>

#include <string>

namespace warden::tls {
namespace {

using OcspResponsePtr = std::unique_ptr<OCSP_RESPONSE, Deleter<OCSP_RESPONSE_free>>;
using OcspBasicPtr = std::unique_ptr<OCSP_BASICRESP, Deleter<OCSP_BASICRESP_free>>;
using OcspCertIdPtr = std::unique_ptr<OCSP_CERTID, Deleter<OCSP_CERTID_free>>;

constexpr long kClockSkewSeconds = 300;

base::Error refused(base::ErrorCode code, std::string why) {
  return {code, base::ErrorSource::Upstream, std::move(why)};
}

}  // namespace

std::optional<base::Error> check_ocsp_staple(std::span<const unsigned char> der,
                                             STACK_OF(X509) * chain, X509_STORE* store) {
  const unsigned char* p = der.data();
  OcspResponsePtr response(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(der.size())));
  if (!response || p != der.data() + der.size())
    return refused(base::ErrorCode::CertInvalid, "came with a malformed stapled OCSP response");
  // tryLater, internalError...: the responder had no answer, which says nothing either way.
  if (OCSP_response_status(response.get()) != OCSP_RESPONSE_STATUS_SUCCESSFUL) return std::nullopt;
  OcspBasicPtr basic(OCSP_response_get1_basic(response.get()));
  if (!basic || chain == nullptr || sk_X509_num(chain) < 2)
    return refused(base::ErrorCode::CertInvalid, "came with a stapled OCSP response it cannot use");
  // Signed by the issuer, or by a responder the issuer delegated (OCSPSigning), chaining to our
  // anchors: OCSP_basic_verify checks both.
  if (OCSP_basic_verify(basic.get(), chain, store, 0) <= 0)
    return refused(base::ErrorCode::CertInvalid,
                   "came with a stapled OCSP response that is not signed by its issuer");
  OcspCertIdPtr id(OCSP_cert_to_id(nullptr, sk_X509_value(chain, 0), sk_X509_value(chain, 1)));
  int status = 0;
  int reason = 0;
  ASN1_GENERALIZEDTIME* revoked_at = nullptr;
  ASN1_GENERALIZEDTIME* this_update = nullptr;
  ASN1_GENERALIZEDTIME* next_update = nullptr;
  if (!id || OCSP_resp_find_status(basic.get(), id.get(), &status, &reason, &revoked_at,
                                   &this_update, &next_update) != 1)
    return refused(base::ErrorCode::CertInvalid,
                   "came with a stapled OCSP response about another certificate");
  if (OCSP_check_validity(this_update, next_update, kClockSkewSeconds, -1) != 1)
    return refused(base::ErrorCode::CertInvalid,
                   "came with a stapled OCSP response that is out of date");
  if (status == V_OCSP_CERTSTATUS_REVOKED)
    return refused(base::ErrorCode::CertRevoked,
                   std::string("is revoked (its stapled OCSP response says so; reason: ") +
                       OCSP_crl_reason_str(reason) + ")");
  return std::nullopt;
}

}  // namespace warden::tls
