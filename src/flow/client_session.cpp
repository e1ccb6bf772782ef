#include "flow/client_session.hpp"

#include "analysis/search_terms.hpp"
#include "flow/detail/exchange.hpp"
#include "flow/h2_bridge.hpp"
#include "http/chars.hpp"
#include "http/error_response.hpp"
#include "http/head_parser.hpp"
#include "net/socket_options.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>
#include <spdlog/spdlog.h>

#include <array>

namespace warden::flow {

namespace asio = net::asio;
using base::ErrorCode;

http::Checked<http::AbsoluteTarget> ClientSession::bumped_target(const http::RequestHead& h) const {
  // Inside an intercepted tunnel the request is for the server the TLS name named: origin-form
  // (or absolute-form for that same server), and Host must agree (RFC 9110 §7.4: 421).
  http::AbsoluteTarget t;
  t.scheme = "https";
  t.authority.host = bumped_->name;
  t.authority.port = bumped_->authority.port;
  const std::string_view target = h.target();
  if (target.starts_with('/')) {
    t.path = target;
  } else if (target == "*" && h.method() == "OPTIONS") {
    t.path = "*";
  } else {
    auto absolute = http::parse_absolute_target(target);
    if (!absolute) return absolute.error();
    std::string why;
    if (!normalize_authority(absolute->authority, why))
      return http::ParseError{400, "the URL's host is not a valid host name"};
    if (absolute->authority.host != t.authority.host ||
        absolute->authority.port != t.authority.port)
      return http::ParseError{421, "the URL names another server than this TLS connection"};
    t.path = absolute->path;
  }
  if (auto host = h.find("host")) {
    auto a = http::parse_authority(*host, false);
    std::string why;
    if (!a || !normalize_authority(*a, why) || a->host != t.authority.host ||
        (a->port != 0 && a->port != t.authority.port))
      return http::ParseError{421, "Host names another server than this TLS connection"};
  }
  return t;
}

void ClientSession::start(WorkerContext& ctx, net::Socket client, capture::FlowMeta meta) {
  const std::size_t open = ctx.shared.connections.fetch_add(1) + 1;
  if (open > ctx.config->max_connections || ctx.draining) {
    ctx.shared.connections.fetch_sub(1);
    ctx.shared.rejected_busy.fetch_add(1);
    // Best effort, non-blocking: a short 503 so the client is not left waiting.
    static const std::string busy = http::render_error_response(
        {503, base::error_code_name(ErrorCode::TooManyConnections),
         "Warden is handling as many connections as it is configured for; try again shortly.", "-",
         true});
    net::error_code ec;
    client.non_blocking(true, ec);
    client.write_some(asio::buffer(busy), ec);
    return;
  }
  std::shared_ptr<ClientSession> self(new ClientSession(ctx, std::move(client), std::move(meta)));
  asio::co_spawn(
      ctx.worker.executor(),
      [self]() { return self->watchdog_.run([raw = self.get()] { raw->on_deadline(); }); },
      asio::detached);
  asio::co_spawn(
      ctx.worker.executor(), [self]() { return self->run(); },
      asio::bind_cancellation_slot(self->cancel_.slot(), [self](const std::exception_ptr& e) {
        if (e) {
          try {
            std::rethrow_exception(e);
          } catch (const std::exception& ex) {
            spdlog::error("BUG: flow from {} ended by an exception: {}", self->client_ip_,
                          ex.what());
          }
        }
        self->watchdog_.stop();
      }));
}

std::string ClientSession::destination_text(const net::tcp::endpoint& e) {
  return http::Authority{e.address().to_string(), e.port(), e.address().is_v6()}.to_string();
}

ClientSession::ClientSession(WorkerContext& ctx, net::Socket client, capture::FlowMeta meta)
    : ctx_(ctx),
      config_(ctx.config),
      meta_(std::move(meta)),
      client_ip_(meta_.client.address().to_string()),
      client_address_(policy::parse_ip(client_ip_)),
      orig_dst_text_(meta_.original_destination ? destination_text(*meta_.original_destination)
                                                : std::string()),
      client_buf_(ctx.worker.buffers()),
      watchdog_(ctx.worker.executor()) {
  (void)net::prepare_client_socket(client);
  client_ = std::make_unique<net::TcpStream>(std::move(client));
  ctx_.sessions.insert(this);
  ctx_.metrics.connection_opened(capture::capture_mode_name(meta_.mode));
}

ClientSession::~ClientSession() {
  ctx_.sessions.erase(this);
  ctx_.shared.connections.fetch_sub(1);
  ctx_.metrics.connection_closed(capture::capture_mode_name(meta_.mode));
}

void ClientSession::drain() {
  drain_ = true;
  if (state_ == State::Idle) abort();
}

void ClientSession::abort() {
  if (state_ == State::Closed) return;
  state_ = State::Closed;
  // Closing (not just cancelling) makes every later operation on these streams fail at once,
  // so nothing the flow still does can wait.
  client_->close();
  if (upstream_ != nullptr) upstream_->close();
  cancel_.emit(asio::cancellation_type::terminal);  // e.g. an upstream connect in progress
}

void ClientSession::on_deadline() {
  client_->cancel();
  if (upstream_ != nullptr) upstream_->cancel();
}

net::Awaitable<void> ClientSession::run() {
  // abort() cancels the current wait; what follows checks state_ instead of catching.
  co_await asio::this_coro::throw_if_cancelled(false);
  http::RequestHead head;
  config_ = ctx_.config;
  const bool go_on = (!meta_.proxy_header || co_await read_proxy_header()) &&
                     (meta_.mode == capture::CaptureMode::Explicit || co_await start_transparent());
  for (bool first = true; go_on && state_ != State::Closed; first = false) {
    config_ = ctx_.config;  // each exchange sees the newest config; it keeps it to the end
    if (bumped_ && bumped_->h2) {
      co_await serve_h2();
      break;
    }
    if (!co_await await_request(first)) break;
    if (co_await read_request_head(head) != HeadOutcome::Ok) break;
    state_ = State::Busy;
    ++requests_;
    const bool keep_open = co_await handle_request(head);
    if (!keep_open || drain_ || state_ == State::Closed) break;
    state_ = State::Idle;
  }
  if (state_ != State::Closed && client_->is_open()) co_await client_->shutdown_send();
  state_ = State::Closed;
  client_->close();
  watchdog_.stop();
}

net::Awaitable<void> ClientSession::serve_h2() {
  state_ = State::Busy;
  H2Bridge bridge(*this, bumped_->h2_upstream);
  co_await bridge.run();
  if (bridge.goaway_code() != 0 && state_ != State::Closed) co_await linger();
}

net::Awaitable<void> ClientSession::linger() {
  // A client flooding frames is still sending when we end the connection with our GOAWAY:
  // closing with its bytes unread makes the kernel reset the connection, and the client may
  // then lose the GOAWAY before reading it. So, as nginx's lingering close: shut our side,
  // then drop what comes for at most a second (and 8 MiB).
  constexpr auto kLinger = std::chrono::seconds(1);
  constexpr std::size_t kMaxDropped = 8 << 20;
  co_await client_->shutdown_send();
  watchdog_.expire_after(kLinger);
  std::array<char, 4096> sink;
  for (std::size_t dropped = 0; dropped < kMaxDropped && state_ != State::Closed;) {
    auto [ec, n] = co_await client_->read_some(sink);
    if (ec) break;
    dropped += n;
  }
  watchdog_.disarm();
}

net::Awaitable<bool> ClientSession::await_request(bool first) {
  if (!client_buf_.empty()) co_return true;
  const Timeouts& t = config_->timeouts;
  state_ = State::Idle;
  client_buf_.release_if_empty();
  watchdog_.expire_after(first ? t.header : t.client_idle);
  const net::error_code ec = co_await client_->wait_readable();
  if (ec || state_ == State::Closed) co_return false;
  if (!first) watchdog_.expire_after(t.header);  // the head's clock starts with its first byte
  co_return true;
}

net::Awaitable<void> ClientSession::refuse_head(unsigned status, ErrorCode code,
                                                std::string detail) {
  Exchange ex;
  ex.record.method = "-";
  co_await respond_error(&ex, status, code, std::move(detail), true);
}

net::Awaitable<bool> ClientSession::read_search_body(Exchange& ex, std::string_view& body) {
  const http::BodyFraming& framing = ex.semantics.body;
  if (ex.head.method() != "POST" || framing.kind == http::BodyKind::None ||
      !analysis::body_may_search(ex.target.authority.host, ex.target.path))
    co_return true;
  // Judged by its URL alone, a search in a body Warden cannot read whole would pass unseen.
  const std::string_view encoding = ex.head.find("content-encoding").value_or("identity");
  if (framing.kind != http::BodyKind::Length || framing.length > analysis::kMaxSearchBody ||
      !http::chars::iequals(encoding, "identity")) {
    co_await respond_error(&ex, 413, ErrorCode::BodyTooLarge,
                           "A search sent in a body is read before it is forwarded: this one is "
                           "chunked, compressed or over 64 KiB.",
                           true);
    co_return false;
  }
  const auto length = static_cast<std::size_t>(framing.length);
  if (length == 0) co_return true;
  // Asked for first: the body is what is judged (forward() sees it buffered, and adds no 100).
  if (ex.semantics.expect_continue && client_buf_.size() < length) {
    if (!co_await answer_continue(ex)) co_return false;
  }
  const unsigned expiries = watchdog_.expiries();
  watchdog_.expire_after(config_->timeouts.body_idle);
  while (client_buf_.size() < length) {
    std::span<char> space = client_buf_.prepare(length - client_buf_.size(),
                                                length + config_->request_limits.section_max);
    auto [ec, n] = co_await client_->read_some(space);
    if (ec || watchdog_.expiries() != expiries || state_ == State::Closed) {
      if (watchdog_.expiries() != expiries && state_ != State::Closed) {
        co_await respond_error(&ex, 408, ErrorCode::BodyTimeout,
                               "The request body did not arrive in time.", true);
      } else {
        ex.record.end = "client_abort";
        log_exchange(ex);
      }
      co_return false;
    }
    client_buf_.commit(n);
  }
  body = client_buf_.data().substr(0, length);
  co_return true;
}

net::Awaitable<ClientSession::HeadOutcome> ClientSession::read_request_head(
    http::RequestHead& out) {
  const unsigned expiries = watchdog_.expiries();
  state_ = State::ReadingHead;
  const http::HeadLimits& limits = config_->request_limits;
  http::RequestHeadParser parser(limits);
  const std::size_t max_buffer = limits.section_max + limits.start_line_max + 64;
  for (;;) {
    if (!client_buf_.empty()) {
      const http::ParseResult r = parser.parse(client_buf_.data());
      if (r.status == http::ParseStatus::Done) {
        out = parser.take();
        client_buf_.consume(r.consumed);
        co_return HeadOutcome::Ok;
      }
      if (r.status == http::ParseStatus::Invalid) {
        const ErrorCode code = r.error.status == 414   ? ErrorCode::RequestLineTooLong
                               : r.error.status == 431 ? ErrorCode::HeadersTooLarge
                                                       : ErrorCode::BadRequest;
        co_await refuse_head(r.error.status, code,
                             "The request could not be read: " + std::string(r.error.reason) + ".");
        co_return HeadOutcome::Closed;
      }
    }
    std::span<char> space = client_buf_.prepare(1, max_buffer);
    auto [ec, n] = co_await client_->read_some(space);
    if (watchdog_.expiries() != expiries && state_ != State::Closed) {
      co_await refuse_head(408, ErrorCode::HeaderTimeout,
                           "The request head did not arrive in time.");
      co_return HeadOutcome::Closed;
    }
    if (ec) co_return HeadOutcome::Closed;  // EOF or reset: nothing to answer
    client_buf_.commit(n);
  }
}

net::Awaitable<bool> ClientSession::handle_request(http::RequestHead& head) {
  Exchange ex;
  ex.record.ts = std::chrono::system_clock::now();
  ex.record.id = ctx_.ids.next();
  ex.record.method = head.method();
  ex.head = std::move(head);
  const http::RequestHead& h = ex.head;

  auto semantics = http::analyze_request(h);
  if (!semantics) {
    co_await respond_error(
        &ex, semantics.error().status, ErrorCode::BadRequest,
        "The request is malformed: " + std::string(semantics.error().reason) + ".", true);
    co_return false;
  }
  ex.semantics = std::move(*semantics);

  if (meta_.original_destination && !bumped_ &&
      (h.method() == "CONNECT" || (!h.target().starts_with('/') && h.target() != "*")))
    co_return co_await refuse_outside_proxy(ex);
  if (h.method() == "CONNECT") {
    if (bumped_) {
      co_await respond_error(&ex, 400, ErrorCode::BadRequest,
                             "CONNECT inside an intercepted tunnel is not supported.", true);
      co_return false;
    }
    co_return co_await connect_tunnel(ex);
  }

  http::Checked<http::AbsoluteTarget> target = http::ParseError{};
  if (bumped_) {
    target = bumped_target(h);
  } else if (meta_.original_destination) {
    target = transparent_target(h);
  } else {
    target = http::parse_absolute_target(h.target());
  }
  if (!target) {
    if (!bumped_ && !meta_.original_destination && h.target().starts_with('/')) {
      co_await respond_error(&ex, 400, ErrorCode::NotAProxyRequest,
                             "Warden is a proxy: set it as your browser's HTTP proxy, or send "
                             "requests in absolute form (GET http://host/path).",
                             true);
    } else {
      co_await respond_error(
          &ex, target.error().status,
          target.error().status == 421 ? ErrorCode::HostMismatch : ErrorCode::BadRequest,
          "The request target is invalid: " + std::string(target.error().reason) + ".", true);
    }
    co_return false;
  }
  ex.target = std::move(*target);
  if (!bumped_) {  // (a bumped target's host is the normalised TLS name already)
    std::string why;
    if (!normalize_authority(ex.target.authority, why)) {
      co_await respond_error(&ex, 400, ErrorCode::BadRequest,
                             "The request's host is not a valid host name: " + why + ".", true);
      co_return false;
    }
  }
  ex.record.scheme = ex.target.scheme;
  ex.record.host = ex.target.authority.host;
  ex.record.port = ex.target.authority.port;
  ex.record.path = ex.target.path;
  if (asks_for_ca_page(ex)) co_return co_await respond_ca_page(ex);  // (no sign-in needed)
  if (meta_.sign_in && !bumped_) {
    bool keep_open = false;
    if (!co_await signed_in(ex, keep_open)) co_return keep_open;
  }
  std::string_view body;
  if (!co_await read_search_body(ex, body)) co_return false;
  // Judged on the full URL (and a search posted in the body) before any DNS lookup or connection.
  const policy::Decision decision = judge_request(ex, body);
  if (decision.action == policy::Action::Block || decision.action == policy::Action::Reject)
    co_return co_await respond_blocked(ex, decision, true);
  if (bumped_ && bumped_->refused) {  // the upstream failed verification: only our page
    co_await respond_error(&ex, *bumped_->refused, true);
    co_return false;
  }
  if (ex.target.scheme != (bumped_ ? "https" : "http")) {
    co_await respond_error(&ex, 400, ErrorCode::UnsupportedScheme,
                           "Warden forwards http:// URLs; https:// goes through CONNECT.", true);
    co_return false;
  }
  const bool keep_open = co_await forward(ex);
  co_return keep_open;
}

}  // namespace warden::flow
