// SignerClient against a SigningService in a forked process over a real SEQPACKET pair: what the
// filtering process sees of the signer (Linux; the signer process itself: binary_test.py).
#include "tls/signer_client.hpp"

#include "tls/cert_signer.hpp"
#include "tls/certificate_authority.hpp"
#include "tls/minter.hpp"
#include "tls/signing_service.hpp"

#include <gtest/gtest.h>
#include <openssl/x509v3.h>

#include <functional>
#include <sys/wait.h>
#include <unistd.h>

namespace warden::tls {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A child process sending `answer`'s datagrams for each request until the parent's end closes.
class FakeSignerProcess {
 public:
  explicit FakeSignerProcess(std::function<std::vector<std::string>(const std::string&)> answer) {
    auto pair = platform::channel_pair();
    EXPECT_TRUE(pair);
    pid_ = ::fork();
    if (pid_ == 0) {
      pair->first = platform::MessageChannel(-1);
      for (;;) {
        auto request = pair->second.receive(kMaxSignerMessage, std::nullopt);
        if (!request || !*request) ::_exit(0);
        for (const std::string& reply : answer(**request))
          if (!pair->second.send(reply)) ::_exit(0);
      }
    }
    parent_end_ = std::move(pair->first);
  }
  ~FakeSignerProcess() {
    int status = 0;
    if (pid_ > 0) ::waitpid(pid_, &status, 0);  // it ends when the client's end closes
  }
  platform::MessageChannel take_channel() { return std::move(parent_end_); }

 private:
  pid_t pid_ = -1;
  platform::MessageChannel parent_end_{-1};
};

struct SchoolCa {
  CertificateAuthority ca = *CertificateAuthority::create({});
  InProcessSigner signer{ca};
  Minter minter{signer, ca.not_after()};
  X509Ptr ca_copy() const {
    X509_up_ref(ca.certificate());
    return X509Ptr(ca.certificate());
  }
  PkeyPtr leaf_copy() const {
    EVP_PKEY_up_ref(minter.leaf_key());
    return PkeyPtr(minter.leaf_key());
  }
};

TEST(SignerClient, MintsThroughTheSignerAndChecksWhatComesBack) {
  SchoolCa pki;
  SigningService service(pki.minter, {0.001, 2});  // two, then refusals
  FakeSignerProcess signer(
      [&](const std::string& r) { return std::vector{service.answer(r, Clock::now())}; });
  SignerClient client(signer.take_channel(), pki.ca_copy(), pki.leaf_copy());
  auto cert = client.mint("example.com", std::nullopt);
  ASSERT_TRUE(cert) << cert.error().context;
  EXPECT_EQ(X509_check_host(cert->get(), "example.com", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_issued(pki.ca.certificate(), cert->get()), X509_V_OK);
  auto bad_name = client.mint("Not A Name", std::nullopt);  // not even sent
  ASSERT_FALSE(bad_name);
  EXPECT_NE(bad_name.error().context.find("not a name a certificate may carry"), std::string::npos);
  EXPECT_TRUE(client.mint("second.example", std::nullopt));
  auto refused = client.mint("third.example", std::nullopt);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().context.find("refused: rate limit"), std::string::npos)
      << refused.error().context;
}

TEST(SignerClient, ACertificateForAnotherKeyIsRejected) {
  SchoolCa pki;
  SchoolCa other;  // another CA and leaf key: a signer that is not ours
  SigningService service(other.minter, {1000, 1000});
  FakeSignerProcess signer(
      [&](const std::string& r) { return std::vector{service.answer(r, Clock::now())}; });
  SignerClient client(signer.take_channel(), pki.ca_copy(), pki.leaf_copy());
  auto cert = client.mint("example.com", std::nullopt);
  ASSERT_FALSE(cert);
  EXPECT_NE(cert.error().context.find("not a certificate for our leaf key"), std::string::npos);
}

TEST(SignerClient, ASilentSignerFailsTheMintInTimeAndALateAnswerIsDropped) {
  SchoolCa pki;
  SigningService service(pki.minter, {1000, 1000});
  int seen = 0;
  std::string held;  // the answer to the first request, sent with the second's
  FakeSignerProcess signer([&](const std::string& r) {
    const std::string answer = service.answer(r, Clock::now());
    if (++seen == 1) {
      held = answer;
      return std::vector<std::string>{};
    }
    return seen == 2 ? std::vector{held, answer} : std::vector{answer};
  });
  SignerClient client(signer.take_channel(), pki.ca_copy(), pki.leaf_copy(), 200ms);
  const auto started = Clock::now();
  auto first = client.mint("first.example", std::nullopt);
  ASSERT_FALSE(first);
  EXPECT_NE(first.error().context.find("did not answer in time"), std::string::npos);
  EXPECT_LT(Clock::now() - started, 2s);
  // The stale certificate (for first.example) comes first: not taken for this one.
  auto second = client.mint("second.example", std::nullopt);
  ASSERT_TRUE(second) << second.error().context;
  EXPECT_EQ(X509_check_host(second->get(), "second.example", 0, 0, nullptr), 1);
  EXPECT_NE(X509_check_host(second->get(), "first.example", 0, 0, nullptr), 1);
}

}  // namespace
}  // namespace warden::tls
