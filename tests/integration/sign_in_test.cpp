// Sign-in on the wire (auth): the 407 challenge and what follows it on the same connection, a
// Proxy-Authorization that cannot be read, and a directory that cannot answer (503, closed:
// never let through). The users file and curl are sign_in_test.py's.
#include "identity/sign_in.hpp"

#include "base/base64.hpp"
#include "proxy_fixture.hpp"
#include "raw_socket.hpp"
#include "test_origin.hpp"

#include <gtest/gtest.h>

namespace warden::test {
namespace {

using namespace std::chrono_literals;

// ann/secret is in group year7; while `down`, nobody can be checked.
class Directory final : public identity::Directory {
 public:
  identity::CheckResult check(std::string_view user, std::string_view password) const override {
    identity::CheckResult r;
    if (down) {
      r.status = identity::CheckResult::Status::Unavailable;
      r.why = "the test directory is down";
    } else if (user == "ann" && password == "secret") {
      r.status = identity::CheckResult::Status::SignedIn;
      r.identity = {"ann", {"year7"}};
    }
    return r;
  }
  std::string describe() const override { return "test directory"; }
  std::atomic<bool> down{false};
};

class SignInWire : public ProxyFixture {
 protected:
  void SetUp() override {
    ProxyFixture::SetUp();
    auto d = std::make_unique<Directory>();
    directory = d.get();
    service = std::make_unique<identity::SignIn>(std::move(d), identity::SignInSettings{});
    sign_in = service.get();
  }
  void TearDown() override {
    ProxyFixture::TearDown();
    service.reset();  // after the engine
  }
  std::string get(const std::string& url, const std::string& more = "") const {
    return "GET " + url + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + more + "\r\n";
  }
  Directory* directory = nullptr;
  std::unique_ptr<identity::SignIn> service;
  const std::string ann = "Proxy-Authorization: Basic " + base::to_base64("ann:secret") + "\r\n";
};

TEST_F(SignInWire, AChallengedConnectionStaysOpenForTheAnswer) {
  TestOrigin origin;
  start();
  RawClient c(port());
  ASSERT_TRUE(c.send(get(origin.url("/size/3"))));
  auto challenge = read_response(c);
  ASSERT_TRUE(challenge);
  EXPECT_EQ(challenge->status, 407);
  EXPECT_EQ(challenge->fields["proxy-authenticate"],
            "Basic realm=\"School web filter\", charset=\"UTF-8\"");
  EXPECT_EQ(challenge->fields.count("connection"), 0u);
  ASSERT_TRUE(c.send(get(origin.url("/size/3"), ann)));  // the browser's retry
  auto answered = read_response(c);
  ASSERT_TRUE(answered);
  EXPECT_EQ(answered->status, 200);
  const auto lines = access_log_lines(2);
  EXPECT_NE(lines[1].find("\"user\":\"ann\""), std::string::npos) << lines[1];
}

TEST_F(SignInWire, ARefusedAttemptEndsTheConnectionsSignIn) {
  TestOrigin origin;
  start();
  RawClient c(port());
  ASSERT_TRUE(c.send(get(origin.url("/size/1"), ann)));
  auto signed_in = read_response(c);
  ASSERT_TRUE(signed_in);
  EXPECT_EQ(signed_in->status, 200);
  const std::string wrong =
      "Proxy-Authorization: Basic " + base::to_base64("ann:not-secret") + "\r\n";
  for (const std::string& after : {wrong, std::string("Proxy-Authorization:\r\n"),
                                   std::string("Proxy-Authorization:   \r\n"), std::string()}) {
    ASSERT_TRUE(c.send(get(origin.url("/size/1"), after)));
    auto r = read_response(c);
    ASSERT_TRUE(r) << after;
    EXPECT_EQ(r->status, 407) << after;
  }
  EXPECT_EQ(origin.requests_served(), 1u);
  const auto lines = access_log_lines(5);
  for (std::size_t i = 1; i < lines.size(); ++i)  // refusals are nobody's
    EXPECT_EQ(lines[i].find("\"user\""), std::string::npos) << lines[i];
}

TEST_F(SignInWire, AChallengeClosesWhenTheClientDoesOrCannotBeAnsweredInTurn) {
  start();
  const std::string target = "http://127.0.0.1:9/";
  for (const std::string& request :
       {"GET " + target + " HTTP/1.0\r\n\r\n",
        "GET " + target + " HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"}) {
    RawClient c(port());
    ASSERT_TRUE(c.send(request));
    auto r = read_response(c);
    ASSERT_TRUE(r) << request;
    EXPECT_EQ(r->status, 407) << request;
    EXPECT_TRUE(c.closed_by_peer(3s)) << request;
  }
  RawClient head(port());  // a HEAD's text answer has a body it does not expect: closed
  ASSERT_TRUE(head.send("HEAD " + target + " HTTP/1.1\r\nHost: a\r\n\r\n"));
  auto r = read_response(head, 5s, true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 407);
  EXPECT_TRUE(head.closed_by_peer(3s));
}

TEST_F(SignInWire, AChallengedRequestWithABodyClosesTheConnection) {
  TestOrigin origin;
  start();
  RawClient c(port());
  ASSERT_TRUE(c.send("POST " + origin.url("/echo") +
                     " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\nhello"));
  auto r = read_response(c);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 407);
  EXPECT_EQ(r->fields["connection"], "close");
  EXPECT_TRUE(c.closed_by_peer(3s));
  EXPECT_EQ(origin.requests_served(), 0u);
}

TEST_F(SignInWire, CredentialsThatCannotBeReadAreAskedForAgain) {
  TestOrigin origin;
  start();
  const std::vector<std::string> values = {"Basic !!!", "Basic " + base::to_base64("no colon"),
                                           "Negotiate YII=", "Basic"};
  for (const std::string& value : values) {
    RawClient c(port());
    ASSERT_TRUE(c.send(get(origin.url("/"), "Proxy-Authorization: " + value + "\r\n")));
    auto r = read_response(c);
    ASSERT_TRUE(r) << value;
    EXPECT_EQ(r->status, 407) << value;
    EXPECT_EQ(r->fields["x-warden-error"], "ERR_SIGN_IN_FAILED") << value;
  }
  EXPECT_EQ(origin.requests_served(), 0u);
}

TEST_F(SignInWire, ADirectoryThatCannotAnswerFailsClosed) {
  TestOrigin origin;
  directory->down = true;
  start();
  RawClient c(port());
  ASSERT_TRUE(c.send(get(origin.url("/"), ann)));
  auto r = read_response(c);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->fields["x-warden-error"], "ERR_SIGN_IN_UNAVAILABLE");
  EXPECT_TRUE(c.closed_by_peer(3s));
  EXPECT_EQ(origin.requests_served(), 0u);
  // Back up: the same credentials sign in (a failure to check was not cached).
  directory->down = false;
  RawClient again(port());
  ASSERT_TRUE(again.send(get(origin.url("/size/1"), ann)));
  auto ok = read_response(again);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

}  // namespace
}  // namespace warden::test
