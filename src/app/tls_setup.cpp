#include "app/tls_setup.hpp"

#include "platform/files.hpp"
#include "tls/server_context.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace warden::app {

base::Result<std::unique_ptr<TlsRuntime>> start_tls(const Config& c) {
  auto rt = std::make_unique<TlsRuntime>();
  const std::string& dir = c.state_dir;
  if (!tls::CertificateAuthority::exists(dir)) {
    auto created = tls::CertificateAuthority::create({tls::CaKeyType::EcdsaP256, c.tls.ca_name});
    if (!created) return created.error();
    if (auto saved = created->save(dir, false); !saved) return saved.error();
    rt->created_ca = true;
  }
  auto ca = tls::CertificateAuthority::load(dir);
  if (!ca) return ca.error();
  // Whoever reads the key can impersonate every site to every pupil.
  if (const std::string key = tls::CertificateAuthority::key_path(dir);
      platform::others_can_read(key))
    spdlog::warn("the CA key {} is readable by other accounts; only Warden's should read it", key);
  rt->ca = std::make_unique<tls::CertificateAuthority>(std::move(*ca));
  rt->signer = std::make_unique<tls::InProcessSigner>(*rt->ca);
  rt->minter = std::make_unique<tls::Minter>(*rt->signer, rt->ca->not_after());
  rt->certs = std::make_unique<tls::CertCache>(*rt->minter, c.tls.cert_cache_size);
  auto upstream =
      tls::UpstreamTls::create({c.tls.upstream_ca, rt->ca->certificate(), c.tls.distrusted_roots});
  if (!upstream) return upstream.error();
  rt->upstream = std::move(*upstream);
  auto server = tls::make_server_context();
  if (!server) return server.error();
  rt->server_ctx = std::move(*server);
  rt->services.certs = rt->certs.get();
  rt->services.minter = rt->minter.get();
  rt->services.upstream = rt->upstream.get();
  rt->services.server_ctx = rt->server_ctx.get();
  rt->services.no_decrypt = c.tls.no_decrypt;
  rt->services.verify_exceptions = c.tls.verify_exceptions;
  return rt;
}

std::string trust_instructions(const std::string& cert_path) {
  return fmt::format(
      "To trust it (only on the school's own devices):\n"
      "  Debian/Ubuntu: cp {0} /usr/local/share/ca-certificates/warden-school-ca.crt && "
      "update-ca-certificates\n"
      "  Chromium/Firefox (NSS): certutil -d sql:$HOME/.pki/nssdb -A -t \"C,,\" -n \"Warden school "
      "CA\" "
      "-i {0}\n"
      "  Windows (as admin): certutil -addstore -f Root warden-school-ca.crt (or a GPO)\n"
      "  macOS: sudo security add-trusted-cert -d -r trustRoot -k "
      "/Library/Keychains/System.keychain warden-school-ca.crt (or an MDM profile)\n"
      "  Export it with: warden ca export > warden-school-ca.crt\n",
      cert_path);
}

}  // namespace warden::app
