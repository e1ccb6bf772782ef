// ClientSession: forwarding one absolute-form HTTP request to its origin and relaying the
// response (RFC 9110 §7.6, RFC 9112). Upstream connections come from the worker's pool when one
// is idle; a request without a body that fails on a reused connection before any response byte
// is retried once on a new connection (the pooled one had gone stale).
#include "base/scope_exit.hpp"
#include "flow/body_copy.hpp"
#include "flow/detail/exchange.hpp"
#include "http/chars.hpp"
#include "http/head_parser.hpp"
#include "http/rewrite.hpp"
#include "net/connector.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace warden::flow {

using Clock = std::chrono::system_clock;

namespace {

namespace asio = net::asio;
using base::ErrorCode;
using Status = CopyResult::Status;

struct ResponseRead {
  enum class Status { Ok, ClosedEarly, Failed, TimedOut, Invalid } status = Status::Ok;
  http::ResponseHead head;
  http::ParseError error{};
  bool reset = false;  // the connection was reset rather than closed
};

// Reads one response head from `upstream` into `buf`; the head's bytes are consumed, any body
// bytes stay in `buf`.
net::Awaitable<ResponseRead> read_response_head(net::Stream& upstream, net::Buffer& buf,
                                                const http::HeadLimits& limits,
                                                net::Watchdog& watchdog, net::Duration timeout) {
  ResponseRead out;
  http::ResponseHeadParser parser(limits);
  const unsigned expiries = watchdog.expiries();
  watchdog.expire_after(timeout);
  bool received = !buf.empty();
  for (;;) {
    if (!buf.empty()) {
      const http::ParseResult r = parser.parse(buf.data());
      if (r.status == http::ParseStatus::Done) {
        out.head = parser.take();
        buf.consume(r.consumed);
        co_return out;
      }
      if (r.status == http::ParseStatus::Invalid) {
        out.status = ResponseRead::Status::Invalid;
        out.error = r.error;
        co_return out;
      }
    }
    std::span<char> space = buf.prepare(1, limits.section_max + 64);
    auto [ec, n] = co_await upstream.read_some(space);
    if (watchdog.expiries() != expiries) {
      out.status = ResponseRead::Status::TimedOut;
      co_return out;
    }
    if (ec) {
      out.status = received ? ResponseRead::Status::Failed : ResponseRead::Status::ClosedEarly;
      out.reset = ec == asio::error::connection_reset;
      co_return out;
    }
    received = true;
    buf.commit(n);
  }
}

bool idempotent(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "OPTIONS" || method == "TRACE" ||
         method == "PUT" || method == "DELETE";
}

// NTLM and Negotiate authenticate a connection, not a request (RFC 4559): such an upstream
// connection must stay with the client that authenticated it.
bool names_connection_auth(const http::MessageHead& h, std::string_view field) {
  for (std::size_t i = 0; i < h.field_count(); ++i) {
    const auto f = h.field(i);
    if (!http::chars::iequals(f.name, field)) continue;
    const std::string_view v = f.value;
    for (std::string_view scheme : {std::string_view("NTLM"), std::string_view("Negotiate")})
      if (v.size() >= scheme.size() && http::chars::iequals(v.substr(0, scheme.size()), scheme))
        return true;
  }
  return false;
}

std::string_view end_of(Status s, bool upstream_is_source) {
  switch (s) {
    case Status::Done:
      return "ok";
    case Status::TimedOut:
      return "timeout";
    case Status::SinkFailed:
      return upstream_is_source ? "client_abort" : "upstream_abort";
    case Status::SourceClosed:
    case Status::Invalid:
      return upstream_is_source ? "upstream_abort" : "client_abort";
  }
  return "error";
}

}  // namespace

std::string ClientSession::https_pool_key(const std::string& name, const http::Authority& a) {
  return fmt::format("https://{}@{}:{}", name, a.to_string(), a.port);
}

std::string ClientSession::pool_key(const Exchange& ex) const {
  // No conditional expressions over temporaries inside coroutines: GCC 12 miscompiles them
  // (double destruction), so keys are built here.
  if (bumped_) return bumped_->pool_key;
  // Restricted modes: the safe address's connections are not the host's own.
  if (!ex.changes.safe_host.empty())
    return fmt::format("http://{}@{}:{}", ex.target.authority.to_string(), ex.changes.safe_host,
                       ex.target.authority.port);
  return fmt::format("http://{}:{}", ex.target.authority.to_string(), ex.target.authority.port);
}

net::Awaitable<net::StreamPtr> ClientSession::connect(const http::Authority& dest,
                                                      const std::string& tls_name,
                                                      std::optional<base::Error>& error,
                                                      std::optional<Clock::time_point>& not_after,
                                                      std::string_view alpn) {
  const EngineConfig& cfg = *config_;
  const Timeouts& t = cfg.timeouts;
  watchdog_.disarm();  // connect_upstream bounds itself
  const net::DestinationGuard guard{cfg.destinations, ctx_.own_addresses};
  const auto connect_started = net::Clock::now();
  auto connected =
      co_await net::connect_upstream(dest.host, dest.port,
                                     {t.upstream_connect, t.happy_eyeballs_delay,
                                      cfg.upstream_socket_mark, &guard, cfg.upstream_port_claims});
  if (state_ == State::Closed) co_return nullptr;
  if (!connected) {
    error = connected.error();
    co_return nullptr;
  }
  ctx_.metrics.upstream_connect.observe(
      std::chrono::duration_cast<std::chrono::microseconds>(net::Clock::now() - connect_started));
  if (is_own_listener(connected->endpoint, ctx_.shared.own_endpoints)) {
    error = base::Error{ErrorCode::LoopDetected, base::ErrorSource::Client,
                        "The request points back at Warden itself"};
    co_return nullptr;
  }
  net::StreamPtr tcp = std::make_unique<net::TcpStream>(std::move(connected->socket));
  if (tls_name.empty()) co_return tcp;
  co_return co_await upstream_tls(std::move(tcp), tls_name, dest.port, error, not_after, alpn);
}

net::Awaitable<net::StreamPtr> ClientSession::open_upstream(Exchange& ex, const std::string& key,
                                                            bool& reused) {
  reused = false;
  if (pinned_ && pinned_->key == key) {
    reused = true;
    net::StreamPtr mine = std::move(pinned_->stream);
    pinned_.reset();
    co_return mine;
  }
  if (bumped_ && bumped_->upstream) co_return std::move(bumped_->upstream);  // verified just now
  if (auto pooled = ctx_.upstreams.take(key, config_->timeouts.upstream_idle)) {
    reused = true;
    co_return pooled;
  }
  const std::string plain;  // (references, not a conditional over temporaries: GCC 12)
  const std::string& tls_name = bumped_ ? bumped_->name : plain;
  http::Authority dest = bumped_ ? bumped_->authority : ex.target.authority;
  if (!bumped_ && !ex.changes.safe_host.empty()) {
    dest = {ex.changes.safe_host, dest.port, false};  // the provider's safe address, Host kept
  } else if (!bumped_ && meta_.original_destination) {
    // Captured HTTP: the Host's server, at the dialled address only if it is one of its own.
    auto picked = co_await pick_destination(ex, dest, false);
    if (!picked) co_return nullptr;  // the flow was aborted
    dest = std::move(*picked);
  }
  std::optional<base::Error> error;
  std::optional<Clock::time_point> not_after;
  net::StreamPtr stream = co_await connect(dest, tls_name, error, not_after);
  if (!stream && error) co_await respond_error(&ex, *error, true);
  co_return stream;
}

net::Awaitable<bool> ClientSession::answer_continue(Exchange& ex) {
  const std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";  // not constexpr: GCC 12
  if (!co_await write_all(*client_, kContinue, watchdog_, config_->timeouts.body_idle)) {
    ex.record.end = "client_abort";
    log_exchange(ex);
    co_return false;
  }
  ex.record.bytes_out += kContinue.size();
  co_return true;
}

net::Awaitable<bool> ClientSession::forward(Exchange& ex) {
  const EngineConfig& cfg = *config_;
  const Timeouts& t = cfg.timeouts;
  const std::string key = pool_key(ex);
  const std::string head = http::upstream_request_head(
      ex.head, ex.semantics, ex.target,
      {cfg.via, cfg.forwarded_for ? std::string_view(client_ip_) : std::string_view(),
       ex.changes.fields});
  const bool body = ex.semantics.body.has_body();
  const bool retryable = !body && idempotent(ex.head.method());
  const base::ScopeExit forget_upstream([this] { upstream_ = nullptr; });

  net::Buffer upstream_buf(ctx_.worker.buffers());
  net::StreamPtr upstream;
  const std::string no_pool;
  ResponseRead response;
  bool sent_continue = false;
  for (int attempt = 0;; ++attempt) {
    upstream_ = nullptr;
    upstream.reset();
    upstream_buf.consume(upstream_buf.size());
    bool reused = false;
    // A retry never takes from the pool: the pooled connection just failed us.
    const std::string& pool = attempt == 0 ? key : no_pool;
    upstream = co_await open_upstream(ex, pool, reused);
    if (!upstream) co_return false;
    upstream_ = upstream.get();

    // We answer Expect: 100-continue ourselves (the upstream never sees the expectation), once
    // we know the request will be forwarded.
    if (ex.semantics.expect_continue && body && !sent_continue && client_buf_.empty()) {
      if (!co_await answer_continue(ex)) co_return false;
      sent_continue = true;
    }

    const CopyResult sent =
        co_await copy_body(*client_, client_buf_, *upstream,
                           {ex.semantics.body, ex.semantics.body.kind, head, &cfg.chunked_limits},
                           watchdog_, t.body_idle);
    ex.record.bytes_in += sent.body_bytes;
    if (sent.status == Status::SinkFailed && reused && retryable) continue;
    switch (sent.status) {
      case Status::Done:
        break;
      case Status::SinkFailed:
        co_await respond_error(&ex, 502, ErrorCode::UpstreamReset,
                               "The upstream closed the connection while receiving the request.",
                               true);
        co_return false;
      case Status::Invalid:
        co_await respond_error(
            &ex, 400, ErrorCode::BadRequest,
            "The request body is malformed: " + std::string(sent.error.reason) + ".", true);
        co_return false;
      case Status::TimedOut:
        co_await respond_error(&ex, 408, ErrorCode::BodyTimeout,
                               "The request body did not arrive in time.", true);
        co_return false;
      case Status::SourceClosed:
        ex.record.end = "client_abort";
        ex.record.error = base::error_code_name(ErrorCode::ClientClosed);
        log_exchange(ex);
        co_return false;
    }

    // The response head; 1xx responses other than 100 are passed on to HTTP/1.1 clients.
    bool retry = false;
    const auto request_sent = net::Clock::now();
    for (;;) {
      response = co_await read_response_head(*upstream, upstream_buf, cfg.response_limits,
                                             watchdog_, t.upstream_response);
      if (response.status != ResponseRead::Status::Ok) break;
      if (response.head.status() >= 200 || response.head.status() == 101) break;
      if (response.head.status() != 100 && ex.head.version == http::Version::Http11) {
        std::string info =
            fmt::format("HTTP/1.1 {} {}\r\n", response.head.status(), response.head.reason());
        for (std::size_t i = 0; i < response.head.field_count(); ++i)
          info +=
              fmt::format("{}: {}\r\n", response.head.field(i).name, response.head.field(i).value);
        info += "\r\n";
        if (!co_await write_all(*client_, info, watchdog_, t.body_idle)) {
          ex.record.end = "client_abort";
          log_exchange(ex);
          co_return false;
        }
        ex.record.bytes_out += info.size();
      }
    }
    switch (response.status) {
      case ResponseRead::Status::Ok:
        ctx_.metrics.upstream_response.observe(
            std::chrono::duration_cast<std::chrono::microseconds>(net::Clock::now() -
                                                                  request_sent));
        break;
      case ResponseRead::Status::ClosedEarly: {
        if (reused && retryable) {
          retry = true;
          break;
        }
        const ErrorCode code =
            response.reset ? ErrorCode::UpstreamReset : ErrorCode::UpstreamClosed;
        std::string detail = "The upstream closed the connection without responding.";
        if (response.reset) detail = "The upstream reset the connection before responding.";
        co_await respond_error(&ex, 502, code, std::move(detail), true);
        co_return false;
      }
      case ResponseRead::Status::Failed:
        co_await respond_error(
            &ex, 502, ErrorCode::UpstreamClosed,
            "The upstream closed the connection in the middle of its response head.", true);
        co_return false;
      case ResponseRead::Status::TimedOut:
        co_await respond_error(&ex, 504, ErrorCode::UpstreamTimeout,
                               fmt::format("{} did not respond in time.", key), true);
        co_return false;
      case ResponseRead::Status::Invalid:
        co_await respond_error(
            &ex, 502, ErrorCode::UpstreamInvalid,
            fmt::format("The upstream's response is malformed: {}.", response.error.reason), true);
        co_return false;
    }
    if (!retry) break;
  }

  auto rsem = http::analyze_response(response.head, ex.head.method(), ex.semantics.websocket);
  if (!rsem) {
    co_await respond_error(
        &ex, 502, ErrorCode::UpstreamInvalid,
        fmt::format("The upstream's response is malformed: {}.", rsem.error().reason), true);
    co_return false;
  }
  if (rsem->switching) {
    co_await relay_upgraded(ex, response.head, *rsem, *upstream, upstream_buf);
    co_return false;
  }

  // Phrase scanning: a text response may be held and scored, and answered with the block page.
  std::unique_ptr<PageCheck> streaming;  // a long page's scan, on for alerts
  const std::optional<bool> answered =
      co_await check_page(ex, response.head, rsem->body, *upstream, upstream_buf, streaming);
  if (answered) co_return *answered;

  // Framing towards the client.
  const bool client11 = ex.head.version == http::Version::Http11;
  http::ClientFraming framing;
  framing.close = !ex.semantics.keep_alive || drain_ || ctx_.draining;
  switch (rsem->body.kind) {
    case http::BodyKind::None:
      framing.kind = http::BodyKind::None;
      break;
    case http::BodyKind::Length:
      framing.kind = http::BodyKind::Length;
      framing.length = rsem->body.length;
      break;
    case http::BodyKind::Chunked:
    case http::BodyKind::UntilClose:
      if (client11 && !framing.close) {
        framing.kind = http::BodyKind::Chunked;
      } else {
        framing.kind = http::BodyKind::UntilClose;
        framing.close = true;
      }
      break;
  }
  const std::string out_head = http::client_response_head(response.head, *rsem, framing, cfg.via);
  ex.response_started = true;
  ex.record.status = response.head.status();
  const CopyResult delivered =
      co_await copy_body(*upstream, upstream_buf, *client_,
                         {rsem->body, framing.kind, out_head, &cfg.chunked_limits, streaming.get()},
                         watchdog_, t.body_idle);
  ex.record.bytes_out += delivered.sink_bytes;
  if (streaming) report_page(ex, streaming->verdict_at_end());
  if (!delivered.ok()) {
    ex.record.end = end_of(delivered.status, true);
    if (delivered.status == Status::Invalid)
      ex.record.error = base::error_code_name(ErrorCode::UpstreamInvalid);
    else if (delivered.status == Status::SourceClosed)
      ex.record.error = base::error_code_name(ErrorCode::UpstreamClosed);
    log_exchange(ex);
    co_return false;
  }
  const bool reusable = rsem->keep_alive && upstream_buf.empty() && upstream->is_open() &&
                        !ex.semantics.websocket && !ctx_.draining;
  upstream_ = nullptr;
  const bool connection_auth = names_connection_auth(ex.head, "authorization") ||
                               names_connection_auth(response.head, "www-authenticate");
  if (reusable && connection_auth) {
    pinned_ = Pinned{key, std::move(upstream)};
  } else if (reusable) {
    ctx_.upstreams.give_back(key, std::move(upstream), cfg.upstream_pool_per_host,
                             cfg.upstream_pool_total);
  }
  log_exchange(ex);
  co_return !framing.close;
}

}  // namespace warden::flow
