#include "capture/acceptor_loop.hpp"

#include "capture/original_destination.hpp"
#include "net/destination_guard.hpp"
#include "platform/sockets.hpp"

#include <spdlog/spdlog.h>

namespace warden::capture {

namespace {

// A connection the packet path reflected arrives from B:pa at A:listener (reflector.hpp): the
// client is A:pa, and the table knows the port pb it dialled at B.
bool reflected_meta(FlowMeta& meta, const packet::ReflectionTable& table) {
  const net::tcp::endpoint peer = meta.client;
  const packet::FlowKey key{net::ip_bytes(meta.local.address()), net::ip_bytes(peer.address()),
                            peer.port()};
  const auto port = table.original_port(key);
  if (!port) return false;
  meta.client = net::tcp::endpoint(meta.local.address(), peer.port());
  meta.original_destination = net::tcp::endpoint(peer.address(), *port);
  return true;
}

}  // namespace

net::Awaitable<void> accept_loop(net::Acceptor& acceptor, CaptureMode mode, FlowHandler on_flow,
                                 const packet::ReflectionTable* reflections) {
  namespace asio = net::asio;
  net::Timer backoff(acceptor.get_executor());
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept();
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec == asio::error::no_descriptors || ec.value() == ENFILE || ec == asio::error::no_memory ||
        ec == asio::error::no_buffer_space) {
      spdlog::warn("accept: {}; pausing new connections for 100 ms", ec.message());
      backoff.expires_after(std::chrono::milliseconds(100));
      co_await backoff.async_wait();
      continue;
    }
    if (ec) continue;  // the client went away before we accepted (ECONNABORTED...)
    FlowMeta meta;
    meta.mode = mode;
    net::error_code ep_ec;
    // A dual-stack listener sees IPv4 clients as ::ffff:a.b.c.d; logs and policy want a.b.c.d.
    meta.client = unmapped(socket.remote_endpoint(ep_ec));
    meta.local = unmapped(socket.local_endpoint(ep_ec));
    if (ep_ec) continue;
    if (is_packet_path(mode)) {
      if (reflections == nullptr || !reflected_meta(meta, *reflections)) {
        spdlog::debug("{} listener: {} connected directly; closed", capture_mode_name(mode),
                      meta.client.address().to_string());
        continue;
      }
      meta.user = platform::local_socket_owner(meta.client, *meta.original_destination);
    } else if (mode != CaptureMode::Explicit && mode != CaptureMode::Balancer) {
      meta.original_destination = original_destination(socket.native_handle(), mode, meta.local);
      if (!meta.original_destination) {
        // Connected to the transparent port itself, not captured: nothing to follow.
        spdlog::debug("{} listener: {} connected directly; closed", capture_mode_name(mode),
                      meta.client.address().to_string());
        continue;
      }
      if (mode == CaptureMode::Local)
        meta.user = platform::local_socket_owner(meta.client, *meta.original_destination);
    }
    on_flow(net::Socket(std::move(socket)), meta);
  }
}

}  // namespace warden::capture
