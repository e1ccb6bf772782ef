// libFuzzer target: the PROXY protocol header (capture/proxy_header.hpp) as a balancer's
// connection may start. Invariants: a Done header lies inside the input and within the
// maximum; parsing only its bytes gives the same header; each strict beginning of them is
// Incomplete (the header is read as it arrives, and must not be judged early either way).
#include "base/assert.hpp"
#include "capture/proxy_header.hpp"

#include <cstdint>
#include <string_view>

using namespace warden::capture;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const ProxyParse p = parse_proxy_header(bytes);
  if (p.status == ProxyParse::Status::Invalid) WARDEN_CHECK(!p.error.empty());
  if (p.status != ProxyParse::Status::Done) return 0;
  const std::size_t n = p.header.length;
  WARDEN_CHECK(n > 0 && n <= size && n <= kMaxProxyHeader);
  const ProxyParse again = parse_proxy_header(bytes.substr(0, n));
  WARDEN_CHECK(again.status == ProxyParse::Status::Done && again.header.length == n);
  WARDEN_CHECK(again.header.kind == p.header.kind && again.header.source == p.header.source &&
               again.header.destination == p.header.destination);
  for (std::size_t cut = 0; cut < n; ++cut)
    WARDEN_CHECK(parse_proxy_header(bytes.substr(0, cut)).status == ProxyParse::Status::Incomplete);
  return 0;
}
