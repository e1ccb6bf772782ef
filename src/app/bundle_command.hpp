#pragma once
// `warden bundle`: the school's side of the central policy (docs/fleet.md, "One policy for the
// fleet"):
//
//   warden bundle keygen DIR                      bundle.key (private, 0600) and bundle.pub
//   warden bundle sign --key KEY FOLDER OUT       FOLDER (policy.toml, lists/) as a signed
//                      [--version N]              bundle; N defaults to the time (Unix seconds)
//   warden bundle verify --public-key PUB FILE    checks a bundle as an instance would
//
// sign checks that the folder's policy loads before it signs: a bundle every instance would
// refuse is not made. Linux (libarchive); Windows says so.

#include <cstdint>
#include <string>

namespace warden::app {

struct BundleCommandOptions {
  std::string action;         // keygen, sign, verify
  std::string key;            // sign: the private key; verify: the public key
  std::string folder;         // keygen: where the keys go; sign: what to pack
  std::string file;           // sign: the bundle made; verify: the bundle checked
  std::uint64_t version = 0;  // sign: 0 means now
};

[[nodiscard]] int bundle_command(const BundleCommandOptions& o);

}  // namespace warden::app
