#include "app/ca_command.hpp"

#include "app/run.hpp"
#include "app/tls_setup.hpp"
#include "platform/files.hpp"
#include "platform/folder_lock.hpp"
#include "platform/trust_store.hpp"
#include "tls/certificate_authority.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace warden::app {
namespace {

// The state folder `warden run` would use with the same -c / --state-dir.
std::optional<std::string> state_dir_of(const CaCommandOptions& o) {
  auto dir = state_dir_for(o.config_file, o.state_dir);
  if (!dir) {
    fmt::print(stderr, "warden: {}\n", dir.error().context);
    return std::nullopt;
  }
  return *dir;
}

// The CA of `o`'s state folder, loaded (errors printed).
std::optional<tls::CertificateAuthority> load_ca(const CaCommandOptions& o) {
  auto dir = state_dir_of(o);
  if (!dir) return std::nullopt;
  auto ca = tls::CertificateAuthority::load(*dir);
  if (!ca) {
    fmt::print(stderr, "warden: {}\n", ca.error().context);
    return std::nullopt;
  }
  return std::move(*ca);
}

void print_summary(const tls::CertificateAuthority& ca, const std::string& dir) {
  fmt::print(
      "Subject:     {}\nSHA-256:     {}\nValid from:  {:%Y-%m-%d %H:%M:%S} UTC\n"
      "Valid until: {:%Y-%m-%d %H:%M:%S} UTC\nCertificate: {}\n\n{}",
      ca.subject(), ca.sha256_fingerprint(),
      std::chrono::floor<std::chrono::seconds>(ca.not_before()),
      std::chrono::floor<std::chrono::seconds>(ca.not_after()),
      tls::CertificateAuthority::cert_path(dir),
      trust_instructions(tls::CertificateAuthority::cert_path(dir)));
}

}  // namespace

int ca_init(const CaCommandOptions& o) {
  auto dir = state_dir_of(o);
  if (!dir) return 1;
  if (auto ok = ensure_state_dir(*dir); !ok) {
    fmt::print(stderr, "warden: {}\n", ok.error().context);
    return 1;
  }
  // A running Warden keeps its CA until it restarts, and devices need the new root before then.
  auto lock = platform::FolderLock::try_hold(*dir, platform::FolderLock::Mode::Exclusive);
  const bool in_use = lock && !*lock;
  if (in_use && !o.force) {
    fmt::print(stderr,
               "warden: a running Warden uses {}: replacing its CA there needs --force, and "
               "the devices need the new CA before Warden restarts (docs/tls.md, rotation)\n",
               *dir);
    return 1;
  }
  tls::CaOptions options;
  if (o.key == "rsa-3072") options.key = tls::CaKeyType::Rsa3072;
  if (o.name) options.school = *o.name;
  auto ca = tls::CertificateAuthority::create(options);
  if (!ca) {
    fmt::print(stderr, "warden: {}\n", ca.error().context);
    return 1;
  }
  if (auto saved = ca->save(*dir, o.force); !saved) {
    fmt::print(stderr, "warden: {}\n", saved.error().context);
    return 1;
  }
  fmt::print(stderr, "warden: created a new school CA in {}\n", *dir);
  print_summary(*ca, *dir);
  if (o.force)
    fmt::print(stderr,
               "Next, in this order:\n"
               "  1. warden ca export > new-school-ca.crt, and install it on every device (MDM, "
               "GPO) beside the old one;\n"
               "  2. restart Warden once they all have it ({}); until then it signs with the "
               "old CA;\n"
               "  3. remove the old CA from the devices.\n",
               in_use ? "it is running now"
                      : "it is not running now: it uses the new CA at "
                        "its next start");
  return 0;
}

int ca_export(const CaCommandOptions& o) {
  auto ca = load_ca(o);
  if (!ca) return 1;
  const std::string out = o.format == "der" ? ca->der() : ca->pem();
  // Byte for byte (DER is binary): the OS handle, not a text-mode stream.
  auto stdout_file = platform::AppendFile::open("-");
  return stdout_file && stdout_file->write_all(out.data(), out.size()) ? 0 : 1;
}

int ca_install(const CaCommandOptions& o) {
  auto ca = load_ca(o);
  if (!ca) return 1;
  if (auto ok = platform::install_trusted_root(ca->der()); !ok) {
    fmt::print(stderr, "warden: {}\n", ok.error().context);
    return 1;
  }
  fmt::print(
      "The school CA is now a trusted root of this machine (Edge, Chrome and Windows' "
      "own clients), and Firefox is told to trust the machine's roots (policy "
      "ImportEnterpriseRoots).\n");
  return 0;
}

int ca_uninstall(const CaCommandOptions& o) {
  auto ca = load_ca(o);
  if (!ca) return 1;
  if (auto ok = platform::remove_trusted_root(ca->der()); !ok) {
    fmt::print(stderr, "warden: {}\n", ok.error().context);
    return 1;
  }
  fmt::print("The school CA is no longer a trusted root of this machine.\n");
  return 0;
}

int ca_show(const CaCommandOptions& o) {
  auto dir = state_dir_of(o);
  if (!dir) return 1;
  auto ca = tls::CertificateAuthority::load(*dir);
  if (!ca) {
    fmt::print(stderr, "warden: {}\n", ca.error().context);
    return 1;
  }
  print_summary(*ca, *dir);
  if (auto trusted = platform::is_trusted_root(ca->der()))
    fmt::print("This machine {} it (warden ca {}).\n", *trusted ? "trusts" : "does not trust",
               *trusted ? "uninstall removes it" : "install adds it");
  return 0;
}

}  // namespace warden::app
