#pragma once
// The health listener as `warden run` starts it (balancer.health_listen, docs/fleet.md): up
// while the policy loads, so a balancer sees "starting" rather than nothing, and kept until
// the very end, so it sees "draining" the whole time the listeners wind down.

#include "admin/admin_server.hpp"
#include "admin/health.hpp"
#include "app/config.hpp"
#include "base/result.hpp"

#include <memory>

namespace warden::app {

struct HealthRuntime {
  admin::Readiness readiness;
  std::unique_ptr<admin::AdminServer> server;  // null: balancer.health_listen is "off"
};

// Starts the listener when c.balancer.health_listen is not "off". Its thread must be born
// inside the CA key's wall: call it after the TLS start.
[[nodiscard]] base::Result<void> start_health(const Config& c, HealthRuntime& health);

}  // namespace warden::app
