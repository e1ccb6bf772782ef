// libFuzzer target: the HTTP/2 client adapter (towards origins) fed a hostile origin's byte
// stream in pieces, with requests open and bodies consumed as the flow does. Invariants: no
// crash, no leak (sanitizers), events only for streams that exist, once failed it stays failed.
#include "base/assert.hpp"
#include "http/h2_client.hpp"

#include <cstdint>
#include <string_view>

using namespace warden::http::h2;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t step = 1 + data[0] * 37u;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  ClientSession c;
  const std::int32_t get = c.request({"GET", "https", "origin.example", "/", {}}, true);
  const std::int32_t post = c.request({"POST", "https", "origin.example", "/up", {}}, false);
  WARDEN_CHECK(get == 1 && post == 3);
  (void)c.send_data(post, "body", true);
  bool alive = true;
  while (!in.empty()) {
    c.output_sent(c.output().size());
    const std::string_view piece = in.substr(0, step);
    in.remove_prefix(piece.size());
    const bool ok = c.receive(piece);
    WARDEN_CHECK(alive || !ok);
    alive = ok;
    for (const ClientEvent& e : c.take_events()) {
      WARDEN_CHECK(e.kind == ClientEvent::Kind::GoAway || e.stream == get || e.stream == post);
      if (e.kind == ClientEvent::Kind::Data) c.consumed(e.stream, e.data.size());
    }
  }
  return 0;
}
