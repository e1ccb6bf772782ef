#pragma once
// Warden's configuration: one TOML file, one struct per section with its defaults, and one
// declarative schema (config_schema.cpp) that says, for every key, its type, default and
// meaning. Loading refuses unknown keys, wrong types and bad values with file:line:column and
// the key's name; `warden check-config` runs the same code as `warden run`.
// Built once, then frozen (shared_ptr<const Config>); a reload builds a new one.

#include "base/result.hpp"
#include "capture/capture_settings.hpp"
#include "flow/engine_config.hpp"
#include "net/types.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace warden::app {

struct ProxySection {
  std::vector<std::string> listen{"127.0.0.1:3128"};
  std::vector<std::uint16_t> connect_ports{443};
  unsigned threads = 0;  // 0: one per core
  std::size_t max_connections = 10'000;
  std::string via = "warden";
  bool forwarded_for = false;
  net::Duration shutdown_grace{10'000};
  // Upstream addresses refused: CIDRs, and "self" for this host's own addresses.
  std::vector<std::string> deny_destinations = default_denied_destinations();
  std::vector<std::string> allow_destinations;  // CIDRs allowed even if denied above

  [[nodiscard]] static std::vector<std::string> default_denied_destinations();
};

// Listeners behind load balancers (docs/fleet.md): each connection comes from one of `from`
// and starts with a PROXY header naming the client (and, for captured traffic, where it went).
struct BalancerSection {
  std::vector<std::string> listen;                        // explicit proxy
  std::vector<std::string> transparent_listen;            // captured traffic a balancer relays
  std::vector<std::string> from;                          // CIDRs
  std::string health_listen = "off";                      // plain HTTP /ready and /live
  net::Duration drain_notice = std::chrono::seconds(10);  // "draining" before listeners close
};

// Sign-in on the explicit proxy (docs/identity.md): who is browsing, and so their group.
struct AuthSection {
  std::string method = "off";       // "off", "local" (the users file, warden users) or "ldap"
  std::string users_file;           // empty: <state_dir>/auth/users
  std::vector<std::string> listen;  // the explicit listeners that ask; empty: all of them
  std::string realm = "School web filter";
  net::Duration cache_ttl = std::chrono::minutes(5);
  // method = "ldap": the school's directory (identity/ldap_directory.hpp)
  std::string ldap_url;  // ldaps://... or ldap://... (StartTLS)
  std::string ldap_ca;   // PEM; empty: the system's trust store
  std::string ldap_bind_dn;
  std::string ldap_group_base;
  std::string ldap_group_filter = "(&(objectClass=groupOfNames)(member={dn}))";
  net::Duration ldap_timeout = std::chrono::seconds(5);
  // Kerberos single sign-on beside passwords (identity/negotiate.hpp): the proxy's keytab
  // (HTTP/<proxy host>@REALM); empty: none.
  std::string negotiate_keytab;
};

struct LimitsSection {
  std::size_t request_line = 8 * 1024;
  std::size_t header_section = 64 * 1024;
  std::size_t header_fields = 100;
};

struct UpstreamSection {
  std::size_t pool_per_host = 128;
  std::size_t pool_total = 4096;
};

struct TlsSection {
  bool intercept = true;                 // bump CONNECT tunnels (false: relay them)
  std::string ca_name = "School";        // "<ca_name> Web Filter CA" when Warden creates its CA
  std::vector<std::string> no_decrypt;   // domains spliced, never decrypted
  std::vector<std::string> upstream_ca;  // extra trust anchors for upstreams (PEM files)
  std::vector<std::string> verify_exceptions;  // domains whose upstream failures are tolerated
  std::vector<std::string> distrusted_roots;   // root fingerprints refused even if trusted
  std::size_t cert_cache_size = 10'000;
  std::size_t mint_rate = 200;          // first mints per second the signer grants
  std::size_t client_mint_rate = 10;    // new names per second one client may have minted
  std::size_t client_mint_burst = 200;  // ... and at once (a pupil's first busy minutes)
  bool signer_process = true;  // the CA key in a signer process (Linux); false: in this one
};

struct PolicySection {
  std::string file;   // policy TOML (policy.example.toml); empty: the built-in defaults
  std::string lists;  // category lists folder (UT1 layout); empty: the policy file's `lists`
  bool watch = true;  // reload when the policy file or a list changes
};

// `warden lists update` (app/lists_update.hpp): where the category-list archive comes from.
struct ListsUpdateSection {
  std::string url;         // https://...; empty: no updates
  std::string sha256_url;  // a file holding the archive's SHA-256 (sha256sum's output); optional
  std::vector<std::string> ca;  // PEM files trusted for those servers, beside the system's
  std::uint32_t max_download_mb = 200;
  std::uint32_t max_unpacked_mb = 4096;
};

// The central policy (docs/fleet.md): a signed bundle of the policy and its lists, fetched.
struct BundleSection {
  std::string url;         // https://...; empty: the policy is policy.file
  std::string public_key;  // PEM: the school's Ed25519 key the bundle is signed with
  net::Duration poll = std::chrono::seconds(60);
  std::vector<std::string> ca;  // PEM files trusted for the server, beside the system's
  std::uint32_t max_download_mb = 200;
  std::uint32_t max_unpacked_mb = 4096;
};

struct LogSection {
  std::string level = "info";
  std::string access_log = "-";  // a file, "-" (stdout) or "off"
  std::string search = "plain";  // search terms in the access log: "plain", "hash" or "off"
  std::string instance;          // this instance's name on every access log line; empty: none
};

// Safeguarding alerts (docs/analysis.md): where they are written and sent. The rules are the
// policy's ([[alert]]); these settings are read at start only.
struct AlertsSection {
  std::string log;      // the alert log; empty: <state_dir>/alerts/alerts.log; "off": no alerts
  std::string webhook;  // https://... (http:// to loopback only); empty: none
  std::vector<std::string> webhook_ca;  // PEM files trusted for it, beside the system store
  net::Duration context_before{10 * 60 * 1000};
  net::Duration context_after{60 * 1000};
  net::Duration repeat_window{24 * 60 * 60 * 1000};
  std::uint32_t spool_max_mb = 64;
};

// Phrase scanning of pages (docs/analysis.md); the lists and limits are the policy's ([[phrases]]).
struct AnalysisSection {
  std::size_t max_scan_bytes = 1 << 20;  // a text response is held until scanned up to this
};

// The admin listener (docs/admin.md): metrics for Prometheus and the CA page, over HTTPS with a
// certificate from the school CA; and the CA page's name through the proxy.
struct AdminSection {
  std::string listen = "127.0.0.1:9443";              // "off": no admin listener
  std::vector<std::string> names{"warden.internal"};  // names its certificate is minted for
  std::string ca_page = "warden.internal";            // "off": no CA page through the proxy
  std::string metrics_token_file;  // empty: <state_dir>/admin/metrics.token, made at first start
  std::string database;            // empty: <state_dir>/admin/activity.db; "off": none
  unsigned retention_days = 30;    // raw rows (roll-ups: 400 days)
  std::uint32_t database_max_mb = 2048;
};

struct Config {
  std::string state_dir;  // empty: the default for the user (see default_state_dir())
  ProxySection proxy;
  BalancerSection balancer;
  AuthSection auth;
  LimitsSection limits;
  flow::Timeouts timeouts;
  UpstreamSection upstream;
  TlsSection tls;
  PolicySection policy;
  ListsUpdateSection lists_update;
  BundleSection bundle;
  capture::CaptureSettings capture;  // [capture] and [egress]
  LogSection log;
  AlertsSection alerts;
  AnalysisSection analysis;
  AdminSection admin;
};

using ConfigPtr = std::shared_ptr<const Config>;

// "redirect", "tproxy", "local" (not "explicit": the explicit listener always runs).
[[nodiscard]] std::optional<capture::CaptureMode> parse_capture_mode(std::string_view name);

// A capture.relay_untouched entry: "CIDR", "CIDR:port" or "[IPv6 CIDR]:port".
[[nodiscard]] std::optional<flow::EngineConfig::RelayException> parse_relay_exception(
    std::string_view text);

// Parses and validates a TOML file. Errors name the file, line, column and key.
[[nodiscard]] base::Result<Config> load_config_file(const std::string& path);
// The same from text (tests); `source_name` is used in error messages.
[[nodiscard]] base::Result<Config> load_config_text(std::string_view text,
                                                    const std::string& source_name);
// Checks values that depend on each other; the message names the key.
[[nodiscard]] base::Result<void> validate(const Config& c);

// The example file documenting every key with its default (warden.example.toml is this text).
[[nodiscard]] std::string render_example_config();

// Every key the schema knows, as "section.name" ("state_dir" for top-level keys).
[[nodiscard]] std::vector<std::string> config_key_names();

// "127.0.0.1:3128", "[::1]:3128", "0.0.0.0:3128".
[[nodiscard]] base::Result<net::tcp::endpoint> parse_listen_address(std::string_view text);

// The engine's view of the config.
[[nodiscard]] flow::EngineConfig make_engine_config(const Config& c);

// /var/lib/warden as root, $XDG_STATE_HOME/warden (or ~/.local/state/warden) otherwise.
[[nodiscard]] std::string default_state_dir();

}  // namespace warden::app
