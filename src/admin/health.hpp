#pragma once
// Warden's health, for load balancers (docs/fleet.md): GET /ready says whether this instance
// wants new connections (200 "ready"; 503 "starting" while it loads its policy, 503 "draining"
// once it has been told to stop), GET /live whether the process answers at all (200). Served
// in plain HTTP by an AdminServer without certificates on balancer.health_listen, so a
// balancer's check needs neither TLS nor a PROXY header.
//
// Thread safety: the state is set from the control thread and read on the health thread.

#include "admin/admin_server.hpp"

#include <atomic>
#include <string>
#include <string_view>

namespace warden::admin {

class Readiness {
 public:
  enum class State { Starting, Ready, Draining };

  void ready() { state_.store(State::Ready, std::memory_order_relaxed); }
  void draining() { state_.store(State::Draining, std::memory_order_relaxed); }
  [[nodiscard]] State state() const { return state_.load(std::memory_order_relaxed); }

 private:
  std::atomic<State> state_{State::Starting};
};

[[nodiscard]] std::string_view to_string(Readiness::State s);

// The whole response to one request to the health listener.
[[nodiscard]] std::string health_response(const AdminRequest& request, Readiness::State state);

}  // namespace warden::admin
