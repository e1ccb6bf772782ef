#include "net/connector.hpp"

#include "base/scope_exit.hpp"
#include "net/socket_options.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>
#include <fmt/format.h>

#include <memory>
#include <optional>

namespace warden::net {
namespace {

using base::Error;
using base::ErrorCode;
using base::ErrorSource;

// Shared between the driver and its attempts; attempts keep it alive until they finish.
struct Race {
  explicit Race(const asio::any_io_executor& ex) : wake(ex) {}
  Timer wake;                                    // cancelled by an attempt to wake the driver
  std::vector<std::unique_ptr<Socket>> sockets;  // one per attempt
  std::optional<Connected> winner;
  std::size_t pending = 0;
  error_code last_error;
};

Awaitable<void> attempt(std::shared_ptr<Race> race, std::size_t i, tcp::endpoint ep) {
  auto [ec] = co_await race->sockets[i]->async_connect(ep);
  --race->pending;
  if (!ec && !race->winner) {
    race->winner.emplace(Connected{std::move(*race->sockets[i]), ep});
  } else if (ec && ec != asio::error::operation_aborted) {
    race->last_error = ec;
  }
  race->wake.cancel();
}

Error connect_error(const error_code& ec, const std::string& where) {
  if (ec == asio::error::connection_refused)
    return {ErrorCode::ConnectRefused, ErrorSource::Upstream, "connection refused by " + where};
  if (ec == asio::error::network_unreachable || ec == asio::error::host_unreachable)
    return {ErrorCode::Unreachable, ErrorSource::Upstream, "no route to " + where};
  if (ec == asio::error::connection_reset)
    return {ErrorCode::UpstreamReset, ErrorSource::Upstream, "connection reset by " + where};
  return {ErrorCode::ConnectRefused, ErrorSource::Upstream,
          fmt::format("could not connect to {} ({})", where, ec.message())};
}

// True once the calling flow asked its coroutine to stop (ClientSession::abort).
Awaitable<bool> cancelled() {
  auto state = co_await asio::this_coro::cancellation_state;
  co_return state.cancelled() != asio::cancellation_type::none;
}

}  // namespace

std::vector<tcp::endpoint> interleave_families(std::vector<tcp::endpoint> in) {
  std::vector<tcp::endpoint> v6;
  std::vector<tcp::endpoint> v4;
  for (auto& e : in) (e.address().is_v6() ? v6 : v4).push_back(e);
  std::vector<tcp::endpoint> out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < std::max(v6.size(), v4.size()); ++i) {
    if (i < v6.size()) out.push_back(v6[i]);
    if (i < v4.size()) out.push_back(v4[i]);
  }
  return out;
}

Awaitable<base::Result<std::vector<tcp::endpoint>>> resolve(std::string host, std::uint16_t port,
                                                            Clock::time_point deadline) {
  auto ex = co_await asio::this_coro::executor;
  std::vector<tcp::endpoint> endpoints;
  error_code parse_ec;
  const auto literal = asio::ip::make_address(host, parse_ec);
  if (!parse_ec) {
    endpoints.emplace_back(literal, port);
  } else {
    // The resolver runs getaddrinfo on Asio's helper thread; the guard timer bounds how long
    // we wait. Both live in a shared block because the guard's handler may run after we return.
    struct Lookup {
      explicit Lookup(const asio::any_io_executor& e) : resolver(e), guard(e) {}
      Resolver resolver;
      Timer guard;
      bool finished = false;
    };
    auto lookup = std::make_shared<Lookup>(ex);
    lookup->guard.expires_at(deadline);
    lookup->guard.async_wait([lookup](error_code ec) {
      if (!ec && !lookup->finished) lookup->resolver.cancel();
    });
    auto [ec, results] = co_await lookup->resolver.async_resolve(host, std::to_string(port),
                                                                 tcp::resolver::numeric_service);
    lookup->finished = true;
    lookup->guard.cancel();
    if (co_await cancelled())
      co_return Error{ErrorCode::Internal, ErrorSource::Internal, "connection attempt abandoned"};
    if (ec == asio::error::operation_aborted)
      co_return Error{ErrorCode::DnsFailure, ErrorSource::Upstream,
                      "DNS lookup for " + host + " timed out"};
    if (ec == asio::error::host_not_found || ec == asio::error::no_data)
      co_return Error{ErrorCode::DnsNotFound, ErrorSource::Upstream, "DNS: no such host " + host};
    if (ec)
      co_return Error{ErrorCode::DnsFailure, ErrorSource::Upstream,
                      fmt::format("DNS lookup for {} failed ({})", host, ec.message())};
    for (const auto& r : results) endpoints.push_back(r.endpoint());
  }
  if (endpoints.empty())
    co_return Error{ErrorCode::DnsNotFound, ErrorSource::Upstream, "DNS: no address for " + host};
  co_return endpoints;
}

Awaitable<base::Result<Connected>> connect_upstream(std::string host, std::uint16_t port,
                                                    ConnectOptions options) {
  const Clock::time_point deadline = Clock::now() + options.timeout;
  const std::string where = fmt::format("{}:{}", host, port);

  auto resolved = co_await resolve(host, port, deadline);
  if (!resolved) co_return resolved.error();
  std::vector<tcp::endpoint> endpoints = interleave_families(std::move(*resolved));

  options.timeout =
      std::max(Duration::zero(), std::chrono::duration_cast<Duration>(deadline - Clock::now()));
  co_return co_await connect_endpoints(std::move(endpoints), where, options);
}

Awaitable<base::Result<Connected>> connect_endpoints(std::vector<tcp::endpoint> endpoints,
                                                     std::string where, ConnectOptions options) {
  auto ex = co_await asio::this_coro::executor;
  const Clock::time_point deadline = Clock::now() + options.timeout;
  auto race = std::make_shared<Race>(ex);
  // Ports claimed for the capture; by the time connect() has ended, it has seen their SYNs.
  std::vector<std::uint16_t> claimed;
  const base::ScopeExit release_claims([&] {
    for (auto port : claimed) options.own_ports->release(port);
  });
  std::size_t next = 0;
  std::string denied;  // why the last refused address was refused
  while (!race->winner) {
    const bool can_start = next < endpoints.size();
    std::string refusal;
    if (can_start && options.destinations != nullptr)
      refusal = options.destinations->refusal(endpoints[next].address(), Clock::now());
    if (can_start && !refusal.empty()) {
      denied = fmt::format("{} is {}", endpoints[next].address().to_string(), refusal);
      ++next;
      continue;  // never attempted: the next one at once
    }
    if (can_start) {
      auto socket = std::make_unique<Socket>(ex);
      error_code ec;
      socket->open(endpoints[next].protocol(), ec);
      if (!ec) ec = prepare_upstream_socket(*socket, options.socket_mark);
      if (!ec && options.own_ports != nullptr) {
        std::uint16_t port = 0;
        ec = claim_local_port(*socket, endpoints[next], *options.own_ports, port);
        if (!ec) claimed.push_back(port);
      }
      if (ec) {
        race->last_error = ec;
      } else {
        race->sockets.push_back(std::move(socket));
        ++race->pending;
        asio::co_spawn(ex, attempt(race, race->sockets.size() - 1, endpoints[next]),
                       asio::detached);
      }
      ++next;
    }
    if (race->pending == 0) {
      if (next < endpoints.size()) continue;  // that attempt failed at once: try the next
      break;
    }
    const Clock::time_point now = Clock::now();
    if (now >= deadline) break;
    const Clock::time_point stagger =
        next < endpoints.size() ? now + options.attempt_delay : Clock::time_point::max();
    race->wake.expires_at(std::min(deadline, stagger));
    co_await race->wake.async_wait();
    // Woken by an attempt (won or failed), by the stagger delay, by the deadline, or because
    // the flow was aborted (shutdown).
    if (co_await cancelled()) break;
  }
  for (auto& s : race->sockets) {
    if (s->is_open()) {
      error_code ignored;
      s->close(ignored);  // losers; their attempt coroutines finish with operation_aborted
    }
  }
  if (race->winner && options.destinations != nullptr) {
    error_code ec;
    const tcp::endpoint local = race->winner->socket.local_endpoint(ec);
    if (!ec && options.destinations->reached_this_host(local, race->winner->endpoint)) {
      race->winner->socket.close(ec);
      co_return Error{ErrorCode::DestinationDenied, ErrorSource::Policy,
                      fmt::format("{} is refused: {} is this filter's own address", where,
                                  race->winner->endpoint.address().to_string())};
    }
  }
  if (race->winner) co_return std::move(*race->winner);
  if (!denied.empty() && race->sockets.empty())
    co_return Error{ErrorCode::DestinationDenied, ErrorSource::Policy,
                    fmt::format("{} is refused: {}", where, denied)};
  if (race->pending > 0 || (Clock::now() >= deadline && !race->last_error))
    co_return Error{ErrorCode::ConnectTimeout, ErrorSource::Upstream,
                    "timed out connecting to " + where};
  co_return connect_error(race->last_error, where);
}

}  // namespace warden::net
