#pragma once
// What both sides of an HTTP/2 connection share (h2_server.hpp towards pupils, h2_client.hpp
// towards origins): the nghttp2 session, the bytes waiting to be written, outgoing bodies fed
// as the application produces them, and receive windows that open only as the application
// consumes (so memory stays bounded whatever the peer does). Sans-io: no sockets, no timers.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

struct nghttp2_session;

namespace warden::http::h2 {

namespace detail {
struct BodyReader;  // nghttp2's data provider callback (h2_session.cpp)
}

using Fields = std::vector<std::pair<std::string, std::string>>;

// HTTP/2 error codes (RFC 9113 §7) the rest of Warden uses.
namespace error {
inline constexpr std::uint32_t kNoError = 0x0;
inline constexpr std::uint32_t kInternal = 0x2;
inline constexpr std::uint32_t kRefusedStream = 0x7;
inline constexpr std::uint32_t kCancel = 0x8;
inline constexpr std::uint32_t kEnhanceYourCalm = 0xb;
}  // namespace error

class Session {
 public:
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  virtual ~Session();

  // Bytes to send to the peer; call output_sent(n) once n of them are written. The view stays
  // valid until then: nothing more is framed while earlier bytes wait.
  [[nodiscard]] std::string_view output();
  void output_sent(std::size_t n);

  // The application took `n` body bytes of `stream`: the peer may send that much more.
  void consumed(std::int32_t stream, std::size_t n);
  // Body bytes of a request or response already started; `end_stream` ends it.
  bool send_data(std::int32_t stream, std::string_view bytes, bool end_stream);
  // Ends a body already started with trailer fields (sent once the queued body is framed).
  bool send_trailers(std::int32_t stream, const Fields& trailers);
  void reset(std::int32_t stream, std::uint32_t error_code);

  // Body bytes queued but not yet framed (backpressure for the other leg), in all or in one
  // stream.
  [[nodiscard]] std::size_t queued_body_bytes() const;
  [[nodiscard]] std::size_t queued_body_bytes(std::int32_t stream) const;
  // A graceful GOAWAY (NO_ERROR): streams already open finish, no new one starts.
  void shutdown();
  // Nothing more will be read and nothing is left to send: close the connection.
  [[nodiscard]] bool finished() const;
  // The GOAWAY error code we sent (0: none, or NO_ERROR).
  [[nodiscard]] std::uint32_t goaway_code() const { return goaway_code_; }

 protected:
  Session() = default;
  // Takes `session`, created with user data `static_cast<Session*>(this)`.
  void adopt(nghttp2_session* session) { session_ = session; }
  // Feeds received bytes; false when the connection must end (an attack ends it with our own
  // GOAWAY ENHANCE_YOUR_CALM after whatever was queued).
  bool feed(std::string_view bytes);
  // Marks the connection as abused: it ends with our GOAWAY ENHANCE_YOUR_CALM.
  void abuse();
  // Tracks the body of `stream` that will come through send_data() (pass nghttp2
  // detail::body_provider() when submitting its head).
  void open_body(std::int32_t stream, bool ended);
  void forget_body(std::int32_t stream) { bodies_.erase(stream); }
  void on_goaway_sent(std::uint32_t code) { goaway_code_ = code; }
  [[nodiscard]] bool failed() const { return failed_; }

  nghttp2_session* session_ = nullptr;

 private:
  struct Body {
    std::string data;
    std::size_t offset = 0;  // framed so far
    bool ended = false;
    bool deferred = false;
    Fields trailers;  // sent after the data when not empty
  };
  friend struct detail::BodyReader;
  void pump();
  void write_calm_goaway();

  std::map<std::int32_t, Body> bodies_;
  std::string out_;  // framed bytes; unchanged while the caller writes them (output())
  std::string calm_goaway_;
  std::size_t out_sent_ = 0;
  bool failed_ = false;
  bool abused_ = false;
  bool goaway_written_ = false;
  std::uint32_t goaway_code_ = 0;
};

}  // namespace warden::http::h2
