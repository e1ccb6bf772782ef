// libFuzzer target: the HTTP/2 server adapter fed a client byte stream in pieces, answering
// every request as an application would. Invariants: no crash, no leak (sanitizers), events
// only for streams that exist, once the session has failed it stays failed, and a request's
// HTTP/1.1 translation (h2_translate) says exactly what its pseudo-headers said (no smuggling).
// Seeds: the files in corpus/h2_server; ../shared/datasets/h2spec-corpus is a good extra corpus
// (`h2_server_fuzz corpus/h2_server ../shared/datasets/h2spec-corpus`).
#include "base/assert.hpp"
#include "http/h2_server.hpp"
#include "http/h2_translate.hpp"

#include <cstdint>
#include <string_view>

using namespace warden::http::h2;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t step = 1 + data[0] * 37u;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  ServerSession s;
  bool alive = true;
  while (!in.empty()) {
    const std::string_view piece = in.substr(0, step);
    in.remove_prefix(piece.size());
    const bool ok = s.receive(piece);
    WARDEN_CHECK(alive || !ok);  // once failed, it stays failed
    alive = ok;
    for (const Event& e : s.take_events()) {
      WARDEN_CHECK(e.stream > 0);
      if (e.kind == Event::Kind::Data) s.consumed(e.stream, e.data.size());
      if (e.kind == Event::Kind::Request) {
        const Request& r = e.request;
        if (auto head = http1_request_head(r, {})) {
          WARDEN_CHECK(head->method() == r.method && head->target() == r.path);
          WARDEN_CHECK(r.authority.empty() || head->find("host") == r.authority);
        }
        (void)upstream_fields(r, "192.0.2.1");
        (void)s.respond(e.stream, 200, {{"content-type", "text/plain"}}, false);
        (void)s.send_data(e.stream, "ok", true);
      }
    }
    s.output_sent(s.output().size());
  }
  return 0;
}
