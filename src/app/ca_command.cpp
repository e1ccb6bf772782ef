#include "app/ca_command.hpp"

#include "app/run.hpp"
#include "app/tls_setup.hpp"
#include "platform/files.hpp"
#include "tls/certificate_authority.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace warden::app {
namespace {

// The state folder `warden run` would use with the same -c / --state-dir.
std::optional<std::string> state_dir_of(const CaCommandOptions& o) {
  RunOptions run;
  run.config_file = o.config_file;
  run.state_dir = o.state_dir;
  auto c = build_config(run);
  if (!c) {
    fmt::print(stderr, "warden: {}\n", c.error().context);
    return std::nullopt;
  }
  return c->state_dir;
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
  return 0;
}

int ca_export(const CaCommandOptions& o) {
  auto dir = state_dir_of(o);
  if (!dir) return 1;
  auto ca = tls::CertificateAuthority::load(*dir);
  if (!ca) {
    fmt::print(stderr, "warden: {}\n", ca.error().context);
    return 1;
  }
  const std::string out = o.format == "der" ? ca->der() : ca->pem();
  // Byte for byte (DER is binary): the OS handle, not a text-mode stream.
  auto stdout_file = platform::AppendFile::open("-");
  return stdout_file && stdout_file->write_all(out.data(), out.size()) ? 0 : 1;
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
  return 0;
}

}  // namespace warden::app
