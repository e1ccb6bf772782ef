#include "flow/body_copy.hpp"

#include "flow/page_check.hpp"

#include <array>

namespace warden::flow {
namespace {

namespace asio = net::asio;
using http::BodyKind;
using Status = CopyResult::Status;

constexpr std::size_t kMaxPieces = 16;  // body pieces gathered into one write

// Gathers the pieces of one write: prefix, then body pieces each wrapped in chunk framing when
// the sink wants chunked. Views stay valid until the write completes (they point into the
// source buffer, which is consumed only afterwards, and into this object).
class Gather {
 public:
  Gather(BodyKind out, std::string_view prefix, PageCheck* scan)
      : chunked_(out == BodyKind::Chunked), scan_(scan) {
    if (!prefix.empty()) add(prefix);
  }
  // Room is kept for the prefix, kMaxPieces framed pieces and the last chunk's three parts.
  [[nodiscard]] bool full() const { return pieces_ == kMaxPieces; }
  [[nodiscard]] bool empty() const { return count_ == 0; }
  void body(std::string_view data) {
    if (data.empty()) return;
    if (scan_ != nullptr) scan_->feed_from(offset_, data);  // (the held part it has had)
    offset_ += data.size();
    if (chunked_) {
      const std::size_t n = http::format_chunk_header(data.size(), headers_[pieces_]);
      add({headers_[pieces_], n});
    }
    add(data);
    if (chunked_) add(http::kChunkEnd);
    ++pieces_;
  }
  void raw(std::string_view data) { add(data); }
  [[nodiscard]] std::span<const asio::const_buffer> buffers() const {
    return {buffers_.data(), count_};
  }
  void clear() { count_ = pieces_ = 0; }

 private:
  void add(std::string_view d) { buffers_[count_++] = asio::buffer(d.data(), d.size()); }
  bool chunked_;
  PageCheck* scan_;
  std::uint64_t offset_ = 0;  // body bytes gathered so far
  std::array<asio::const_buffer, 1 + kMaxPieces * 3 + 3> buffers_{};
  std::array<char[20], kMaxPieces> headers_{};
  std::size_t count_ = 0;
  std::size_t pieces_ = 0;
};

bool timed_out(const net::Watchdog& w, unsigned before) { return w.expiries() != before; }

}  // namespace

net::Awaitable<bool> write_all(net::Stream& sink, std::string_view data, net::Watchdog& watchdog,
                               net::Duration timeout) {
  const unsigned before = watchdog.expiries();
  watchdog.expire_after(timeout);
  auto [ec, n] = co_await sink.write_all(data);
  co_return !ec && !timed_out(watchdog, before);
}

net::Awaitable<CopyResult> copy_body(net::Stream& source, net::Buffer& buf, net::Stream& sink,
                                     BodyRoute route, net::Watchdog& watchdog, net::Duration idle) {
  CopyResult result;
  const unsigned expiries_before = watchdog.expiries();
  const BodyKind in = route.in.kind;
  std::uint64_t remaining = route.in.length;  // for Length
  http::ChunkedDecoder decoder(route.chunked_limits ? *route.chunked_limits
                                                    : http::ChunkedLimits{});
  Gather gather(route.out, route.prefix, route.scan);
  bool finished = in == BodyKind::None || (in == BodyKind::Length && remaining == 0);
  bool source_eof = false;

  for (;;) {
    // 1. Take what the buffer holds (without consuming: the views must outlive the write).
    std::size_t used = 0;
    std::string_view avail = buf.data();
    while (!finished && used < avail.size() && !gather.full()) {
      std::string_view rest = avail.substr(used);
      if (in == BodyKind::Length) {
        const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining, rest.size()));
        gather.body(rest.substr(0, n));
        used += n;
        remaining -= n;
        result.body_bytes += n;
        finished = remaining == 0;
      } else if (in == BodyKind::Chunked) {
        http::ChunkStep step = decoder.next(rest);
        gather.body(step.data);
        used += step.consumed;
        result.body_bytes += step.data.size();
        if (step.status == http::ParseStatus::Invalid) {
          result.status = Status::Invalid;
          result.error = step.error;
          co_return result;
        }
        finished = step.status == http::ParseStatus::Done;
      } else {  // UntilClose
        gather.body(rest);
        used += rest.size();
        result.body_bytes += rest.size();
      }
    }
    if (in == BodyKind::UntilClose && source_eof) finished = true;
    if (finished && route.out == BodyKind::Chunked) {
      gather.raw(http::kLastChunk);
      gather.raw(decoder.trailers());
      gather.raw(http::kChunkEnd);
    }

    // 2. Write what was gathered.
    if (!gather.empty()) {
      watchdog.expire_after(idle);
      auto [ec, n] = co_await sink.write_all(gather.buffers());
      if (ec || timed_out(watchdog, expiries_before)) {
        result.status =
            timed_out(watchdog, expiries_before) ? Status::TimedOut : Status::SinkFailed;
        co_return result;
      }
      result.sink_bytes += n;
      gather.clear();
    }
    buf.consume(used);
    if (finished) co_return result;
    if (used > 0 && !buf.empty()) continue;  // more complete pieces may be waiting

    // 3. Read more from the source.
    std::span<char> space = buf.prepare();
    watchdog.expire_after(idle);
    auto [ec, n] = co_await source.read_some(space);
    if (timed_out(watchdog, expiries_before)) {
      result.status = Status::TimedOut;
      co_return result;
    }
    if (ec == asio::error::eof && in == BodyKind::UntilClose) {
      source_eof = true;
      continue;
    }
    if (ec) {
      result.status = Status::SourceClosed;
      co_return result;
    }
    buf.commit(n);
  }
}

}  // namespace warden::flow
