#pragma once
// One client connection to the explicit proxy, for its whole life (a Flow): reads requests,
// forwards absolute-form requests (forward.cpp), opens CONNECT tunnels and WebSocket relays
// (tunnel.cpp), answers errors itself (errors.cpp), and writes one access-log record per
// exchange or tunnel.
//
// Ownership: shared_ptr held by its two coroutines (run and the watchdog); registered in its
// WorkerContext while alive. Thread: its worker only.
// Lifecycle: Idle (waiting for a request) -> ReadingHead -> Busy (an exchange) -> Idle ... ->
// Closed. drain() closes an idle session at once and a busy one after its exchange; abort()
// closes now. Every wait is bounded by the watchdog.

#include "base/error.hpp"
#include "capture/flow_meta.hpp"
#include "flow/worker_context.hpp"
#include "http/framing.hpp"
#include "http/message.hpp"
#include "http/target.hpp"
#include "net/buffer.hpp"
#include "net/relay.hpp"
#include "net/watchdog.hpp"
#include "observe/access_record.hpp"

#include <boost/asio/cancellation_signal.hpp>

#include <memory>
#include <string>

namespace warden::flow {

class ClientSession : public std::enable_shared_from_this<ClientSession> {
 public:
  // Accepts a flow on `ctx`'s worker, or refuses it with 503 at max_connections.
  static void start(WorkerContext& ctx, net::Socket client, capture::FlowMeta meta);
  ~ClientSession();
  ClientSession(const ClientSession&) = delete;
  ClientSession& operator=(const ClientSession&) = delete;

  void drain();
  void abort();

 private:
  enum class State { Idle, ReadingHead, Busy, Closed };
  enum class HeadOutcome { Ok, Closed };
  struct Exchange;  // the request being handled; see forward.cpp

  ClientSession(WorkerContext& ctx, net::Socket client, capture::FlowMeta meta);
  net::Awaitable<void> run();
  void on_deadline();

  // Reads the next request head into `out`; answers malformed heads and timeouts itself.
  net::Awaitable<HeadOutcome> read_request_head(http::RequestHead& out, bool first);
  // Handles one request; returns whether the connection stays open for another.
  net::Awaitable<bool> handle_request(http::RequestHead& head);

  // forward.cpp
  net::Awaitable<bool> forward(Exchange& ex);
  // tunnel.cpp
  net::Awaitable<void> connect_tunnel(Exchange& ex);
  net::Awaitable<void> relay_upgraded(Exchange& ex, const http::ResponseHead& head,
                                      const http::ResponseSemantics& semantics,
                                      net::Socket& upstream, net::Buffer& upstream_buf);
  // After a tunnel or upgrade relay ends: bytes and how it ended into the record.
  void record_relay(Exchange& ex, const net::RelayResult& r, unsigned expiries_before);

  // errors.cpp: writes Warden's own error response; `ex` (if any) records it.
  net::Awaitable<void> respond_error(Exchange* ex, unsigned status, base::ErrorCode code,
                                     std::string detail, bool close);
  net::Awaitable<void> respond_error(Exchange* ex, const base::Error& e, bool close);
  void log_exchange(Exchange& ex);

  WorkerContext& ctx_;
  EngineConfigPtr config_;  // the snapshot this connection's current exchange uses
  net::Socket client_;
  capture::FlowMeta meta_;
  std::string client_ip_;
  net::Buffer client_buf_;
  net::Watchdog watchdog_;
  net::asio::cancellation_signal cancel_;  // abort(): stops whatever run() is waiting for
  net::Socket* upstream_ = nullptr;  // the upstream in use, cancelled with the client on expiry
  State state_ = State::Idle;
  bool drain_ = false;
  unsigned requests_ = 0;
};

}  // namespace warden::flow
