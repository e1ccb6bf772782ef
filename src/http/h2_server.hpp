#pragma once
// The HTTP/2 server side of a client connection (towards pupils), as a sans-io adapter over
// nghttp2: bytes in -> request events; responses in -> bytes out. No sockets and no timers: the
// flow's coroutine drives it (idle and per-stream timeouts are the flow's), so it is unit-tested
// and fuzzed on byte strings.
//
// The known HTTP/2 attacks (../shared/SECURITY.md c.2) end the connection with GOAWAY
// ENHANCE_YOUR_CALM, decided here where nghttp2 1.52 (Debian 12) has no limiter of its own:
//   H01/H02 rapid reset and made-you-reset: every RST_STREAM received or sent (refused streams
//           included) takes a token from one bucket (burst 1000, 33/s, nghttp2's later
//           defaults);
//   H03     CONTINUATION flood: at most 8 CONTINUATION frames per header block;
//   H04     HPACK bomb: the *decoded* header list is capped per stream (the stream is reset);
//   H05/06/07/15 SETTINGS, PING and reset floods, outbound queue growth: nghttp2's outbound
//           ACK cap (1000);
//   H08     empty-frame flood: at most 32 consecutive frames without payload;
//   H09     PRIORITY flood: RFC 7540 priorities are off (SETTINGS_NO_RFC7540_PRIORITIES) and
//           PRIORITY frames take tokens from their own bucket;
//   H12     streams beyond SETTINGS_MAX_CONCURRENT_STREAMS (100) are refused;
//   H13/14  flow control: small windows (64 KiB per stream, 1 MiB per connection) that open
//           only as the application consumes (consumed()), so a peer cannot make us buffer.

#include "http/h2_session.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace warden::http::h2 {

struct ServerLimits {
  std::uint32_t max_concurrent_streams = 100;
  std::uint32_t max_header_list_size = 64 * 1024;  // decoded: names + values + 32 per field
  std::uint32_t stream_window = 64 * 1024;
  std::uint32_t connection_window = 1024 * 1024;
  std::uint32_t max_continuations = 8;
  std::uint32_t max_empty_frames = 32;
  std::uint32_t reset_burst = 1000;
  std::uint32_t resets_per_second = 33;
  std::uint32_t priority_burst = 1000;
  std::uint32_t priority_per_second = 100;
  std::size_t max_outbound_ack = 1000;
};

struct Request {
  std::int32_t stream = 0;
  std::string method;
  std::string scheme;
  std::string authority;
  std::string path;
  Fields fields;            // regular fields, lower-case names, in order
  bool end_stream = false;  // no body follows
};

// (A request's trailers end its stream — EndStream — but their fields are not surfaced yet.)
struct Event {
  enum class Kind { Request, Data, EndStream, Reset };
  Kind kind = Kind::Request;
  std::int32_t stream = 0;
  Request request;               // Request
  std::string data;              // Data
  std::uint32_t error_code = 0;  // Reset: the HTTP/2 error code
};

class ServerSession : public Session {
 public:
  using Clock = std::chrono::steady_clock;
  explicit ServerSession(const ServerLimits& limits = {},
                         std::function<Clock::time_point()> now = Clock::now);

  // Bytes from the client. False: the connection must end once output() is sent (not HTTP/2,
  // or an attack; goaway_code() says which).
  [[nodiscard]] bool receive(std::string_view bytes) { return feed(bytes); }
  // Events since the last call, in order.
  [[nodiscard]] std::vector<Event> take_events() { return std::exchange(events_, {}); }
  // A response head; with `end_stream` there is no body, else it comes through send_data().
  bool respond(std::int32_t stream, unsigned status, const Fields& fields, bool end_stream);
  // A 1xx response (103 Early Hints, 100 Continue...) before the final one.
  bool inform(std::int32_t stream, unsigned status, const Fields& fields);

 private:
  struct Stream {
    Request request;
    std::size_t header_bytes = 0;
    bool header_overflow = false;
    bool responded = false;
  };
  struct Bucket {
    double tokens = 0;
    Clock::time_point refilled{};
    bool take(double burst, double per_second, Clock::time_point now);
  };
  friend struct ServerCallbacks;
  [[nodiscard]] bool take_reset_token();

  ServerLimits limits_;
  std::function<Clock::time_point()> now_;
  std::map<std::int32_t, Stream> streams_;
  std::vector<Event> events_;
  std::uint32_t continuations_ = 0;
  std::uint32_t empty_frames_ = 0;
  Bucket resets_;
  Bucket priorities_;
};

}  // namespace warden::http::h2
