#include "raw_socket.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <utility>

namespace warden::test {
namespace {

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

// One read with a deadline: >0 bytes, 0 on EOF/reset, -1 on timeout.
ssize_t read_with_deadline(int fd, char* buf, std::size_t n, Clock::time_point deadline) {
  pollfd p{fd, POLLIN, 0};
  const int r = ::poll(&p, 1, remaining_ms(deadline));
  if (r <= 0) return -1;
  const ssize_t got = ::recv(fd, buf, n, 0);
  return got < 0 ? 0 : got;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

RawClient::RawClient(std::uint16_t port, const std::string& host) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  ::inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

RawClient::~RawClient() { close(); }

bool RawClient::send(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

void RawClient::shutdown_write() { ::shutdown(fd_, SHUT_WR); }

void RawClient::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

std::string RawClient::read_until_close(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  std::string out = std::move(pending_);
  pending_.clear();
  char buf[65536];
  for (;;) {
    const ssize_t n = read_with_deadline(fd_, buf, sizeof buf, deadline);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

std::string RawClient::read_some(std::chrono::milliseconds timeout) {
  if (!pending_.empty()) return std::exchange(pending_, {});
  char buf[65536];
  const ssize_t n = read_with_deadline(fd_, buf, sizeof buf, Clock::now() + timeout);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

bool RawClient::closed_by_peer(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  char buf[4096];
  for (;;) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, remaining_ms(deadline)) <= 0) return false;
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return true;
  }
}

std::string Response::field(const std::string& lower_name) const {
  auto it = fields.find(lower_name);
  return it == fields.end() ? std::string() : it->second;
}

std::optional<Response> read_response(RawClient& c, std::chrono::milliseconds timeout,
                                      bool head_request) {
  const auto deadline = Clock::now() + timeout;
  std::string data = std::move(c.pending_);
  c.pending_.clear();
  char buf[65536];
  auto fill = [&]() {
    const ssize_t n = read_with_deadline(c.fd_, buf, sizeof buf, deadline);
    if (n <= 0) return false;
    data.append(buf, static_cast<std::size_t>(n));
    return true;
  };
  std::size_t head_end;
  while ((head_end = data.find("\r\n\r\n")) == std::string::npos)
    if (!fill()) return std::nullopt;
  Response r;
  r.head = data.substr(0, head_end + 2);
  data.erase(0, head_end + 4);
  r.status = std::atoi(r.head.c_str() + 9);
  std::size_t pos = r.head.find("\r\n") + 2;
  while (pos < r.head.size()) {
    const std::size_t eol = r.head.find("\r\n", pos);
    const std::string line = r.head.substr(pos, eol - pos);
    const std::size_t colon = line.find(':');
    std::string name = lower(line.substr(0, colon));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    auto& slot = r.fields[name];
    slot = slot.empty() ? value : slot + ", " + value;
    pos = eol + 2;
  }
  if (head_request || r.status < 200 || r.status == 204 || r.status == 304) {
    c.pending_ = std::move(data);
    return r;
  }
  if (lower(r.field("transfer-encoding")) == "chunked") {
    for (;;) {
      std::size_t eol;
      while ((eol = data.find("\r\n")) == std::string::npos)
        if (!fill()) return std::nullopt;
      const std::size_t size = std::stoul(data.substr(0, eol), nullptr, 16);
      data.erase(0, eol + 2);
      if (size == 0) {
        std::size_t end;
        while ((end = data.find("\r\n")) != 0 && (end = data.find("\r\n\r\n")) == std::string::npos)
          if (!fill()) return std::nullopt;
        if (end == 0) {
          data.erase(0, 2);
        } else {
          r.trailers = data.substr(0, end + 2);
          data.erase(0, end + 4);
        }
        break;
      }
      while (data.size() < size + 2)
        if (!fill()) return std::nullopt;
      r.body.append(data, 0, size);
      data.erase(0, size + 2);
    }
  } else if (!r.field("content-length").empty()) {
    const std::size_t n = std::stoul(r.field("content-length"));
    while (data.size() < n)
      if (!fill()) return std::nullopt;
    r.body = data.substr(0, n);
    data.erase(0, n);
  } else {
    while (fill()) {
    }
    r.body = std::move(data);
    data.clear();
  }
  c.pending_ = std::move(data);
  return r;
}

ScriptedOrigin::ScriptedOrigin(Script script) : script_(std::move(script)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::listen(listen_fd_, 64);
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] {
    for (;;) {
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) return;
      std::lock_guard lock(mu_);
      if (stopping_) {
        ::close(fd);
        return;
      }
      ++connections_;
      threads_.emplace_back([this, fd] { serve(fd); });
    }
  });
}

ScriptedOrigin::~ScriptedOrigin() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  ::shutdown(listen_fd_, SHUT_RDWR);
  ::close(listen_fd_);
  acceptor_.join();
  for (auto& t : threads_) t.join();
}

void ScriptedOrigin::serve(int fd) {
  std::string mine;
  char buf[65536];
  const auto deadline = Clock::now() + 20s;
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) break;
    }
    if (auto reply = script_(mine)) {
      ::send(fd, reply->bytes.data(), reply->bytes.size(), MSG_NOSIGNAL);
      if (reply->close) {
        if (reply->reset) {
          linger l{1, 0};
          ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
        }
        break;
      }
      mine.clear();
    }
    const ssize_t n =
        read_with_deadline(fd, buf, sizeof buf, std::min(deadline, Clock::now() + 200ms));
    if (n == 0 || Clock::now() > deadline) break;
    if (n < 0) continue;  // poll timeout: check stopping_ and ask the script again
    std::lock_guard lock(mu_);
    received_.append(buf, static_cast<std::size_t>(n));
    mine.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
}

std::string ScriptedOrigin::received() const {
  std::lock_guard lock(mu_);
  return received_;
}

unsigned ScriptedOrigin::connections() const {
  std::lock_guard lock(mu_);
  return connections_;
}

EchoServer::EchoServer()
    : origin_([](const std::string& got) -> std::optional<ScriptedOrigin::Reply> {
        if (got.empty()) return std::nullopt;
        return ScriptedOrigin::Reply{got, false, false};
      }) {}

EchoServer::~EchoServer() = default;

bool eventually(const std::function<bool()>& cond, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!cond()) {
    if (Clock::now() >= deadline) return cond();
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

std::uint16_t unused_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);  // nothing listens: connecting is refused
  return ntohs(addr.sin_port);
}

}  // namespace warden::test
