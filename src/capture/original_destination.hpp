#pragma once
// Where a transparently captured connection was going. redirect and local (NAT): the conntrack
// entry's original destination, SO_ORIGINAL_DST for IPv4 (also for IPv4-mapped clients of a
// dual-stack listener) and IP6T_SO_ORIGINAL_DST for IPv6. tproxy (no NAT): the accepted
// socket's own local address.
//
// A NATed lookup that returns the socket's own address means the connection was not redirected
// (someone connected to the listener directly): nullopt, so the flow is refused.

#include "capture/flow_meta.hpp"
#include "net/types.hpp"

#include <optional>

namespace warden::capture {

// The same endpoint with an IPv4-mapped IPv6 address written as IPv4.
[[nodiscard]] net::tcp::endpoint unmapped(const net::tcp::endpoint& e);

[[nodiscard]] std::optional<net::tcp::endpoint> original_destination(
    net::tcp::socket::native_handle_type socket, CaptureMode mode, const net::tcp::endpoint& local);

}  // namespace warden::capture
