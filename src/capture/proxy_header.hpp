#pragma once
// The PROXY protocol header (HAProxy's proxy-protocol.txt, versions 1 and 2) that a load
// balancer puts before a connection's first byte, so the client's address and the address it
// reached survive the balancer (docs/fleet.md). Parsed strictly: a
// header that is malformed in any field, too long, or absent is refused, never guessed at,
// since whoever can send one chooses which pupil the policy sees.

#include "net/types.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace warden::capture {

struct ProxyHeader {
  enum class Kind : std::uint8_t {
    Proxied,  // a relayed connection: `source` and `destination` say who and where
    Local,    // v2 LOCAL: the balancer's own connection (a health check): no addresses
    Unknown,  // v1 UNKNOWN, v2 UNSPEC or UNIX: relayed, addresses not given
  };
  Kind kind = Kind::Unknown;
  net::tcp::endpoint source;       // the client (Proxied only)
  net::tcp::endpoint destination;  // what it connected to (Proxied only)
  std::size_t length = 0;          // bytes of the header, to consume before the stream
};

struct ProxyParse {
  enum class Status : std::uint8_t { Incomplete, Done, Invalid };
  Status status = Status::Incomplete;
  ProxyHeader header;      // Done
  std::string_view error;  // Invalid: why (a constant)
};

// v2 headers up to this many bytes are read (addresses and TLVs; HAProxy sends far fewer).
inline constexpr std::size_t kMaxProxyHeader = 16 + 1024;

// Parses the header at the start of `bytes` (what has arrived so far). Incomplete: a valid
// beginning, read more; Invalid also when `bytes` do not start like a header at all.
[[nodiscard]] ProxyParse parse_proxy_header(std::string_view bytes);

}  // namespace warden::capture
