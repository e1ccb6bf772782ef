#pragma once
// What the admin listener answers (docs/admin.md): GET /metrics for Prometheus (a bearer
// token), the CA page ("/", "/ca.pem", "/ca.crt"), 404 for the rest; GET and HEAD only.

#include "actions/ca_page.hpp"
#include "http/message.hpp"

#include <functional>
#include <string>

namespace warden::admin {

struct AdminPages {
  std::string metrics_token;             // what "Authorization: Bearer ..." must carry
  std::function<std::string()> metrics;  // the exposition text, made at each scrape
  const actions::CaFiles* ca = nullptr;  // null: no CA page
};

// The whole response to `head`; `close` adds Connection: close.
[[nodiscard]] std::string respond(const AdminPages& pages, const http::RequestHead& head,
                                  bool close);

}  // namespace warden::admin
