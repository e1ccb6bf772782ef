#include "admin/admin_server.hpp"

#include "base/error.hpp"
#include "capture/acceptor_loop.hpp"
#include "http/error_response.hpp"
#include "http/framing.hpp"
#include "http/head_parser.hpp"
#include "net/listener.hpp"
#include "net/stream.hpp"
#include "net/watchdog.hpp"
#include "tls/client_hello.hpp"
#include "tls/server_context.hpp"
#include "tls/tls_stream.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace warden::admin {

namespace asio = net::asio;
using std::chrono_literals::operator""s;

namespace {

constexpr std::size_t kMaxConnections = 64;  // a browser, Prometheus, a few people
constexpr std::size_t kMaxPerPeer = 8;       // so one host cannot take them all
constexpr std::size_t kMaxHello = 16 * 1024;
constexpr int kRequestsPerConnection = 100;
constexpr std::uint64_t kMaxBody = 16 * 1024;
constexpr http::HeadLimits kHeadLimits{4 * 1024, 16 * 1024, 50};

std::string refusal(unsigned status, std::string_view code, std::string detail) {
  return http::render_error_response({status, code, std::move(detail), "-", true});
}

}  // namespace

struct AdminServer::Connection {
  Connection(net::Socket s, net::tcp::endpoint l, std::string p)
      : local(std::move(l)),
        peer(std::move(p)),
        watchdog(s.get_executor()),
        stream(std::make_unique<net::TcpStream>(std::move(s))) {}
  net::tcp::endpoint local;
  std::string peer;
  net::Watchdog watchdog;
  net::StreamPtr stream;
  std::string buffered;  // read, not yet parsed
};

AdminServer::AdminServer(AdminTls tls, Handler handler)
    : tls_(std::move(tls)),
      handler_(std::move(handler)),
      io_(std::make_unique<asio::io_context>(1)) {}

AdminServer::~AdminServer() { stop(); }

base::Result<void> AdminServer::start(const net::tcp::endpoint& at) {
  net::ListenOptions options;
  options.backlog = 64;
  options.shared = false;  // one thread listens: no other may take its port
  auto acceptor = net::open_listener(*io_, at, options);
  if (!acceptor) return acceptor.error();
  acceptor_ = std::make_unique<net::Acceptor>(std::move(*acceptor));
  bound_ = acceptor_->local_endpoint();
  asio::co_spawn(*io_,
                 capture::accept_loop(
                     *acceptor_, capture::CaptureMode::Explicit,
                     [this](net::Socket s, capture::FlowMeta meta) { accept(std::move(s), meta); }),
                 asio::detached);
  thread_ = std::thread([this] {
    try {
      io_->run();
    } catch (const std::exception& e) {
      spdlog::error("BUG: the admin listener stopped: {}", e.what());
    }
  });
  return {};
}

void AdminServer::stop() {
  if (!thread_.joinable()) return;
  asio::post(*io_, [this] {
    net::error_code ec;
    acceptor_->close(ec);
    io_->stop();
  });
  thread_.join();
  acceptor_.reset();
  io_.reset();  // the connections' coroutines and sockets go with it
}

void AdminServer::accept(net::Socket socket, const capture::FlowMeta& meta) {
  asio::ip::address peer = meta.client.address();
  if (peer.is_v6() && peer.to_v6().is_v4_mapped())
    peer = asio::ip::make_address_v4(asio::ip::v4_mapped, peer.to_v6());
  std::string who = peer.to_string();
  // Closed unread (the socket goes out of scope) past the limits.
  if (open_ >= kMaxConnections || per_peer_[who] >= kMaxPerPeer) return;
  ++open_;
  ++per_peer_[who];
  auto c = std::make_shared<Connection>(std::move(socket), meta.local, std::move(who));
  asio::co_spawn(
      *io_, [c] { return c->watchdog.run([raw = c.get()] { raw->stream->cancel(); }); },
      asio::detached);
  asio::co_spawn(*io_, serve(c), [this, c](const std::exception_ptr& e) {
    --open_;
    if (--per_peer_[c->peer] == 0) per_peer_.erase(c->peer);
    c->watchdog.stop();
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        spdlog::error("BUG: an admin connection ended by an exception: {}", ex.what());
      }
    }
  });
}

std::string AdminServer::certificate_name(const std::string& sni,
                                          const net::tcp::endpoint& local) const {
  if (std::find(tls_.names.begin(), tls_.names.end(), sni) != tls_.names.end()) return sni;
  asio::ip::address a = local.address();
  if (a.is_v6() && a.to_v6().is_v4_mapped())
    a = asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
  return a.to_string();
}

net::Awaitable<bool> AdminServer::start_tls(Connection& c) {
  tls::HelloResult hello;
  for (;;) {
    hello = tls::parse_client_hello(c.buffered, kMaxHello);
    if (hello.status != tls::HelloStatus::NeedMore) break;
    char chunk[4096];
    auto [ec, n] = co_await c.stream->read_some(std::span<char>(chunk));
    if (ec) co_return false;
    c.buffered.append(chunk, n);
  }
  if (hello.status != tls::HelloStatus::Done) {
    // Plain HTTP to an HTTPS port most likely: say so rather than close silently.
    if (hello.status == tls::HelloStatus::NotTls) {
      const std::string answer = refusal(
          400, "ERR_NOT_TLS", "The admin listener speaks HTTPS only: use https:// in the URL.");
      co_await c.stream->write_all(answer);
    }
    co_return false;
  }
  const std::string name = certificate_name(hello.info.sni, c.local);
  auto minted = tls_.certs->get(name, std::nullopt);
  if (!minted) {
    spdlog::error("admin listener: no certificate for {}: {}", name, minted.error().context);
    co_return false;
  }
  tls::SslPtr ssl = tls::new_server_ssl(tls_.server_ctx, (*minted)->cert.get(),
                                        tls_.minter->leaf_key(), tls_.minter->ca_certificate());
  if (!ssl) co_return false;
  auto secured = std::make_unique<tls::TlsStream>(std::move(c.stream->socket()), std::move(ssl),
                                                  std::move(c.buffered));
  c.buffered.clear();
  tls::TlsStream& handshaking = *secured;
  c.stream = std::move(secured);
  co_return !co_await handshaking.handshake();
}

net::Awaitable<void> AdminServer::serve(std::shared_ptr<Connection> c) {
  c->watchdog.expire_after(10s);
  if (tls_.certs != nullptr && !co_await start_tls(*c)) co_return;
  http::RequestHeadParser parser(kHeadLimits);
  for (int served = 0; served < kRequestsPerConnection; ++served) {
    c->watchdog.expire_after(served == 0 ? 10s : 15s);  // the first head, then keep-alive
    parser.reset();
    http::ParseResult parsed;
    for (;;) {
      parsed = parser.parse(c->buffered);
      if (parsed.status != http::ParseStatus::NeedMore) break;
      char chunk[4096];
      auto [ec, n] = co_await c->stream->read_some(std::span<char>(chunk));
      if (ec) co_return;
      c->buffered.append(chunk, n);
    }
    c->watchdog.expire_after(10s);  // answering
    if (parsed.status == http::ParseStatus::Invalid) {
      const std::string answer =
          refusal(parsed.error.status, "ERR_BAD_REQUEST", std::string(parsed.error.reason) + ".");
      co_await c->stream->write_all(answer);
      co_return;
    }
    const http::RequestHead head = parser.take();
    c->buffered.erase(0, parsed.consumed);
    auto semantics = http::analyze_request(head);
    std::string response;
    bool close = true;
    if (!semantics) {
      response = refusal(semantics.error().status, "ERR_BAD_REQUEST",
                         std::string(semantics.error().reason) + ".");
    } else if (semantics->body.kind != http::BodyKind::None &&
               semantics->body.kind != http::BodyKind::Length) {
      response = refusal(411, "ERR_BAD_REQUEST", "Send a form with a Content-Length.");
    } else if (semantics->body.length > kMaxBody) {
      response = refusal(413, "ERR_BODY_TOO_LARGE", "The admin listener takes forms only.");
    } else {
      const auto length = static_cast<std::size_t>(semantics->body.length);
      while (c->buffered.size() < length) {
        char chunk[4096];
        auto [ec, n] = co_await c->stream->read_some(std::span<char>(chunk));
        if (ec) co_return;
        c->buffered.append(chunk, n);
      }
      const std::string body = c->buffered.substr(0, length);
      c->buffered.erase(0, length);
      close = !semantics->keep_alive || served + 1 == kRequestsPerConnection;
      response = handler_(AdminRequest{head, body, c->peer, close});
    }
    auto [ec, n] = co_await c->stream->write_all(response);
    if (ec || close) break;
  }
  co_await c->stream->shutdown_send();
}

}  // namespace warden::admin
