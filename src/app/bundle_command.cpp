#include "app/bundle_command.hpp"

#include "app/archive_pack.hpp"
#include "app/bundle_format.hpp"
#include "platform/files.hpp"
#include "policy/policy_file.hpp"
#include "tls/openssl_ptr.hpp"

#include <fmt/format.h>
#include <openssl/pem.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

namespace warden::app {
namespace fs = std::filesystem;
namespace {

int fail(const std::string& what) {
  fmt::print(stderr, "warden bundle: {}\n", what);
  return 1;
}

std::string pem_of(EVP_PKEY* key, bool is_private) {
  tls::BioPtr bio(BIO_new(BIO_s_mem()));
  const int ok =
      is_private ? PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr)
                 : PEM_write_bio_PUBKEY(bio.get(), key);
  if (ok != 1) return {};
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

int keygen(const BundleCommandOptions& o) {
  const fs::path dir(o.folder);
  std::error_code ec;
  if (fs::exists(dir / "bundle.key", ec))
    return fail((dir / "bundle.key").string() +
                " exists; a new key would orphan every instance's "
                "bundle.public_key: remove it first if you mean it");
  fs::create_directories(dir, ec);
  tls::PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (!key) return fail("cannot make an Ed25519 key: " + tls::drain_openssl_errors());
  // The private key's file is 0600 from its first byte, and never replaces one.
  if (auto ok = platform::write_new_file((dir / "bundle.key").string(), pem_of(key.get(), true),
                                         platform::FileAccess::OwnerOnly, false);
      !ok)
    return fail(ok.error().context);
  if (auto ok = platform::replace_file((dir / "bundle.pub").string(), pem_of(key.get(), false),
                                       platform::FileAccess::EveryoneReads);
      !ok)
    return fail(ok.error().context);
  fmt::print(
      "{}: the signing key (keep it off the instances)\n{}: bundle.public_key on each "
      "instance\n",
      (dir / "bundle.key").string(), (dir / "bundle.pub").string());
  return 0;
}

int sign(const BundleCommandOptions& o) {
  const fs::path folder(o.folder);
  std::error_code ec;
  if (!fs::is_regular_file(folder / "policy.toml", ec))
    return fail(o.folder + ": no policy.toml (a bundle is a policy file and its lists folder)");
  const std::string lists =
      fs::is_directory(folder / "lists", ec) ? (folder / "lists").string() : "";
  if (auto loaded = policy::load_policy((folder / "policy.toml").string(), lists); !loaded)
    return fail("the policy does not load, so every instance would refuse it: " +
                loaded.error().context);
  // The signing key must not end up on the server inside the bundle it signs.
  const fs::path key_path = fs::weakly_canonical(o.key, ec);
  const fs::path inside = fs::weakly_canonical(folder, ec);
  if (std::mismatch(inside.begin(), inside.end(), key_path.begin(), key_path.end()).first ==
      inside.end())
    return fail(o.key + " is inside " + o.folder + ": it would be published with the bundle");
  auto key = read_ed25519_key(o.key, true);
  if (!key) return fail(key.error().context);
  auto archive = pack_folder(o.folder);
  if (!archive) return fail(archive.error().context);
  const std::uint64_t version =
      o.version != 0
          ? o.version
          : static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                           std::chrono::system_clock::now().time_since_epoch())
                                           .count());
  auto bundle = make_bundle(*archive, version, key->get());
  if (!bundle) return fail(bundle.error().context);
  if (auto ok = platform::replace_file(o.file, *bundle, platform::FileAccess::EveryoneReads); !ok)
    return fail(ok.error().context);
  fmt::print("{}: version {}, {} bytes\n", o.file, version, bundle->size());
  return 0;
}

int verify(const BundleCommandOptions& o) {
  auto key = read_ed25519_key(o.key, false);
  if (!key) return fail(key.error().context);
  std::ifstream in(o.file, std::ios::binary);
  if (!in) return fail("cannot read " + o.file);
  std::stringstream bytes;
  bytes << in.rdbuf();
  const std::string text = bytes.str();
  auto bundle = open_bundle(text, key->get());
  if (!bundle) return fail(o.file + ": " + bundle.error().context);
  fmt::print("{}: version {}, signed by this key\n", o.file, bundle->version);
  return 0;
}

}  // namespace

int bundle_command(const BundleCommandOptions& o) {
  if (o.action == "keygen") return keygen(o);
  if (o.action == "sign") return sign(o);
  return verify(o);
}

}  // namespace warden::app
