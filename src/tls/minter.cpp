#include "tls/minter.hpp"

#include "base/cidr.hpp"

#include <openssl/x509v3.h>

namespace warden::tls {
namespace {

using Clock = std::chrono::system_clock;

bool add_ext(X509* cert, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, nullptr, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) return false;
  const bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

void set_time(ASN1_TIME* field, Clock::time_point t) { ASN1_TIME_set(field, Clock::to_time_t(t)); }

}  // namespace

Minter::Minter(CertSigner& signer, Clock::time_point ca_not_after, PkeyPtr leaf_key)
    : signer_(signer),
      ca_not_after_(ca_not_after),
      leaf_key_(leaf_key ? std::move(leaf_key) : generate_key(CaKeyType::EcdsaP256)) {}

base::Result<X509Ptr> Minter::mint(const std::string& name,
                                   std::optional<Clock::time_point> upstream_not_after) const {
  auto fail = [&](const char* what) {
    return base::Error{base::ErrorCode::Internal, base::ErrorSource::Internal,
                       std::string(what) + " for " + name + ": " + drain_openssl_errors()};
  };
  X509Ptr cert(X509_new());
  if (!cert) return fail("cannot allocate a certificate");
  X509_set_version(cert.get(), 2);
  if (!set_random_serial(cert.get())) return fail("no randomness for a serial");
  if (name.size() <= 64) {  // CN is informative only (SAN decides), and limited to 64 bytes
    X509_NAME_add_entry_by_txt(X509_get_subject_name(cert.get()), "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(name.c_str()), -1, -1, 0);
  }
  const auto now = Clock::now();
  auto not_after = std::min(now + std::chrono::days(30), ca_not_after_);
  if (upstream_not_after) not_after = std::min(not_after, *upstream_not_after);
  set_time(X509_getm_notBefore(cert.get()), now - std::chrono::days(1));
  set_time(X509_getm_notAfter(cert.get()), not_after);
  X509_set_pubkey(cert.get(), leaf_key_.get());
  const std::string san = (base::parse_ip(name) ? "IP:" : "DNS:") + name;
  if (!add_ext(cert.get(), NID_basic_constraints, "critical,CA:FALSE") ||
      !add_ext(cert.get(), NID_key_usage, "critical,digitalSignature") ||
      !add_ext(cert.get(), NID_ext_key_usage, "serverAuth") ||
      !add_ext(cert.get(), NID_subject_alt_name, san) ||
      !add_ext(cert.get(), NID_subject_key_identifier, "hash"))
    return fail("cannot build a certificate");
  if (auto signed_ok = signer_.sign(cert.get()); !signed_ok) return signed_ok.error();
  return cert;
}

}  // namespace warden::tls
