#include "app/signer_command.hpp"

#include "platform/helper_process.hpp"
#include "platform/os.hpp"
#include "tls/cert_signer.hpp"
#include "tls/minter.hpp"
#include "tls/signer_protocol.hpp"
#include "tls/signing_service.hpp"

#include <spdlog/spdlog.h>

namespace warden::app {
namespace {

// The signer cannot start (its CA does not load): the supervisor stops trying.
constexpr int kCannotStart = 2;

int sign_until_peer_gone(const SignerOptions& o) {
  platform::set_thread_name("warden-signer");  // as ps and top show it
  platform::MessageChannel channel = platform::helper_channel();
  auto fail = [&](const std::string& why) {
    spdlog::error("signer: {}", why);
    (void)channel.send(tls::encode_answer({0, tls::SignerAnswerKind::Failed, why}));
    return kCannotStart;
  };
  bool created = false;
  auto ca = tls::CertificateAuthority::load_or_create(
      o.state_dir, {tls::CaKeyType::EcdsaP256, o.ca_name}, created);
  if (!ca) return fail(ca.error().context);
  tls::PkeyPtr leaf = tls::public_key_from_hex(o.leaf_key);
  if (!leaf) return fail("the leaf key given is not a public key");
  tls::InProcessSigner signer(*ca);
  tls::Minter minter(signer, ca->not_after(), std::move(leaf));
  // Everything OpenSSL loads on first use (providers, its config, the random generator's seed)
  // is loaded now, while files may still be opened.
  if (auto warm = minter.mint("signer.warm-up.invalid", std::nullopt); !warm)
    return fail(warm.error().context);
  spdlog::info("signer: CA {} {} ({}), signing at most {}/s", ca->subject(),
               created ? "created" : "loaded", o.state_dir, o.rate);
  if (auto walled = platform::allow_only_signing_syscalls(); !walled)
    return fail(walled.error().context);
  tls::SigningService service(minter, tls::signer_rate(o.rate));
  if (!channel.send(
          tls::encode_answer({0, tls::SignerAnswerKind::Ready, created ? "created" : "loaded"})))
    return 0;
  for (;;) {
    auto request = channel.receive(tls::kMaxSignerMessage, std::nullopt);
    // The filtering process is gone: so is the reason to hold the key. No exit handlers run.
    if (!request || !*request) platform::quick_exit_process(0);
    if (!channel.send(service.answer(**request, std::chrono::steady_clock::now())))
      platform::quick_exit_process(0);
  }
}

}  // namespace

int run_signer(const SignerOptions& o) {
  spdlog::set_level(spdlog::level::from_str(o.log_level));
  platform::set_thread_name("warden-signsup");
  // Both inherited by the forked signer.
  for (auto ok : {platform::protect_process_memory(), platform::drop_capabilities()}) {
    if (!ok) {
      spdlog::error("signer: {}", ok.error().context);
      return kCannotStart;
    }
  }
  return platform::supervise([&] { return sign_until_peer_gone(o); }, "certificate signer",
                             kCannotStart);
}

}  // namespace warden::app
