#pragma once
// Byte relay between two streams (CONNECT tunnels, spliced TLS, WebSocket after its 101, captured
// traffic that is neither HTTP nor TLS). Between two TCP streams the bytes move inside the
// kernel (splice(2) through a pipe per direction); otherwise through user space as follows.
// Each direction reads only after the previous write finished (backpressure: a slow reader
// slows the writer, memory stays one block per direction) and holds no buffer while idle: it
// waits for readability first and returns its block to the pool when drained. A clean EOF is
// passed on as a half-close; an error on either side tears both directions down.
//
// Thread: the flow's worker. The caller's watchdog bounds idleness: the relay pushes its
// deadline forward on every transfer; on expiry the caller cancels the streams.

#include "net/buffer.hpp"
#include "net/stream.hpp"
#include "net/watchdog.hpp"

#include <cstdint>

namespace warden::net {

struct RelayResult {
  std::uint64_t a_to_b = 0;
  std::uint64_t b_to_a = 0;
  error_code a_error;  // first error reading from or writing to a (not EOF)
  error_code b_error;
};

[[nodiscard]] Awaitable<RelayResult> relay(Stream& a, Stream& b, BufferPool& pool,
                                           Watchdog& watchdog, Duration idle);

}  // namespace warden::net
