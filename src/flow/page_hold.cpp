#include "flow/page_hold.hpp"

#include "base/scope_exit.hpp"

#include <algorithm>

namespace warden::flow {

namespace asio = net::asio;
using Status = HoldResult::Status;

net::Awaitable<HoldResult> hold_body(net::Stream& source, net::Buffer& buf, http::BodyFraming in,
                                     const http::ChunkedLimits& limits, std::size_t limit,
                                     HoldBudget budget, PageCheck& check, net::Watchdog& watchdog,
                                     net::Duration idle) {
  HoldResult result;
  // What this hold adds to the worker's budget, given back when it ends (the bytes go on to
  // the client right after).
  std::size_t added = 0;
  const base::ScopeExit give_back([&] { budget.used -= added; });
  const unsigned expiries_before = watchdog.expiries();
  http::ChunkedDecoder decoder(limits);
  std::uint64_t remaining = in.length;  // for Length
  std::size_t seen = 0;                 // bytes of `buf` already given to the check
  bool finished =
      in.kind == http::BodyKind::None || (in.kind == http::BodyKind::Length && remaining == 0);
  for (;;) {
    // 1. Check what arrived (the buffer itself is left as it is, for copy_body).
    while (!finished && seen < buf.size()) {
      const std::string_view rest = buf.data().substr(seen);
      if (in.kind == http::BodyKind::Length) {
        const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining, rest.size()));
        check.feed(rest.substr(0, n));
        seen += n;
        remaining -= n;
        finished = remaining == 0;
      } else if (in.kind == http::BodyKind::Chunked) {
        const http::ChunkStep step = decoder.next(rest);
        check.feed(step.data);
        seen += step.consumed;
        if (step.status == http::ParseStatus::Invalid) {
          result.status = Status::Invalid;
          result.error = step.error;
          co_return result;
        }
        finished = step.status == http::ParseStatus::Done;
        if (step.consumed == 0 && !finished) break;
      } else {  // UntilClose
        check.feed(rest);
        seen = buf.size();
      }
    }
    if (finished) {
      result.status = Status::Complete;
      co_return result;
    }
    if (buf.size() >= limit || (budget.spent() && buf.size() >= kMinHold)) {
      result.status = Status::Limit;
      co_return result;
    }

    // 2. Read more into the buffer, which grows up to the limit.
    std::span<char> space = buf.prepare(1, std::max(limit, buf.capacity()));
    watchdog.expire_after(idle);
    auto [ec, n] = co_await source.read_some(space);
    if (watchdog.expiries() != expiries_before) {
      result.status = Status::TimedOut;
      co_return result;
    }
    if (ec == asio::error::eof && in.kind == http::BodyKind::UntilClose) {
      result.status = Status::Complete;
      co_return result;
    }
    if (ec) {
      result.status = Status::SourceClosed;
      co_return result;
    }
    buf.commit(n);
    budget.used += n;
    added += n;
  }
}

}  // namespace warden::flow
