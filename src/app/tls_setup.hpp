#pragma once
// Builds what TLS interception needs at start (app/ owns it; flows get a TlsServices view):
// the school CA from the state folder (created there on first start), the minter with its
// process-wide leaf key, the certificate cache, and both TLS contexts.
//
// On Linux the CA key lives in the signer process only (app/signer_command.hpp): started here,
// and this process then walls itself off from the key file (platform::forbid_reading).
// Windows, and `tls.signer_process = false`, sign in process.

#include "app/config.hpp"
#include "flow/tls_services.hpp"
#include "tls/cert_cache.hpp"
#include "tls/cert_signer.hpp"
#include "tls/certificate_authority.hpp"
#include "tls/minter.hpp"
#include "tls/upstream_tls.hpp"

#include <memory>
#include <optional>
#include <string>

namespace warden::app {

struct TlsRuntime {
  std::unique_ptr<tls::CertificateAuthority> ca;  // in-process signing only
  std::unique_ptr<tls::InProcessSigner> signer;   // in-process signing only
  std::unique_ptr<tls::LeafMinter> minter;
  std::unique_ptr<tls::MintBudget> mint_budget;
  std::unique_ptr<tls::CertCache> certs;
  std::unique_ptr<tls::UpstreamTls> upstream;
  tls::SslCtxPtr server_ctx;
  flow::TlsServices services;
  bool created_ca = false;  // this start created the CA
  int signer_pid = 0;       // the signer's supervisor, when there is one
};

// Loads (or, when the state folder has none, creates) the CA and everything after it.
// Call it before any thread starts: the wall around the key file holds for threads started
// after it only. `config_file` is read again on reload.
[[nodiscard]] base::Result<std::unique_ptr<TlsRuntime>> start_tls(
    const Config& c, const std::optional<std::string>& config_file = std::nullopt);

// Short instructions to trust the CA on the systems schools use.
[[nodiscard]] std::string trust_instructions(const std::string& cert_path);

}  // namespace warden::app
