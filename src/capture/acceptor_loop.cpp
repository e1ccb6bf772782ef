#include "capture/acceptor_loop.hpp"

#include <spdlog/spdlog.h>

namespace warden::capture {

net::Awaitable<void> accept_loop(net::Acceptor& acceptor, CaptureMode mode, FlowHandler on_flow) {
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
    meta.client = socket.remote_endpoint(ep_ec);
    meta.local = socket.local_endpoint(ep_ec);
    if (ep_ec) continue;
    on_flow(net::Socket(std::move(socket)), meta);
  }
}

}  // namespace warden::capture
