#pragma once
// One HTTP/2 connection to an origin, shared by the worker's client connections (H2Bridge) that
// go to the same server for the same policy group: streams of several pupils on one upstream
// connection, as the HTTP/1.1 pool shares keep-alive connections. Every stream was judged on
// its own before it got here; different names are never coalesced (the key holds the TLS name).
//
// Owns the socket and the sans-io client session; a reader and a writer coroutine drive them
// and hand each stream's events to the bridge that opened it (a Sink). Idle (no stream) for
// timeouts.upstream_idle, or once the origin sent GOAWAY and its streams are done, it closes
// and leaves the pool. Thread: its worker only.

#include "flow/worker_context.hpp"
#include "http/h2_client.hpp"

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace warden::flow {

class H2Upstream : public std::enable_shared_from_this<H2Upstream> {
 public:
  // What a bridge hears about the streams it opened.
  class Sink {
   public:
    virtual void on_upstream_event(http::h2::ClientEvent& e) = 0;
    // The connection ended: the sink's streams are gone (no event follows).
    virtual void on_upstream_gone() = 0;
    // Bytes went out: windows may reopen (credit) and the sink's client may be written to.
    virtual void on_upstream_progress() = 0;

   protected:
    ~Sink() = default;
  };

  struct Verified {  // what the bump needs to mint the client's certificate
    std::optional<std::chrono::system_clock::time_point> not_after;
    int tls_version = 0;
  };

  // Starts driving `stream` (TLS, ALPN h2, verified) and lists it in ctx's pool under `key`.
  static std::shared_ptr<H2Upstream> start(WorkerContext& ctx, std::string key,
                                           net::StreamPtr stream, Verified verified);
  // A pooled connection for `key` that takes another client connection's streams, or null.
  static std::shared_ptr<H2Upstream> find(WorkerContext& ctx, const std::string& key);
  // Closes every pooled connection (engine shutdown).
  static void close_all(WorkerContext& ctx);

  H2Upstream(WorkerContext& ctx, std::string key, net::StreamPtr stream, Verified verified);
  H2Upstream(const H2Upstream&) = delete;
  H2Upstream& operator=(const H2Upstream&) = delete;

  // A new stream for `sink`; -1 when the connection takes no more streams.
  std::int32_t open(const http::h2::OutgoingRequest& r, bool end_stream, Sink& sink);
  void send_data(std::int32_t stream, std::string_view bytes, bool end_stream);
  void reset(std::int32_t stream, std::uint32_t code);
  void consumed(std::int32_t stream, std::size_t n);
  [[nodiscard]] std::size_t queued_body_bytes(std::int32_t stream) const;
  // The sink is going away: its streams are cancelled and it hears nothing more.
  void detach(Sink& sink);
  void wake();
  [[nodiscard]] const Verified& verified() const { return verified_; }
  // Not gone, and the origin did not say GOAWAY: new streams may open once others close.
  [[nodiscard]] bool accepting() const { return !gone_ && !goaway_; }

 private:
  net::Awaitable<void> read();
  net::Awaitable<void> write();
  net::Awaitable<void> tick();
  void dispatch();
  void gone();
  [[nodiscard]] bool takes_more() const;

  WorkerContext& ctx_;
  std::string key_;
  net::StreamPtr stream_;
  Verified verified_;
  http::h2::ClientSession session_;
  std::map<std::int32_t, Sink*> sinks_;  // open streams and who opened them
  net::asio::steady_timer wake_;
  net::asio::steady_timer ticker_;
  net::Clock::time_point idle_since_ = net::Clock::now();
  net::Clock::time_point writing_since_{};  // a write in progress since then
  bool goaway_ = false;
  bool gone_ = false;
};

}  // namespace warden::flow
