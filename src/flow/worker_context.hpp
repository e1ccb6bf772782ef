#pragma once
// Everything one worker's flows share: its config snapshot, upstream pool, access-log batch,
// request ids and the registry of live sessions (for drain and shutdown). Lives on the
// worker's thread; nothing here is locked. EngineShared is the little that crosses workers.

#include "actions/ca_page.hpp"
#include "base/request_id.hpp"
#include "capture/flow_meta.hpp"
#include "capture/packet/reflection_table.hpp"
#include "flow/dns_cache.hpp"
#include "flow/engine_config.hpp"
#include "flow/tls_services.hpp"
#include "flow/upstream_pool.hpp"
#include "identity/sign_in.hpp"
#include "net/worker.hpp"
#include "observe/access_log.hpp"
#include "observe/activity_store.hpp"
#include "observe/alert_center.hpp"
#include "observe/metrics.hpp"
#include "policy/policy.hpp"

#include <atomic>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace warden::flow {

class ClientSession;
class H2Upstream;

// Shared by all workers; owned by the Engine.
struct EngineShared {
  std::atomic<std::size_t> connections{0};           // open client connections, all workers
  std::atomic<std::uint64_t> rejected_busy{0};       // refused at max_connections
  std::vector<net::tcp::endpoint> listen_endpoints;  // the proxy's listeners
  // Those and this process's other listeners (admin): flows never connect to them (a loop).
  std::vector<net::tcp::endpoint> own_endpoints;
  std::uint32_t id_salt = 0;
  observe::AccessLog* access_log = nullptr;
  observe::AlertCenter* alerts = nullptr;  // null: no alerts are made
  const TlsServices* tls = nullptr;        // null: CONNECT tunnels are relayed, not intercepted
  // The packet path's table (capture.mode tun): what reflected connections dialled.
  const capture::packet::ReflectionTable* reflections = nullptr;
  observe::Metrics* metrics = nullptr;         // one shard per worker; never null once started
  const actions::CaFiles* ca_files = nullptr;  // the CA page's certificate; null: no page
  identity::SignIn* sign_in = nullptr;         // auth: who signs in; null: nobody is asked
};

class WorkerContext {
 public:
  WorkerContext(net::Worker& w, EngineShared& s, EngineConfigPtr c, policy::PolicyPtr p)
      : worker(w),
        shared(s),
        config(std::move(c)),
        policy(std::move(p)),
        upstreams(w.executor()),
        access_log(*s.access_log, w.executor()),
        activity(nullptr, w.executor()),
        metrics(s.metrics->worker(w.index())),
        ids(s.id_salt, w.index()) {}

  net::Worker& worker;
  EngineShared& shared;
  EngineConfigPtr config;    // replaced (by a post from the control plane) on reload
  policy::PolicyPtr policy;  // likewise; never null
  UpstreamPool upstreams;
  // Shared HTTP/2 connections to origins, by https pool key and policy group (h2_upstream.hpp).
  std::unordered_map<std::string, std::shared_ptr<H2Upstream>> h2_upstreams;
  DnsCache dns_cache;               // destination checks of captured connections
  net::OwnAddresses own_addresses;  // this host's addresses, for the destination deny-list
  observe::AccessLogBatch access_log;
  observe::ActivityBatch activity;
  observe::WorkerMetrics& metrics;
  base::RequestIdGenerator ids;
  std::unordered_set<ClientSession*> sessions;
  std::vector<net::Acceptor> acceptors;
  std::vector<capture::CaptureMode> acceptor_modes;  // parallel to acceptors
  std::vector<bool> acceptor_balanced;               // ... and whether behind a balancer
  std::vector<bool> acceptor_sign_in;                // ... and whether it asks for sign-in
  // Response bytes held for phrase scanning by this worker's flows together (page_check.hpp).
  std::size_t held_for_scanning = 0;
  bool draining = false;
};

}  // namespace warden::flow
