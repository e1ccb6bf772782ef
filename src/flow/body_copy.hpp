#pragma once
// Moves one message body from a source socket to a sink socket, decoding the framing it arrived
// with and encoding the framing the sink expects (Length -> Length, Chunked -> Chunked with
// extensions dropped and trailers filtered, Chunked/UntilClose -> UntilClose for HTTP/1.0
// clients, UntilClose -> Chunked for HTTP/1.1 keep-alive clients). An optional prefix (the head
// we send on) goes out in the same write as the first body bytes, so a small response is one
// syscall.
//
// Backpressure: the source is read only after the previous write completed; memory is the
// source buffer (one pool block). Bytes after the body stay in the source buffer (the next
// pipelined message). Each transfer pushes the watchdog forward by `idle`.

#include "http/chunked.hpp"
#include "http/framing.hpp"
#include "net/buffer.hpp"
#include "net/stream.hpp"
#include "net/watchdog.hpp"

#include <cstdint>
#include <string_view>

namespace warden::flow {

class PageCheck;

struct CopyResult {
  enum class Status {
    Done,          // the whole body moved
    SourceClosed,  // the source closed or reset before the body ended
    SinkFailed,    // writing to the sink failed (it went away)
    Invalid,       // the body's framing was malformed (error says why)
    TimedOut,      // the watchdog expired
  };
  Status status = Status::Done;
  std::uint64_t body_bytes = 0;  // decoded body bytes delivered
  std::uint64_t sink_bytes = 0;  // bytes written to the sink, prefix included
  http::ParseError error{};
  [[nodiscard]] bool ok() const { return status == Status::Done; }
};

struct BodyRoute {
  http::BodyFraming in;     // how the body arrives
  http::BodyKind out;       // how it leaves
  std::string_view prefix;  // written before the body (may be empty)
  const http::ChunkedLimits* chunked_limits = nullptr;
  // Fed the body (framing removed) as it goes, past what it already had from a hold: the
  // rest of a long page, scanned for alerts.
  PageCheck* scan = nullptr;
};

[[nodiscard]] net::Awaitable<CopyResult> copy_body(net::Stream& source, net::Buffer& source_buffer,
                                                   net::Stream& sink, BodyRoute route,
                                                   net::Watchdog& watchdog, net::Duration idle);

// Writes all of `data` to `sink` under the watchdog; false on error or timeout.
[[nodiscard]] net::Awaitable<bool> write_all(net::Stream& sink, std::string_view data,
                                             net::Watchdog& watchdog, net::Duration timeout);

}  // namespace warden::flow
