#pragma once
// Builds what TLS interception needs at start (app/ owns it; flows get a TlsServices view):
// the school CA from the state folder (created there on first start), the signer, the minter
// with its process-wide leaf key, the certificate cache, and both TLS contexts.

#include "app/config.hpp"
#include "flow/tls_services.hpp"
#include "tls/cert_cache.hpp"
#include "tls/cert_signer.hpp"
#include "tls/certificate_authority.hpp"
#include "tls/minter.hpp"
#include "tls/upstream_tls.hpp"

#include <memory>

namespace warden::app {

struct TlsRuntime {
  std::unique_ptr<tls::CertificateAuthority> ca;
  std::unique_ptr<tls::InProcessSigner> signer;
  std::unique_ptr<tls::Minter> minter;
  std::unique_ptr<tls::CertCache> certs;
  std::unique_ptr<tls::UpstreamTls> upstream;
  tls::SslCtxPtr server_ctx;
  flow::TlsServices services;
  bool created_ca = false;  // this start created the CA
};

// Loads (or, when the state folder has none, creates) the CA and everything after it.
[[nodiscard]] base::Result<std::unique_ptr<TlsRuntime>> start_tls(const Config& c);

// Short instructions to trust the CA on the systems schools use.
[[nodiscard]] std::string trust_instructions(const std::string& cert_path);

}  // namespace warden::app
