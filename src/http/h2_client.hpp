#pragma once
// The HTTP/2 client side of a connection towards an origin, as a sans-io adapter over nghttp2:
// requests in -> bytes out; bytes in -> response events. One connection may carry many
// pupils' streams; beyond the origin's SETTINGS_MAX_CONCURRENT_STREAMS they wait in nghttp2's
// queue (can_open() is false only once the origin said GOAWAY or the session failed). Windows
// open only as the application consumes, and a response's decoded header list is capped as on
// the server side.

#include "http/h2_session.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace warden::http::h2 {

struct ClientLimits {
  std::uint32_t max_header_list_size = 64 * 1024;
  std::uint32_t stream_window = 256 * 1024;
  std::uint32_t connection_window = 4 * 1024 * 1024;
};

struct OutgoingRequest {
  std::string method;
  std::string scheme = "https";
  std::string authority;
  std::string path;
  Fields fields;  // regular fields, lower-case names, no connection-specific ones
};

struct Response {
  std::int32_t stream = 0;
  unsigned status = 0;
  Fields fields;
  bool end_stream = false;
};

struct ClientEvent {
  enum class Kind { Response, Informational, Data, Trailers, EndStream, Reset, GoAway };
  Kind kind = Kind::Response;
  std::int32_t stream = 0;
  Response response;             // Response, Informational (1xx), Trailers (fields only)
  std::string data;              // Data
  std::uint32_t error_code = 0;  // Reset, GoAway
};

class ClientSession : public Session {
 public:
  explicit ClientSession(const ClientLimits& limits = {});

  // Starts a request; its body (unless `end_stream`) follows through send_data(). Returns the
  // stream id, or -1 when the connection takes no more streams.
  std::int32_t request(const OutgoingRequest& r, bool end_stream);
  [[nodiscard]] bool can_open() const;
  // The origin's SETTINGS_MAX_CONCURRENT_STREAMS.
  [[nodiscard]] std::uint32_t max_concurrent_streams() const;
  // Bytes from the origin. False: the connection must end.
  [[nodiscard]] bool receive(std::string_view bytes) { return feed(bytes); }
  [[nodiscard]] std::vector<ClientEvent> take_events() { return std::exchange(events_, {}); }

 private:
  struct Stream {
    Response response;
    std::size_t header_bytes = 0;
    bool header_overflow = false;
  };
  friend struct ClientCallbacks;

  ClientLimits limits_;
  std::map<std::int32_t, Stream> streams_;
  std::vector<ClientEvent> events_;
  bool goaway_received_ = false;
};

}  // namespace warden::http::h2
