#include "admin/health.hpp"

#include <fmt/format.h>

namespace warden::admin {

std::string_view to_string(Readiness::State s) {
  switch (s) {
    case Readiness::State::Starting:
      return "starting";
    case Readiness::State::Ready:
      return "ready";
    case Readiness::State::Draining:
      return "draining";
  }
  return "?";
}

std::string health_response(const AdminRequest& request, Readiness::State state) {
  const std::string_view method = request.head.method();
  const std::string_view target = request.head.target();
  const auto answer = [&](unsigned status, std::string_view reason, std::string_view body,
                          std::string_view extra = {}) {
    return fmt::format(
        "HTTP/1.1 {} {}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\n"
        "Cache-Control: no-store\r\n{}{}\r\n{}",
        status, reason, body.size() + 1, extra, request.close ? "Connection: close\r\n" : "",
        method == "HEAD" ? std::string() : std::string(body) + "\n");
  };
  if (method != "GET" && method != "HEAD")
    return answer(405, "Method Not Allowed", "GET or HEAD", "Allow: GET, HEAD\r\n");
  if (target == "/live") return answer(200, "OK", "alive");
  if (target == "/ready")
    return state == Readiness::State::Ready ? answer(200, "OK", "ready")
                                            : answer(503, "Service Unavailable", to_string(state));
  return answer(404, "Not Found", "/ready or /live");
}

}  // namespace warden::admin
