#include "flow/h2_bridge.hpp"

#include "flow/detail/exchange.hpp"
#include "http/error_response.hpp"
#include "http/h2_translate.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace warden::flow {

namespace asio = net::asio;
using base::ErrorCode;
using std::chrono_literals::operator""s;
namespace h2error = http::h2::error;
constexpr int kReadBatch = 16;

struct H2Bridge::Stream {
  std::int32_t id = 0;        // the client's stream
  std::int32_t upstream = 0;  // the origin's stream; 0 when Warden answered itself
  Exchange ex;
  std::size_t request_owed = 0;   // request body taken from the client, window not yet reopened
  std::size_t response_owed = 0;  // response body taken from the origin, likewise
  net::Clock::time_point active = net::Clock::now();
  bool finished = false;  // logged; kept until its windows are settled
};

struct H2Bridge::Leg {
  Leg(net::Stream& s, http::h2::Session& h2, bool client)
      : stream(s), session(h2), is_client(client), wake(s.socket().get_executor()) {}
  net::Stream& stream;
  http::h2::Session& session;
  bool is_client;
  asio::steady_timer wake;
  net::Clock::time_point writing_since{};  // a write in progress since then
  bool reading = true;
};

H2Bridge::H2Bridge(ClientSession& session, net::StreamPtr upstream)
    : session_(session),
      upstream_(std::move(upstream)),
      ticker_(session.ctx_.worker.executor()),
      last_active_(net::Clock::now()) {
  client_leg_ = std::make_unique<Leg>(*session_.client_, down_, true);
  upstream_leg_ = std::make_unique<Leg>(*upstream_, up_, false);
}

H2Bridge::~H2Bridge() = default;

net::Awaitable<void> H2Bridge::run() {
  using namespace asio::experimental::awaitable_operators;
  session_.watchdog_.disarm();  // the ticker bounds every wait from here on
  session_.upstream_ = upstream_.get();
  co_await (read(*client_leg_) && read(*upstream_leg_) && write(*client_leg_) &&
            write(*upstream_leg_) && tick());
  session_.upstream_ = nullptr;
  upstream_->close();
}

net::Awaitable<void> H2Bridge::read(Leg& leg) {
  net::Buffer buf(session_.ctx_.worker.buffers());
  while (!done_ && leg.reading) {
    // Idle: hold no buffer while waiting.
    net::error_code ec = co_await leg.stream.wait_readable();
    if (done_) break;
    // A bounded batch per wakeup: a flooding peer cannot starve the worker's other flows.
    for (int batch = 0; !ec && batch < kReadBatch; ++batch) {
      const std::span<char> space = buf.prepare();
      const std::size_t n = leg.stream.read_now(space, ec);
      if (ec) break;
      const std::string_view bytes(space.data(), n);
      last_active_ = net::Clock::now();
      if (leg.is_client) {
        leg.reading = down_.receive(bytes);
        on_client_events();
      } else {
        leg.reading = up_.receive(bytes);
        on_upstream_events();
      }
      if (!leg.reading || done_) break;
    }
    buf.release_if_empty();
    if (done_) break;
    if (ec && ec != asio::error::would_block) leg.reading = false;
    if (!leg.reading && !leg.is_client) {
      upstream_gone_ = true;
      on_upstream_events();  // (answers the streams it leaves behind)
    }
    if (!leg.reading && leg.is_client && ec && ec != asio::error::would_block) {
      stop();  // the client went away: nothing more can be delivered
      break;
    }
    credit();
    wake(*client_leg_);
    wake(*upstream_leg_);
  }
}

net::Awaitable<void> H2Bridge::write(Leg& leg) {
  while (!done_) {
    const std::string_view out = leg.session.output();
    if (out.empty()) {
      if (leg.is_client && client_done()) {
        stop();
        break;
      }
      leg.wake.expires_at(asio::steady_timer::time_point::max());
      net::error_code ignored;
      co_await leg.wake.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
      continue;
    }
    leg.writing_since = net::Clock::now();
    auto [ec, n] = co_await leg.stream.write_all(out);
    leg.writing_since = {};
    if (done_) break;
    if (ec) {
      if (leg.is_client) {
        stop();
        break;
      }
      upstream_gone_ = true;
      on_upstream_events();
      wake(*client_leg_);
      break;
    }
    leg.session.output_sent(n);
    credit();
    wake(leg.is_client ? *upstream_leg_ : *client_leg_);
  }
}

net::Awaitable<void> H2Bridge::tick() {
  const Timeouts& t = session_.config_->timeouts;
  bool shut_down = false;
  while (!done_) {
    ticker_.expires_after(1s);
    net::error_code ignored;
    co_await ticker_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    if (done_) break;
    const net::Clock::time_point now = net::Clock::now();
    for (auto& [id, s] : streams_) {
      if (s->finished) continue;
      if (!s->ex.response_started && s->upstream != 0 && now - s->active > t.upstream_response) {
        up_.reset(s->upstream, h2error::kCancel);
        respond_error(*s, 504, ErrorCode::UpstreamTimeout,
                      s->ex.record.host + " did not respond in time.");
      } else if (s->ex.response_started && now - s->active > t.body_idle) {
        up_.reset(s->upstream, h2error::kCancel);
        down_.reset(s->id, h2error::kCancel);
        finish(*s, "timeout");
      }
    }
    const bool idle = streams_.empty() && now - last_active_ > t.client_idle;
    if (!shut_down && (idle || session_.drain_ || session_.ctx_.draining)) {
      down_.shutdown();  // graceful: open streams finish, the client opens no new one here
      shut_down = true;
    }
    // A peer that stopped reading cannot hold the connection open.
    for (const Leg* leg : {client_leg_.get(), upstream_leg_.get()}) {
      if (leg->writing_since != net::Clock::time_point{} &&
          now - leg->writing_since > t.body_idle) {
        for (auto& [id, s] : streams_) s->ex.record.end = "timeout";
        stop();
        break;
      }
    }
    credit();
    wake(*client_leg_);
    wake(*upstream_leg_);
  }
}

void H2Bridge::on_client_events() {
  for (http::h2::Event& e : down_.take_events()) {
    const auto it = streams_.find(e.stream);
    Stream* s = it == streams_.end() ? nullptr : it->second.get();
    switch (e.kind) {
      case http::h2::Event::Kind::Request:
        on_request(e.request);
        break;
      case http::h2::Event::Kind::Data:
        if (s != nullptr && s->upstream != 0 && !s->finished) {
          s->active = net::Clock::now();
          s->ex.record.bytes_in += e.data.size();
          s->request_owed += e.data.size();
          up_.send_data(s->upstream, e.data, false);
        } else {
          down_.consumed(e.stream, e.data.size());  // not forwarded: the window reopens now
        }
        break;
      case http::h2::Event::Kind::EndStream:
        if (s != nullptr && s->upstream != 0) up_.send_data(s->upstream, {}, true);
        break;
      case http::h2::Event::Kind::Reset:
        if (s != nullptr && !s->finished) {
          if (s->upstream != 0) up_.reset(s->upstream, h2error::kCancel);
          finish(*s, "client_abort");
        }
        break;
    }
  }
}

void H2Bridge::on_upstream_events() {
  using Kind = http::h2::ClientEvent::Kind;
  for (http::h2::ClientEvent& e : up_.take_events()) {
    if (e.kind == Kind::GoAway) {
      // The origin takes no new streams: neither does this connection (the client opens a new
      // one, and with it a new upstream connection).
      down_.shutdown();
      continue;
    }
    const auto mapped = client_stream_of_.find(e.stream);
    if (mapped == client_stream_of_.end()) continue;
    const auto it = streams_.find(mapped->second);
    if (it == streams_.end() || it->second->finished) continue;
    Stream& s = *it->second;
    s.active = net::Clock::now();
    switch (e.kind) {
      case Kind::Informational:
        down_.inform(s.id, e.response.status, e.response.fields);
        break;
      case Kind::Response:
        s.ex.response_started = true;
        s.ex.record.status = e.response.status;
        down_.respond(s.id, e.response.status, e.response.fields, e.response.end_stream);
        break;
      case Kind::Data:
        s.ex.record.bytes_out += e.data.size();
        s.response_owed += e.data.size();
        down_.send_data(s.id, e.data, false);
        break;
      case Kind::Trailers:
        down_.send_trailers(s.id, e.response.fields);
        break;
      case Kind::EndStream:
        down_.send_data(s.id, {}, true);  // (no-op when the head or trailers ended it)
        finish(s, "ok");
        break;
      case Kind::Reset:
        if (!s.ex.response_started && e.error_code != h2error::kRefusedStream) {
          respond_error(s, 502, ErrorCode::UpstreamReset,
                        "The upstream reset the request before responding.");
        } else {
          // REFUSED_STREAM passes through: the browser retries the request by itself.
          down_.reset(s.id, e.error_code == h2error::kRefusedStream ? h2error::kRefusedStream
                                                                    : h2error::kInternal);
          s.ex.record.error = base::error_code_name(ErrorCode::UpstreamReset);
          finish(s, "upstream_abort");
        }
        break;
      case Kind::GoAway:
        break;
    }
  }
  if (!upstream_gone_) return;
  // The origin's connection ended: its streams end too, and so does this connection.
  for (auto& [id, s] : streams_) {
    if (s->finished || s->upstream == 0) continue;
    if (!s->ex.response_started) {
      respond_error(*s, 502, ErrorCode::UpstreamClosed,
                    "The upstream closed the connection without responding.");
    } else {
      down_.reset(s->id, h2error::kInternal);
      s->ex.record.error = base::error_code_name(ErrorCode::UpstreamClosed);
      finish(*s, "upstream_abort");
    }
  }
  down_.shutdown();
}

void H2Bridge::on_request(http::h2::Request& r) {
  auto [it, fresh] = streams_.try_emplace(r.stream, std::make_unique<Stream>());
  if (!fresh) return;  // (nghttp2 never repeats a request on one stream)
  Stream& s = *it->second;
  s.id = r.stream;
  Exchange& ex = s.ex;
  const ClientSession::Bumped& bumped = *session_.bumped_;
  ex.record.ts = std::chrono::system_clock::now();
  ex.record.id = session_.ctx_.ids.next();
  ex.record.method = r.method;
  ex.record.proto = "h2";
  ex.record.conn = bumped.id;
  ex.record.scheme = "https";
  ex.record.host = bumped.name;
  ex.record.port = bumped.authority.port;
  ex.record.path = r.path;
  ++session_.requests_;

  // The same checks as an HTTP/1.1 request: the hardened parser reads the translated head.
  auto head = http::h2::http1_request_head(r, session_.config_->request_limits);
  if (!head) {
    respond_error(s, head.error().status, ErrorCode::BadRequest,
                  "The request is malformed: " + std::string(head.error().reason) + ".");
    return;
  }
  ex.head = std::move(*head);
  auto semantics = http::analyze_request(ex.head);
  if (!semantics) {
    respond_error(s, semantics.error().status, ErrorCode::BadRequest,
                  "The request is malformed: " + std::string(semantics.error().reason) + ".");
    return;
  }
  ex.semantics = std::move(*semantics);
  if (r.method == "CONNECT") {
    respond_error(s, 400, ErrorCode::BadRequest,
                  "CONNECT inside an intercepted tunnel is not supported.");
    return;
  }
  auto target = session_.bumped_target(ex.head);  // :authority must name this TLS server
  if (!target) {
    respond_error(s, target.error().status,
                  target.error().status == 421 ? ErrorCode::HostMismatch : ErrorCode::BadRequest,
                  "The request target is invalid: " + std::string(target.error().reason) + ".");
    return;
  }
  ex.target = std::move(*target);
  ex.record.path = ex.target.path;

  // Every stream is judged on its own URL, before anything is sent upstream.
  const policy::Decision decision = session_.judge_request(ex);
  if (decision.action == policy::Action::Block || decision.action == policy::Action::Reject) {
    respond_local(s, session_.blocked_response(ex, decision, true, false));
    finish(s, ex.record.end);
    return;
  }
  if (upstream_gone_) {
    respond_error(s, 502, ErrorCode::UpstreamClosed, "The upstream closed the connection.");
    return;
  }
  http::h2::OutgoingRequest out;
  out.method = r.method;
  out.authority = ex.target.authority.to_string(443);
  out.path = ex.target.path;
  const std::string_view forwarded_for =
      session_.config_->forwarded_for ? std::string_view(session_.client_ip_) : std::string_view();
  out.fields = http::h2::upstream_fields(r, forwarded_for);
  const std::int32_t id = up_.request(out, r.end_stream);
  if (id < 0) {
    // The origin takes no more streams now: refused, so the browser retries it.
    down_.reset(s.id, h2error::kRefusedStream);
    ex.record.error = base::error_code_name(ErrorCode::UpstreamReset);
    finish(s, "error");
    return;
  }
  s.upstream = id;
  client_stream_of_[id] = s.id;
}

void H2Bridge::respond_local(Stream& s, const std::string& http1) {
  auto response = http::h2::local_response(http1);
  if (!response) {  // (our own renderers always produce a complete response)
    down_.reset(s.id, h2error::kInternal);
    return;
  }
  const bool head_only = response->body.empty();
  down_.respond(s.id, response->status, response->fields, head_only);
  if (!head_only) down_.send_data(s.id, response->body, true);
  s.ex.response_started = true;
  s.ex.record.status = response->status;
  s.ex.record.bytes_out += response->body.size();
}

void H2Bridge::respond_error(Stream& s, unsigned status, ErrorCode code, std::string detail) {
  if (s.ex.response_started) {
    down_.reset(s.id, h2error::kInternal);
  } else {
    respond_local(s, http::render_error_response({status, base::error_code_name(code),
                                                  std::move(detail), s.ex.record.id, false}));
  }
  s.ex.record.error = base::error_code_name(code);
  finish(s, "error");
}

void H2Bridge::finish(Stream& s, std::string_view end) {
  if (s.finished) return;
  s.finished = true;
  s.ex.record.end = end;
  session_.log_exchange(s.ex);
}

void H2Bridge::credit() {
  for (auto it = streams_.begin(); it != streams_.end();) {
    Stream& s = *it->second;
    if (s.request_owed > 0) {
      const std::size_t queued = s.upstream != 0 ? up_.queued_body_bytes(s.upstream) : 0;
      if (queued < s.request_owed) down_.consumed(s.id, s.request_owed - queued);
      s.request_owed = std::min(queued, s.request_owed);
    }
    if (s.response_owed > 0) {
      const std::size_t queued = down_.queued_body_bytes(s.id);
      if (queued < s.response_owed) up_.consumed(s.upstream, s.response_owed - queued);
      s.response_owed = std::min(queued, s.response_owed);
    }
    if (s.finished && s.request_owed == 0 && s.response_owed == 0) {
      if (s.upstream != 0) client_stream_of_.erase(s.upstream);
      it = streams_.erase(it);
    } else {
      ++it;
    }
  }
}

void H2Bridge::wake(Leg& leg) { leg.wake.cancel(); }

bool H2Bridge::client_done() { return down_.finished(); }

void H2Bridge::stop() {
  if (done_) return;
  done_ = true;
  for (auto& [id, s] : streams_) {
    if (s->ex.record.end == "ok") s->ex.record.end = "client_abort";
    finish(*s, s->ex.record.end);
  }
  session_.client_->cancel();
  upstream_->cancel();
  client_leg_->wake.cancel();
  upstream_leg_->wake.cancel();
  ticker_.cancel();
}

}  // namespace warden::flow
