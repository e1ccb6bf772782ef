// libFuzzer target: Alt-Svc filtering of an origin's header. Invariants: no crash; the output
// grows by at most one space per comma of the input (kept alternatives are joined with ", ",
// found by fuzzing: regression-comma-join); no QUIC protocol survives; filtering is idempotent.
#include "base/assert.hpp"
#include "http/alt_svc.hpp"

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

using namespace warden::http;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const std::string out = alt_svc_without_quic(in);
  WARDEN_CHECK(out.size() <= in.size() + static_cast<std::size_t>(std::ranges::count(in, ',')));
  WARDEN_CHECK(alt_svc_without_quic(out) == out);
  WARDEN_CHECK(!out.starts_with("h3=") && !out.starts_with("h3-"));
  return 0;
}
