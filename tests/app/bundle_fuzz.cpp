// libFuzzer target: a policy bundle as it comes from the server (app/bundle_format.hpp),
// checked against a fixed key (the seed corpus is signed with it). Invariants: every input is
// opened or refused with a reason; one that opens is exactly what signing its archive and
// version gives (Ed25519 signatures are deterministic), so nothing but the key's own bundles
// gets through, byte for byte.
#include "app/bundle_format.hpp"

#include <cstdint>
#include <string_view>

namespace {

EVP_PKEY* fixed_key() {
  static EVP_PKEY* key = [] {
    unsigned char seed[32];
    for (unsigned i = 0; i < sizeof seed; ++i) seed[i] = static_cast<unsigned char>(i);
    return EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed, sizeof seed);
  }();
  return key;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto parsed = warden::app::parse_bundle(bytes);
  if (!parsed && parsed.error().context.empty()) __builtin_trap();
  auto opened = warden::app::open_bundle(bytes, fixed_key());
  if (!opened) {
    if (opened.error().context.empty()) __builtin_trap();
    return 0;
  }
  auto again = warden::app::make_bundle(opened->archive, opened->version, fixed_key());
  if (!again || *again != bytes) __builtin_trap();
  return 0;
}
