#pragma once
// The proxy engine: workers, their listeners and flows. app/ builds it from the config; tests
// run it in-process. start() opens every listener on every worker (SO_REUSEPORT) before any
// thread runs, so a bad address fails the start with a message instead of a half-up proxy.
//
// Thread safety: start/reload/shutdown/active_connections are called from the control thread;
// they reach workers only by post().

#include "base/result.hpp"
#include "flow/engine_config.hpp"
#include "flow/worker_context.hpp"
#include "net/worker.hpp"
#include "observe/access_log.hpp"
#include "policy/policy.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace warden::flow {

class Engine {
 public:
  // `tls` (may be null: CONNECT is relayed) must outlive the engine. `policy` null: the
  // built-in defaults without category lists (which allow everything).
  Engine(EngineConfigPtr config, observe::AccessLog& access_log, unsigned threads,
         const TlsServices* tls = nullptr, policy::PolicyPtr policy = nullptr);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // A listener for transparently captured connections (capture/): dual-stack when its address
  // is IPv6, IP_TRANSPARENT for tproxy.
  struct TransparentListener {
    net::tcp::endpoint endpoint;
    capture::CaptureMode mode;
  };
  // The packet path's table, for tun listeners; set before start(), outlives the engine.
  void set_reflection_table(const capture::packet::ReflectionTable* table) {
    shared_.reflections = table;
  }
  // Where searches go while the policy has [[alert]] rules; set before start(), outlives the
  // engine.
  void set_alert_center(observe::AlertCenter* alerts) { shared_.alerts = alerts; }
  // Another listener of this process (the admin listener), set before start(): flows refuse
  // to connect to it as they refuse their own listeners.
  void add_own_endpoint(const net::tcp::endpoint& e) { shared_.own_endpoints.push_back(e); }
  // The school CA's files for the CA page (admin.ca_page); set before start(), outlives the
  // engine. Unset: no CA page.
  void set_ca_files(const actions::CaFiles* ca) { shared_.ca_files = ca; }
  // Sign-in (auth) on the explicit listeners `on` (their configured addresses; empty: every
  // explicit listener, balanced ones included); set before start(), outlives the engine.
  void set_sign_in(identity::SignIn* sign_in, std::vector<net::tcp::endpoint> on) {
    shared_.sign_in = sign_in;
    sign_in_on_ = std::move(on);
  }
  // The dashboard's database, which every record also goes to; set before start(), outlives
  // the engine.
  void set_activity_store(observe::ActivityStore* store);
  // Opens the explicit-proxy listeners, then the transparent ones, then those behind a
  // balancer (each connection starting with a PROXY header, accepted from
  // EngineConfig::balancers only): explicit-proxy ones, and ones of captured traffic (mode
  // Balancer, the destination the header's). Then starts the workers.
  [[nodiscard]] base::Result<void> start(
      const std::vector<net::tcp::endpoint>& listen,
      const std::vector<TransparentListener>& transparent = {},
      const std::vector<net::tcp::endpoint>& balanced = {},
      const std::vector<net::tcp::endpoint>& balanced_capture = {});
  // The bound addresses (port 0 resolved), in the order given: explicit, transparent, balanced.
  [[nodiscard]] const std::vector<net::tcp::endpoint>& endpoints() const {
    return shared_.listen_endpoints;
  }
  // New flows and exchanges use `config` from now on; running exchanges keep theirs.
  void reload(EngineConfigPtr config);
  // New flows and requests are judged by `policy` from now on; a tunnel already spliced or
  // relayed keeps the decision it had.
  void set_policy(policy::PolicyPtr policy);
  // Stops accepting; idle connections close now, busy ones after their exchange; after
  // `grace` the rest are aborted. Returns false if workers did not stop in time.
  bool shutdown(net::Duration grace);
  [[nodiscard]] std::size_t active_connections() const { return shared_.connections.load(); }
  [[nodiscard]] std::uint64_t rejected_busy() const { return shared_.rejected_busy.load(); }
  [[nodiscard]] unsigned threads() const { return static_cast<unsigned>(pool_.size()); }
  // What the workers counted (observe/metrics.hpp); read from any thread.
  [[nodiscard]] const observe::Metrics& metrics() const { return metrics_; }

  // Liveness, for the service watchdog (app/liveness): the workers that have not run the stamp
  // posted to them by the previous call, i.e. whose event loop has not turned since; then posts
  // the next stamp. Empty when all turn. Control thread only.
  [[nodiscard]] std::vector<unsigned> workers_not_turning();
  // Test hook (WARDEN_DEBUG_HOOKS): blocks worker `index`'s thread for good, as a worker stuck
  // in a loop would be; only the service watchdog gets Warden out of that.
  void freeze_worker_for_test(unsigned index);

  // Runs `fn(WorkerContext&)` on every worker and waits for it (tests, diagnostics).
  template <class Fn>
  void on_each_worker_for_test(Fn fn) {
    run_on_workers([&](WorkerContext& c) { fn(c); });
  }

 private:
  void run_on_workers(const std::function<void(WorkerContext&)>& fn);

  observe::Metrics metrics_;
  EngineShared shared_;
  std::vector<std::unique_ptr<WorkerContext>> contexts_;  // destroyed after pool_ stops
  net::WorkerPool pool_;
  bool started_ = false;
  bool stopped_ = false;
  std::unique_ptr<std::atomic<std::uint64_t>[]> turned_;  // per worker: the last stamp it ran
  std::uint64_t stamp_ = 0;
  std::vector<net::tcp::endpoint> sign_in_on_;
};

}  // namespace warden::flow
