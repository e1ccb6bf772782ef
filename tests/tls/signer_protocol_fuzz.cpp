// libFuzzer target: the signer's message decoders, fed by whatever a compromised worker sends.
// Invariants: no crash; a decoded request names only what a certificate may carry and encodes
// back to the very same bytes (one meaning per message); the same for answers.
#include "base/assert.hpp"
#include "tls/signer_protocol.hpp"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  if (auto r = warden::tls::decode_request(in)) {
    WARDEN_CHECK(warden::tls::is_mintable_name(r->name));
    WARDEN_CHECK(warden::tls::encode_request(*r) == in);
  }
  if (auto a = warden::tls::decode_answer(in)) WARDEN_CHECK(warden::tls::encode_answer(*a) == in);
  return 0;
}
