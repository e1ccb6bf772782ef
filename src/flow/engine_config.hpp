#pragma once
// The part of the configuration the proxy engine reads on its data path. Built by app/ from the
// TOML file and flags, frozen, and shared as shared_ptr<const EngineConfig>: a reload posts a
// new one to every worker; an exchange keeps the one it started with.

#include "base/port_claims.hpp"
#include "http/chunked.hpp"
#include "http/head_parser.hpp"
#include "net/destination_guard.hpp"
#include "net/types.hpp"
#include "policy/policy.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace warden::flow {

using std::chrono_literals::operator""s;
using std::chrono_literals::operator""ms;

struct Timeouts {
  net::Duration header = 30s;             // whole request head, from its first byte (408)
  net::Duration client_idle = 120s;       // keep-alive wait for the next request
  net::Duration body_idle = 60s;          // no body byte moved in either direction
  net::Duration upstream_connect = 10s;   // DNS + TCP connect (504)
  net::Duration upstream_response = 60s;  // request sent, waiting for the response head (504)
  net::Duration upstream_idle = 60s;      // pooled keep-alive connection
  net::Duration tunnel_idle = 900s;       // CONNECT and WebSocket relays
  net::Duration happy_eyeballs_delay = 250ms;
};

struct EngineConfig {
  http::HeadLimits request_limits;  // 8 KiB line, 64 KiB head, 100 fields
  http::HeadLimits response_limits{16 * 1024, 64 * 1024, 100};
  http::ChunkedLimits chunked_limits;
  Timeouts timeouts;
  std::vector<std::uint16_t> connect_ports{443};  // CONNECT allowed to these only
  std::string via = "1.1 warden";                 // our Via entry
  bool forwarded_for = false;                     // add X-Forwarded-For (privacy: off)
  std::size_t max_connections = 10'000;           // client connections, all workers
  std::size_t upstream_pool_per_host = 128;       // idle upstream connections per worker
  std::size_t upstream_pool_total = 4096;
  int upstream_socket_mark = 0;
  base::PortClaims* upstream_port_claims = nullptr;  // WinDivert capture (net/connector.hpp)
  // Upstream addresses refused (loopback, link-local, the host's own...; proxy.deny_destinations).
  net::DestinationRules destinations;
  // Captured destinations whose traffic, when it is neither HTTP nor TLS, is relayed untouched
  // instead of reset (capture.relay_untouched).
  struct RelayException {
    policy::Cidr addresses;
    std::uint16_t port = 0;  // 0: any
  };
  std::vector<RelayException> relay_untouched;
  // The balancers whose connections to a balanced listener are taken (balancer.from); a PROXY
  // header from anyone else is never read.
  std::vector<policy::Cidr> balancers;
  // Captured ports where what is neither HTTP nor TLS is reset; elsewhere it is relayed.
  std::vector<std::uint16_t> web_ports{80, 443};
  // On other ports, how long a silent client may wait for a server that speaks first.
  net::Duration server_first_wait = 250ms;
  net::Duration dns_cache_ttl = 30s;  // the destination check's name -> addresses cache
  // Search terms in the access log (log.search): in `search` as they were asked, in
  // `search_hash` as a keyed hash (the term's value then left out of `path`), or not at all.
  enum class SearchLog : unsigned char { Plain, Hash, Off };
  SearchLog log_search = SearchLog::Plain;
  std::string search_hash_key;  // the installation's key for Hash (app/search_hash_key)
  // Phrase scanning: a text response is held until scanned up to this many bytes (as they came,
  // framing included); what follows is relayed unscanned (analysis.max_scan_bytes).
  std::size_t max_scan_bytes = 1 << 20;
  // The name whose plain-HTTP requests Warden answers itself with the CA page (admin.ca_page);
  // empty: none.
  std::string ca_page_host;
  // The realm a 407 names (auth.realm): browsers show it in their sign-in dialog.
  std::string sign_in_realm = "School web filter";
};

using EngineConfigPtr = std::shared_ptr<const EngineConfig>;

}  // namespace warden::flow
