// ClientSession: a connection from a load balancer (balancer.listen; docs/fleet.md). It must
// come from a configured balancer and start with a PROXY header (capture/proxy_header.hpp);
// the header's source is then the client for everything after (policy groups, the log, alerts).
// Anything else is closed without an answer: a balancer listener speaks only to balancers.
#include "capture/original_destination.hpp"
#include "capture/proxy_header.hpp"
#include "flow/detail/exchange.hpp"

#include <spdlog/spdlog.h>

namespace warden::flow {

net::Awaitable<bool> ClientSession::read_proxy_header() {
  if (!client_address_ || !base::any_contains(config_->balancers, *client_address_)) {
    spdlog::debug("balancer listener: {} is not a configured balancer (balancer.from); closed",
                  client_ip_);
    co_return false;
  }
  const unsigned expiries = watchdog_.expiries();
  watchdog_.expire_after(config_->timeouts.header);
  for (;;) {
    const capture::ProxyParse p = capture::parse_proxy_header(client_buf_.data());
    if (p.status == capture::ProxyParse::Status::Invalid) {
      spdlog::warn("balancer {}: {}; connection closed", client_ip_, p.error);
      co_return false;
    }
    if (p.status == capture::ProxyParse::Status::Done) {
      client_buf_.consume(p.header.length);
      const bool proxied = p.header.kind == capture::ProxyHeader::Kind::Proxied;
      if (proxied) {
        // (an IPv4 client relayed over IPv6 arrives as ::ffff:a.b.c.d)
        meta_.client = capture::unmapped(p.header.source);
        client_ip_ = meta_.client.address().to_string();
        client_address_ = policy::parse_ip(client_ip_);
      }  // (LOCAL, a health check, and UNKNOWN keep the balancer's own address, as the spec says)
      if (meta_.mode != capture::CaptureMode::Balancer) co_return true;
      // Captured traffic: where the pupil was going is the header's destination, and without
      // one (a health check) there is nowhere to take the connection.
      if (!proxied) co_return false;
      meta_.original_destination = capture::unmapped(p.header.destination);
      orig_dst_text_ = destination_text(*meta_.original_destination);
      co_return true;
    }
    std::span<char> space = client_buf_.prepare(1, capture::kMaxProxyHeader);
    auto [ec, n] = co_await client_->read_some(space);
    if (ec || watchdog_.expiries() != expiries || state_ == State::Closed) {
      spdlog::debug("balancer {}: no complete PROXY header in time; closed", client_ip_);
      co_return false;
    }
    client_buf_.commit(n);
  }
}

}  // namespace warden::flow
