#pragma once
// The school's interception CA (../shared/SECURITY.md f): created on the machine that uses it,
// never shipped. A private root, constrained to what it must do: basicConstraints CA:TRUE with
// pathlen 0, keyUsage keyCertSign+cRLSign, extendedKeyUsage serverAuth, a subject that says
// what it is. Files in the state folder: ca.pem (the certificate, 0644) and ca.key (0600,
// created with that mode, never chmod'ed after, never logged).
//
// Thread safety: immutable after load; shared read-only by all workers.

#include "base/result.hpp"
#include "tls/openssl_ptr.hpp"

#include <chrono>
#include <string>

namespace warden::tls {

enum class CaKeyType { EcdsaP256, Rsa3072 };

struct CaOptions {
  CaKeyType key = CaKeyType::EcdsaP256;
  std::string school = "School";     // subject: "<school> Web Filter CA"
  std::chrono::days validity{3650};  // 10 years (re-enrolling every device is costly)
};

class CertificateAuthority {
 public:
  // A new key and self-signed certificate (not written anywhere yet).
  [[nodiscard]] static base::Result<CertificateAuthority> create(const CaOptions& options);
  // Loads <dir>/ca.pem and <dir>/ca.key and checks them: present, readable, a CA, in its
  // validity period, the key matching the certificate. Errors say which.
  [[nodiscard]] static base::Result<CertificateAuthority> load(const std::string& dir);
  // load(), after create() and save() when the folder has no CA yet (`created` says so).
  [[nodiscard]] static base::Result<CertificateAuthority> load_or_create(const std::string& dir,
                                                                         const CaOptions& options,
                                                                         bool& created);
  // Only <dir>/ca.pem: what a process that must not hold the key needs (the signer checked the
  // pair when it loaded it).
  [[nodiscard]] static base::Result<X509Ptr> load_certificate(const std::string& dir);
  // Writes <dir>/ca.pem and <dir>/ca.key; refuses to replace existing files unless `force`.
  [[nodiscard]] base::Result<void> save(const std::string& dir, bool force) const;

  [[nodiscard]] static std::string cert_path(const std::string& dir) { return dir + "/ca.pem"; }
  [[nodiscard]] static std::string key_path(const std::string& dir) { return dir + "/ca.key"; }
  [[nodiscard]] static bool exists(const std::string& dir);

  [[nodiscard]] X509* certificate() const { return cert_.get(); }
  [[nodiscard]] EVP_PKEY* key() const { return key_.get(); }
  [[nodiscard]] std::string pem() const;
  [[nodiscard]] std::string der() const;
  [[nodiscard]] std::string subject() const;
  [[nodiscard]] std::string sha256_fingerprint() const;  // "AB:CD:..."
  [[nodiscard]] std::chrono::system_clock::time_point not_before() const;
  [[nodiscard]] std::chrono::system_clock::time_point not_after() const;

 private:
  CertificateAuthority(X509Ptr cert, PkeyPtr key) : cert_(std::move(cert)), key_(std::move(key)) {}
  X509Ptr cert_;
  PkeyPtr key_;
};

// Helpers shared with minting.
[[nodiscard]] PkeyPtr generate_key(CaKeyType type);
[[nodiscard]] bool set_random_serial(X509* cert);  // 128 random bits, positive
[[nodiscard]] std::chrono::system_clock::time_point asn1_time_point(const ASN1_TIME* t);
[[nodiscard]] std::string sha256_fingerprint(X509* cert);
[[nodiscard]] std::string certificate_pem(X509* cert);
[[nodiscard]] std::string certificate_der(X509* cert);
[[nodiscard]] std::string certificate_subject(X509* cert);  // "/CN=.../O=..."

}  // namespace warden::tls
