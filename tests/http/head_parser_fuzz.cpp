// libFuzzer target: request and response head parsing plus framing analysis, fed in two pieces
// to exercise resumption. Invariants: no crash, `consumed` within the input, Done heads
// re-analysable.
#include "base/assert.hpp"
#include "http/framing.hpp"
#include "http/head_parser.hpp"
#include "http/target.hpp"

#include <cstdint>
#include <string_view>

using namespace warden::http;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const std::size_t split = size == 0 ? 0 : data[0] % (size + 1);
  {
    RequestHeadParser p(HeadLimits{256, 2048, 20});
    ParseResult r = p.parse(in.substr(0, split));
    if (r.status == ParseStatus::NeedMore) r = p.parse(in);
    if (r.status == ParseStatus::Done) {
      WARDEN_CHECK(r.consumed <= size);
      RequestHead h = p.take();
      (void)analyze_request(h);
      (void)parse_absolute_target(h.target());
      (void)parse_authority(h.target(), true);
    }
  }
  {
    ResponseHeadParser p(HeadLimits{256, 2048, 20});
    ParseResult r = p.parse(in);
    if (r.status == ParseStatus::Done) {
      WARDEN_CHECK(r.consumed <= size);
      ResponseHead h = p.take();
      (void)analyze_response(h, "GET", data[0] & 1);
    }
  }
  return 0;
}
