#include "app/health_setup.hpp"

namespace warden::app {

base::Result<void> start_health(const Config& c, HealthRuntime& health) {
  if (c.balancer.health_listen == "off") return {};
  auto at = parse_listen_address(c.balancer.health_listen);
  if (!at) return at.error();
  const admin::Readiness& readiness = health.readiness;
  auto server = std::make_unique<admin::AdminServer>(
      admin::AdminTls{}, [&readiness](const admin::AdminRequest& request) {
        return admin::health_response(request, readiness.state());
      });
  if (auto started = server->start(*at); !started)
    return base::Error{
        started.error().code, started.error().source,
        "balancer.health_listen " + c.balancer.health_listen + ": " + started.error().context};
  health.server = std::move(server);
  return {};
}

}  // namespace warden::app
