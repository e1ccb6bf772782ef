#include "flow/engine.hpp"

#include "capture/acceptor_loop.hpp"
#include "flow/client_session.hpp"
#include "flow/h2_upstream.hpp"
#include "net/listener.hpp"
#include "policy/policy_file.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <future>
#include <thread>

namespace warden::flow {

namespace asio = net::asio;

Engine::Engine(EngineConfigPtr config, observe::AccessLog& access_log, unsigned threads,
               const TlsServices* tls, policy::PolicyPtr policy)
    : metrics_(threads == 0 ? 1 : threads), pool_(threads == 0 ? 1 : threads) {
  shared_.metrics = &metrics_;
  if (!policy) policy = policy::default_policy(policy::CategoryLists::empty());
  shared_.access_log = &access_log;
  shared_.tls = tls;
  shared_.id_salt = base::random_process_salt();
  for (std::size_t i = 0; i < pool_.size(); ++i)
    contexts_.push_back(std::make_unique<WorkerContext>(pool_[i], shared_, config, policy));
}

Engine::~Engine() {
  const bool clean = shutdown(std::chrono::seconds(1));
  if (clean) {
    contexts_.clear();  // their timers and sockets go while the io_contexts still exist
  } else {
    // Some worker is stuck: its flows still point at their context, so keep it (a leak at
    // exit, instead of a use-after-free).
    static std::vector<std::unique_ptr<WorkerContext>> leaked;
    leaked = std::move(contexts_);
    pool_.stop();
  }
}

void Engine::set_activity_store(observe::ActivityStore* store) {
  for (auto& c : contexts_) c->activity.attach(store);  // no worker runs yet
}

base::Result<void> Engine::start(const std::vector<net::tcp::endpoint>& listen,
                                 const std::vector<TransparentListener>& transparent,
                                 const std::vector<net::tcp::endpoint>& balanced,
                                 const std::vector<net::tcp::endpoint>& balanced_capture) {
  struct Listener {
    net::tcp::endpoint endpoint;
    capture::CaptureMode mode;
    bool balanced;
  };
  std::vector<Listener> all;
  for (const auto& e : listen) all.push_back({e, capture::CaptureMode::Explicit, false});
  for (const auto& t : transparent) all.push_back({t.endpoint, t.mode, false});
  for (const auto& e : balanced) all.push_back({e, capture::CaptureMode::Explicit, true});
  for (const auto& e : balanced_capture) all.push_back({e, capture::CaptureMode::Balancer, true});
  for (const auto& [requested, mode, behind_balancer] : all) {
    const bool sign_in = shared_.sign_in != nullptr && mode == capture::CaptureMode::Explicit &&
                         (sign_in_on_.empty() || std::find(sign_in_on_.begin(), sign_in_on_.end(),
                                                           requested) != sign_in_on_.end());
    net::ListenOptions options;
    options.transparent = mode == capture::CaptureMode::Tproxy;
    options.dual_stack = mode != capture::CaptureMode::Explicit;
    // The first worker binds (resolving port 0); the others join it on the same port, where
    // the OS lets them (else the first worker takes every connection).
    net::tcp::endpoint bound = requested;
    options.shared = net::port_sharing();
    const std::size_t listening = options.shared ? pool_.size() : 1;
    for (std::size_t i = 0; i < listening; ++i) {
      auto acceptor = net::open_listener(pool_[i].io(), bound, options);
      if (!acceptor) return acceptor.error();
      if (i == 0) bound = acceptor->local_endpoint();
      contexts_[i]->acceptors.push_back(std::move(*acceptor));
      contexts_[i]->acceptor_modes.push_back(mode);
      contexts_[i]->acceptor_balanced.push_back(behind_balancer);
      contexts_[i]->acceptor_sign_in.push_back(sign_in);
    }
    shared_.listen_endpoints.push_back(bound);
    shared_.own_endpoints.push_back(bound);
  }
  for (auto& ctx : contexts_) {
    WorkerContext* c = ctx.get();
    for (std::size_t a = 0; a < c->acceptors.size(); ++a) {
      asio::co_spawn(c->worker.executor(),
                     capture::accept_loop(
                         c->acceptors[a], c->acceptor_modes[a],
                         [c, balanced = static_cast<bool>(c->acceptor_balanced[a]),
                          sign_in = static_cast<bool>(c->acceptor_sign_in[a])](
                             net::Socket s, capture::FlowMeta meta) {
                           meta.proxy_header = balanced;
                           meta.sign_in = sign_in;
                           ClientSession::start(*c, std::move(s), std::move(meta));
                         },
                         shared_.reflections),
                     asio::detached);
    }
    asio::co_spawn(c->worker.executor(), c->upstreams.sweep_loop(c->config->timeouts.upstream_idle),
                   asio::detached);
  }
  pool_.start();
  started_ = true;
  return {};
}

void Engine::run_on_workers(const std::function<void(WorkerContext&)>& fn) {
  if (!started_) {
    for (auto& c : contexts_) fn(*c);
    return;
  }
  std::vector<std::future<void>> done;
  for (auto& c : contexts_) {
    auto task = std::make_shared<std::packaged_task<void()>>([&fn, ctx = c.get()] { fn(*ctx); });
    done.push_back(task->get_future());
    asio::post(c->worker.executor(), [task] { (*task)(); });
  }
  for (auto& f : done) f.wait();
}

std::vector<unsigned> Engine::workers_not_turning() {
  if (!turned_) turned_ = std::make_unique<std::atomic<std::uint64_t>[]>(contexts_.size());
  std::vector<unsigned> stuck;
  for (unsigned i = 0; i < contexts_.size(); ++i)
    if (turned_[i].load(std::memory_order_relaxed) != stamp_) stuck.push_back(i);
  ++stamp_;
  for (unsigned i = 0; i < contexts_.size(); ++i)
    asio::post(contexts_[i]->worker.executor(), [slot = &turned_[i], stamp = stamp_] {
      slot->store(stamp, std::memory_order_relaxed);
    });
  return stuck;
}

void Engine::freeze_worker_for_test(unsigned index) {
  if (index >= contexts_.size()) return;
  asio::post(contexts_[index]->worker.executor(), [] {
    for (;;) std::this_thread::sleep_for(std::chrono::hours(1));
  });
}

void Engine::reload(EngineConfigPtr config) {
  for (auto& c : contexts_)
    asio::post(c->worker.executor(), [ctx = c.get(), config] { ctx->config = config; });
}

void Engine::set_policy(policy::PolicyPtr policy) {
  for (auto& c : contexts_)
    asio::post(c->worker.executor(), [ctx = c.get(), policy] { ctx->policy = policy; });
}

bool Engine::shutdown(net::Duration grace) {
  if (!started_ || stopped_) return true;
  stopped_ = true;
  auto wait_idle = [this](net::Duration limit) {
    const auto deadline = net::Clock::now() + limit;
    while (shared_.connections.load() > 0 && net::Clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return shared_.connections.load() == 0;
  };
  run_on_workers([](WorkerContext& c) {
    c.draining = true;
    for (auto& a : c.acceptors) {
      net::error_code ignored;
      a.close(ignored);
    }
    const std::vector<ClientSession*> sessions(c.sessions.begin(), c.sessions.end());
    for (ClientSession* s : sessions) s->drain();
  });
  if (!wait_idle(grace)) {
    spdlog::info("shutdown: grace period over, closing {} connections", shared_.connections.load());
    run_on_workers([](WorkerContext& c) {
      const std::vector<ClientSession*> sessions(c.sessions.begin(), c.sessions.end());
      for (ClientSession* s : sessions) s->abort();
    });
    wait_idle(std::chrono::seconds(2));
  }
  run_on_workers([](WorkerContext& c) {
    c.upstreams.stop();
    H2Upstream::close_all(c);
    c.access_log.flush();
    c.activity.flush();
  });
  const bool finished = pool_.finish(std::chrono::seconds(5));
  if (!finished) spdlog::error("shutdown: workers did not stop in time");
  return finished;
}

}  // namespace warden::flow
