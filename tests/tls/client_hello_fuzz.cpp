// libFuzzer target: the ClientHello reader. Invariants: no crash; Done reports a byte count
// within the input; a prefix of a Done input is never Done with a different SNI.
#include "base/assert.hpp"
#include "tls/client_hello.hpp"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const auto r = warden::tls::parse_client_hello(in, 8 * 1024);
  if (r.status == warden::tls::HelloStatus::Done) {
    WARDEN_CHECK(r.info.bytes <= size);
    const auto again = warden::tls::parse_client_hello(in.substr(0, r.info.bytes), 8 * 1024);
    WARDEN_CHECK(again.status == warden::tls::HelloStatus::Done && again.info.sni == r.info.sni);
  }
  return 0;
}
