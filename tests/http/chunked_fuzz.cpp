// libFuzzer target: the chunked decoder fed in pieces. Invariants: no crash, progress on every
// step, data views inside the input, decoded size never exceeds the input size.
#include "base/assert.hpp"
#include "http/chunked.hpp"

#include <cstdint>
#include <string_view>

using namespace warden::http;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t step = 1 + data[0] % 16;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  ChunkedDecoder d(ChunkedLimits{64, 256});
  std::size_t body = 0;
  while (!in.empty()) {
    std::string_view piece = in.substr(0, step);
    ChunkStep s = d.next(piece);
    WARDEN_CHECK(s.consumed <= piece.size());
    if (!s.data.empty())
      WARDEN_CHECK(s.data.data() >= piece.data() &&
                   s.data.data() + s.data.size() <= piece.data() + piece.size());
    body += s.data.size();
    WARDEN_CHECK(body <= size);
    if (s.status != ParseStatus::NeedMore) break;
    WARDEN_CHECK(s.consumed > 0);
    in.remove_prefix(s.consumed);
  }
  return 0;
}
