// The policy enforced by the in-process engine: block pages over HTTP and inside intercepted
// HTTPS (naming the category or rule), allowed origins answering, URL-rule exceptions, groups
// by client address, reject as an empty 403 or a TLS alert, no_decrypt keeping the origin's
// certificate, and nothing blocked ever contacted. Lists: tests/policy/lists (no ../shared).
#include "policy/policy_file.hpp"
#include "raw_socket.hpp"
#include "test_origin.hpp"
#include "tls_fixture.hpp"

#include <gtest/gtest.h>

namespace warden::test {
namespace {

using namespace std::chrono_literals;

const std::string kLists = std::string(WARDEN_SOURCE_DIR) + "/tests/policy/lists";

policy::PolicyPtr make_policy(const std::string& text) {
  auto lists = policy::CategoryLists::load(kLists);
  EXPECT_TRUE(lists) << lists.error().context;
  auto p = policy::parse_policy(text, "test policy", *lists);
  EXPECT_TRUE(p) << p.error().context;
  return p ? *p : nullptr;
}

const char* const kHttpPolicy = R"(
[[group]]
name = "staff"
sources = ["127.0.0.2"]

[[rule]]
name = "unsafe"
action = "block"
categories = ["adult", "gambling"]

[[rule]]
name = "private pages"
action = "block"
groups = ["default"]
urls = ["127.0.0.1/private/"]

[[rule]]
name = "one open page"
action = "allow"
urls = ["127.0.0.1/private/open/"]

[[rule]]
name = "no mail"
action = "reject"
domains = ["reject.test"]
)";

class PolicyHttp : public ProxyFixture {
 protected:
  void SetUp() override {
    ProxyFixture::SetUp();
    policy = make_policy(kHttpPolicy);
    start();
  }
  TestOrigin origin_;
};

TEST_F(PolicyHttp, BlockedCategoryGetsAPageNamingIt) {
  const std::string out =
      curl("-i -H 'Accept: text/html' 'http://www.casino.test/play?table=%3Cscript%3E&x=<b>'");
  EXPECT_NE(out.find("HTTP/1.1 403"), std::string::npos) << out;
  EXPECT_NE(out.find("Cache-Control: no-store"), std::string::npos);
  EXPECT_NE(out.find("Content-Type: text/html"), std::string::npos);
  EXPECT_NE(out.find(">gambling<"), std::string::npos) << out;  // the category, as an element
  EXPECT_NE(out.find("www.casino.test/play?table=%3Cscript%3E&amp;x=&lt;b&gt;"),
            std::string::npos)
      << out;  // the URL, escaped
  EXPECT_EQ(out.find("<b>"), std::string::npos);
  const auto lines = access_log_lines(1);
  EXPECT_NE(lines.back().find("\"decision\":\"block\""), std::string::npos) << lines.back();
  EXPECT_NE(lines.back().find("\"category\":\"gambling\""), std::string::npos);
  EXPECT_NE(lines.back().find("\"rule\":\"unsafe\""), std::string::npos);
  EXPECT_NE(lines.back().find("\"end\":\"blocked\""), std::string::npos);
  // The request id on the page is the access log's.
  const std::size_t at = lines.back().find("\"id\":\"") + 6;
  const std::string id = lines.back().substr(at, lines.back().find('"', at) - at);
  EXPECT_NE(out.find("X-Warden-Request-Id: " + id), std::string::npos) << id;
}

TEST_F(PolicyHttp, NonPageRequestsGetShortText) {
  const std::string out =
      curl("-i -H 'Sec-Fetch-Dest: image' -H 'Accept: text/html' http://adult.test/a.png");
  EXPECT_NE(out.find("HTTP/1.1 403"), std::string::npos) << out;
  EXPECT_NE(out.find("Content-Type: text/plain"), std::string::npos) << out;
  EXPECT_NE(out.find("Category: adult"), std::string::npos) << out;
  const std::string head = curl("-I http://adult.test/");
  EXPECT_NE(head.find("HTTP/1.1 403"), std::string::npos) << head;
}

TEST_F(PolicyHttp, AllowedHostGetsTheOriginsResponse) {
  EXPECT_EQ(curl(origin_.url("/")), "hello from origin");
  const auto lines = access_log_lines(1);
  EXPECT_NE(lines.back().find("\"decision\":\"allow\""), std::string::npos) << lines.back();
  EXPECT_NE(lines.back().find("\"rule\":\"default\""), std::string::npos);
  EXPECT_NE(lines.back().find("\"group\":\"default\""), std::string::npos);
}

TEST_F(PolicyHttp, TheMostSpecificUrlRuleWinsAndBlockedPagesAreNeverFetched) {
  EXPECT_NE(curl("-i " + origin_.url("/private/x")).find("HTTP/1.1 403"), std::string::npos);
  EXPECT_EQ(origin_.requests_served(), 0u);
  EXPECT_EQ(origin_.connections_accepted(), 0u);
  EXPECT_EQ(curl(origin_.url("/private/open/x")), "hello from origin");
  EXPECT_EQ(origin_.requests_served(), 1u);
}

TEST_F(PolicyHttp, GroupsComeFromTheClientAddress) {
  // 127.0.0.2 is staff: the rule for group default does not apply.
  EXPECT_EQ(curl("--interface 127.0.0.2 " + origin_.url("/private/x")), "hello from origin");
  const auto lines = access_log_lines(1);
  EXPECT_NE(lines.back().find("\"group\":\"staff\""), std::string::npos) << lines.back();
}

TEST_F(PolicyHttp, RejectIsAnEmpty403) {
  const std::string out = curl("-i http://mail.reject.test/");
  EXPECT_NE(out.find("HTTP/1.1 403"), std::string::npos) << out;
  EXPECT_NE(out.find("Content-Length: 0"), std::string::npos) << out;
  EXPECT_NE(out.find("X-Warden-Decision: reject"), std::string::npos) << out;
  const auto lines = access_log_lines(1);
  EXPECT_NE(lines.back().find("\"end\":\"rejected\""), std::string::npos) << lines.back();
}

TEST_F(PolicyHttp, AConnectToABlockedHostWithoutInterceptionIsRefused) {
  RawClient c(port());
  c.send("CONNECT casino.test:443 HTTP/1.1\r\nHost: casino.test:443\r\n\r\n");
  auto r = read_response(c, 5s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_NE(r->body.find("gambling"), std::string::npos) << r->body;
}

TEST_F(PolicyHttp, ANewPolicyAppliesToTheNextRequestOnTheSameConnection) {
  RawClient c(port());
  const std::string req = "GET " + origin_.url("/") + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  c.send(req);
  auto first = read_response(c, 5s);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  engine_->set_policy(make_policy(R"(
[[rule]]
action = "block"
domains = ["127.0.0.1"]
)"));
  ASSERT_TRUE(eventually([&] {
    c.send(req);
    auto r = read_response(c, 5s);
    return r && r->status == 403;
  }));
}

// HTTPS: the policy decides at the CONNECT and at the ClientHello.
class PolicyTls : public Tls {
 protected:
  void start_with(const std::string& text) {
    policy = make_policy(text);
    start_intercepting();
  }
};

TEST_F(PolicyTls, ABlockedNameGetsThePageOverTlsWithoutContactingTheServer) {
  auto good = origin("good");
  start_with(R"(
[[rule]]
name = "not here"
action = "block"
domains = ["good.test"]
)");
  Seen s = fetch_through(port(), good->port(), "good.test", school_ca_, "/x");
  ASSERT_TRUE(s.handshake) << s.error;
  EXPECT_NE(s.issuer.find("Web Filter CA"), std::string::npos) << s.issuer;
  EXPECT_NE(s.response.find("HTTP/1.1 403"), std::string::npos) << s.response;
  EXPECT_NE(s.response.find("not here"), std::string::npos) << s.response;
  EXPECT_EQ(s.response.find(kToken), std::string::npos);
  EXPECT_EQ(good->handshakes(), 0u) << "a blocked server was contacted";
  const auto lines = access_log_lines(2);
  EXPECT_NE(lines[0].find("\"end\":\"blocked\""), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find("\"scheme\":\"https\""), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find("\"status\":403"), std::string::npos) << lines[1];
}

TEST_F(PolicyTls, AnAllowedSniDoesNotOpenABlockedConnectTarget) {
  auto good = origin("good");
  start_with(R"(
[[rule]]
name = "the address"
action = "block"
domains = ["127.0.0.1"]
)");
  Seen s = fetch_through(port(), good->port(), "good.test", school_ca_);
  ASSERT_TRUE(s.handshake) << s.error;
  EXPECT_NE(s.response.find("HTTP/1.1 403"), std::string::npos) << s.response;
  EXPECT_EQ(good->handshakes(), 0u);
}

TEST_F(PolicyTls, AUrlRuleOpensOnePageOfABlockedHost) {
  auto good = origin("good");
  start_with(R"(
[[rule]]
action = "block"
domains = ["good.test"]

[[rule]]
name = "homework"
action = "allow"
urls = ["good.test/open/"]
)");
  Seen open = fetch_through(port(), good->port(), "good.test", school_ca_, "/open/page");
  ASSERT_TRUE(open.handshake) << open.error;
  EXPECT_NE(open.response.find(kToken), std::string::npos) << open.response;
  Seen closed = fetch_through(port(), good->port(), "good.test", school_ca_, "/other");
  EXPECT_NE(closed.response.find("HTTP/1.1 403"), std::string::npos) << closed.response;
  EXPECT_EQ(good->requests(), 1u);
}

TEST_F(PolicyTls, NoDecryptKeepsTheServersOwnCertificate) {
  auto good = origin("good");
  start_with(R"(
[[rule]]
action = "no_decrypt"
domains = ["good.test"]
)");
  Seen s = fetch_through(port(), good->port(), "good.test", Pki::file("root.pem"));
  ASSERT_TRUE(s.handshake) << s.error;
  EXPECT_NE(s.issuer.find("Test Intermediate CA"), std::string::npos) << s.issuer;
  EXPECT_NE(s.response.find(kToken), std::string::npos);
  const auto lines = access_log_lines(1);
  EXPECT_NE(lines.back().find("\"decision\":\"no_decrypt\""), std::string::npos) << lines.back();
}

TEST_F(PolicyTls, RejectIsATlsAlertAtTheClientHello) {
  auto good = origin("good");
  start_with(R"(
[[rule]]
action = "reject"
domains = ["good.test"]
)");
  Seen s = fetch_through(port(), good->port(), "good.test", school_ca_);
  EXPECT_FALSE(s.handshake);
  EXPECT_NE(s.error.find("handshake failure"), std::string::npos) << s.error;
  EXPECT_EQ(good->handshakes(), 0u);
  const auto lines = access_log_lines(1);
  EXPECT_NE(lines.back().find("\"end\":\"rejected\""), std::string::npos) << lines.back();
}

}  // namespace
}  // namespace warden::test
