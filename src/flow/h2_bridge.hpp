#pragma once
// An intercepted connection where ALPN chose HTTP/2 on both legs: the client's streams are
// carried over the verified upstream connection opened at the bump, each stream one Exchange
// judged, answered and logged like an HTTP/1.1 request (a blocked URL gets its page on its own
// stream; the others are untouched).
//
// Four coroutines share this object: one reader and one writer per leg. The readers feed bytes
// to the sans-io sessions (http/h2_*.hpp) and move events across; the writers send what the
// sessions framed. A stream's receive window opens only as the other leg's session frames what
// it received (credit()), so memory per connection stays bounded by the windows whatever either
// peer does. A ticker enforces the idle timeouts per stream and per connection.
//
// The upstream connection lives as long as this client connection: when the origin goes away,
// the client gets a graceful GOAWAY and opens a new connection (a new bump) for new streams.
// Thread: the flow's worker.

#include "flow/client_session.hpp"
#include "http/h2_client.hpp"
#include "http/h2_server.hpp"

#include <boost/asio/steady_timer.hpp>

#include <map>

namespace warden::flow {

class H2Bridge {
 public:
  H2Bridge(ClientSession& session, net::StreamPtr upstream);
  ~H2Bridge();
  H2Bridge(const H2Bridge&) = delete;
  H2Bridge& operator=(const H2Bridge&) = delete;
  // Serves the connection until both legs are done; logs every stream.
  net::Awaitable<void> run();

 private:
  using Exchange = ClientSession::Exchange;
  struct Stream;  // one client stream (h2_bridge.cpp)
  struct Leg;

  net::Awaitable<void> read(Leg& leg);
  net::Awaitable<void> write(Leg& leg);
  net::Awaitable<void> tick();

  void on_client_events();
  void on_upstream_events();
  void on_request(http::h2::Request& r);
  // Warden's own complete HTTP/1.1 response (block or error page) on the stream.
  void respond_local(Stream& s, const std::string& http1);
  void respond_error(Stream& s, unsigned status, base::ErrorCode code, std::string detail);
  void finish(Stream& s, std::string_view end);
  // Opens receive windows for what the other leg has framed; drops finished streams.
  void credit();
  void wake(Leg& leg);
  void stop();
  [[nodiscard]] bool client_done();

  ClientSession& session_;
  http::h2::ServerSession down_;  // towards the pupil
  http::h2::ClientSession up_;    // towards the origin
  net::StreamPtr upstream_;
  std::map<std::int32_t, std::unique_ptr<Stream>> streams_;  // by client stream id
  std::map<std::int32_t, std::int32_t> client_stream_of_;    // upstream id -> client id
  std::unique_ptr<Leg> client_leg_;
  std::unique_ptr<Leg> upstream_leg_;
  net::asio::steady_timer ticker_;
  net::Clock::time_point last_active_;
  bool upstream_gone_ = false;
  bool done_ = false;
};

}  // namespace warden::flow
