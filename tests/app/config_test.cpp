#include "app/config.hpp"

#include "app/duration.hpp"
#include "app/run.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace warden::app {
namespace {

std::string error_of(std::string_view toml) {
  auto c = load_config_text(toml, "test.toml");
  return c ? std::string("(accepted)") : c.error().context;
}

TEST(Config, EmptyFileGivesTheDefaults) {
  auto c = load_config_text("", "test.toml");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->proxy.listen, std::vector<std::string>{"127.0.0.1:3128"});
  EXPECT_EQ(c->proxy.connect_ports, std::vector<std::uint16_t>{443});
  EXPECT_FALSE(c->proxy.forwarded_for);
  EXPECT_EQ(c->limits.request_line, 8192u);
  EXPECT_EQ(c->limits.header_section, 65536u);
  EXPECT_EQ(c->limits.header_fields, 100u);
  EXPECT_EQ(c->log.access_log, "-");
}

TEST(Config, ReadsEveryKindOfValue) {
  auto c = load_config_text(R"(
state_dir = "/srv/warden"
[proxy]
listen = ["0.0.0.0:8080", "[::1]:8080"]
connect_ports = [443, 8443]
threads = 4
via = "school-filter"
forwarded_for = true
[timeouts]
header = "5s"
upstream_connect = "1500ms"
tunnel_idle = "1h"
[log]
level = "debug"
access_log = "/var/log/warden/access.log"
)",
                            "test.toml");
  ASSERT_TRUE(c) << c.error().context;
  EXPECT_EQ(c->state_dir, "/srv/warden");
  EXPECT_EQ(c->proxy.listen.size(), 2u);
  EXPECT_EQ(c->proxy.connect_ports, (std::vector<std::uint16_t>{443, 8443}));
  EXPECT_EQ(c->proxy.threads, 4u);
  EXPECT_TRUE(c->proxy.forwarded_for);
  EXPECT_EQ(c->timeouts.header, std::chrono::seconds(5));
  EXPECT_EQ(c->timeouts.upstream_connect, std::chrono::milliseconds(1500));
  EXPECT_EQ(c->timeouts.tunnel_idle, std::chrono::hours(1));
  EXPECT_EQ(make_engine_config(*c).via, "1.1 school-filter");
}

TEST(Config, UnknownKeysAreRefusedWithTheirPosition) {
  EXPECT_EQ(error_of("colour = 1\n"), "test.toml:1:1: unknown key colour");
  EXPECT_EQ(error_of("[proxy]\nthreads = 1\nlisen = []\n"),
            "test.toml:3:1: unknown key proxy.lisen");
  EXPECT_EQ(error_of("[proxi]\n"), "test.toml:1:2: unknown key proxi");
}

TEST(Config, ListsComeOverHttpsOnly) {
  EXPECT_EQ(error_of("[lists_update]\nurl = \"http://lists.example/b.tar.gz\"\n"),
            "test.toml:2:7: lists_update.url: must be an https:// URL");
  EXPECT_EQ(error_of("[lists_update]\nsha256_url = \"ftp://x/sum\"\n"),
            "test.toml:2:14: lists_update.sha256_url: must be an https:// URL");
  EXPECT_EQ(error_of("[lists_update]\nurl = \"https://lists.example/b.tar.gz\"\n"), "(accepted)");
}

TEST(Config, AlertsGoOverHttpsOrToThisHostOnly) {
  const std::string refused =
      "test.toml:2:11: alerts.webhook: must be an https:// URL (or http:// to 127.0.0.1, [::1] "
      "or localhost)";
  for (const char* url : {"http://alerts.example/hook", "http://localhost@evil.example/",
                          "http://localhost:80@evil.example/", "http://127.0.0.1.evil.example/",
                          "http://localhost:x/", "ftp://localhost/"})
    EXPECT_EQ(error_of(std::string("[alerts]\nwebhook = \"") + url + "\"\n"), refused) << url;
  for (const char* url : {"https://alerts.example/hook", "http://127.0.0.1:8080/hook",
                          "http://localhost/", "http://[::1]:9/h?x=1", "http://localhost"})
    EXPECT_EQ(error_of(std::string("[alerts]\nwebhook = \"") + url + "\"\n"), "(accepted)") << url;
  EXPECT_EQ(error_of("[alerts]\nlog = \"-\"\n"),
            "test.toml:2:7: alerts.log: must be a file (alerts are not for standard output)");
}

TEST(Config, WrongTypesAreRefused) {
  EXPECT_EQ(error_of("[proxy]\nthreads = \"4\"\n"),
            "test.toml:2:11: proxy.threads: expected an integer");
  EXPECT_EQ(error_of("[proxy]\nforwarded_for = 1\n"),
            "test.toml:2:17: proxy.forwarded_for: expected true or false");
  EXPECT_EQ(error_of("[proxy]\nvia = 3\n"), "test.toml:2:7: proxy.via: expected a string");
  EXPECT_EQ(error_of("[proxy]\nlisten = \"127.0.0.1:1\"\n"),
            "test.toml:2:10: proxy.listen: expected a non-empty array of \"ADDRESS:PORT\" strings");
  EXPECT_EQ(error_of("[proxy]\nlisten = [1]\n"),
            "test.toml:2:10: proxy.listen: expected an array of strings");
  EXPECT_EQ(error_of("[timeouts]\nheader = 30\n"),
            "test.toml:2:10: timeouts.header: expected a duration string such as \"30s\"");
  EXPECT_EQ(error_of("proxy = 1\n"), "test.toml:1:9: proxy: expected a table");
}

TEST(Config, BadValuesAreRefused) {
  EXPECT_EQ(error_of("[proxy]\nthreads = 1000\n"),
            "test.toml:2:11: proxy.threads: must be between 0 and 256");
  EXPECT_EQ(error_of("[proxy]\nconnect_ports = [0]\n"),
            "test.toml:2:17: proxy.connect_ports: expected port numbers between 1 and 65535");
  EXPECT_EQ(error_of("[proxy]\nconnect_ports = [70000]\n"),
            "test.toml:2:17: proxy.connect_ports: expected port numbers between 1 and 65535");
  EXPECT_NE(error_of("[proxy]\nlisten = [\"localhost:3128\"]\n").find("is not ADDRESS:PORT"),
            std::string::npos);
  EXPECT_NE(error_of("[proxy]\nlisten = [\"127.0.0.1\"]\n").find("is not ADDRESS:PORT"),
            std::string::npos);
  EXPECT_NE(error_of("[proxy]\nlisten = [\"127.0.0.1:99999\"]\n").find("is not ADDRESS:PORT"),
            std::string::npos);
  EXPECT_EQ(error_of("[proxy]\nvia = \"my host\"\n"),
            "test.toml:2:7: proxy.via: may contain only letters, digits, '-', '.' and '_'");
  EXPECT_EQ(error_of("[timeouts]\nheader = \"30 seconds\"\n"),
            "test.toml:2:10: timeouts.header: expected a duration such as \"250ms\", \"30s\", "
            "\"15m\" or \"1h\"");
  EXPECT_EQ(error_of("[timeouts]\nheader = \"0s\"\n"),
            "test.toml:2:10: timeouts.header: must be longer than 0");
  EXPECT_EQ(
      error_of("[log]\nlevel = \"loud\"\n"),
      "test.toml:2:9: log.level: expected one of trace, debug, info, warn, error, critical, off");
  EXPECT_EQ(error_of("[log]\naccess_log = \"\"\n"),
            "test.toml:2:14: log.access_log: must not be empty (use \"off\")");
  EXPECT_EQ(error_of("[limits]\nheader_section = 100\n"),
            "test.toml:2:18: limits.header_section: must be between 1024 and 1048576");
}

TEST(Config, CrossFieldRules) {
  EXPECT_EQ(error_of("[limits]\nrequest_line = 9000\nheader_section = 4096\n"),
            "test.toml: limits.request_line: must not be larger than limits.header_section");
}

TEST(Config, SignInSettings) {
  auto c = load_config_text(
      "[proxy]\nlisten = [\"127.0.0.1:3128\", \"10.0.0.1:3128\"]\n"
      "[auth]\nmethod = \"local\"\nlisten = [\"10.0.0.1:3128\"]\nrealm = \"Hill School\"\n"
      "cache_ttl = \"10m\"\n",
      "test.toml");
  ASSERT_TRUE(c) << c.error().context;
  EXPECT_EQ(c->auth.method, "local");
  EXPECT_EQ(c->auth.cache_ttl, std::chrono::minutes(10));
  EXPECT_EQ(make_engine_config(*c).sign_in_realm, "Hill School");
  EXPECT_EQ(error_of("[auth]\nmethod = \"kerberos\"\n"),
            "test.toml:2:10: auth.method: must be \"off\", \"local\" or \"ldap\"");
  EXPECT_EQ(
      error_of("[auth]\nmethod = \"ldap\"\nldap_url = \"ldaps://dc\"\nldap_bind_dn = \"uid=x\"\n"),
      "test.toml: auth.ldap_bind_dn: needs {user}, where the pupil's name goes");
  EXPECT_EQ(error_of("[auth]\nldap_url = \"ldaps://dc1 ldap://dc2\"\n"),
            "test.toml:2:12: auth.ldap_url: one URL only (a list could fall over to one without "
            "TLS)");
  EXPECT_EQ(error_of("[auth]\nmethod = \"ldap\"\nldap_url = \"ldaps://dc\"\nldap_bind_dn = "
                     "\"uid={user}\"\nldap_group_base = \"dc=s\"\nldap_group_filter = "
                     "\"(objectClass=groupOfNames)\"\n"),
            "test.toml: auth.ldap_group_filter: needs {dn} or {user} (without, every pupil would "
            "be in every group)");
  EXPECT_EQ(error_of("[auth]\nldap_url = \"http://dc\"\n"),
            "test.toml:2:12: auth.ldap_url: must start with ldaps:// or ldap://");
  EXPECT_EQ(error_of("[auth]\nrealm = \"a \\\"quoted\\\" realm\"\n"),
            "test.toml:2:9: auth.realm: 1 to 100 characters, no quotes, backslashes or control "
            "characters");
  EXPECT_EQ(error_of("[auth]\nlisten = [\"127.0.0.1:3129\"]\n"),
            "test.toml: auth.listen: 127.0.0.1:3129 is not in proxy.listen or balancer.listen");
}

TEST(Config, CaptureSettings) {
  EXPECT_EQ(
      error_of("[capture]\nmode = [\"redirect\", \"sideways\"]\n"),
      "test.toml:2:8: capture.mode: \"sideways\" is not redirect, tproxy, local, tun or windivert");
  EXPECT_EQ(error_of("[capture]\nmode = [\"local\", \"tun\"]\n"),
            "test.toml: capture.mode: local and tun both take this device's traffic; choose one");
  EXPECT_EQ(error_of("[capture]\nmode = \"tun\"\n[egress]\ndeny_other = true\n"),
            "test.toml: egress.deny_other needs nftables, which tun does not use; block what is "
            "not web with protocol = \"other\" policy rules instead");
  EXPECT_EQ(error_of("[capture]\ntun_name = \"tun0; rm\"\n"),
            "test.toml:2:12: capture.tun_name: is not an interface name (1 to 15 letters, "
            "digits, _ . -)");
  EXPECT_EQ(error_of("[capture]\ntun_addresses = [\"100.127.83.1\"]\n"),
            "test.toml:2:17: capture.tun_addresses: \"100.127.83.1\": expected an address with "
            "its prefix, e.g. \"100.127.83.1/32\"");
  EXPECT_EQ(error_of("[capture]\nports = \"some\"\n"),
            "test.toml:2:9: capture.ports: expected \"all\" or a list of port numbers");
  EXPECT_EQ(error_of("[egress]\nquic = \"maybe\"\n"),
            "test.toml:2:8: egress.quic: must be \"refuse\", \"block-all\" or \"allow\"");
  EXPECT_EQ(error_of("[capture]\nmode = [\"redirect\", \"tproxy\"]\n"),
            "test.toml: capture.mode: redirect and tproxy both take the gateway's traffic; "
            "choose one");
  EXPECT_EQ(error_of("[balancer]\nlisten = [\"0.0.0.0:3140\"]\n"),
            "test.toml: balancer.from: balancer listeners need the balancers' addresses");
  EXPECT_EQ(error_of("[balancer]\nlisten = [\"0.0.0.0:3140\"]\nfrom = [\"haproxy\"]\n"),
            "test.toml:3:8: balancer.from: \"haproxy\": expected a CIDR or an address "
            "(\"10.0.0.2\", "
            "\"10.0.0.0/29\")");
  EXPECT_EQ(error_of("[balancer]\nhealth_listen = \"9080\"\n"),
            "test.toml:2:17: balancer.health_listen: \"9080\" is not ADDRESS:PORT (e.g. "
            "\"127.0.0.1:3128\", \"[::1]:3128\")");
  EXPECT_EQ(error_of("[balancer]\ndrain_notice = \"0s\"\n"),
            "test.toml:2:16: balancer.drain_notice: must be longer than 0");
  EXPECT_EQ(error_of("[log]\ninstance = \"warden one\"\n"),
            "test.toml:2:12: log.instance: letters, digits and punctuation only (no spaces)");
  EXPECT_EQ(error_of("[capture]\nmode = \"local\"\nlocal_port = 3128\n"),
            "test.toml: capture.local_port: 3128 is the explicit proxy's port too");
  EXPECT_EQ(error_of("[capture]\nmode = [\"redirect\", \"local\"]\nlocal_port = 3129\n"),
            "test.toml: capture: redirect and local need different listener ports");
  EXPECT_EQ(error_of("[capture]\nfail = \"ajar\"\n"),
            "test.toml:2:8: capture.fail: must be \"closed\" or \"open\"");
  EXPECT_EQ(error_of("[capture]\ninterfaces = [\"eth0; drop\"]\n"),
            "test.toml:2:14: capture.interfaces: \"eth0; drop\": is not an interface name");
  EXPECT_EQ(error_of("[capture]\nroute_table = 254\n"),
            "test.toml: capture.route_table: 253-255 are the kernel's default, main and local "
            "tables");
  EXPECT_EQ(error_of("[egress]\nallow = [0]\n"),
            "test.toml:2:9: egress.allow: expected port numbers between 1 and 65535");
  EXPECT_EQ(error_of("[capture]\nrelay_untouched = [\"2001:db8::/32:443\"]\n"),
            "test.toml:2:19: capture.relay_untouched: \"2001:db8::/32:443\": expected CIDR, "
            "CIDR:port or [IPv6 CIDR]:port");
  auto relay = parse_relay_exception("[2001:db8::/32]:443");
  ASSERT_TRUE(relay);
  EXPECT_EQ(relay->port, 443);
  EXPECT_EQ(relay->addresses.prefix, 32u);
  EXPECT_EQ(parse_relay_exception("198.51.100.0/24")->port, 0);
  EXPECT_EQ(parse_relay_exception("203.0.113.7:1194")->addresses.prefix, 128u);
  EXPECT_FALSE(parse_relay_exception("203.0.113.7:0"));
  EXPECT_FALSE(parse_relay_exception("example.com:22"));
  auto c =
      load_config_text("[capture]\nmode = [\"local\", \"redirect\", \"local\"]\n", "test.toml");
  ASSERT_TRUE(c) << c.error().context;
  EXPECT_EQ(c->capture.modes.size(), 2u);  // each mode once
  // Windows' packet capture, its own listener, and no SO_MARK for Warden's sockets (WinDivert
  // knows them by their claimed ports instead).
  auto w = load_config_text("[capture]\nmode = \"windivert\"\n", "test.toml");
  ASSERT_TRUE(w) << w.error().context;
  EXPECT_TRUE(w->capture.has(capture::CaptureMode::WinDivert));
  EXPECT_EQ(w->capture.listener_port(capture::CaptureMode::WinDivert), 3133);
  EXPECT_EQ(make_engine_config(*w).upstream_socket_mark, 0);
  EXPECT_NE(make_engine_config(*c).upstream_socket_mark, 0);
}

TEST(Config, SyntaxErrorsSayWhere) {
  const std::string e = error_of("[proxy\nthreads = 1\n");
  EXPECT_EQ(e.rfind("test.toml:1:", 0), 0u) << e;
}

TEST(Config, ExampleFileIsTheDocumentedDefaults) {
  std::ifstream in(std::string(WARDEN_SOURCE_DIR) + "/warden.example.toml");
  ASSERT_TRUE(in) << "warden.example.toml is missing";
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), render_example_config())
      << "regenerate it: build/release/warden example-config > warden.example.toml";
  auto parsed = load_config_text(text.str(), "warden.example.toml");
  ASSERT_TRUE(parsed) << parsed.error().context;
  EXPECT_EQ(parsed->proxy.listen, Config{}.proxy.listen);
}

TEST(Config, ReadmeDocumentsEveryKey) {
  std::ifstream in(std::string(WARDEN_SOURCE_DIR) + "/README.md");
  std::stringstream text;
  text << in.rdbuf();
  for (const auto& key : config_key_names())
    EXPECT_NE(text.str().find("| `" + key + "` |"), std::string::npos)
        << key << " missing in README";
}

TEST(Config, FlagsOverrideTheFile) {
  const std::string path = ::testing::TempDir() + "/flags.toml";
  std::ofstream(path) << "[proxy]\nlisten = [\"127.0.0.1:1\"]\nconnect_ports = [443]\n";
  RunOptions o;
  o.config_file = path;
  o.listen = {"127.0.0.1:2", "127.0.0.1:3"};
  o.connect_ports = {8443, 443};
  o.threads = 3;
  o.state_dir = "/tmp/x";
  auto c = build_config(o);
  ASSERT_TRUE(c) << c.error().context;
  EXPECT_EQ(c->proxy.listen, (std::vector<std::string>{"127.0.0.1:2", "127.0.0.1:3"}));
  EXPECT_EQ(c->proxy.connect_ports, (std::vector<std::uint16_t>{443, 8443}));
  EXPECT_EQ(c->proxy.threads, 3u);
  EXPECT_EQ(c->state_dir, "/tmp/x");
  o.listen = {"bogus"};
  EXPECT_FALSE(build_config(o));
}

TEST(Duration, ParsesAndFormats) {
  EXPECT_EQ(parse_duration("250ms"), std::chrono::milliseconds(250));
  EXPECT_EQ(parse_duration("2m"), std::chrono::minutes(2));
  EXPECT_FALSE(parse_duration("2"));
  EXPECT_FALSE(parse_duration("s"));
  EXPECT_FALSE(parse_duration("-1s"));
  EXPECT_FALSE(parse_duration("1.5s"));
  EXPECT_EQ(format_duration(std::chrono::seconds(900)), "15m");
  EXPECT_EQ(format_duration(std::chrono::milliseconds(1500)), "1500ms");
}

TEST(ListenAddress, Forms) {
  EXPECT_TRUE(parse_listen_address("127.0.0.1:3128"));
  EXPECT_TRUE(parse_listen_address("[::1]:3128"));
  EXPECT_TRUE(parse_listen_address("0.0.0.0:0"));
  EXPECT_FALSE(parse_listen_address("::1:3128"));
  EXPECT_FALSE(parse_listen_address("127.0.0.1:"));
  EXPECT_FALSE(parse_listen_address(":3128"));
}

}  // namespace
}  // namespace warden::app
