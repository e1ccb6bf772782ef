#pragma once
// Minting through the signer process (app/signer_command.cpp): this process keeps the leaf key
// and the CA certificate, never the CA key. One request at a time over the channel; an answer
// that does not come in time (the signer died and its supervisor is starting it again) fails
// that mint, and answers to earlier requests are recognised by id and dropped.
//
// Thread safety: mint() may be called from any worker at once (requests are serialised).

#include "platform/helper_process.hpp"
#include "tls/leaf_minter.hpp"

#include <chrono>
#include <cstdint>
#include <mutex>

namespace warden::tls {

class SignerClient final : public LeafMinter {
 public:
  SignerClient(platform::MessageChannel channel, X509Ptr ca_certificate, PkeyPtr leaf_key,
               std::chrono::milliseconds timeout = std::chrono::seconds(3));

  [[nodiscard]] base::Result<X509Ptr> mint(
      const std::string& name,
      std::optional<std::chrono::system_clock::time_point> upstream_not_after) const override;
  [[nodiscard]] EVP_PKEY* leaf_key() const override { return leaf_key_.get(); }
  [[nodiscard]] X509* ca_certificate() const override { return ca_.get(); }

 private:
  mutable std::mutex mu_;
  mutable platform::MessageChannel channel_;
  mutable std::uint32_t next_id_ = 0;
  X509Ptr ca_;
  PkeyPtr leaf_key_;
  std::chrono::milliseconds timeout_;
};

}  // namespace warden::tls
