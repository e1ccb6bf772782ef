// ClientSession: CONNECT tunnels (a byte relay until TLS interception bumps them) and
// WebSocket relays after a 101. CONNECT goes only to configured ports: an open CONNECT to any
// port is a way around the filter (Squid's SSL_ports).
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

net::Awaitable<void> ClientSession::connect_tunnel(Exchange& ex) {
  const EngineConfig& cfg = *config_;
  const Timeouts& t = cfg.timeouts;
  ex.record.scheme = "tunnel";
  auto authority = http::parse_authority(ex.head.target(), /*port_required=*/true);
  if (!authority) {
    co_await respond_error(
        &ex, 400, ErrorCode::BadRequest,
        "CONNECT needs host:port: " + std::string(authority.error().reason) + ".", true);
    co_return;
  }
  ex.record.host = authority->host;
  ex.record.port = authority->port;
  const auto& ports = cfg.connect_ports;
  if (std::find(ports.begin(), ports.end(), authority->port) == ports.end()) {
    co_await respond_error(&ex, 403, ErrorCode::PortNotAllowed,
                           fmt::format("CONNECT to port {} is not allowed here (allowed: {}).",
                                       authority->port, fmt::join(ports, ", ")),
                           true);
    co_return;
  }

  watchdog_.disarm();
  auto connected = co_await net::connect_upstream(
      authority->host, authority->port,
      {t.upstream_connect, t.happy_eyeballs_delay, cfg.upstream_socket_mark});
  if (state_ == State::Closed) co_return;
  if (!connected) {
    co_await respond_error(&ex, connected.error(), true);
    co_return;
  }
  net::Socket upstream = std::move(connected->socket);
  upstream_ = &upstream;
  const base::ScopeExit forget_upstream([this] { upstream_ = nullptr; });

  constexpr std::string_view kEstablished = "HTTP/1.1 200 Connection established\r\n\r\n";
  ex.response_started = true;
  if (!co_await write_all(client_, kEstablished, watchdog_, t.body_idle)) {
    ex.record.end = "client_abort";
    log_exchange(ex);
    co_return;
  }
  ex.record.status = 200;
  ex.record.bytes_out += kEstablished.size();
  if (!client_buf_.empty()) {  // the client did not wait for our 200 (TLS false start...)
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
      co_await net::relay(client_, upstream, ctx_.worker.buffers(), watchdog_, t.tunnel_idle);
  record_relay(ex, r, expiries);
}

net::Awaitable<void> ClientSession::relay_upgraded(Exchange& ex, const http::ResponseHead& head,
                                                   const http::ResponseSemantics& semantics,
                                                   net::Socket& upstream,
                                                   net::Buffer& upstream_buf) {
  const EngineConfig& cfg = *config_;
  const Timeouts& t = cfg.timeouts;
  ex.record.scheme = "ws";
  ex.record.status = head.status();
  ex.response_started = true;
  std::string out = http::client_response_head(head, semantics, {}, cfg.via);
  out.append(upstream_buf.data());  // frames the upstream sent right after its 101
  upstream_buf.consume(upstream_buf.size());
  if (!co_await write_all(client_, out, watchdog_, t.body_idle)) {
    ex.record.end = "client_abort";
    log_exchange(ex);
    co_return;
  }
  ex.record.bytes_out += out.size();
  if (!client_buf_.empty()) {
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
      co_await net::relay(client_, upstream, ctx_.worker.buffers(), watchdog_, t.tunnel_idle);
  record_relay(ex, r, expiries);
}

}  // namespace warden::flow
