#include "tls/signer_client.hpp"

#include "tls/signer_protocol.hpp"

#include <openssl/x509v3.h>

namespace warden::tls {
namespace {

base::Error failure(const std::string& name, std::string what) {
  return base::Error{base::ErrorCode::Internal, base::ErrorSource::Internal,
                     "no certificate for " + name + ": " + std::move(what)};
}

}  // namespace

SignerClient::SignerClient(platform::MessageChannel channel, X509Ptr ca_certificate,
                           PkeyPtr leaf_key, std::chrono::milliseconds timeout)
    : channel_(std::move(channel)),
      ca_(std::move(ca_certificate)),
      leaf_key_(std::move(leaf_key)),
      timeout_(timeout) {}

base::Result<X509Ptr> SignerClient::mint(
    const std::string& name,
    std::optional<std::chrono::system_clock::time_point> upstream_not_after) const {
  // The signer would refuse it too, after a round trip.
  if (!is_mintable_name(name)) return failure(name, "not a name a certificate may carry");
  std::lock_guard lock(mu_);
  if (++next_id_ == 0) ++next_id_;  // 0 is the signer's own (its "ready" after a restart)
  const std::uint32_t id = next_id_;
  if (auto sent = channel_.send(encode_request({id, name, upstream_not_after})); !sent)
    return failure(name, "the signer: " + sent.error().context);
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return failure(name, "the signer did not answer in time");
    auto message = channel_.receive(kMaxSignerMessage, left);
    if (!message) return failure(name, "the signer: " + message.error().context);
    if (!*message) continue;  // the deadline decides
    auto answer = decode_answer(**message);
    if (!answer) return failure(name, answer.error().context);
    if (answer->id != id) continue;  // a late answer to a request that already failed
    if (answer->kind != SignerAnswerKind::Ok) return failure(name, "refused: " + answer->body);
    const auto* der = reinterpret_cast<const unsigned char*>(answer->body.data());
    X509Ptr cert(d2i_X509(nullptr, &der, static_cast<long>(answer->body.size())));
    // The signer is trusted, but a certificate for another key or issuer would fail every
    // handshake with it: checked once here instead.
    if (!cert || EVP_PKEY_eq(X509_get0_pubkey(cert.get()), leaf_key_.get()) != 1 ||
        X509_check_issued(ca_.get(), cert.get()) != X509_V_OK)
      return failure(name, "the signer's answer is not a certificate for our leaf key");
    return cert;
  }
}

}  // namespace warden::tls
