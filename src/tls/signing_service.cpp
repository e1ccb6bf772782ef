#include "tls/signing_service.hpp"

#include <spdlog/spdlog.h>

namespace warden::tls {

SigningService::SigningService(const LeafMinter& minter, base::TokenRate rate)
    : minter_(minter), tokens_(rate) {}

std::string SigningService::refuse(std::uint32_t id, std::string why,
                                   std::chrono::steady_clock::time_point now) {
  ++refused_;
  ++refused_unlogged_;
  // At most one line a second: a flood of bad requests must not flood the journal.
  if (now - refusal_logged_ >= std::chrono::seconds(1)) {
    spdlog::warn("signer: refused {} request(s) ({} in all), the last: {}", refused_unlogged_,
                 refused_, why);
    refused_unlogged_ = 0;
    refusal_logged_ = now;
  }
  return encode_answer({id, SignerAnswerKind::Refused, std::move(why)});
}

std::string SigningService::answer(std::string_view request,
                                   std::chrono::steady_clock::time_point now) {
  auto r = decode_request(request);
  if (!r) return refuse(request_id(request), r.error().context, now);
  if (!tokens_.take(now))
    return refuse(r->id, "rate limit: more than the signer's burst of first mints", now);
  auto cert = minter_.mint(r->name, r->upstream_not_after);
  if (!cert) return refuse(r->id, cert.error().context, now);
  const int length = i2d_X509(cert->get(), nullptr);
  if (length <= 0) return refuse(r->id, "cannot encode the certificate", now);
  std::string der(static_cast<std::size_t>(length), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  i2d_X509(cert->get(), &out);
  ++signed_;
  spdlog::info("signer: certificate #{} for {}", signed_, r->name);
  return encode_answer({r->id, SignerAnswerKind::Ok, std::move(der)});
}

}  // namespace warden::tls
