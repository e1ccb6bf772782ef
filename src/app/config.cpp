#include "app/config.hpp"

#include "app/duration.hpp"
#include "platform/files.hpp"
#include "tls/upstream_tls.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <functional>

namespace warden::app {
namespace {

using base::Error;
using base::ErrorCode;
using base::ErrorSource;

// ---- the schema: one row per key (nginx-style directive table) ----

using Apply = std::function<std::optional<std::string>(const toml::node&, Config&)>;
using Render = std::function<std::string(Config)>;  // by value: getters take Config&

struct Key {
  std::string_view section;  // "" for top-level keys
  std::string_view name;
  std::string_view doc;  // one or more lines, written as comments in the example
  Apply apply;           // nullopt, or why the value was refused
  Render render;         // the value as TOML
};

// Alerts name pupils and what they searched for: HTTPS, or plain HTTP to this host only.
std::optional<std::string> webhook_url_or_empty(const std::string& u) {
  constexpr std::string_view kHttp = "http://";
  if (u.empty() || u.starts_with("https://")) return std::nullopt;
  if (u.starts_with(kHttp)) {
    // The authority alone (no user info: `http://localhost@elsewhere/` goes elsewhere).
    const std::string_view rest = std::string_view(u).substr(kHttp.size());
    const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
    std::string_view host = authority;
    if (host.starts_with('[')) {
      host = host.substr(0, host.find(']') + 1);
    } else {
      host = host.substr(0, host.find(':'));
    }
    const std::string_view port = authority.substr(host.size());
    const bool port_ok =
        port.empty() || (port.size() > 1 && port[0] == ':' &&
                         port.find_first_not_of("0123456789", 1) == std::string_view::npos);
    if (port_ok && (host == "127.0.0.1" || host == "localhost" || host == "[::1]"))
      return std::nullopt;
  }
  return "must be an https:// URL (or http:// to 127.0.0.1, [::1] or localhost)";
}

template <class Get>
Key integer_key(std::string_view s, std::string_view n, std::string_view doc, Get get,
                std::int64_t min, std::int64_t max) {
  return {s, n, doc,
          [get, min, max](const toml::node& v, Config& c) -> std::optional<std::string> {
            const auto* i = v.as_integer();
            if (i == nullptr) return "expected an integer";
            const std::int64_t x = i->get();
            if (x < min || x > max) return fmt::format("must be between {} and {}", min, max);
            auto& field = get(c);
            field = static_cast<std::remove_reference_t<decltype(field)>>(x);
            return std::nullopt;
          },
          [get](Config c) { return std::to_string(get(c)); }};
}

// A TOML basic string.
std::string quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// Lists come over HTTPS only: on the way they could be changed to let anything through.
std::optional<std::string> https_url_or_empty(const std::string& u) {
  if (!u.empty() && !u.starts_with("https://")) return "must be an https:// URL";
  return std::nullopt;
}

template <class Get>
Key string_key(std::string_view s, std::string_view n, std::string_view doc, Get get,
               std::function<std::optional<std::string>(const std::string&)> check = {}) {
  return {s, n, doc,
          [get, check](const toml::node& v, Config& c) -> std::optional<std::string> {
            const auto* str = v.as_string();
            if (str == nullptr) return "expected a string";
            if (check)
              if (auto why = check(str->get())) return why;
            get(c) = str->get();
            return std::nullopt;
          },
          [get](Config c) { return quote(get(c)); }};
}

template <class Get>
Key bool_key(std::string_view s, std::string_view n, std::string_view doc, Get get) {
  return {s, n, doc,
          [get](const toml::node& v, Config& c) -> std::optional<std::string> {
            const auto* b = v.as_boolean();
            if (b == nullptr) return "expected true or false";
            get(c) = b->get();
            return std::nullopt;
          },
          [get](Config c) { return get(c) ? "true" : "false"; }};
}

template <class Get>
Key duration_key(std::string_view s, std::string_view n, std::string_view doc, Get get) {
  return {s, n, doc,
          [get](const toml::node& v, Config& c) -> std::optional<std::string> {
            const auto* str = v.as_string();
            if (str == nullptr) return "expected a duration string such as \"30s\"";
            const auto d = parse_duration(str->get());
            if (!d) return "expected a duration such as \"250ms\", \"30s\", \"15m\" or \"1h\"";
            if (d->count() <= 0) return "must be longer than 0";
            get(c) = *d;
            return std::nullopt;
          },
          [get](Config c) { return "\"" + format_duration(get(c)) + "\""; }};
}

// An array of strings, each checked by `check` (which may also normalise it).
template <class Get>
Key string_list_key(std::string_view s, std::string_view n, std::string_view doc, Get get,
                    std::function<std::optional<std::string>(std::string&)> check) {
  return {s, n, doc,
          [get, check](const toml::node& v, Config& c) -> std::optional<std::string> {
            const auto* arr = v.as_array();
            if (arr == nullptr) return "expected an array of strings";
            std::vector<std::string> out;
            for (const auto& e : *arr) {
              const auto* str = e.as_string();
              if (str == nullptr) return "expected an array of strings";
              std::string value = str->get();
              if (auto why = check(value)) return "\"" + str->get() + "\": " + *why;
              out.push_back(std::move(value));
            }
            get(c) = std::move(out);
            return std::nullopt;
          },
          [get](Config c) {
            std::vector<std::string> quoted;
            for (const auto& x : get(c)) quoted.push_back(quote(x));
            return fmt::format("[{}]", fmt::join(quoted, ", "));
          }};
}

// A domain as lists hold it: lower case, no trailing dot, letters, digits, '-', '_' and dots.
// An array of integers in [min, max].
template <class T, class Get>
Key integer_list_key(std::string_view s, std::string_view n, std::string_view doc, Get get,
                     std::string_view what, std::int64_t min, std::int64_t max) {
  return {s, n, doc,
          [get, what, min, max](const toml::node& v, Config& c) -> std::optional<std::string> {
            const auto* arr = v.as_array();
            if (arr == nullptr) return fmt::format("expected an array of {}", what);
            std::vector<T> out;
            for (const auto& e : *arr) {
              const auto* i = e.as_integer();
              if (i == nullptr || i->get() < min || i->get() > max)
                return fmt::format("expected {} between {} and {}", what, min, max);
              out.push_back(static_cast<T>(i->get()));
            }
            get(c) = std::move(out);
            return std::nullopt;
          },
          [get](Config c) { return fmt::format("[{}]", fmt::join(get(c), ", ")); }};
}

std::optional<std::string> normalise_domain(std::string& d) {
  for (char& ch : d) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (!d.empty() && d.back() == '.') d.pop_back();
  if (d.empty() || d.size() > 253 || d.front() == '.' || d.find("..") != std::string::npos)
    return "is not a domain name";
  for (char ch : d)
    if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '.' || ch == '_'))
      return "is not a domain name";
  return std::nullopt;
}

std::optional<std::string> check_level(const std::string& s) {
  for (auto l : {"trace", "debug", "info", "warn", "error", "critical", "off"})
    if (s == l) return std::nullopt;
  return "expected one of trace, debug, info, warn, error, critical, off";
}

// A file named in a list (a PEM): checked for existence when it is read, not here.
std::optional<std::string> non_empty_file(std::string& f) {
  if (f.empty()) return "must not be empty";
  return std::nullopt;
}

std::optional<std::string> check_via(const std::string& s) {
  if (s.empty()) return "must not be empty";
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_'))
      return "may contain only letters, digits, '-', '.' and '_'";
  return std::nullopt;
}

std::optional<std::string> check_listen(std::string& l) {
  if (auto ep = parse_listen_address(l); !ep) return ep.error().context;
  return std::nullopt;
}

std::optional<std::string> listen_or_off(const std::string& s) {
  if (s == "off") return std::nullopt;
  std::string copy = s;
  return check_listen(copy);
}

const std::vector<Key>& schema() {
  static const std::vector<Key> keys = {
      string_key("", "state_dir",
                 "Where the CA, caches and runtime files live; created private if missing.\n"
                 "Empty: /var/lib/warden as root, $XDG_STATE_HOME/warden otherwise;\n"
                 "Windows: %ProgramData%\\Warden (elevated), %LOCALAPPDATA%\\Warden.",
                 [](Config& c) -> std::string& { return c.state_dir; }),
      {"proxy", "listen",
       "Explicit proxy listeners, \"ADDRESS:PORT\" (IPv6 as \"[::1]:3128\"). Changing them needs\n"
       "a restart.",
       [](const toml::node& v, Config& c) -> std::optional<std::string> {
         const auto* arr = v.as_array();
         if (arr == nullptr || arr->empty())
           return "expected a non-empty array of \"ADDRESS:PORT\" strings";
         std::vector<std::string> out;
         for (const auto& e : *arr) {
           const auto* s = e.as_string();
           if (s == nullptr) return "expected an array of strings";
           if (auto ep = parse_listen_address(s->get()); !ep) return ep.error().context;
           out.push_back(s->get());
         }
         c.proxy.listen = std::move(out);
         return std::nullopt;
       },
       [](Config c) {
         std::vector<std::string> quoted;
         for (const auto& l : c.proxy.listen) quoted.push_back("\"" + l + "\"");
         return fmt::format("[{}]", fmt::join(quoted, ", "));
       }},
      integer_list_key<std::uint16_t>(
          "proxy", "connect_ports",
          "Ports CONNECT may reach (others get 403: an open CONNECT is a way around the filter).",
          [](Config& c) -> std::vector<std::uint16_t>& { return c.proxy.connect_ports; },
          "port numbers", 1, 65535),
      integer_key(
          "proxy", "threads", "Worker threads; 0 means one per CPU core.",
          [](Config& c) -> unsigned& { return c.proxy.threads; }, 0, 256),
      integer_key(
          "proxy", "max_connections",
          "Client connections at once, all workers together; beyond it clients get 503.",
          [](Config& c) -> std::size_t& { return c.proxy.max_connections; }, 1, 1'000'000),
      string_key(
          "proxy", "via", "Our name in the Via header (\"1.1 <via>\"); no host names, for privacy.",
          [](Config& c) -> std::string& { return c.proxy.via; }, check_via),
      bool_key("proxy", "forwarded_for",
               "Send the client's address upstream in X-Forwarded-For (off: pupils' privacy).",
               [](Config& c) -> bool& { return c.proxy.forwarded_for; }),
      string_list_key(
          "proxy", "deny_destinations",
          "Upstream addresses Warden never connects to, whatever name leads there (403\n"
          "ERR_DESTINATION_DENIED): CIDRs, and \"self\" for this host's own addresses. The\n"
          "default refuses loopback, link-local (cloud metadata), unspecified, multicast and\n"
          "broadcast addresses and the filter machine itself; private ranges stay reachable.",
          [](Config& c) -> std::vector<std::string>& { return c.proxy.deny_destinations; },
          [](std::string& d) -> std::optional<std::string> {
            if (d == "self" || policy::parse_cidr(d)) return std::nullopt;
            return "expected a CIDR (\"169.254.0.0/16\", \"::1/128\") or \"self\"";
          }),
      string_list_key(
          "proxy", "allow_destinations",
          "CIDRs reachable even though deny_destinations covers them (a lab, a test origin\n"
          "on loopback); `warden run --allow-destination CIDR` adds to it.",
          [](Config& c) -> std::vector<std::string>& { return c.proxy.allow_destinations; },
          [](std::string& d) -> std::optional<std::string> {
            if (policy::parse_cidr(d)) return std::nullopt;
            return "expected a CIDR (\"127.0.0.0/8\", \"::1/128\")";
          }),
      duration_key(
          "proxy", "shutdown_grace",
          "On SIGTERM/SIGINT, how long running exchanges may finish before they are closed.",
          [](Config& c) -> net::Duration& { return c.proxy.shutdown_grace; }),
      integer_key(
          "limits", "request_line", "Longest request line in bytes (414 beyond).",
          [](Config& c) -> std::size_t& { return c.limits.request_line; }, 256, 1 << 20),
      integer_key(
          "limits", "header_section",
          "Largest request head in bytes, request line included (431 beyond).",
          [](Config& c) -> std::size_t& { return c.limits.header_section; }, 1024, 1 << 20),
      integer_key(
          "limits", "header_fields", "Most header fields in a request (431 beyond).",
          [](Config& c) -> std::size_t& { return c.limits.header_fields; }, 8, 10'000),
      duration_key("timeouts", "header", "Time for a whole request head to arrive (408).",
                   [](Config& c) -> net::Duration& { return c.timeouts.header; }),
      duration_key("timeouts", "client_idle", "Keep-alive wait for a client's next request.",
                   [](Config& c) -> net::Duration& { return c.timeouts.client_idle; }),
      duration_key("timeouts", "body_idle", "Longest pause while a body moves in either direction.",
                   [](Config& c) -> net::Duration& { return c.timeouts.body_idle; }),
      duration_key("timeouts", "upstream_connect", "DNS and TCP connect to an origin (504).",
                   [](Config& c) -> net::Duration& { return c.timeouts.upstream_connect; }),
      duration_key("timeouts", "upstream_response",
                   "Wait for an origin's response head once the request is sent (504).",
                   [](Config& c) -> net::Duration& { return c.timeouts.upstream_response; }),
      duration_key("timeouts", "upstream_idle",
                   "How long an idle upstream connection is kept for reuse.",
                   [](Config& c) -> net::Duration& { return c.timeouts.upstream_idle; }),
      duration_key("timeouts", "tunnel_idle",
                   "Idle CONNECT tunnels and WebSockets are closed after this.",
                   [](Config& c) -> net::Duration& { return c.timeouts.tunnel_idle; }),
      integer_key(
          "upstream", "pool_per_host", "Idle keep-alive connections kept per origin and worker.",
          [](Config& c) -> std::size_t& { return c.upstream.pool_per_host; }, 0, 10'000),
      integer_key(
          "upstream", "pool_total", "Idle keep-alive connections kept per worker in all.",
          [](Config& c) -> std::size_t& { return c.upstream.pool_total; }, 0, 1'000'000),
      bool_key("tls", "intercept",
               "Decrypt CONNECT tunnels with the school CA (false: relay them untouched).",
               [](Config& c) -> bool& { return c.tls.intercept; }),
      string_key(
          "tls", "ca_name",
          "School name in the CA Warden creates on first start (\"<name> Web Filter CA\").",
          [](Config& c) -> std::string& { return c.tls.ca_name; },
          [](const std::string& s) -> std::optional<std::string> {
            if (s.empty() || s.size() > 48) return "must be 1 to 48 characters";
            return std::nullopt;
          }),
      string_list_key(
          "tls", "no_decrypt",
          "Domains (and their subdomains) never decrypted: spliced at the ClientHello.",
          [](Config& c) -> std::vector<std::string>& { return c.tls.no_decrypt; },
          normalise_domain),
      string_list_key(
          "tls", "upstream_ca",
          "Extra trust anchors for upstream servers (PEM files), beside the system store.",
          [](Config& c) -> std::vector<std::string>& { return c.tls.upstream_ca; }, non_empty_file),
      string_list_key(
          "tls", "verify_exceptions",
          "Domains whose upstream certificate failures are tolerated (each use is logged).",
          [](Config& c) -> std::vector<std::string>& { return c.tls.verify_exceptions; },
          normalise_domain),
      string_list_key(
          "tls", "distrusted_roots",
          "Roots refused even if trusted (SHA-1 or SHA-256 fingerprints, hex); known\n"
          "interception roots with public keys (Superfish, eDellRoot...) always are.",
          [](Config& c) -> std::vector<std::string>& { return c.tls.distrusted_roots; },
          [](std::string& f) -> std::optional<std::string> {
            if (tls::normalise_fingerprint(f).empty())
              return "is not a SHA-1 or SHA-256 fingerprint";
            return std::nullopt;
          }),
      integer_key(
          "tls", "cert_cache_size", "Minted certificates kept (least recently used go first).",
          [](Config& c) -> std::size_t& { return c.tls.cert_cache_size; }, 16, 1'000'000),
      integer_key(
          "tls", "mint_rate",
          "New certificates per second the signer process grants (bursts up to ten\n"
          "seconds' worth); beyond it a mint is refused and logged.",
          [](Config& c) -> std::size_t& { return c.tls.mint_rate; }, 1, 100'000),
      integer_key(
          "tls", "client_mint_rate",
          "New certificates per second one client (an IPv4 address, an IPv6 /64) may\n"
          "have minted once its burst is spent; beyond it its new connections are\n"
          "closed (ERR_MINT_LIMIT). Cached certificates cost nothing.",
          [](Config& c) -> std::size_t& { return c.tls.client_mint_rate; }, 1, 100'000),
      integer_key(
          "tls", "client_mint_burst",
          "New certificates one client may have minted at once (a browser's first\n"
          "minutes on new sites).",
          [](Config& c) -> std::size_t& { return c.tls.client_mint_burst; }, 1, 1'000'000),
      bool_key("tls", "signer_process",
               "Hold the CA key in a signer process of its own and wall this one off from the\n"
               "key file (Linux). false: sign in this process (Windows always does).",
               [](Config& c) -> bool& { return c.tls.signer_process; }),
      string_key("policy", "file",
                 "The policy (groups, rules, block page strings; policy.example.toml). Empty:\n"
                 "the built-in defaults (block adult, gambling, malware, phishing, redirector,\n"
                 "vpn, doh; never decrypt bank; allow the rest). SIGHUP reloads it.",
                 [](Config& c) -> std::string& { return c.policy.file; }),
      string_key("policy", "lists",
                 "Folder of category lists in the UT1 layout (a folder per category holding\n"
                 "domains, urls, expressions; plain or .gz). Overrides the policy file's `lists`.",
                 [](Config& c) -> std::string& { return c.policy.lists; }),
      bool_key("policy", "watch",
               "Reload the policy when its file or a list changes (as SIGHUP does).",
               [](Config& c) -> bool& { return c.policy.watch; }),
      string_key(
          "lists_update", "url",
          "`warden lists update`: the HTTPS URL of a category-list archive (the UT1\n"
          "tarball, blacklists.tar.gz, or a school's own: tar.gz/bz2/xz/zst or zip, a\n"
          "folder per category), unpacked as a new version of policy.lists.",
          [](Config& c) -> std::string& { return c.lists_update.url; }, https_url_or_empty),
      string_key(
          "lists_update", "sha256_url",
          "Optional: the HTTPS URL of the archive's SHA-256 (as sha256sum prints it);\n"
          "an archive that does not match is refused.",
          [](Config& c) -> std::string& { return c.lists_update.sha256_url; }, https_url_or_empty),
      string_list_key(
          "lists_update", "ca",
          "Extra trust anchors (PEM files) for the list servers, beside the system store.",
          [](Config& c) -> std::vector<std::string>& { return c.lists_update.ca; }, non_empty_file),
      integer_key(
          "lists_update", "max_download_mb", "A larger archive is refused (UT1's is about 20 MB).",
          [](Config& c) -> std::uint32_t& { return c.lists_update.max_download_mb; }, 1, 100000),
      integer_key(
          "lists_update", "max_unpacked_mb",
          "An archive that unpacks to more is refused (UT1's to about 300 MB).",
          [](Config& c) -> std::uint32_t& { return c.lists_update.max_unpacked_mb; }, 1, 1000000),
      string_key(
          "bundle", "url",
          "The central policy (docs/fleet.md): the HTTPS URL of a signed policy bundle (`warden\n"
          "bundle sign`), fetched at start and every bundle.poll (only if changed) and applied\n"
          "when its signature, its newer version and its policy check out; the last good one\n"
          "is kept across restarts. Empty: the policy is policy.file. Restart to change.",
          [](Config& c) -> std::string& { return c.bundle.url; }, https_url_or_empty),
      string_key("bundle", "public_key",
                 "The school's Ed25519 public key (PEM, `warden bundle keygen`'s bundle.pub) that\n"
                 "every bundle must be signed with.",
                 [](Config& c) -> std::string& { return c.bundle.public_key; }),
      duration_key("bundle", "poll", "How often the bundle's URL is asked whether it changed.",
                   [](Config& c) -> net::Duration& { return c.bundle.poll; }),
      string_list_key(
          "bundle", "ca",
          "Extra trust anchors (PEM files) for the bundle's server, beside the system store.",
          [](Config& c) -> std::vector<std::string>& { return c.bundle.ca; }, non_empty_file),
      integer_key(
          "bundle", "max_download_mb", "A larger bundle is refused.",
          [](Config& c) -> std::uint32_t& { return c.bundle.max_download_mb; }, 1, 100000),
      integer_key(
          "bundle", "max_unpacked_mb", "A bundle that unpacks to more is refused.",
          [](Config& c) -> std::uint32_t& { return c.bundle.max_unpacked_mb; }, 1, 1000000),
      {"capture", "mode",
       "Transparent capture (docs/capture.md): \"redirect\" and \"tproxy\" on a gateway,\n"
       "\"local\" or \"tun\" on the device itself; several may run. Empty: the explicit\n"
       "proxy only. Needs root (nftables, CAP_NET_ADMIN); Warden installs table inet warden.\n"
       "On Windows \"windivert\" (docs/windows.md), as an administrator or the service.",
       [](const toml::node& v, Config& c) -> std::optional<std::string> {
         std::vector<capture::CaptureMode> modes;
         auto add = [&](std::string_view m) -> std::optional<std::string> {
           auto mode = parse_capture_mode(m);
           if (!mode)
             return "\"" + std::string(m) + "\" is not redirect, tproxy, local, tun or windivert";
           if (std::find(modes.begin(), modes.end(), *mode) == modes.end()) modes.push_back(*mode);
           return std::nullopt;
         };
         if (const auto* one = v.as_string()) {
           if (auto why = add(one->get())) return why;
         } else if (const auto* arr = v.as_array()) {
           for (const auto& e : *arr) {
             const auto* str = e.as_string();
             if (str == nullptr) return "expected an array of mode names";
             if (auto why = add(str->get())) return why;
           }
         } else {
           return "expected an array of mode names";
         }
         c.capture.modes = std::move(modes);
         return std::nullopt;
       },
       [](Config c) {
         std::vector<std::string> quoted;
         for (auto m : c.capture.modes)
           quoted.push_back(fmt::format("\"{}\"", capture::capture_mode_name(m)));
         return fmt::format("[{}]", fmt::join(quoted, ", "));
       }},
      {"capture", "ports",
       "Outbound TCP ports captured: \"all\" (web traffic is recognised by what it is, on any\n"
       "port), or a list such as [80, 443].",
       [](const toml::node& v, Config& c) -> std::optional<std::string> {
         if (const auto* str = v.as_string()) {
           if (str->get() != "all") return "expected \"all\" or a list of port numbers";
           c.capture.all_ports = true;
           return std::nullopt;
         }
         const auto* arr = v.as_array();
         if (arr == nullptr || arr->empty()) return "expected \"all\" or a list of port numbers";
         std::vector<std::uint16_t> ports;
         for (const auto& e : *arr) {
           const auto* i = e.as_integer();
           if (i == nullptr || i->get() < 1 || i->get() > 65535)
             return "expected \"all\" or port numbers between 1 and 65535";
           ports.push_back(static_cast<std::uint16_t>(i->get()));
         }
         c.capture.all_ports = false;
         c.capture.ports = std::move(ports);
         return std::nullopt;
       },
       [](Config c) {
         return c.capture.all_ports ? std::string("\"all\"")
                                    : fmt::format("[{}]", fmt::join(c.capture.ports, ", "));
       }},
      integer_list_key<std::uint16_t>(
          "capture", "web_ports",
          "Ports where a captured connection that is neither HTTP nor TLS is reset (a VPN\n"
          "hiding on 443). On every other port it is relayed untouched and logged (SSH, mail),\n"
          "unless a protocol = \"other\" policy rule blocks it.",
          [](Config& c) -> std::vector<std::uint16_t>& { return c.capture.web_ports; },
          "port numbers", 1, 65535),
      string_list_key(
          "capture", "exempt",
          "Destinations never captured (the school's own servers): \"CIDR\", \"CIDR:port\",\n"
          "\"[IPv6 CIDR]:port\". A gateway never captures connections to itself.",
          [](Config& c) -> std::vector<std::string>& { return c.capture.exempt; },
          [](std::string& d) -> std::optional<std::string> {
            if (!parse_relay_exception(d)) return "expected CIDR, CIDR:port or [IPv6 CIDR]:port";
            return std::nullopt;
          }),
      duration_key("capture", "server_first_wait",
                   "On ports outside web_ports: how long a silent client may wait for a server\n"
                   "that speaks first (SMTP, POP, FTP) before Warden connects; the first bytes of\n"
                   "either side then decide (a client's TLS or HTTP is still filtered).",
                   [](Config& c) -> net::Duration& { return c.capture.server_first_wait; }),
      integer_key(
          "capture", "redirect_port", "Transparent listener of redirect (all addresses).",
          [](Config& c) -> std::uint16_t& { return c.capture.redirect_port; }, 1, 65535),
      integer_key(
          "capture", "tproxy_port", "Transparent listener of tproxy.",
          [](Config& c) -> std::uint16_t& { return c.capture.tproxy_port; }, 1, 65535),
      integer_key(
          "capture", "local_port", "Transparent listener of local.",
          [](Config& c) -> std::uint16_t& { return c.capture.local_port; }, 1, 65535),
      integer_key(
          "capture", "tun_port",
          "Listener of tun: the packet path reflects captured connections to it (keep it\n"
          "below the ephemeral port range, 32768 and up).",
          [](Config& c) -> std::uint16_t& { return c.capture.tun_port; }, 1, 65535),
      integer_key(
          "capture", "windivert_port",
          "Listener of windivert (Windows): the packet path reflects captured connections to\n"
          "it (keep it below the ephemeral port range, 49152 and up on Windows).",
          [](Config& c) -> std::uint16_t& { return c.capture.windivert_port; }, 1, 65535),
      string_key(
          "capture", "tun_name", "tun: the TUN device Warden creates (gone when Warden stops).",
          [](Config& c) -> std::string& { return c.capture.tun_name; },
          [](const std::string& n) -> std::optional<std::string> {
            if (n.empty() || n.size() > 15 ||
                n.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                    "0123456789_.-") != std::string::npos)
              return "is not an interface name (1 to 15 letters, digits, _ . -)";
            return std::nullopt;
          }),
      string_list_key(
          "capture", "tun_addresses",
          "tun: the device's addresses (\"CIDR\"), the captured connections' source on this\n"
          "device; one IPv4 and one IPv6, from ranges no network here uses.",
          [](Config& c) -> std::vector<std::string>& { return c.capture.tun_addresses; },
          [](std::string& a) -> std::optional<std::string> {
            if (a.find('/') == std::string::npos || !policy::parse_cidr(a))
              return "expected an address with its prefix, e.g. \"100.127.83.1/32\"";
            return std::nullopt;
          }),
      integer_key(
          "capture", "tun_mtu", "tun: the device's MTU (SYNs' MSS is clamped to fit it).",
          [](Config& c) -> std::size_t& { return c.capture.tun_mtu; }, 1280, 65535),
      integer_key(
          "capture", "tun_table", "tun: the policy-routing table it uses (not 253-255).",
          [](Config& c) -> std::uint32_t& { return c.capture.tun_table; }, 1, 0x7fffffff),
      string_list_key(
          "capture", "interfaces",
          "Gateway: the interfaces pupils' traffic arrives on. Empty: every interface but lo.",
          [](Config& c) -> std::vector<std::string>& { return c.capture.interfaces; },
          [](std::string& i) -> std::optional<std::string> {
            if (i.empty() || i.size() > 15 ||
                i.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                    "0123456789_.-@") != std::string::npos)
              return "is not an interface name";
            return std::nullopt;
          }),
      duration_key(
          "capture", "check_interval",
          "How often the running Warden checks its nftables table; one that was removed\n"
          "or altered is put back and a `tamper` event logged (access log and journal).",
          [](Config& c) -> std::chrono::milliseconds& { return c.capture.check_interval; }),
      {"capture", "fail",
       "When Warden is not running: \"closed\" keeps the rules, so captured ports are\n"
       "refused (stopping Warden does not open the internet); \"open\" removes them on a\n"
       "clean stop. `warden capture remove` removes them by hand either way.",
       [](const toml::node& v, Config& c) -> std::optional<std::string> {
         const auto* str = v.as_string();
         if (str == nullptr || (str->get() != "closed" && str->get() != "open"))
           return "must be \"closed\" or \"open\"";
         c.capture.fail_closed = str->get() == "closed";
         return std::nullopt;
       },
       [](Config c) { return std::string(c.capture.fail_closed ? "\"closed\"" : "\"open\""); }},
      integer_key(
          "capture", "socket_mark",
          "SO_MARK of Warden's own upstream connections, which local capture lets through.",
          [](Config& c) -> std::uint32_t& { return c.capture.socket_mark; }, 1, 0x7fffffff),
      integer_key(
          "capture", "tproxy_mark", "fwmark that routes tproxied packets to Warden.",
          [](Config& c) -> std::uint32_t& { return c.capture.tproxy_mark; }, 1, 0x7fffffff),
      integer_key(
          "capture", "route_table", "Policy-routing table tproxy uses (not 253-255).",
          [](Config& c) -> std::uint32_t& { return c.capture.route_table; }, 1, 0x7fffffff),
      integer_list_key<std::uint32_t>(
          "capture", "exempt_uids",
          "local: users whose connections are not captured (a system updater, say).",
          [](Config& c) -> std::vector<std::uint32_t>& { return c.capture.exempt_uids; },
          "user ids", 0, 0xfffffffe),
      string_list_key(
          "capture", "relay_untouched",
          "Destinations whose traffic is relayed untouched when it is neither HTTP nor TLS\n"
          "(by default it is reset): \"198.51.100.0/24\", \"203.0.113.7:1194\",\n"
          "\"[2001:db8::/32]:443\".",
          [](Config& c) -> std::vector<std::string>& { return c.capture.relay_untouched; },
          [](std::string& d) -> std::optional<std::string> {
            if (!parse_relay_exception(d)) return "expected CIDR, CIDR:port or [IPv6 CIDR]:port";
            return std::nullopt;
          }),
      {"egress", "quic",
       "With transparent capture, QUIC (HTTP/3, which Warden cannot read): \"refuse\" UDP 443\n"
       "so browsers use TCP; \"block-all\" refuses every outbound UDP port but egress.udp_allow\n"
       "(no QUIC on any port); \"allow\" refuses nothing. Alt-Svc offers of HTTP/3 are removed\n"
       "from every response Warden reads either way.",
       [](const toml::node& v, Config& c) -> std::optional<std::string> {
         const auto* str = v.as_string();
         const std::string_view q = str != nullptr ? std::string_view(str->get()) : "";
         if (q == "refuse")
           c.capture.egress.quic = capture::QuicPolicy::Refuse;
         else if (q == "block-all")
           c.capture.egress.quic = capture::QuicPolicy::BlockAll;
         else if (q == "allow")
           c.capture.egress.quic = capture::QuicPolicy::Allow;
         else
           return "must be \"refuse\", \"block-all\" or \"allow\"";
         return std::nullopt;
       },
       [](Config c) {
         switch (c.capture.egress.quic) {
           case capture::QuicPolicy::BlockAll:
             return std::string("\"block-all\"");
           case capture::QuicPolicy::Allow:
             return std::string("\"allow\"");
           case capture::QuicPolicy::Refuse:
             break;
         }
         return std::string("\"refuse\"");
       }},
      integer_list_key<std::uint16_t>(
          "egress", "udp_allow", "UDP ports left open by quic = \"block-all\" (DNS, DHCP, NTP).",
          [](Config& c) -> std::vector<std::uint16_t>& { return c.capture.egress.udp_allow; },
          "port numbers", 1, 65535),
      bool_key("egress", "refuse_dot",
               "With transparent capture: refuse DNS over TLS (TCP and UDP 853).",
               [](Config& c) -> bool& { return c.capture.egress.refuse_dot; }),
      bool_key("egress", "deny_other",
               "With transparent capture: refuse every other outbound port but egress.allow.",
               [](Config& c) -> bool& { return c.capture.egress.deny_other; }),
      integer_list_key<std::uint16_t>(
          "egress", "allow", "Ports left open by deny_other (besides the captured ones).",
          [](Config& c) -> std::vector<std::uint16_t>& { return c.capture.egress.allow; },
          "port numbers", 1, 65535),
      string_key(
          "log", "level", "Diagnostics on stderr: trace, debug, info, warn, error, critical, off.",
          [](Config& c) -> std::string& { return c.log.level; }, check_level),
      string_key(
          "log", "access_log",
          "Access log (JSON lines, docs/access-log.md): a file path, \"-\" for stdout, or \"off\".",
          [](Config& c) -> std::string& { return c.log.access_log; },
          [](const std::string& s) -> std::optional<std::string> {
            if (s.empty()) return "must not be empty (use \"off\")";
            return std::nullopt;
          }),
      string_key(
          "log", "search",
          "Search terms in the access log (docs/analysis.md): \"plain\" (decoded, in `search`), "
          "\"hash\" (a keyed hash in `search_hash`: the same words give the same hash; the "
          "key is search-hash.key in the state folder) or \"off\" (not logged). With hash and off "
          "the terms are left out of `path` too.",
          [](Config& c) -> std::string& { return c.log.search; },
          [](const std::string& s) -> std::optional<std::string> {
            if (s != "plain" && s != "hash" && s != "off")
              return "must be \"plain\", \"hash\" or \"off\"";
            return std::nullopt;
          }),
      string_key(
          "log", "instance",
          "This instance's name, written as \"instance\" on every access log line (a fleet\n"
          "sharing one log store). Empty: left out. Restart to change.",
          [](Config& c) -> std::string& { return c.log.instance; },
          [](const std::string& s) -> std::optional<std::string> {
            if (s.size() > 64) return "at most 64 characters";
            for (const char ch : s)
              if (ch < 0x21 || ch > 0x7e) return "letters, digits and punctuation only (no spaces)";
            return std::nullopt;
          }),
      string_key(
          "alerts", "log",
          "Safeguarding alerts (docs/analysis.md), JSON lines: a file path, \"off\" (no\n"
          "alerts are made), or empty for alerts/alerts.log in the state folder. The rules\n"
          "are the policy's [[alert]] tables.",
          [](Config& c) -> std::string& { return c.alerts.log; },
          [](const std::string& s) -> std::optional<std::string> {
            if (s == "-") return "must be a file (alerts are not for standard output)";
            return std::nullopt;
          }),
      string_key(
          "alerts", "webhook",
          "Where each alert is also POSTed as JSON: an https:// URL (http:// only to this\n"
          "host, for a local relay). Alerts wait in a spool in the state folder while it is\n"
          "down and go out in order when it is back. Empty: none.",
          [](Config& c) -> std::string& { return c.alerts.webhook; }, webhook_url_or_empty),
      string_list_key(
          "alerts", "webhook_ca",
          "Extra trust anchors (PEM files) for the webhook's server, beside the system store.",
          [](Config& c) -> std::vector<std::string>& { return c.alerts.webhook_ca; },
          non_empty_file),
      duration_key("alerts", "context_before",
                   "An alert carries the same pupil's searches this long before it.",
                   [](Config& c) -> net::Duration& { return c.alerts.context_before; }),
      duration_key("alerts", "context_after",
                   "... and this long after it: the alert is written and sent once it has passed.",
                   [](Config& c) -> net::Duration& { return c.alerts.context_after; }),
      duration_key("alerts", "repeat_window",
                   "The same pupil matching the same rule again within this is counted on the\n"
                   "first alert (an alert_repeat line), not sent again.",
                   [](Config& c) -> net::Duration& { return c.alerts.repeat_window; }),
      integer_key(
          "alerts", "spool_max_mb",
          "Most the webhook's spool holds; past it new alerts are in the alert log only.",
          [](Config& c) -> std::uint32_t& { return c.alerts.spool_max_mb; }, 1, 100000),
      integer_key(
          "analysis", "max_scan_bytes",
          "Phrase scanning ([[phrases]] in the policy): a text response is held until it has\n"
          "been scanned, up to this many bytes as they came (compressed); a longer one is sent on\n"
          "after them, judged on them.",
          [](Config& c) -> std::size_t& { return c.analysis.max_scan_bytes; }, 4096, 64 << 20),
      string_list_key(
          "balancer", "listen",
          "Explicit proxy listeners behind load balancers (HAProxy...), \"ADDRESS:PORT\": every\n"
          "connection must come from balancer.from and start with a PROXY header (v1 or v2),\n"
          "whose client address the policy, the log and alerts then see. Restart to change.",
          [](Config& c) -> std::vector<std::string>& { return c.balancer.listen; }, check_listen),
      string_list_key(
          "balancer", "transparent_listen",
          "Listeners for captured traffic a balancer relays (a gateway fleet), \"ADDRESS:PORT\":\n"
          "as balancer.listen, the PROXY header also giving where the client was going, which\n"
          "is then handled as transparent capture handles it. Restart to change.",
          [](Config& c) -> std::vector<std::string>& { return c.balancer.transparent_listen; },
          check_listen),
      string_list_key(
          "balancer", "from",
          "The balancers' addresses (CIDRs): a connection to balancer.listen from anywhere else\n"
          "is closed unread, since whoever sends the PROXY header chooses who the client is.",
          [](Config& c) -> std::vector<std::string>& { return c.balancer.from; },
          [](std::string& d) -> std::optional<std::string> {
            if (policy::parse_cidr(d)) return std::nullopt;
            return "expected a CIDR or an address (\"10.0.0.2\", \"10.0.0.0/29\")";
          }),
      string_key(
          "balancer", "health_listen",
          "Warden's health for the balancers' checks, \"ADDRESS:PORT\" or \"off\": plain HTTP,\n"
          "GET /ready answers 200 when this instance takes connections and 503 while it starts\n"
          "or drains; GET /live 200 while it runs. Restart to change.",
          [](Config& c) -> std::string& { return c.balancer.health_listen; }, listen_or_off),
      duration_key(
          "balancer", "drain_notice",
          "With balancer.health_listen: on SIGTERM, how long /ready says \"draining\" while\n"
          "Warden still serves, before its listeners close; above the balancer's check interval\n"
          "times its fall count (HAProxy's defaults: 2 s x 3), so it stops sending pupils here\n"
          "first.",
          [](Config& c) -> net::Duration& { return c.balancer.drain_notice; }),
      string_key(
          "auth", "method",
          "Sign-in on the explicit proxy (docs/identity.md): \"off\"; \"local\": names and\n"
          "passwords from auth.users_file (`warden users add`), each user's requests judged by\n"
          "the policy group their line names; \"ldap\": the school's directory (auth.ldap_*),\n"
          "judged by the first policy group named as one of their directory groups. Restart\n"
          "to change.",
          [](Config& c) -> std::string& { return c.auth.method; },
          [](const std::string& s) -> std::optional<std::string> {
            if (s != "off" && s != "local" && s != "ldap")
              return "must be \"off\", \"local\" or \"ldap\"";
            return std::nullopt;
          }),
      string_key("auth", "users_file",
                 "auth.method = \"local\": the users file, \"name:group:hash\" lines; read again\n"
                 "when it changes. Empty: users in the state folder.",
                 [](Config& c) -> std::string& { return c.auth.users_file; }),
      string_list_key(
          "auth", "listen",
          "The explicit listeners (entries of proxy.listen and balancer.listen) that ask for\n"
          "sign-in; empty: all of them. Transparent capture never asks.",
          [](Config& c) -> std::vector<std::string>& { return c.auth.listen; }, check_listen),
      string_key(
          "auth", "realm", "The name browsers show in their sign-in dialog.",
          [](Config& c) -> std::string& { return c.auth.realm; },
          [](const std::string& s) -> std::optional<std::string> {
            const bool printable = std::all_of(s.begin(), s.end(), [](char ch) {
              return static_cast<unsigned char>(ch) >= 0x20 && ch != 0x7f && ch != '"' &&
                     ch != '\\';
            });
            if (s.empty() || s.size() > 100 || !printable)
              return "1 to 100 characters, no quotes, backslashes or control characters";
            return std::nullopt;
          }),
      duration_key("auth", "cache_ttl",
                   "A sign-in checked is taken again without asking for this long; a removed\n"
                   "user or changed password takes effect within it.",
                   [](Config& c) -> net::Duration& { return c.auth.cache_ttl; }),
      string_key(
          "auth", "ldap_url",
          "auth.method = \"ldap\": the directory, ldaps://HOST[:PORT] or ldap://HOST[:PORT]\n"
          "(then StartTLS: a password never crosses in clear); its certificate must match HOST.",
          [](Config& c) -> std::string& { return c.auth.ldap_url; },
          [](const std::string& s) -> std::optional<std::string> {
            if (!s.empty() && !s.starts_with("ldaps://") && !s.starts_with("ldap://"))
              return "must start with ldaps:// or ldap://";
            // libldap takes a list and falls over to the next: one ldap:// there would get the
            // password in clear after an ldaps:// that is down.
            if (s.find_first_of(" \t,") != std::string::npos)
              return "one URL only (a list could fall over to one without TLS)";
            return std::nullopt;
          }),
      string_key("auth", "ldap_ca",
                 "The CA (PEM) the directory's certificate must chain to; empty: the system's.",
                 [](Config& c) -> std::string& { return c.auth.ldap_ca; }),
      string_key("auth", "ldap_bind_dn",
                 "The DN a pupil binds as, {user} their name as typed (lower case):\n"
                 "\"uid={user},ou=people,dc=school,dc=internal\".",
                 [](Config& c) -> std::string& { return c.auth.ldap_bind_dn; }),
      string_key("auth", "ldap_group_base", "Where the user's groups are searched.",
                 [](Config& c) -> std::string& { return c.auth.ldap_group_base; }),
      string_key("auth", "ldap_group_filter",
                 "The groups the user is in, {dn} their DN, {user} their name; each one's cn\n"
                 "is a directory group (Active Directory: (&(objectClass=group)(member={dn}))).",
                 [](Config& c) -> std::string& { return c.auth.ldap_group_filter; }),
      string_key(
          "auth", "negotiate_keytab",
          "Kerberos single sign-on (Linux): the keytab holding HTTP/<proxy host>@REALM. The\n"
          "407 then offers Negotiate first, and a domain-joined browser signs in with its\n"
          "ticket, asking nothing; the user's group comes from auth.method's users file.\n"
          "Empty: passwords only.",
          [](Config& c) -> std::string& { return c.auth.negotiate_keytab; }),
      duration_key("auth", "ldap_timeout",
                   "Longest wait for each step with the directory; past it: 503, never open.",
                   [](Config& c) -> net::Duration& { return c.auth.ldap_timeout; }),
      string_key(
          "admin", "listen",
          "The admin listener (docs/admin.md), \"ADDRESS:PORT\" or \"off\": HTTPS with a\n"
          "certificate from the school CA; /metrics for Prometheus and the CA page. Requests\n"
          "through the proxy never reach it. Restart to change.",
          [](Config& c) -> std::string& { return c.admin.listen; }, listen_or_off),
      string_list_key(
          "admin", "names",
          "Host names the admin listener's certificate is made for (also its own address).",
          [](Config& c) -> std::vector<std::string>& { return c.admin.names; }, normalise_domain),
      string_key(
          "admin", "ca_page",
          "A name whose plain-HTTP requests Warden answers itself, through the proxy and\n"
          "transparent capture, with the school CA and how to install it (like mitm.it); it\n"
          "needs a DNS record (any address whose port 80 is captured) for transparent\n"
          "clients. \"off\": none.",
          [](Config& c) -> std::string& { return c.admin.ca_page; },
          [](const std::string& s) -> std::optional<std::string> {
            if (s == "off") return std::nullopt;
            std::string copy = s;
            if (normalise_domain(copy) || copy != s)
              return "must be a lower-case host name or \"off\"";
            return std::nullopt;
          }),
      string_key("admin", "metrics_token_file",
                 "A file holding the bearer token /metrics asks for (Prometheus'\n"
                 "authorization.credentials_file). Empty: admin/metrics.token in the state\n"
                 "folder, made with a random token at the first start.",
                 [](Config& c) -> std::string& { return c.admin.metrics_token_file; }),
      string_key("admin", "database",
                 "The dashboard's activity database (SQLite; Linux): every access record\n"
                 "and search, with hourly roll-ups for reports. Empty: admin/activity.db in\n"
                 "the state folder; \"off\": none. The access log stays the record.",
                 [](Config& c) -> std::string& { return c.admin.database; }),
      integer_key(
          "admin", "retention_days",
          "Days the database keeps each request and search (its hourly roll-ups: 400).",
          [](Config& c) -> unsigned& { return c.admin.retention_days; }, 1, 3650),
      integer_key(
          "admin", "database_max_mb",
          "Most the database may hold; past it the oldest requests go first.",
          [](Config& c) -> std::uint32_t& { return c.admin.database_max_mb; }, 16, 1 << 20),
  };
  return keys;
}

const Key* find_key(std::string_view section, std::string_view name) {
  for (const auto& k : schema())
    if (k.section == section && k.name == name) return &k;
  return nullptr;
}

bool is_section(std::string_view name) {
  for (const auto& k : schema())
    if (!k.section.empty() && k.section == name) return true;
  return false;
}

Error config_error(const toml::source_region& where, const std::string& source,
                   const std::string& what) {
  return {ErrorCode::BadRequest, ErrorSource::Client,
          fmt::format("{}:{}:{}: {}", where.path ? *where.path : source, where.begin.line,
                      where.begin.column, what)};
}

std::string key_path(std::string_view section, std::string_view name) {
  return section.empty() ? std::string(name) : fmt::format("{}.{}", section, name);
}

base::Result<Config> apply_table(const toml::table& root, const std::string& source) {
  Config c;
  for (const auto& [k, v] : root) {
    const std::string_view name = k.str();
    if (is_section(name)) {
      const auto* t = v.as_table();
      if (t == nullptr)
        return config_error(v.source(), source, fmt::format("{}: expected a table", name));
      for (const auto& [sk, sv] : *t) {
        const Key* key = find_key(name, sk.str());
        if (key == nullptr)
          return config_error(sk.source(), source,
                              fmt::format("unknown key {}", key_path(name, sk.str())));
        if (auto why = key->apply(sv, c))
          return config_error(sv.source(), source,
                              fmt::format("{}: {}", key_path(name, sk.str()), *why));
      }
      continue;
    }
    const Key* key = find_key("", name);
    if (key == nullptr)
      return config_error(k.source(), source, fmt::format("unknown key {}", name));
    if (auto why = key->apply(v, c))
      return config_error(v.source(), source, fmt::format("{}: {}", name, *why));
  }
  if (auto ok = validate(c); !ok) {
    auto e = ok.error();
    e.context = source + ": " + e.context;
    return e;
  }
  return c;
}

}  // namespace

base::Result<Config> load_config_text(std::string_view text, const std::string& source_name) {
  try {
    const toml::table root = toml::parse(text, source_name);
    return apply_table(root, source_name);
  } catch (const toml::parse_error& e) {
    return config_error(e.source(), source_name, std::string(e.description()));
  }
}

base::Result<Config> load_config_file(const std::string& path) {
  try {
    const toml::table root = toml::parse_file(path);
    return apply_table(root, path);
  } catch (const toml::parse_error& e) {
    return config_error(e.source(), path, std::string(e.description()));
  }
}

std::optional<flow::EngineConfig::RelayException> parse_relay_exception(std::string_view text) {
  std::string_view cidr = text;
  std::string_view port;
  if (text.starts_with('[')) {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    cidr = text.substr(1, close - 1);
    const std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (!rest.starts_with(':')) return std::nullopt;
      port = rest.substr(1);
    }
  } else if (std::count(text.begin(), text.end(), ':') == 1) {
    cidr = text.substr(0, text.find(':'));
    port = text.substr(text.find(':') + 1);
  }
  auto parsed = policy::parse_cidr(cidr);
  if (!parsed) return std::nullopt;
  flow::EngineConfig::RelayException e{*parsed, 0};
  if (!port.empty()) {
    unsigned value = 0;
    const auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || ptr != port.data() + port.size() || value == 0 || value > 65535)
      return std::nullopt;
    e.port = static_cast<std::uint16_t>(value);
  }
  return e;
}

std::optional<capture::CaptureMode> parse_capture_mode(std::string_view name) {
  if (name == "redirect") return capture::CaptureMode::Redirect;
  if (name == "tproxy") return capture::CaptureMode::Tproxy;
  if (name == "local") return capture::CaptureMode::Local;
  if (name == "tun") return capture::CaptureMode::Tun;
  if (name == "windivert") return capture::CaptureMode::WinDivert;
  return std::nullopt;
}

base::Result<void> validate(const Config& c) {
  auto fail = [](std::string what) {
    return Error{ErrorCode::BadRequest, ErrorSource::Client, std::move(what)};
  };
  if (c.proxy.listen.empty()) return fail("proxy.listen: at least one listener is needed");
  if (c.admin.listen != "off")
    if (auto at = parse_listen_address(c.admin.listen); !at)
      return fail("admin.listen: " + at.error().context);
  if (!c.bundle.url.empty() && c.bundle.public_key.empty())
    return fail("bundle.public_key: a bundle is applied only when the school's key signed it");
  if (!c.bundle.url.empty() && (!c.policy.file.empty() || !c.policy.lists.empty()))
    return fail(
        "bundle.url: the policy and lists come from the bundle; leave policy.file and "
        "policy.lists empty");
  if ((!c.balancer.listen.empty() || !c.balancer.transparent_listen.empty()) &&
      c.balancer.from.empty())
    return fail("balancer.from: balancer listeners need the balancers' addresses");
  if (!c.auth.negotiate_keytab.empty() && c.auth.method == "off")
    return fail("auth.negotiate_keytab: sign-in is off (auth.method)");
  if (c.auth.method == "ldap") {
    if (c.auth.ldap_url.empty()) return fail("auth.ldap_url: auth.method = \"ldap\" needs it");
    if (c.auth.ldap_bind_dn.find("{user}") == std::string::npos)
      return fail("auth.ldap_bind_dn: needs {user}, where the pupil's name goes");
    if (c.auth.ldap_group_base.empty())
      return fail("auth.ldap_group_base: auth.method = \"ldap\" needs it");
    if (c.auth.ldap_group_filter.find("{dn}") == std::string::npos &&
        c.auth.ldap_group_filter.find("{user}") == std::string::npos)
      return fail(
          "auth.ldap_group_filter: needs {dn} or {user} (without, every pupil would be in "
          "every group)");
  }
  for (const auto& l : c.auth.listen)
    if (std::find(c.proxy.listen.begin(), c.proxy.listen.end(), l) == c.proxy.listen.end() &&
        std::find(c.balancer.listen.begin(), c.balancer.listen.end(), l) == c.balancer.listen.end())
      return fail("auth.listen: " + l + " is not in proxy.listen or balancer.listen");
  if (c.limits.request_line > c.limits.header_section)
    return fail("limits.request_line: must not be larger than limits.header_section");
  for (const auto& l : c.proxy.listen)
    if (auto ep = parse_listen_address(l); !ep) return fail("proxy.listen: " + ep.error().context);
  if (auto why = check_level(c.log.level)) return fail("log.level: " + *why);
  if (c.capture.route_table >= 253 && c.capture.route_table <= 255)
    return fail("capture.route_table: 253-255 are the kernel's default, main and local tables");
  const auto& cap = c.capture;
  if (cap.has(capture::CaptureMode::Redirect) && cap.has(capture::CaptureMode::Tproxy))
    return fail("capture.mode: redirect and tproxy both take the gateway's traffic; choose one");
  if (cap.has(capture::CaptureMode::Local) && cap.has(capture::CaptureMode::Tun))
    return fail("capture.mode: local and tun both take this device's traffic; choose one");
  if (cap.has(capture::CaptureMode::Tun) && cap.egress.deny_other)
    return fail(
        "egress.deny_other needs nftables, which tun does not use; block what is not web with "
        "protocol = \"other\" policy rules instead");
  if (cap.tun_table >= 253 && cap.tun_table <= 255)
    return fail("capture.tun_table: 253-255 are the kernel's default, main and local tables");
  for (auto m : cap.modes)
    for (auto other : cap.modes)
      if (m != other && cap.listener_port(m) == cap.listener_port(other))
        return fail(fmt::format("capture: {} and {} need different listener ports",
                                capture::capture_mode_name(m), capture::capture_mode_name(other)));
  for (auto m : cap.modes)
    for (const auto& l : c.proxy.listen)
      if (auto ep = parse_listen_address(l); ep && ep->port() == cap.listener_port(m))
        return fail(fmt::format("capture.{}_port: {} is the explicit proxy's port too",
                                capture::capture_mode_name(m), cap.listener_port(m)));
  return {};
}

std::vector<std::string> config_key_names() {
  std::vector<std::string> names;
  for (const auto& k : schema()) names.push_back(key_path(k.section, k.name));
  return names;
}

std::string render_example_config() {
  const Config defaults;
  std::string out =
      "# Warden configuration: every key with its default value.\n"
      "# `warden run` uses these defaults when started without -c; a file needs only the keys\n"
      "# it changes. Check a file with `warden check-config FILE`.\n"
      "# Durations: \"250ms\", \"30s\", \"15m\", \"1h\".\n";
  std::string_view section = "\x01";
  for (const auto& k : schema()) {
    if (k.section != section) {
      section = k.section;
      if (!section.empty()) out += fmt::format("\n[{}]\n", section);
    }
    out += "\n";
    std::string_view doc = k.doc;
    while (!doc.empty()) {
      const auto nl = doc.find('\n');
      out += fmt::format("# {}\n", doc.substr(0, nl));
      doc = nl == std::string_view::npos ? std::string_view{} : doc.substr(nl + 1);
    }
    out += fmt::format("{} = {}\n", k.name, k.render(defaults));
  }
  return out;
}

base::Result<net::tcp::endpoint> parse_listen_address(std::string_view text) {
  auto fail = [&] {
    return Error{
        ErrorCode::BadRequest, ErrorSource::Client,
        fmt::format("\"{}\" is not ADDRESS:PORT (e.g. \"127.0.0.1:3128\", \"[::1]:3128\")", text)};
  };
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return fail();
  std::string_view host = text.substr(0, colon);
  if (host.front() == '[') {
    if (host.back() != ']') return fail();
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return fail();  // IPv6 needs brackets: "[::1]:3128"
  }
  int port = 0;
  for (char ch : text.substr(colon + 1)) {
    if (ch < '0' || ch > '9' || port > 65535) return fail();
    port = port * 10 + (ch - '0');
  }
  if (colon + 1 == text.size() || port > 65535) return fail();
  net::error_code ec;
  const auto addr = net::asio::ip::make_address(std::string(host), ec);
  if (ec) return fail();
  return net::tcp::endpoint(addr, static_cast<std::uint16_t>(port));
}

std::vector<std::string> ProxySection::default_denied_destinations() {
  std::vector<std::string> out;
  for (auto d : net::DestinationRules::default_denied_text()) out.emplace_back(d);
  out.emplace_back("self");
  return out;
}

flow::EngineConfig make_engine_config(const Config& c) {
  flow::EngineConfig e;
  e.balancers.clear();
  for (const auto& b : c.balancer.from) e.balancers.push_back(*policy::parse_cidr(b));
  e.destinations.deny.clear();
  e.destinations.deny_own = false;
  for (const auto& d : c.proxy.deny_destinations) {
    if (d == "self")
      e.destinations.deny_own = true;
    else
      e.destinations.deny.push_back(*policy::parse_cidr(d));
  }
  for (const auto& a : c.proxy.allow_destinations)
    e.destinations.allow.push_back(*policy::parse_cidr(a));
  e.request_limits = {c.limits.request_line, c.limits.header_section, c.limits.header_fields};
  e.log_search = c.log.search == "hash"  ? flow::EngineConfig::SearchLog::Hash
                 : c.log.search == "off" ? flow::EngineConfig::SearchLog::Off
                                         : flow::EngineConfig::SearchLog::Plain;
  e.timeouts = c.timeouts;
  e.max_scan_bytes = c.analysis.max_scan_bytes;
  if (c.admin.ca_page != "off") e.ca_page_host = c.admin.ca_page;
  e.sign_in_realm = c.auth.realm;
  e.connect_ports = c.proxy.connect_ports;
  e.via = "1.1 " + c.proxy.via;
  e.forwarded_for = c.proxy.forwarded_for;
  e.max_connections = c.proxy.max_connections;
  e.upstream_pool_per_host = c.upstream.pool_per_host;
  e.upstream_pool_total = c.upstream.pool_total;
  for (const auto& r : c.capture.relay_untouched)
    e.relay_untouched.push_back(*parse_relay_exception(r));
  e.web_ports = c.capture.web_ports;
  e.server_first_wait = c.capture.server_first_wait;
  // Warden's own connections carry the mark Linux capture lets through (no loop); WinDivert
  // knows them by their claimed ports instead (run.cpp).
  for (auto m : c.capture.modes)
    if (m != capture::CaptureMode::WinDivert)
      e.upstream_socket_mark = static_cast<int>(c.capture.socket_mark);
  return e;
}

std::string default_state_dir() { return platform::default_state_dir(); }

}  // namespace warden::app
