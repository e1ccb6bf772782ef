#pragma once
// What the admin listener answers (docs/admin.md): GET /metrics for Prometheus (a bearer
// token), the CA page ("/ca", "/ca.pem", "/ca.crt"), the dashboard (admin/dashboard.hpp), 404
// for the rest.

#include "actions/ca_page.hpp"
#include "admin/admin_server.hpp"
#include "admin/dashboard.hpp"

#include <functional>
#include <string>

namespace warden::admin {

struct AdminPages {
  std::string metrics_token;             // what "Authorization: Bearer ..." must carry
  std::function<std::string()> metrics;  // the exposition text, made at each scrape
  const actions::CaFiles* ca = nullptr;  // null: no CA page
  Dashboard* dashboard = nullptr;        // null: no dashboard
};

// The whole response to `r`.
[[nodiscard]] std::string respond(const AdminPages& pages, const AdminRequest& r);

}  // namespace warden::admin
