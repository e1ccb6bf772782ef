#pragma once
// The admin listener (docs/admin.md): HTTPS on its own thread and io_context, so a scrape or a
// page never runs on a worker and a busy proxy never starves the admin side. Its certificate is
// minted from the school CA for the name the client asked for when that is one of admin.names,
// else for the address it connected to (never for any other name: the listener is no oracle
// for certificates). Without certificates (AdminTls{}) it speaks plain HTTP: the health
// listener, for balancers (admin/health.hpp). HTTP/1.1 only; bodies up to 16 KiB with a
// Content-Length (forms); bounded heads; every wait bounded.
//
// Thread safety: start() and stop() from the control thread; the handler runs on the admin
// thread.

#include "base/result.hpp"
#include "capture/flow_meta.hpp"
#include "http/message.hpp"
#include "net/types.hpp"
#include "tls/cert_cache.hpp"
#include "tls/leaf_minter.hpp"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace warden::admin {

struct AdminTls {
  tls::CertCache* certs = nullptr;  // null: plain HTTP
  const tls::LeafMinter* minter = nullptr;
  SSL_CTX* server_ctx = nullptr;
  std::vector<std::string> names;  // lower case
};

// One request as the admin listener read it: its head, its body (a form, at most 16 KiB) and
// who sent it.
struct AdminRequest {
  const http::RequestHead& head;
  std::string_view body;
  std::string peer;    // the client's address
  bool close = false;  // the connection ends after the answer: say Connection: close
};

// One request's whole response (status line to body).
using Handler = std::function<std::string(const AdminRequest& request)>;

class AdminServer {
 public:
  AdminServer(AdminTls tls, Handler handler);
  ~AdminServer();
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // Binds `at` (port 0: any) and starts the admin thread.
  [[nodiscard]] base::Result<void> start(const net::tcp::endpoint& at);
  [[nodiscard]] const net::tcp::endpoint& endpoint() const { return bound_; }
  // Closes the listener and every connection; joins the thread.
  void stop();

 private:
  struct Connection;
  void accept(net::Socket socket, const capture::FlowMeta& meta);
  net::Awaitable<void> serve(std::shared_ptr<Connection> c);
  net::Awaitable<bool> start_tls(Connection& c);
  [[nodiscard]] std::string certificate_name(const std::string& sni,
                                             const net::tcp::endpoint& local) const;

  AdminTls tls_;
  Handler handler_;
  std::unique_ptr<net::asio::io_context> io_;
  std::unique_ptr<net::Acceptor> acceptor_;
  net::tcp::endpoint bound_;
  std::thread thread_;
  std::size_t open_ = 0;                         // connections; the admin thread's
  std::map<std::string, std::size_t> per_peer_;  // ... and per client address
};

}  // namespace warden::admin
