#include "proxy_fixture.hpp"

#include "raw_socket.hpp"

#include <csignal>
#include <cstdio>
#include <fstream>
#include <sys/wait.h>

namespace warden::test {

void ProxyFixture::SetUp() {
  std::signal(SIGPIPE, SIG_IGN);  // test clients write to sockets the proxy may have closed
  char tmpl[] = "/tmp/warden-test-XXXXXX";
  dir_ = ::mkdtemp(tmpl);
  config.timeouts.upstream_connect = std::chrono::seconds(5);
  // The test origins listen on loopback, which Warden refuses by default.
  config.destinations.allow = {*base::parse_cidr("127.0.0.0/8"), *base::parse_cidr("::1/128")};
}

void ProxyFixture::TearDown() {
  if (engine_) {
    EXPECT_TRUE(engine_->shutdown(std::chrono::seconds(2)));
    engine_.reset();
  }
  if (log_) log_->close();
  std::filesystem::remove_all(dir_);
}

void ProxyFixture::start(unsigned threads) {
  auto log = observe::AccessLog::open((dir_ / "access.log").string());
  ASSERT_TRUE(log);
  log_ = std::move(*log);
  engine_ = std::make_unique<flow::Engine>(std::make_shared<const flow::EngineConfig>(config),
                                           *log_, threads, tls, policy);
  if (sign_in != nullptr) engine_->set_sign_in(sign_in, {});
  auto started = engine_->start({net::tcp::endpoint(net::asio::ip::make_address("127.0.0.1"), 0)});
  ASSERT_TRUE(started) << started.error().context;
}

std::string ProxyFixture::proxy_url() const { return "http://127.0.0.1:" + std::to_string(port()); }

std::vector<std::string> ProxyFixture::access_log_lines(std::size_t at_least) {
  // A worker logs an exchange just after its last write, so the client may see the response a
  // moment before the line exists: flush and read until `at_least` lines are there.
  std::vector<std::string> lines;
  eventually([&] {
    engine_->on_each_worker_for_test([](flow::WorkerContext& c) { c.access_log.flush(); });
    log_->sync();
    lines.clear();
    std::ifstream in(dir_ / "access.log");
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    return lines.size() >= at_least;
  });
  return lines;
}

std::string ProxyFixture::curl(const std::string& args, int* status) {
  const std::string cmd = "curl -sS --max-time 30 --noproxy '' -x " + proxy_url() + " " + args;
  FILE* p = ::popen(cmd.c_str(), "r");
  std::string out;
  char buf[65536];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  const int rc = ::pclose(p);
  if (status != nullptr) *status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  return out;
}

}  // namespace warden::test
