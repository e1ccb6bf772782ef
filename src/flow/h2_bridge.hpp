#pragma once
// An intercepted connection where ALPN chose HTTP/2 on both legs: the client's streams are
// carried over an upstream h2 connection to the same server (H2Upstream: the one verified at the
// bump, or a pooled one shared with other clients of the same group), each stream one Exchange
// judged, answered and logged like an HTTP/1.1 request (a blocked URL gets its page on its own
// stream; the others are untouched).
//
// A reader and a writer drive the client-facing sans-io session (http/h2_server.hpp); the
// upstream's events arrive through the Sink interface. A stream's receive window opens only as
// the other leg's session frames what it received (credit()), so memory per connection stays
// bounded by the windows whatever either peer does. A ticker enforces the idle timeouts per
// stream and per connection.
//
// When the upstream connection goes away (or takes no more streams), the client gets a graceful
// GOAWAY and opens a new connection (a new bump) for new streams. Thread: the flow's worker.

#include "flow/client_session.hpp"
#include "flow/h2_upstream.hpp"
#include "http/h2_server.hpp"

#include <boost/asio/steady_timer.hpp>

#include <map>
#include <memory>

namespace warden::flow {

class H2Bridge final : public H2Upstream::Sink {
 public:
  H2Bridge(ClientSession& session, std::shared_ptr<H2Upstream> upstream);
  ~H2Bridge();
  H2Bridge(const H2Bridge&) = delete;
  H2Bridge& operator=(const H2Bridge&) = delete;
  // Serves the connection until the client is done; logs every stream.
  net::Awaitable<void> run();
  // The GOAWAY error code sent to the client (0: none, or NO_ERROR).
  [[nodiscard]] std::uint32_t goaway_code() const { return down_.goaway_code(); }

  // H2Upstream::Sink
  void on_upstream_event(http::h2::ClientEvent& e) override;
  void on_upstream_gone() override;
  void on_upstream_progress() override;

 private:
  using Exchange = ClientSession::Exchange;
  struct Stream;  // one client stream (h2_bridge.cpp)

  net::Awaitable<void> read();
  net::Awaitable<void> write();
  net::Awaitable<void> tick();

  void on_client_events();
  void on_request(http::h2::Request& r);
  // A held POST's body is complete: judged with it and sent on.
  void release(Stream& s);
  // A held POST given up (refused, timed out, reset): its bytes leave the bridge's budget.
  void drop_held(Stream& s);
  // Phrase scanning: starts holding a response that is to be checked (true), or not.
  bool start_check(Stream& s, const http::h2::Response& r);
  void hold_response_data(Stream& s, std::string_view data);
  // The check's verdict: the held response sent on (true), or the block page instead (false).
  bool release_response(Stream& s, bool complete);
  // Ends the stream's check: its held body (out of the budgets), returned.
  std::string drop_check(Stream& s);
  // Judges the stream's request (with the body of a held POST) and opens it upstream.
  void dispatch(Stream& s, const http::h2::Request& r, std::string_view body, bool end_stream);
  // Warden's own complete HTTP/1.1 response (block or error page) on the stream.
  void respond_local(Stream& s, const std::string& http1);
  void respond_error(Stream& s, unsigned status, base::ErrorCode code, std::string detail);
  void finish(Stream& s, std::string_view end);
  // Resets the client's stream (NO_ERROR only while the client may still send on it).
  void reset_client(Stream& s, std::uint32_t code);
  // Opens receive windows for what the other leg has framed; drops finished streams.
  void credit();
  void wake() { wake_.cancel(); }
  void stop();

  ClientSession& session_;
  http::h2::ServerSession down_;  // towards the pupil
  std::shared_ptr<H2Upstream> upstream_;
  std::map<std::int32_t, std::unique_ptr<Stream>> streams_;  // by client stream id
  std::map<std::int32_t, std::int32_t> client_stream_of_;    // upstream id -> client id
  net::asio::steady_timer wake_;                             // the client writer's
  net::asio::steady_timer ticker_;
  net::Clock::time_point last_active_;
  // Bodies of held POSTs (searches read before judging), all streams together: their window is
  // reopened as they come, so this, not the connection window, bounds them.
  static constexpr std::size_t kMaxHeldBytes = 256 * 1024;
  std::size_t held_bytes_ = 0;
  // Responses held for phrase scanning, all streams together, at most this many times
  // max_scan_bytes; past it a response goes on judged on what was read (at least kMinHold).
  static constexpr std::size_t kHeldResponsesPerLimit = 4;
  std::size_t held_response_bytes_ = 0;
  net::Clock::time_point writing_since_{};  // a write to the client in progress since then
  bool upstream_gone_ = false;
  bool done_ = false;
};

}  // namespace warden::flow
