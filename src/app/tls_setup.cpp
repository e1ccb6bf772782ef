#include "app/tls_setup.hpp"

#include "app/auth_setup.hpp"
#include "app/bypass_file.hpp"
#include "platform/files.hpp"
#include "platform/helper_process.hpp"
#include "tls/server_context.hpp"
#include "tls/signer_client.hpp"
#include "tls/signer_protocol.hpp"
#include "tls/signing_service.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace warden::app {

namespace {

base::Error tls_error(std::string what) {
  return base::Error{base::ErrorCode::Internal, base::ErrorSource::Internal, std::move(what)};
}

void warn_if_key_readable(const std::string& dir) {
  // Whoever reads the key can impersonate every site to every pupil.
  if (const std::string key = tls::CertificateAuthority::key_path(dir);
      platform::others_can_read(key))
    spdlog::warn("the CA key {} is readable by other accounts; only Warden's should read it", key);
}

// What this process opens after start, which must not sit where the key's wall would hide a
// rewritten copy (platform::forbid_reading).
std::vector<std::string> read_later(const Config& c,
                                    const std::optional<std::string>& config_file) {
  std::vector<std::string> files{"/etc/resolv.conf", "/etc/hosts", "/etc/nsswitch.conf",
                                 bypass_folder(c.state_dir)};
  if (config_file) files.push_back(*config_file);
  if (!c.policy.file.empty()) files.push_back(c.policy.file);
  if (!c.policy.lists.empty()) files.push_back(c.policy.lists);
  files.insert(files.end(), c.tls.upstream_ca.begin(), c.tls.upstream_ca.end());
  files.insert(files.end(), c.bundle.ca.begin(), c.bundle.ca.end());  // read at every fetch
  if (c.auth.method == "local") files.push_back(users_file_path(c));  // read when it changes
  if (!c.auth.ldap_ca.empty()) files.push_back(c.auth.ldap_ca);       // read at every check
  if (!c.auth.negotiate_keytab.empty()) files.push_back(c.auth.negotiate_keytab);  // likewise
  return files;
}

// The signer process holds the key; this one gets the CA certificate and a channel.
base::Result<void> start_signer(const Config& c, const std::optional<std::string>& config_file,
                                TlsRuntime& rt) {
  tls::PkeyPtr leaf = tls::generate_key(tls::CaKeyType::EcdsaP256);
  if (!leaf) return tls_error("cannot generate the leaf key");
  auto helper = platform::start_helper_process(
      {"signer", "--state-dir", c.state_dir, "--ca-name", c.tls.ca_name, "--leaf-key",
       tls::public_key_to_hex(leaf.get()), "--rate", std::to_string(c.tls.mint_rate), "--log-level",
       c.log.level});
  if (!helper) return helper.error();
  rt.signer_pid = helper->pid;
  // Creating a CA takes milliseconds; a signer that says nothing for long is broken.
  auto message = helper->channel.receive(tls::kMaxSignerMessage, std::chrono::seconds(30));
  if (!message) return tls_error("the certificate signer: " + message.error().context);
  if (!*message) return tls_error("the certificate signer did not start within 30 s");
  auto answer = tls::decode_answer(**message);
  if (!answer) return answer.error();
  if (answer->kind != tls::SignerAnswerKind::Ready) return tls_error(answer->body);
  rt.created_ca = answer->body == "created";
  warn_if_key_readable(c.state_dir);
  if (auto walled = platform::forbid_reading(tls::CertificateAuthority::key_path(c.state_dir),
                                             read_later(c, config_file));
      !walled)
    spdlog::warn("the CA key file stays readable by this process: {}", walled.error().context);
  auto cert = tls::CertificateAuthority::load_certificate(c.state_dir);
  if (!cert) return cert.error();
  rt.minter = std::make_unique<tls::SignerClient>(std::move(helper->channel), std::move(*cert),
                                                  std::move(leaf));
  return {};
}

base::Result<void> start_in_process_signing(const Config& c, TlsRuntime& rt) {
  auto ca = tls::CertificateAuthority::load_or_create(
      c.state_dir, {tls::CaKeyType::EcdsaP256, c.tls.ca_name}, rt.created_ca);
  if (!ca) return ca.error();
  warn_if_key_readable(c.state_dir);
  rt.ca = std::make_unique<tls::CertificateAuthority>(std::move(*ca));
  rt.signer = std::make_unique<tls::InProcessSigner>(*rt.ca);
  rt.minter = std::make_unique<tls::Minter>(*rt.signer, rt.ca->not_after());
  return {};
}

}  // namespace

base::Result<std::unique_ptr<TlsRuntime>> start_tls(const Config& c,
                                                    const std::optional<std::string>& config_file) {
  auto rt = std::make_unique<TlsRuntime>();
  auto signing = c.tls.signer_process && platform::helper_processes_available()
                     ? start_signer(c, config_file, *rt)
                     : start_in_process_signing(c, *rt);
  if (!signing) return signing.error();
  rt->mint_budget = std::make_unique<tls::MintBudget>(tls::MintBudget::Limits{
      .per_client = {.per_second = static_cast<double>(c.tls.client_mint_rate),
                     .burst = static_cast<double>(c.tls.client_mint_burst)},
      .all_clients = tls::signer_rate(static_cast<double>(c.tls.mint_rate))});
  rt->certs = std::make_unique<tls::CertCache>(*rt->minter, c.tls.cert_cache_size, 16,
                                               rt->mint_budget.get());
  auto upstream = tls::UpstreamTls::create(
      {c.tls.upstream_ca, rt->minter->ca_certificate(), c.tls.distrusted_roots});
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
