#include "tls/upstream_tls.hpp"

#include "base/cidr.hpp"
#include "tls/ocsp_staple.hpp"
#include "tls/openssl_macros.hpp"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>

namespace warden::tls {
namespace {

using base::Error;
using base::ErrorCode;
using base::ErrorSource;

// TLS 1.2: forward-secret suites only, AEAD first; ECDHE with CBC last, as browsers still offer
// it (../shared/SECURITY.md T07). No static RSA, finite-field DHE, NULL, RC4 or 3DES (TLS 1.3
// suites are all AEAD).
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA";

int session_key_index() {
  static const int index = SSL_get_ex_new_index(
      0, nullptr, nullptr, nullptr, [](void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) {
        delete static_cast<std::string*>(ptr);
      });
  return index;
}

int owner_index() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

// What a handshake callback refused the upstream for (a base::Error*, owned by the SSL).
int refusal_index() {
  static const int index = SSL_get_ex_new_index(
      0, nullptr, nullptr, nullptr,
      [](void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) { delete static_cast<Error*>(ptr); });
  return index;
}

// Records the refusal; returns what the callback answers OpenSSL: fail the handshake, unless
// the host's verification is off (a tls.verify_exceptions entry: judged and logged after).
int refuse(SSL* ssl, Error why) {
  if (SSL_get_ex_data(ssl, refusal_index()) == nullptr)
    SSL_set_ex_data(ssl, refusal_index(), new Error(std::move(why)));
  return (SSL_get_verify_mode(ssl) & SSL_VERIFY_PEER) != 0 ? 0 : 1;
}

const UpstreamTls* owner(SSL* ssl) {
  return static_cast<const UpstreamTls*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), owner_index()));
}

Error setup_error(std::string what) {
  return {ErrorCode::Internal, ErrorSource::Internal,
          std::move(what) + ": " + drain_openssl_errors()};
}

X509Ptr read_pem_cert(const std::string& path) {
  BioPtr bio(BIO_new_file(path.c_str(), "r"));
  if (!bio) return nullptr;
  return X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

std::string hex_digest(X509* cert, const EVP_MD* md) {
  unsigned char buf[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  X509_digest(cert, md, buf, &n);
  constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(2 * n);
  for (unsigned i = 0; i < n; ++i) {
    out.push_back(kHex[buf[i] >> 4]);
    out.push_back(kHex[buf[i] & 0xF]);
  }
  return out;
}

}  // namespace

const std::vector<std::string>& known_interception_roots() {
  // SHA-1 fingerprints as published by revocation lists of these roots (cross-checked against
  // the eDellRoot certificate itself).
  static const std::vector<std::string> roots = {
      "C864484869D41D2B0D32319C5A62F9315AAF2CBD",  // Superfish, Inc. (Lenovo, 2015)
      "98A04E4163357790C4A79E6D713FF0AF51FE6927",  // eDellRoot (Dell, 2015)
      "AB702CDF18EBE8B438C52869CD4A5DEF48B40E33",  // GoAgent CA (a proxy tool's shared root)
  };
  return roots;
}

std::string normalise_fingerprint(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == ':') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) return {};
    out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return out.size() == 40 || out.size() == 64 ? out : std::string();
}

ErrorCode error_for_verify_result(long v) {
  switch (v) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CRL_HAS_EXPIRED:
      return ErrorCode::CertExpired;
    case X509_V_ERR_CERT_NOT_YET_VALID:
    case X509_V_ERR_CRL_NOT_YET_VALID:
      return ErrorCode::CertNotYetValid;
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
    case X509_V_ERR_EMAIL_MISMATCH:
      return ErrorCode::CertNameMismatch;
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
      return ErrorCode::CertSelfSigned;
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:  // the chain ends in a root we do not trust
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_CERT_UNTRUSTED:
    case X509_V_ERR_CERT_REJECTED:
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
      return ErrorCode::CertUntrusted;
    case X509_V_ERR_INVALID_PURPOSE:
    case X509_V_ERR_KEYUSAGE_NO_DIGITAL_SIGNATURE:
      return ErrorCode::CertPurpose;
    case X509_V_ERR_CA_MD_TOO_WEAK:
      return ErrorCode::CertWeakSignature;
    case X509_V_ERR_EE_KEY_TOO_SMALL:
    case X509_V_ERR_CA_KEY_TOO_SMALL:
      return ErrorCode::CertWeakKey;
    case X509_V_ERR_CERT_REVOKED:
      return ErrorCode::CertRevoked;
    default:
      return ErrorCode::CertInvalid;
  }
}

base::Result<std::unique_ptr<UpstreamTls>> UpstreamTls::create(const UpstreamTlsOptions& o) {
  SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) return setup_error("cannot create the upstream TLS context");
  SSL_CTX* c = ctx.get();
  if (!ossl::set_min_version(c, TLS1_2_VERSION)) return setup_error("cannot require TLS 1.2");
  SSL_CTX_set_security_level(c, 2);
  if (SSL_CTX_set_cipher_list(c, kTls12Ciphers) != 1) return setup_error("cannot set ciphers");
  if (SSL_CTX_set_ciphersuites(c,
                               "TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256:"
                               "TLS_AES_256_GCM_SHA384") != 1)
    return setup_error("cannot set TLS 1.3 suites");
  ossl::set_ctx_options(c, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_verify(c, SSL_VERIFY_PEER, &UpstreamTls::on_verify);
  ossl::set_status_callback(c, &UpstreamTls::on_ocsp_staple, nullptr);
  if (SSL_CTX_set_default_verify_paths(c) != 1)
    return setup_error("cannot load the system trust store");
  for (const auto& file : o.extra_ca_files) {
    X509Ptr anchor = read_pem_cert(file);
    if (!anchor) return setup_error("cannot read the upstream CA file " + file);
    if (o.school_ca != nullptr && X509_cmp(anchor.get(), o.school_ca) == 0)
      return Error{ErrorCode::Internal, ErrorSource::Internal,
                   file + " is Warden's own school CA; it must never be trusted for upstreams"};
    if (SSL_CTX_load_verify_locations(c, file.c_str(), nullptr) != 1)
      return setup_error("cannot load the upstream CA file " + file);
  }
  X509_VERIFY_PARAM* param = SSL_CTX_get0_param(c);
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_X509_STRICT);
  X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_SSL_SERVER);
  X509_VERIFY_PARAM_set_hostflags(
      param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS | X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
  ossl::set_session_cache_mode(c, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  SSL_CTX_sess_set_new_cb(c, &UpstreamTls::on_new_session);
  std::vector<std::string> distrusted = known_interception_roots();
  for (const auto& f : o.distrusted_roots) {
    std::string n = normalise_fingerprint(f);
    if (n.empty())
      return Error{ErrorCode::Internal, ErrorSource::Internal,
                   "\"" + f + "\" is not a SHA-1 or SHA-256 fingerprint"};
    distrusted.push_back(std::move(n));
  }
  std::unique_ptr<UpstreamTls> self(
      new UpstreamTls(std::move(ctx), o.school_ca, std::move(distrusted), o.session_cache_size));
  SSL_CTX_set_ex_data(self->ctx_.get(), owner_index(), self.get());
  return self;
}

UpstreamTls::UpstreamTls(SslCtxPtr ctx, X509* school_ca, std::vector<std::string> distrusted,
                         std::size_t cache_size)
    : ctx_(std::move(ctx)),
      school_ca_(school_ca ? up_ref(school_ca) : nullptr),
      distrusted_(std::move(distrusted)),
      cache_size_(cache_size) {}

UpstreamTls::~UpstreamTls() {
  for (auto& [key, entry] : sessions_) SSL_SESSION_free(entry.first);
}

int UpstreamTls::on_verify(int ok, X509_STORE_CTX* store) {
  if (ok == 0 || X509_STORE_CTX_get_error_depth(store) != 0) return ok;
  auto* ssl =
      static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  const UpstreamTls* self = owner(ssl);
  if (self == nullptr) return 0;
  std::optional<Error> why = self->refuse_chain(X509_STORE_CTX_get0_chain(store));
  if (!why) return 1;
  X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED);
  return refuse(ssl, std::move(*why));
}

int UpstreamTls::on_ocsp_staple(SSL* ssl, void*) {
  const unsigned char* der = nullptr;
  const long n = ossl::ocsp_staple(ssl, &der);
  if (n <= 0 || der == nullptr) return 1;  // none stapled
  std::optional<Error> why =
      check_ocsp_staple({der, static_cast<std::size_t>(n)}, SSL_get0_verified_chain(ssl),
                        SSL_CTX_get_cert_store(SSL_get_SSL_CTX(ssl)));
  return why ? refuse(ssl, std::move(*why)) : 1;
}

std::optional<Error> UpstreamTls::refuse_chain(STACK_OF(X509) * chain) const {
  for (int i = 0; chain != nullptr && i < sk_X509_num(chain); ++i) {
    X509* c = sk_X509_value(chain, i);
    for (const EVP_MD* md : {EVP_sha1(), EVP_sha256()})
      if (std::find(distrusted_.begin(), distrusted_.end(), hex_digest(c, md)) != distrusted_.end())
        return Error{ErrorCode::CertUntrusted, ErrorSource::Upstream,
                     "chains to a distrusted root (a known interception CA whose key is public, "
                     "or one the school listed)"};
    if (school_ca_ && X509_cmp(c, school_ca_.get()) == 0)
      return Error{ErrorCode::CertUntrusted, ErrorSource::Upstream,
                   "chains to Warden's own school CA, which is never trusted for upstreams"};
  }
  return std::nullopt;
}

int UpstreamTls::on_new_session(SSL* ssl, SSL_SESSION* session) {
  const UpstreamTls* self = owner(ssl);
  auto* key = static_cast<std::string*>(SSL_get_ex_data(ssl, session_key_index()));
  if (self == nullptr || key == nullptr) return 0;
  std::lock_guard lock(self->mu_);
  if (auto it = self->sessions_.find(*key); it != self->sessions_.end()) {
    SSL_SESSION_free(it->second.first);
    self->lru_.erase(it->second.second);
    self->sessions_.erase(it);
  }
  self->lru_.push_front(*key);
  self->sessions_.emplace(*key, std::pair{session, self->lru_.begin()});
  while (self->sessions_.size() > self->cache_size_) {
    auto victim = self->sessions_.find(self->lru_.back());
    SSL_SESSION_free(victim->second.first);
    self->sessions_.erase(victim);
    self->lru_.pop_back();
  }
  return 1;  // we keep the reference
}

SslPtr UpstreamTls::new_ssl(const std::string& host, std::uint16_t port,
                            std::string_view alpn_wire) const {
  SslPtr ssl(SSL_new(ctx_.get()));
  if (!ssl) return nullptr;
  if (base::parse_ip(host)) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl.get()), host.c_str());
  } else {
    SSL_set1_host(ssl.get(), host.c_str());
    ossl::set_sni(ssl.get(), host.c_str());
  }
  if (!alpn_wire.empty())
    SSL_set_alpn_protos(ssl.get(), reinterpret_cast<const unsigned char*>(alpn_wire.data()),
                        static_cast<unsigned>(alpn_wire.size()));
  auto key = std::make_unique<std::string>(fmt::format("{}:{}", host, port));
  {
    std::lock_guard lock(mu_);
    if (auto it = sessions_.find(*key); it != sessions_.end())
      SSL_set_session(ssl.get(), it->second.first);
  }
  SSL_set_ex_data(ssl.get(), session_key_index(), key.release());
  ossl::request_ocsp_staple(ssl.get());
  SSL_set_connect_state(ssl.get());
  return ssl;
}

std::optional<Error> UpstreamTls::judge(SSL* ssl, const std::string& host,
                                        const std::string& handshake_error) const {
  if (const auto* why = static_cast<const Error*>(SSL_get_ex_data(ssl, refusal_index())))
    return Error{why->code, why->source,
                 fmt::format("the certificate of {} {}", host, why->context)};
  const long verify = SSL_get_verify_result(ssl);
  if (verify != X509_V_OK) {
    const ErrorCode code = error_for_verify_result(verify);
    return Error{code, ErrorSource::Upstream,
                 fmt::format("the certificate of {} failed verification: {}", host,
                             X509_verify_cert_error_string(verify))};
  }
  if (!handshake_error.empty()) {
    const bool version = handshake_error.find("unsupported protocol") != std::string::npos ||
                         handshake_error.find("wrong version number") != std::string::npos ||
                         handshake_error.find("protocol version") != std::string::npos ||
                         handshake_error.find("no protocols available") != std::string::npos;
    return Error{version ? ErrorCode::TlsVersion : ErrorCode::TlsHandshake, ErrorSource::Upstream,
                 version
                     ? fmt::format("{} offers only TLS versions older than 1.2", host)
                     : fmt::format("the TLS handshake with {} failed ({})", host, handshake_error)};
  }
  return std::nullopt;
}

}  // namespace warden::tls
