// systemd's notify protocol (sd_notify(3)), written out rather than linking libsystemd: one
// datagram of "KEY=value" lines to the AF_UNIX socket named by $NOTIFY_SOCKET (a path, or
// "@name" in the abstract namespace). Outside systemd the variable is unset and nothing is sent.
#include "platform/service.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace warden::platform {
namespace {

void notify(std::string_view message) {
  const char* path = std::getenv("NOTIFY_SOCKET");
  if (path == nullptr || path[0] == '\0') return;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::size_t length = std::strlen(path);
  if ((path[0] != '/' && path[0] != '@') || length >= sizeof(addr.sun_path)) {
    fmt::print(stderr, "warden: NOTIFY_SOCKET={} is not a socket path; systemd is not told\n",
               path);
    return;
  }
  std::memcpy(addr.sun_path, path, length);
  if (path[0] == '@') addr.sun_path[0] = '\0';  // abstract namespace
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  const auto size = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + length);
  if (::sendto(fd, message.data(), message.size(), MSG_NOSIGNAL,
               reinterpret_cast<const sockaddr*>(&addr), size) < 0)
    fmt::print(stderr, "warden: telling systemd \"{}\" failed: {}\n",
               message.substr(0, message.find('\n')), std::strerror(errno));
  ::close(fd);
}

}  // namespace

void report_service_running(const std::string& status) {
  notify(status.empty() ? std::string("READY=1") : "READY=1\nSTATUS=" + status);
}

void report_service_reloading() { notify("RELOADING=1\nSTATUS=reloading"); }

void report_service_stopping() { notify("STOPPING=1\nSTATUS=draining connections"); }

std::optional<std::chrono::microseconds> service_watchdog_interval() {
  const char* usec = std::getenv("WATCHDOG_USEC");
  if (usec == nullptr) return std::nullopt;
  // systemd sets WATCHDOG_PID so that a child inheriting the environment does not answer.
  if (const char* pid = std::getenv("WATCHDOG_PID");
      pid != nullptr && std::strtol(pid, nullptr, 10) != ::getpid())
    return std::nullopt;
  char* end = nullptr;
  const unsigned long long value = std::strtoull(usec, &end, 10);
  if (end == usec || *end != '\0' || value == 0) return std::nullopt;
  return std::chrono::microseconds(value);
}

void report_service_alive() { notify("WATCHDOG=1"); }

}  // namespace warden::platform
