#include "flow/h2_upstream.hpp"

#include "flow/detail/until_woken.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <set>

namespace warden::flow {

namespace asio = net::asio;
using std::chrono_literals::operator""s;

namespace {
constexpr int kReadBatch = 16;  // reads per wakeup: one busy origin cannot starve the worker
// A pooled connection takes a new client connection only while it has this much room: each
// client may open many streams at once.
constexpr std::size_t kRoomForAClient = 32;
}  // namespace

std::shared_ptr<H2Upstream> H2Upstream::start(WorkerContext& ctx, std::string key,
                                              net::StreamPtr stream, Verified verified) {
  auto self = std::make_shared<H2Upstream>(ctx, key, std::move(stream), verified);
  ctx.h2_upstreams[key] = self;
  asio::co_spawn(
      ctx.worker.executor(), [self] { return self->read(); }, asio::detached);
  asio::co_spawn(
      ctx.worker.executor(), [self] { return self->write(); }, asio::detached);
  asio::co_spawn(
      ctx.worker.executor(), [self] { return self->tick(); }, asio::detached);
  return self;
}

std::shared_ptr<H2Upstream> H2Upstream::find(WorkerContext& ctx, const std::string& key) {
  const auto it = ctx.h2_upstreams.find(key);
  if (it == ctx.h2_upstreams.end() || !it->second->takes_more()) return nullptr;
  return it->second;
}

void H2Upstream::close_all(WorkerContext& ctx) {
  const auto all = ctx.h2_upstreams;  // (gone() erases from the map)
  for (const auto& [key, up] : all) up->gone();
}

H2Upstream::H2Upstream(WorkerContext& ctx, std::string key, net::StreamPtr stream,
                       Verified verified)
    : ctx_(ctx),
      key_(std::move(key)),
      stream_(std::move(stream)),
      verified_(verified),
      wake_(ctx.worker.executor()),
      ticker_(ctx.worker.executor()) {}

bool H2Upstream::takes_more() const {
  return !gone_ && !goaway_ && !ctx_.draining && session_.can_open() &&
         sinks_.size() + kRoomForAClient <= session_.max_concurrent_streams();
}

std::int32_t H2Upstream::open(const http::h2::OutgoingRequest& r, bool end_stream, Sink& sink) {
  if (gone_) return -1;
  const std::int32_t id = session_.request(r, end_stream);
  if (id < 0) return -1;
  sinks_[id] = &sink;
  wake();
  return id;
}

void H2Upstream::send_data(std::int32_t stream, std::string_view bytes, bool end_stream) {
  session_.send_data(stream, bytes, end_stream);
  wake();
}

void H2Upstream::reset(std::int32_t stream, std::uint32_t code) {
  // (Also after the origin ended its side: our request half may still be open.)
  sinks_.erase(stream);
  session_.reset(stream, code);
  wake();
}

void H2Upstream::consumed(std::int32_t stream, std::size_t n) {
  session_.consumed(stream, n);
  wake();
}

std::size_t H2Upstream::queued_body_bytes(std::int32_t stream) const {
  return session_.queued_body_bytes(stream);
}

void H2Upstream::detach(Sink& sink) {
  for (auto it = sinks_.begin(); it != sinks_.end();) {
    if (it->second == &sink) {
      session_.reset(it->first, http::h2::error::kCancel);
      it = sinks_.erase(it);
    } else {
      ++it;
    }
  }
  wake();
}

void H2Upstream::wake() { wake_.cancel(); }

net::Awaitable<void> H2Upstream::read() {
  const auto self = shared_from_this();
  net::Buffer buf(ctx_.worker.buffers());
  while (!gone_) {
    net::error_code ec = co_await stream_->wait_readable();  // idle: no buffer held
    bool open = !gone_;
    for (int batch = 0; open && !ec && batch < kReadBatch; ++batch) {
      const std::span<char> space = buf.prepare();
      const std::size_t n = stream_->read_now(space, ec);
      if (ec) break;
      open = session_.receive({space.data(), n});
      dispatch();
    }
    buf.release_if_empty();
    if (!open || (ec && ec != asio::error::would_block)) {
      gone();
      break;
    }
    wake();  // (WINDOW_UPDATEs, SETTINGS ACKs)
  }
}

void H2Upstream::dispatch() {
  for (http::h2::ClientEvent& e : session_.take_events()) {
    idle_since_ = net::Clock::now();
    if (e.kind == http::h2::ClientEvent::Kind::GoAway) {
      goaway_ = true;  // no new streams here; the open ones finish
      if (const auto it = ctx_.h2_upstreams.find(key_);
          it != ctx_.h2_upstreams.end() && it->second.get() == this)
        ctx_.h2_upstreams.erase(it);
      std::set<Sink*> told;  // each bridge tells its client to reconnect for new streams
      for (const auto& [id, sink] : sinks_)
        if (told.insert(sink).second) sink->on_upstream_event(e);
      continue;
    }
    const auto it = sinks_.find(e.stream);
    if (it == sinks_.end()) {
      // A stream its bridge left: its data still counts against the connection's window.
      if (e.kind == http::h2::ClientEvent::Kind::Data) session_.consumed(e.stream, e.data.size());
      continue;
    }
    Sink& sink = *it->second;
    const bool ends = e.kind == http::h2::ClientEvent::Kind::EndStream ||
                      e.kind == http::h2::ClientEvent::Kind::Reset;
    if (ends) sinks_.erase(it);
    sink.on_upstream_event(e);
  }
}

net::Awaitable<void> H2Upstream::write() {
  const auto self = shared_from_this();
  while (!gone_) {
    const std::string_view out = session_.output();
    if (out.empty()) {
      if (session_.finished() || (goaway_ && sinks_.empty())) {
        gone();
        break;
      }
      co_await detail::until_woken(wake_);
      continue;
    }
    writing_since_ = net::Clock::now();
    auto [ec, n] = co_await stream_->write_all(out);
    writing_since_ = {};
    if (gone_) break;
    if (ec) {
      gone();
      break;
    }
    session_.output_sent(n);
    // Every bridge with a stream here may now reopen a window or write to its client.
    std::set<Sink*> sinks;
    for (const auto& [id, sink] : sinks_) sinks.insert(sink);
    for (Sink* sink : sinks) sink->on_upstream_progress();
  }
}

net::Awaitable<void> H2Upstream::tick() {
  const auto self = shared_from_this();
  while (!gone_) {
    ticker_.expires_after(1s);
    net::error_code ignored;
    co_await ticker_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    if (gone_) break;
    const Timeouts& t = ctx_.config->timeouts;
    if (writing_since_ != net::Clock::time_point{} &&
        net::Clock::now() - writing_since_ > t.body_idle) {
      gone();  // the origin stopped reading
      break;
    }
    if (!sinks_.empty()) {
      idle_since_ = net::Clock::now();
    } else if (ctx_.draining || net::Clock::now() - idle_since_ > t.upstream_idle) {
      gone();
    }
  }
}

void H2Upstream::gone() {
  if (gone_) return;
  gone_ = true;
  if (const auto it = ctx_.h2_upstreams.find(key_);
      it != ctx_.h2_upstreams.end() && it->second.get() == this)
    ctx_.h2_upstreams.erase(it);
  const auto sinks = std::exchange(sinks_, {});
  std::set<Sink*> told;
  for (const auto& [id, sink] : sinks)
    if (told.insert(sink).second) sink->on_upstream_gone();
  stream_->close();
  wake_.cancel();
  ticker_.cancel();
}

}  // namespace warden::flow
