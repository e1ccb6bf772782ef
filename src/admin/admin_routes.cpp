#include "admin/admin_routes.hpp"

#include "actions/page_parts.hpp"
#include "observe/prometheus_text.hpp"

#include <fmt/format.h>
#include <openssl/crypto.h>

namespace warden::admin {
namespace {

// A token compared in constant time: how long it takes says nothing of how much matched.
bool bearer_matches(const http::RequestHead& head, const std::string& token) {
  if (token.empty()) return false;
  const auto given = head.find("authorization");
  if (!given) return false;
  constexpr std::string_view kBearer = "Bearer ";
  if (!given->starts_with(kBearer)) return false;
  const std::string_view presented = given->substr(kBearer.size());
  return presented.size() == token.size() &&
         CRYPTO_memcmp(presented.data(), token.data(), token.size()) == 0;
}

std::string text(unsigned status, std::string_view fields, std::string_view body, bool close,
                 bool head_only) {
  return actions::page_response(status, "text/plain", fields, body, close, head_only);
}

}  // namespace

std::string respond(const AdminPages& pages, const AdminRequest& r) {
  const http::RequestHead& head = r.head;
  const bool close = r.close;
  const std::string_view method = head.method();
  const bool head_only = method == "HEAD";
  const std::string_view target = head.target();
  if (!target.starts_with('/'))
    return text(400, "", "Send the path only (origin form).\n", close, head_only);
  const std::string_view path = target.substr(0, target.find('?'));
  if (pages.dashboard != nullptr)
    if (auto answer = pages.dashboard->respond(r)) return std::move(*answer);
  if (method != "GET" && !head_only)
    return text(405, "Allow: GET, HEAD\r\n", "Only GET and HEAD are answered here.\n", close,
                false);
  if (path == "/metrics") {
    if (!bearer_matches(head, pages.metrics_token))
      return text(401, "WWW-Authenticate: Bearer realm=\"warden\"\r\n",
                  "/metrics needs the token of admin.metrics_token_file "
                  "(Authorization: Bearer ...).\n",
                  close, head_only);
    const std::string body = pages.metrics();
    std::string out = fmt::format(
        "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nContent-Length: {}\r\n"
        "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n{}\r\n",
        observe::PrometheusText::kContentType, body.size(), close ? "Connection: close\r\n" : "");
    if (!head_only) out += body;
    return out;
  }
  if (pages.ca != nullptr &&
      (path == "/ca" || path == "/ca.pem" || path == "/ca.crt" || path == "/ca.der"))
    return actions::ca_page_response(*pages.ca, path, head_only, close);
  return text(404, "", "Not found.\n", close, head_only);
}

}  // namespace warden::admin
