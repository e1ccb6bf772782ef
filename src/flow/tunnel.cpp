// ClientSession: CONNECT tunnels (relayed as bytes, or bumped: bump.cpp) and WebSocket relays
// after a 101. CONNECT goes only to configured ports: an open CONNECT to any port is a way
// around the filter (Squid's SSL_ports).
#include "base/scope_exit.hpp"
#include "flow/body_copy.hpp"
#include "flow/detail/exchange.hpp"
#include "http/rewrite.hpp"
#include "net/connector.hpp"
#include "net/relay.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace warden::flow {

using base::ErrorCode;

void ClientSession::record_relay(Exchange& ex, const net::RelayResult& r,
                                 unsigned expiries_before) {
  ex.record.bytes_in += r.a_to_b;
  ex.record.bytes_out += r.b_to_a;
  if (watchdog_.expiries() != expiries_before) {
    ex.record.end = "timeout";
  } else if (state_ == State::Closed) {
    ex.record.end = "shutdown";
  } else if (r.a_error && r.a_error != net::asio::error::operation_aborted) {
    ex.record.end = "client_abort";
  } else if (r.b_error && r.b_error != net::asio::error::operation_aborted) {
    ex.record.end = "upstream_abort";
  }
  log_exchange(ex);
}

net::Awaitable<bool> ClientSession::connect_tunnel(Exchange& ex) {
  const EngineConfig& cfg = *config_;
  ex.record.scheme = "tunnel";
  auto authority = http::parse_authority(ex.head.target(), /*port_required=*/true);
  if (!authority) {
    co_await respond_error(
        &ex, 400, ErrorCode::BadRequest,
        "CONNECT needs host:port: " + std::string(authority.error().reason) + ".", true);
    co_return false;
  }
  std::string why;
  if (!normalize_authority(*authority, why)) {
    co_await respond_error(&ex, 400, ErrorCode::BadRequest,
                           "CONNECT names an invalid host: " + why + ".", true);
    co_return false;
  }
  ex.record.host = authority->host;
  ex.record.port = authority->port;
  if (meta_.sign_in) {
    bool keep_open = false;
    if (!co_await signed_in(ex, keep_open)) co_return keep_open;
  }
  const auto& ports = cfg.connect_ports;
  if (std::find(ports.begin(), ports.end(), authority->port) == ports.end()) {
    co_await respond_error(&ex, 403, ErrorCode::PortNotAllowed,
                           fmt::format("CONNECT to port {} is not allowed here (allowed: {}).",
                                       authority->port, fmt::join(ports, ", ")),
                           true);
    co_return false;
  }

  // The host as the CONNECT names it; with interception the ClientHello's name is judged too.
  const policy::Decision decision = judge(ex, authority->host, authority->port, std::nullopt);
  if (ctx_.shared.tls != nullptr) {
    // Intercepting: answer at once and read the ClientHello; the upstream is chosen after it
    // (a pooled verified connection, or a new one), and its failures get a page over TLS.
    if (!co_await established(ex)) co_return false;
    co_return co_await bump(ex, *authority, decision);
  }
  if (decision.action == policy::Action::Block || decision.action == policy::Action::Reject) {
    // Relaying only: nothing can be shown inside the tunnel, so the CONNECT itself is refused.
    co_await respond_blocked(ex, decision, false);
    co_return false;
  }
  std::optional<base::Error> error;
  std::optional<std::chrono::system_clock::time_point> unused;
  const std::string plain;  // no TLS leg (named: no temporaries in co_await, GCC 12)
  http::Authority dest = *authority;
  const policy::RequestChanges changes = changes_for(decision, authority->host, {});
  if (!changes.safe_host.empty()) dest = {changes.safe_host, authority->port, false};
  net::StreamPtr upstream = co_await connect(dest, plain, error, unused);
  if (!upstream) {
    if (error) co_await respond_error(&ex, *error, true);
    co_return false;
  }
  upstream_ = upstream.get();
  const base::ScopeExit forget_upstream([this] { upstream_ = nullptr; });
  if (!co_await established(ex)) co_return false;
  co_await splice(ex, *upstream);
  co_return false;
}

net::Awaitable<bool> ClientSession::established(Exchange& ex) {
  // (A literal here, not a constexpr local passed in: GCC 12 mis-passes such arguments to
  // coroutines.)
  const std::string_view line = "HTTP/1.1 200 Connection established\r\n\r\n";
  ex.response_started = true;
  if (!co_await write_all(*client_, line, watchdog_, config_->timeouts.body_idle)) {
    ex.record.end = "client_abort";
    log_exchange(ex);
    co_return false;
  }
  ex.record.status = 200;
  ex.record.bytes_out += line.size();
  co_return true;
}

net::Awaitable<void> ClientSession::splice(Exchange& ex, net::Stream& upstream) {
  const Timeouts& t = config_->timeouts;
  if (!client_buf_.empty()) {  // the client did not wait for our 200 (or we peeked its hello)
    const std::size_t early = client_buf_.size();
    if (!co_await write_all(upstream, client_buf_.data(), watchdog_, t.body_idle)) {
      ex.record.end = "upstream_abort";
      log_exchange(ex);
      co_return;
    }
    client_buf_.consume(early);
    ex.record.bytes_in += early;
  }
  client_buf_.release_if_empty();
  const unsigned expiries = watchdog_.expiries();
  const net::RelayResult r =
      co_await net::relay(*client_, upstream, ctx_.worker.buffers(), watchdog_, t.tunnel_idle);
  record_relay(ex, r, expiries);
}

net::Awaitable<void> ClientSession::relay_upgraded(Exchange& ex, const http::ResponseHead& head,
                                                   const http::ResponseSemantics& semantics,
                                                   net::Stream& upstream,
                                                   net::Buffer& upstream_buf) {
  const EngineConfig& cfg = *config_;
  ex.record.scheme = bumped_ ? "wss" : "ws";
  ex.record.status = head.status();
  ex.response_started = true;
  std::string out = http::client_response_head(head, semantics, {}, cfg.via);
  out.append(upstream_buf.data());  // frames the upstream sent right after its 101
  upstream_buf.consume(upstream_buf.size());
  if (!co_await write_all(*client_, out, watchdog_, cfg.timeouts.body_idle)) {
    ex.record.end = "client_abort";
    log_exchange(ex);
    co_return;
  }
  ex.record.bytes_out += out.size();
  co_await splice(ex, upstream);
}

}  // namespace warden::flow
