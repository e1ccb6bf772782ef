#pragma once
// Blocking sockets with deadlines for tests: a raw client that writes exact bytes and reads
// what comes back, a scripted origin that records every byte it receives and answers with
// exact bytes, and a minimal HTTP/1.1 response reader. Every read has a deadline, so a test can
// fail but never hang.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace warden::test {

using namespace std::chrono_literals;

class RawClient {
 public:
  explicit RawClient(std::uint16_t port, const std::string& host = "127.0.0.1");
  ~RawClient();
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  [[nodiscard]] bool connected() const { return fd_ >= 0; }
  bool send(std::string_view bytes);
  void shutdown_write();
  void close();
  // Reads until the peer closes, `timeout` passes, or `until` (if given) says enough.
  std::string read_until_close(std::chrono::milliseconds timeout = 5s);
  // Reads whatever arrives within `timeout` (at least one byte, or "").
  std::string read_some(std::chrono::milliseconds timeout = 5s);
  // True if the peer closed the connection (EOF or reset) within `timeout`.
  bool closed_by_peer(std::chrono::milliseconds timeout = 5s);
  [[nodiscard]] int fd() const { return fd_; }

 private:
  int fd_ = -1;
  std::string pending_;
  friend struct Response;
  friend std::optional<struct Response> read_response(RawClient&, std::chrono::milliseconds, bool);
};

struct Response {
  int status = 0;
  std::string head;                           // status line and fields, as received
  std::map<std::string, std::string> fields;  // lower-case names; repeated names joined by ", "
  std::string body;
  std::string trailers;
  [[nodiscard]] std::string field(const std::string& lower_name) const;
};

// Reads one response (Content-Length, chunked, or until close). `head_request`: no body.
std::optional<Response> read_response(RawClient& c, std::chrono::milliseconds timeout = 5s,
                                      bool head_request = false);

// A raw TCP origin on 127.0.0.1: for each connection, records what arrives and calls `script`
// with the bytes so far; the script returns bytes to send (or nullopt to keep reading), and
// whether to close afterwards.
class ScriptedOrigin {
 public:
  struct Reply {
    std::string bytes;
    bool close = true;
    bool reset = false;  // close with RST (SO_LINGER 0) instead of FIN
  };
  using Script = std::function<std::optional<Reply>(const std::string& received)>;

  explicit ScriptedOrigin(Script script);
  ~ScriptedOrigin();
  ScriptedOrigin(const ScriptedOrigin&) = delete;
  ScriptedOrigin& operator=(const ScriptedOrigin&) = delete;

  [[nodiscard]] std::uint16_t port() const { return port_; }
  // Everything received on all connections, in order.
  [[nodiscard]] std::string received() const;
  [[nodiscard]] unsigned connections() const;

 private:
  void serve(int fd);

  Script script_;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  mutable std::mutex mu_;
  std::string received_;
  unsigned connections_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

// A TCP echo server (for CONNECT tunnels).
class EchoServer {
 public:
  EchoServer();
  ~EchoServer();
  EchoServer(const EchoServer&) = delete;
  EchoServer& operator=(const EchoServer&) = delete;
  [[nodiscard]] std::uint16_t port() const { return origin_.port(); }

 private:
  ScriptedOrigin origin_;
};

// Waits until `cond` holds or `timeout` passes; returns cond's last value.
bool eventually(const std::function<bool()>& cond, std::chrono::milliseconds timeout = 5s);

// A loopback port nothing listens on.
std::uint16_t unused_port();

}  // namespace warden::test
