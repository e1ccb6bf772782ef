#include "tls/certificate_authority.hpp"

#include "platform/files.hpp"

#include <fmt/format.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace warden::tls {
namespace {

using base::Error;
using base::ErrorCode;
using base::ErrorSource;

Error ca_error(std::string what) {
  return {ErrorCode::Internal, ErrorSource::Internal, std::move(what)};
}

bool add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) return false;
  const bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

std::string read_file(const std::string& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = std::strerror(errno);
    return {};
  }
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

PkeyPtr generate_key(CaKeyType type) {
  if (type == CaKeyType::Rsa3072) return PkeyPtr(EVP_RSA_gen(3072));
  return PkeyPtr(EVP_EC_gen("P-256"));
}

bool set_random_serial(X509* cert) {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return false;
  bytes[0] &= 0x7f;  // positive
  bytes[0] |= 0x40;  // and a full 128-bit-ish length, never a short serial
  BIGNUM* bn = BN_bin2bn(bytes, sizeof bytes, nullptr);
  const bool ok = bn != nullptr && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) != nullptr;
  BN_free(bn);
  return ok;
}

std::chrono::system_clock::time_point asn1_time_point(const ASN1_TIME* t) {
  struct tm tm {};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return {};
  using namespace std::chrono;
  const sys_days date = year(tm.tm_year + 1900) / month(static_cast<unsigned>(tm.tm_mon + 1)) /
                        day(static_cast<unsigned>(tm.tm_mday));
  return date + hours(tm.tm_hour) + minutes(tm.tm_min) + seconds(tm.tm_sec);
}

std::string sha256_fingerprint(X509* cert) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  X509_digest(cert, EVP_sha256(), md, &n);
  std::string out;
  for (unsigned i = 0; i < n; ++i) out += fmt::format("{}{:02X}", i == 0 ? "" : ":", md[i]);
  return out;
}

base::Result<CertificateAuthority> CertificateAuthority::create(const CaOptions& o) {
  PkeyPtr key = generate_key(o.key);
  X509Ptr cert(X509_new());
  if (!key || !cert) return ca_error("cannot generate the CA key: " + drain_openssl_errors());
  X509_set_version(cert.get(), 2);
  if (!set_random_serial(cert.get())) return ca_error("no randomness for the CA serial");
  X509_NAME* name = X509_get_subject_name(cert.get());
  const std::string cn = o.school + " Web Filter CA";
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(o.school.c_str()), -1, -1, 0);
  X509_NAME_add_entry_by_txt(
      name, "OU", MBSTRING_UTF8,
      reinterpret_cast<const unsigned char*>("Warden web filter: do not trust elsewhere"), -1, -1,
      0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60 * 60);  // an hour of clock skew
  X509_gmtime_adj(X509_getm_notAfter(cert.get()),
                  static_cast<long>(std::chrono::seconds(o.validity).count()));
  X509_set_pubkey(cert.get(), key.get());
  if (!add_ext(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0") ||
      !add_ext(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign") ||
      !add_ext(cert.get(), cert.get(), NID_ext_key_usage, "serverAuth") ||
      !add_ext(cert.get(), cert.get(), NID_subject_key_identifier, "hash"))
    return ca_error("cannot build the CA certificate: " + drain_openssl_errors());
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0)
    return ca_error("cannot sign the CA certificate: " + drain_openssl_errors());
  return CertificateAuthority(std::move(cert), std::move(key));
}

bool CertificateAuthority::exists(const std::string& dir) {
  std::error_code ec;
  return std::filesystem::exists(cert_path(dir), ec) || std::filesystem::exists(key_path(dir), ec);
}

base::Result<CertificateAuthority> CertificateAuthority::load_or_create(const std::string& dir,
                                                                        const CaOptions& options,
                                                                        bool& created) {
  created = false;
  if (!exists(dir)) {
    auto ca = create(options);
    if (!ca) return ca.error();
    if (auto saved = ca->save(dir, false); !saved) return saved.error();
    created = true;
  }
  return load(dir);
}

base::Result<CertificateAuthority> CertificateAuthority::load(const std::string& dir) {
  const std::string cp = cert_path(dir);
  const std::string kp = key_path(dir);
  std::error_code ec;
  if (!std::filesystem::exists(cp, ec))
    return ca_error(
        fmt::format("no CA in {}: {} is missing (create one with `warden ca init`)", dir, cp));
  if (!std::filesystem::exists(kp, ec))
    return ca_error(fmt::format("the CA key {} is missing", kp));
  std::string why;
  const std::string cert_pem = read_file(cp, why);
  if (!why.empty()) return ca_error(fmt::format("cannot read the CA certificate {}: {}", cp, why));
  const std::string key_pem = read_file(kp, why);
  if (!why.empty()) return ca_error(fmt::format("cannot read the CA key {}: {}", kp, why));

  BioPtr cb(BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size())));
  X509Ptr cert(PEM_read_bio_X509(cb.get(), nullptr, nullptr, nullptr));
  if (!cert) return ca_error(fmt::format("{} is not a PEM certificate", cp));
  BioPtr kb(BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())));
  PkeyPtr key(PEM_read_bio_PrivateKey(kb.get(), nullptr, nullptr, nullptr));
  (void)drain_openssl_errors();
  if (!key) return ca_error(fmt::format("{} is not a PEM private key (or it is encrypted)", kp));

  if (X509_check_ca(cert.get()) == 0 || (X509_get_extension_flags(cert.get()) & EXFLAG_CA) == 0)
    return ca_error(
        fmt::format("{} is not a CA certificate (basicConstraints CA:TRUE missing)", cp));
  if ((X509_get_key_usage(cert.get()) & KU_KEY_CERT_SIGN) == 0)
    return ca_error(fmt::format("{} may not sign certificates (keyUsage keyCertSign missing)", cp));
  const auto now = std::chrono::system_clock::now();
  if (asn1_time_point(X509_get0_notAfter(cert.get())) <= now)
    return ca_error(fmt::format("the CA certificate {} has expired", cp));
  if (asn1_time_point(X509_get0_notBefore(cert.get())) > now)
    return ca_error(fmt::format("the CA certificate {} is not valid yet", cp));
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    (void)drain_openssl_errors();
    return ca_error(fmt::format("the CA key {} does not match the certificate {}", kp, cp));
  }
  return CertificateAuthority(std::move(cert), std::move(key));
}

base::Result<X509Ptr> CertificateAuthority::load_certificate(const std::string& dir) {
  const std::string cp = cert_path(dir);
  std::string why;
  const std::string cert_pem = read_file(cp, why);
  if (!why.empty()) return ca_error(fmt::format("cannot read the CA certificate {}: {}", cp, why));
  BioPtr cb(BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size())));
  X509Ptr cert(PEM_read_bio_X509(cb.get(), nullptr, nullptr, nullptr));
  if (!cert) return ca_error(fmt::format("{} is not a PEM certificate", cp));
  return cert;
}

base::Result<void> CertificateAuthority::save(const std::string& dir, bool force) const {
  if (!force && exists(dir))
    return ca_error(fmt::format("a CA already exists in {}; use --force to replace it", dir));
  BioPtr kb(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_PrivateKey(kb.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return ca_error("cannot encode the CA key");
  char* data = nullptr;
  const long n = BIO_get_mem_data(kb.get(), &data);
  std::string key_pem(data, static_cast<std::size_t>(n));
  // Key first (0600): a certificate without its key is useless, the reverse is a leak risk.
  auto written =
      platform::write_new_file(key_path(dir), key_pem, platform::FileAccess::OwnerOnly, force);
  OPENSSL_cleanse(key_pem.data(), key_pem.size());
  if (!written) return written.error();
  return platform::write_new_file(cert_path(dir), pem(), platform::FileAccess::EveryoneReads,
                                  force);
}

std::string certificate_pem(X509* cert) {
  BioPtr b(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(b.get(), cert);
  char* data = nullptr;
  const long n = BIO_get_mem_data(b.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

std::string certificate_der(X509* cert) {
  unsigned char* out = nullptr;
  const int n = i2d_X509(cert, &out);
  std::string s(reinterpret_cast<char*>(out), static_cast<std::size_t>(n < 0 ? 0 : n));
  OPENSSL_free(out);
  return s;
}

std::string certificate_subject(X509* cert) {
  char buf[512];
  X509_NAME_oneline(X509_get_subject_name(cert), buf, sizeof buf);
  return buf;
}

std::string CertificateAuthority::pem() const { return certificate_pem(cert_.get()); }
std::string CertificateAuthority::der() const { return certificate_der(cert_.get()); }
std::string CertificateAuthority::subject() const { return certificate_subject(cert_.get()); }

std::string CertificateAuthority::sha256_fingerprint() const {
  return tls::sha256_fingerprint(cert_.get());
}

std::chrono::system_clock::time_point CertificateAuthority::not_before() const {
  return asn1_time_point(X509_get0_notBefore(cert_.get()));
}

std::chrono::system_clock::time_point CertificateAuthority::not_after() const {
  return asn1_time_point(X509_get0_notAfter(cert_.get()));
}

}  // namespace warden::tls
