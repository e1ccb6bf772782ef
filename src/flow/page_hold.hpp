#pragma once
// Holding a response body while its text is scanned (docs/analysis.md, "Phrase scanning"). The
// body's bytes are read into the source buffer as they came, framing and all, until the body has
// ended or `limit` bytes are held (or the worker's budget is spent); a decoded copy goes to the
// page check on the way. Nothing
// is consumed: copy_body() relays the held bytes afterwards like any body, and reads on from
// the source if the body was longer than the limit.

#include "flow/page_check.hpp"
#include "http/chunked.hpp"
#include "http/framing.hpp"
#include "net/buffer.hpp"
#include "net/stream.hpp"
#include "net/watchdog.hpp"

namespace warden::flow {

struct HoldResult {
  enum class Status {
    Complete,      // the whole body is held (an until-close body: the source has closed)
    Limit,         // `limit` bytes are held, or the budget is spent; the rest is still to be read
    SourceClosed,  // the source closed or reset before the body ended
    Invalid,       // the chunked framing was malformed (error says why)
    TimedOut,
  };
  Status status = Status::Complete;
  http::ParseError error{};
};

[[nodiscard]] net::Awaitable<HoldResult> hold_body(net::Stream& source, net::Buffer& buffer,
                                                   http::BodyFraming in,
                                                   const http::ChunkedLimits& limits,
                                                   std::size_t limit, HoldBudget budget,
                                                   PageCheck& check, net::Watchdog& watchdog,
                                                   net::Duration idle);

}  // namespace warden::flow
