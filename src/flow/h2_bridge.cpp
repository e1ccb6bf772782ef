#include "flow/h2_bridge.hpp"

#include "analysis/search_terms.hpp"
#include "flow/detail/exchange.hpp"
#include "flow/detail/until_woken.hpp"
#include "flow/page_check.hpp"
#include "http/alt_svc.hpp"
#include "http/chars.hpp"
#include "http/error_response.hpp"
#include "http/h2_translate.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <utility>

namespace warden::flow {

namespace asio = net::asio;
using base::ErrorCode;
using std::chrono_literals::operator""s;
namespace h2error = http::h2::error;
constexpr int kReadBatch = 16;

namespace {

// HTTP/3 offers would steer the browser to QUIC, which Warden cannot read (http/alt_svc.hpp).
// (An origin's ALTSVC frames are never passed on: the client's connection is Warden's own.)
void without_quic_offers(http::h2::Fields& fields) {
  for (auto it = fields.begin(); it != fields.end();) {
    if (it->first != "alt-svc") {
      ++it;
      continue;
    }
    it->second = http::alt_svc_without_quic(it->second);
    it = it->second.empty() ? fields.erase(it) : it + 1;
  }
}

}  // namespace

struct H2Bridge::Stream {
  std::int32_t id = 0;        // the client's stream
  std::int32_t upstream = 0;  // the origin's stream; 0 when Warden answered itself
  Exchange ex;
  std::size_t request_owed = 0;   // request body taken from the client, window not yet reopened
  std::size_t response_owed = 0;  // response body taken from the origin, likewise
  net::Clock::time_point active = net::Clock::now();
  bool finished = false;    // logged; kept until its windows are settled
  bool client_open = true;  // the client may still send on it (no END_STREAM, no reset)
  // A POST that may carry a search (YouTube's app, DuckDuckGo's forms): held, its body gathered
  // (the client's window reopened as it comes), and judged with the body once it is complete.
  std::optional<http::h2::Request> held;
  std::string held_body;
  // Phrase scanning (page_check): a text response held, head and body, while its check reads
  // it; sent on (or replaced by the block page) when the body ends or reaches max_scan_bytes.
  std::unique_ptr<PageCheck> check;
  http::h2::Response held_response;
  std::string held_response_body;
  // A long page sent on before its end: the rest scanned as it streams, for alerts.
  std::unique_ptr<PageCheck> streaming;
};

H2Bridge::H2Bridge(ClientSession& session, std::shared_ptr<H2Upstream> upstream)
    : session_(session),
      upstream_(std::move(upstream)),
      wake_(session.ctx_.worker.executor()),
      ticker_(session.ctx_.worker.executor()),
      last_active_(net::Clock::now()) {}

H2Bridge::~H2Bridge() {
  // Also on an unusual exit (an exception): the upstream must not call a destroyed sink, and
  // what this bridge owes the shared connection's window is given back.
  stop();
  upstream_->detach(*this);
}

net::Awaitable<void> H2Bridge::run() {
  using namespace asio::experimental::awaitable_operators;
  session_.watchdog_.disarm();  // the ticker bounds every wait from here on
  co_await (read() && write() && tick());
}

net::Awaitable<void> H2Bridge::read() {
  co_await asio::this_coro::throw_if_cancelled(false);  // abort() ends us via stop()
  net::Stream& client = *session_.client_;
  net::Buffer buf(session_.ctx_.worker.buffers());
  bool reading = true;
  while (!done_ && reading) {
    // Idle: hold no buffer while waiting.
    net::error_code ec = co_await client.wait_readable();
    if (done_) break;
    // A bounded batch per wakeup: a flooding peer cannot starve the worker's other flows.
    for (int batch = 0; !ec && reading && batch < kReadBatch; ++batch) {
      const std::span<char> space = buf.prepare();
      const std::size_t n = client.read_now(space, ec);
      if (ec) break;
      last_active_ = net::Clock::now();
      reading = down_.receive({space.data(), n});
      on_client_events();
      if (done_) break;
    }
    buf.release_if_empty();
    if (done_) break;
    if (ec && ec != asio::error::would_block) {
      stop();  // the client went away: nothing more can be delivered
      break;
    }
    credit();
    wake();
  }
}

net::Awaitable<void> H2Bridge::write() {
  co_await asio::this_coro::throw_if_cancelled(false);  // abort() ends us via stop()
  net::Stream& client = *session_.client_;
  while (!done_) {
    const std::string_view out = down_.output();
    if (out.empty()) {
      if (down_.finished()) {
        stop();
        break;
      }
      co_await detail::until_woken(wake_);
      continue;
    }
    writing_since_ = net::Clock::now();
    auto [ec, n] = co_await client.write_all(out);
    writing_since_ = {};
    if (done_) break;
    if (ec) {
      stop();
      break;
    }
    down_.output_sent(n);
    credit();
  }
}

net::Awaitable<void> H2Bridge::tick() {
  co_await asio::this_coro::throw_if_cancelled(false);  // abort() ends us via stop()
  const Timeouts& t = session_.config_->timeouts;
  bool shut_down = false;
  while (!done_) {
    ticker_.expires_after(1s);
    net::error_code ignored;
    co_await ticker_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    if (done_) break;
    const net::Clock::time_point now = net::Clock::now();
    for (auto& [id, s] : streams_) {
      if (s->finished) {
        // A client that stops taking a finished response must not pin the shared upstream
        // window: what it still owes is given back once its stream is reset.
        if (s->response_owed > 0 && now - s->active > t.body_idle)
          reset_client(*s, h2error::kCancel);
        continue;
      }
      if (s->held && now - s->active > t.body_idle) {  // a held POST whose body stopped coming
        drop_held(*s);
        respond_error(*s, 408, ErrorCode::BodyTimeout, "The request body did not arrive in time.");
      } else if (!s->ex.response_started && s->upstream != 0 &&
                 now - s->active > t.upstream_response) {
        upstream_->reset(s->upstream, h2error::kCancel);
        respond_error(*s, 504, ErrorCode::UpstreamTimeout,
                      s->ex.record.host + " did not respond in time.");
      } else if (s->ex.response_started && now - s->active > t.body_idle) {
        upstream_->reset(s->upstream, h2error::kCancel);
        reset_client(*s, h2error::kCancel);
        finish(*s, "timeout");
      }
    }
    const bool idle = streams_.empty() && now - last_active_ > t.client_idle;
    if (!shut_down && (idle || session_.drain_ || session_.ctx_.draining)) {
      down_.shutdown();  // graceful: open streams finish, the client opens no new one here
      shut_down = true;
      last_active_ = now;
    } else if (shut_down && now - last_active_ > t.client_idle) {
      stop();  // the client left streams open after our GOAWAY and went quiet
      break;
    }
    // A client that stopped reading cannot hold the connection open.
    if (writing_since_ != net::Clock::time_point{} && now - writing_since_ > t.body_idle) {
      for (auto& [id, s] : streams_) s->ex.record.end = "timeout";
      stop();
      break;
    }
    credit();
    wake();
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
        if (s != nullptr && s->held && !s->finished) {
          s->active = net::Clock::now();
          s->ex.record.bytes_in += e.data.size();
          down_.consumed(e.stream, e.data.size());
          if (s->held_body.size() + e.data.size() > analysis::kMaxSearchBody ||
              held_bytes_ + e.data.size() > kMaxHeldBytes) {
            // Judged by its URL alone, a search in a body not read whole would pass unseen.
            drop_held(*s);
            respond_error(*s, 413, ErrorCode::BodyTooLarge,
                          "A search sent in a body is read before it is forwarded: this one is "
                          "over 64 KiB, or too many are waiting on this connection.");
            break;
          }
          s->held_body.append(e.data);
          held_bytes_ += e.data.size();
        } else if (s != nullptr && s->upstream != 0 && !s->finished) {
          s->active = net::Clock::now();
          s->ex.record.bytes_in += e.data.size();
          s->request_owed += e.data.size();
          upstream_->send_data(s->upstream, e.data, false);
        } else {
          down_.consumed(e.stream, e.data.size());  // not forwarded: the window reopens now
        }
        break;
      case http::h2::Event::Kind::EndStream:
        if (s != nullptr) s->client_open = false;
        if (s != nullptr && s->held && !s->finished) {
          release(*s);
        } else if (s != nullptr && s->upstream != 0) {
          upstream_->send_data(s->upstream, {}, true);
        }
        break;
      case http::h2::Event::Kind::Reset:
        if (s != nullptr) s->client_open = false;
        if (s != nullptr && s->held) drop_held(*s);
        if (s != nullptr && !s->finished) {
          if (s->upstream != 0) upstream_->reset(s->upstream, h2error::kCancel);
          finish(*s, "client_abort");
        }
        break;
    }
  }
}

void H2Bridge::on_upstream_event(http::h2::ClientEvent& e) {
  using Kind = http::h2::ClientEvent::Kind;
  wake();
  if (e.kind == Kind::GoAway) {
    // The origin takes no new streams on this connection: the client reconnects for new ones.
    down_.shutdown();
    return;
  }
  {
    const auto mapped = client_stream_of_.find(e.stream);
    const auto it =
        mapped == client_stream_of_.end() ? streams_.end() : streams_.find(mapped->second);
    if (it == streams_.end() || it->second->finished) {
      // Nobody takes it: it still counts against the shared connection's window.
      if (e.kind == Kind::Data) upstream_->consumed(e.stream, e.data.size());
      return;
    }
    Stream& s = *it->second;
    s.active = net::Clock::now();
    switch (e.kind) {
      case Kind::Informational:
        down_.inform(s.id, e.response.status, e.response.fields);
        break;
      case Kind::Response:
        without_quic_offers(e.response.fields);
        if (start_check(s, e.response)) break;  // held while its text is checked
        s.ex.response_started = true;
        s.ex.record.status = e.response.status;
        down_.respond(s.id, e.response.status, e.response.fields, e.response.end_stream);
        break;
      case Kind::Data:
        if (s.check) {
          hold_response_data(s, e.data);
          break;
        }
        if (s.streaming) s.streaming->feed(e.data);
        s.ex.record.bytes_out += e.data.size();
        s.response_owed += e.data.size();
        down_.send_data(s.id, e.data, false);
        break;
      case Kind::Trailers:
        if (s.check && !release_response(s, true)) break;  // blocked: the page was the answer
        down_.send_trailers(s.id, e.response.fields);
        break;
      case Kind::EndStream:
        if (s.check && !release_response(s, true)) break;
        down_.send_data(s.id, {}, true);  // (no-op when the head or trailers ended it)
        finish(s, "ok");
        break;
      case Kind::Reset:
        if (!s.ex.response_started && e.error_code != h2error::kRefusedStream) {
          respond_error(s, 502, ErrorCode::UpstreamReset,
                        "The upstream reset the request before responding.");
        } else {
          // REFUSED_STREAM passes through: the browser retries the request by itself.
          reset_client(s, e.error_code == h2error::kRefusedStream ? h2error::kRefusedStream
                                                                  : h2error::kInternal);
          s.ex.record.error = base::error_code_name(ErrorCode::UpstreamReset);
          finish(s, "upstream_abort");
        }
        break;
      case Kind::GoAway:
        break;
    }
  }
}

void H2Bridge::on_upstream_progress() {
  credit();
  wake();
}

void H2Bridge::on_upstream_gone() {
  // The origin's connection ended: its streams end too, and so does this connection.
  upstream_gone_ = true;
  wake();
  for (auto& [id, s] : streams_) {
    if (s->finished || s->upstream == 0) continue;
    if (!s->ex.response_started) {
      respond_error(*s, 502, ErrorCode::UpstreamClosed,
                    "The upstream closed the connection without responding.");
    } else {
      reset_client(*s, h2error::kInternal);
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
  s.client_open = !r.end_stream;
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
  if (r.method == "POST" && !r.end_stream &&
      analysis::body_may_search(ex.target.authority.host, ex.target.path)) {
    if (!http::chars::iequals(ex.head.find("content-encoding").value_or("identity"), "identity")) {
      respond_error(s, 413, ErrorCode::BodyTooLarge,
                    "A search sent in a body is read before it is forwarded: this one is "
                    "compressed.");
      return;
    }
    s.held = std::move(r);  // judged once its body is in (release)
    return;
  }
  dispatch(s, r, {}, r.end_stream);
}

void H2Bridge::drop_held(Stream& s) {
  held_bytes_ -= s.held_body.size();
  s.held.reset();
  s.held_body = {};
}

void H2Bridge::release(Stream& s) {
  const http::h2::Request r = std::move(*s.held);
  const std::string body = std::move(s.held_body);
  held_bytes_ -= body.size();
  s.held.reset();
  s.held_body = {};
  dispatch(s, r, body, false);
  if (s.upstream != 0 && !s.finished) upstream_->send_data(s.upstream, body, true);
}

void H2Bridge::dispatch(Stream& s, const http::h2::Request& r, std::string_view body,
                        bool end_stream) {
  Exchange& ex = s.ex;
  // Every stream is judged on its own URL, before anything is sent upstream.
  const policy::Decision decision = session_.judge_request(ex, body);
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
  out.fields = http::h2::upstream_fields(r, forwarded_for, ex.changes.fields);
  const std::int32_t id = upstream_->open(out, end_stream, *this);
  if (id < 0) {
    // No room for another stream now: refused, so the browser retries it. If the origin takes
    // none at all on this connection any more, the client gets our GOAWAY and retries on a new
    // connection (with a new upstream).
    reset_client(s, h2error::kRefusedStream);
    if (!upstream_->accepting()) down_.shutdown();
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
    reset_client(s, h2error::kInternal);
    return;
  }
  const bool head_only = response->body.empty() || s.ex.record.method == "HEAD";
  down_.respond(s.id, response->status, response->fields, head_only);
  if (!head_only) down_.send_data(s.id, response->body, true);
  s.ex.response_started = true;
  s.ex.record.status = response->status;
  s.ex.record.bytes_out += response->body.size();
}

void H2Bridge::respond_error(Stream& s, unsigned status, ErrorCode code, std::string detail) {
  if (s.ex.response_started) {
    reset_client(s, h2error::kInternal);
  } else {
    respond_local(s, http::render_error_response({status, base::error_code_name(code),
                                                  std::move(detail), s.ex.record.id, false}));
  }
  s.ex.record.error = base::error_code_name(code);
  finish(s, "error");
}

bool H2Bridge::start_check(Stream& s, const http::h2::Response& r) {
  ResponseFacts facts{s.ex.record.method, r.status, {}, {}, !r.end_stream};
  for (const auto& [name, value] : r.fields) {
    if (name == "content-type" && facts.content_type.empty()) facts.content_type = value;
    if (name == "content-encoding") facts.add_content_encoding(value);
  }
  s.check = PageCheck::start(session_.ctx_.policy, s.ex.record.group, s.ex.bypassed, facts,
                             session_.config_->max_scan_bytes);
  if (s.check) s.held_response = r;
  return s.check != nullptr;
}

void H2Bridge::hold_response_data(Stream& s, std::string_view data) {
  s.check->feed(data);
  upstream_->consumed(s.upstream, data.size());  // held here: the origin may send on
  s.held_response_body.append(data);
  held_response_bytes_ += data.size();
  session_.ctx_.held_for_scanning += data.size();
  // At the limit, or with this connection's streams (or the worker's flows) holding too much
  // together, the response goes on judged on what was read (at least kMinHold bytes; the rest
  // relayed unscanned).
  const std::size_t limit = session_.config_->max_scan_bytes;
  const HoldBudget worker = HoldBudget::of_worker(session_.ctx_.held_for_scanning, limit);
  const bool over_budget = held_response_bytes_ > kHeldResponsesPerLimit * limit || worker.spent();
  if (s.held_response_body.size() >= limit ||
      (over_budget && s.held_response_body.size() >= kMinHold))
    release_response(s, false);
}

bool H2Bridge::release_response(Stream& s, bool complete) {
  const PageVerdict verdict = s.check->verdict(s.ex.record, complete);
  session_.report_page(s.ex, verdict);
  if (!complete && !verdict.block && session_.alerts_on_rest(s.ex))
    s.streaming = std::move(s.check);  // (alerts at the end)
  const http::h2::Response head = std::move(s.held_response);
  const std::string body = drop_check(s);
  if (verdict.block) {
    session_.record_decision(s.ex, *verdict.block);
    respond_local(s, session_.blocked_response(s.ex, *verdict.block, true, false));
    if (!complete) upstream_->reset(s.upstream, h2error::kCancel);  // the rest is not wanted
    finish(s, s.ex.record.end);
    return false;
  }
  s.ex.response_started = true;
  s.ex.record.status = head.status;
  down_.respond(s.id, head.status, head.fields, false);
  s.ex.record.bytes_out += body.size();
  down_.send_data(s.id, body, false);
  return true;
}

std::string H2Bridge::drop_check(Stream& s) {
  std::string body = std::exchange(s.held_response_body, {});
  held_response_bytes_ -= body.size();
  session_.ctx_.held_for_scanning -= body.size();
  s.held_response = {};
  s.check.reset();
  return body;
}

void H2Bridge::finish(Stream& s, std::string_view end) {
  if (s.finished) return;
  if (s.check) (void)drop_check(s);  // (ended while held: reset, timed out, the client gone)
  if (s.streaming) session_.report_page(s.ex, std::exchange(s.streaming, {})->verdict_at_end());
  s.finished = true;
  s.ex.record.end = end;
  session_.log_exchange(s.ex);
}

void H2Bridge::credit() {
  for (auto it = streams_.begin(); it != streams_.end();) {
    Stream& s = *it->second;
    if (s.request_owed > 0) {
      const std::size_t queued = s.upstream != 0 ? upstream_->queued_body_bytes(s.upstream) : 0;
      if (queued < s.request_owed) down_.consumed(s.id, s.request_owed - queued);
      s.request_owed = std::min(queued, s.request_owed);
    }
    if (s.response_owed > 0) {
      const std::size_t queued = down_.queued_body_bytes(s.id);
      if (queued < s.response_owed) {
        upstream_->consumed(s.upstream, s.response_owed - queued);
        s.active = net::Clock::now();  // the client is taking it
      }
      s.response_owed = std::min(queued, s.response_owed);
    }
    if (s.finished && s.client_open && down_.queued_body_bytes(s.id) == 0) {
      // The response is complete (framed) while the client may still be sending its request:
      // ask it to stop without error (RFC 9113 §8.1), and release the origin's side.
      reset_client(s, h2error::kNoError);
      if (s.upstream != 0) upstream_->reset(s.upstream, h2error::kCancel);
    }
    if (s.finished && s.request_owed == 0 && s.response_owed == 0 && !s.client_open) {
      if (s.upstream != 0) client_stream_of_.erase(s.upstream);
      it = streams_.erase(it);
    } else {
      ++it;
    }
  }
}

void H2Bridge::reset_client(Stream& s, std::uint32_t code) {
  if (s.client_open || code != h2error::kNoError) down_.reset(s.id, code);
  s.client_open = false;
}

void H2Bridge::stop() {
  if (done_) return;
  done_ = true;
  for (auto& [id, s] : streams_) {
    // What the client will never take is given back to the (shared) upstream window.
    if (s->response_owed > 0) upstream_->consumed(s->upstream, s->response_owed);
    s->response_owed = 0;
    if (s->ex.record.end == "ok") s->ex.record.end = "client_abort";
    finish(*s, s->ex.record.end);
  }
  session_.client_->cancel();
  wake_.cancel();
  ticker_.cancel();
}

}  // namespace warden::flow
