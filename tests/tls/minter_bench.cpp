// Micro-benchmarks: minting one certificate (a miss) in process and through a signer process
// (the CA key's own process on Linux), a certificate-cache hit, and the client-facing SSL made
// per connection.
// Targets on this machine: first mint <= 1 ms, through the signer <= 1.2x in process,
// hit <= 5 us.
#include "tls/cert_cache.hpp"
#include "tls/minter.hpp"
#include "tls/server_context.hpp"
#include "tls/signer_client.hpp"
#include "tls/signing_service.hpp"

#include <benchmark/benchmark.h>
#include <spdlog/spdlog.h>

#include <sys/wait.h>
#include <unistd.h>

namespace {

using namespace warden::tls;

struct Pki {
  CertificateAuthority ca = *CertificateAuthority::create({});
  InProcessSigner signer{ca};
  Minter minter{signer, ca.not_after()};
};

void BM_MintCertificate(benchmark::State& state) {
  Pki pki;
  std::size_t i = 0;
  for (auto _ : state) {
    auto cert = pki.minter.mint("host" + std::to_string(i++) + ".example.com", std::nullopt);
    benchmark::DoNotOptimize(cert);
  }
}
BENCHMARK(BM_MintCertificate)->Unit(benchmark::kMicrosecond);

// The same through a forked process holding the CA, as `warden signer` does (its walls cost
// nothing per call: seccomp's filter is a handful of comparisons).
void BM_MintThroughSigner(benchmark::State& state) {
  Pki pki;
  auto pair = *warden::platform::channel_pair();
  const pid_t pid = ::fork();
  if (pid == 0) {
    pair.first = warden::platform::MessageChannel(-1);  // so Warden's end closing is seen
    spdlog::set_level(spdlog::level::warn);             // not a line per certificate
    SigningService service(pki.minter, {1e9, 1e9});
    for (;;) {
      auto request = pair.second.receive(kMaxSignerMessage, std::nullopt);
      if (!request || !*request) ::_exit(0);
      if (!pair.second.send(service.answer(**request, std::chrono::steady_clock::now())))
        ::_exit(0);
    }
  }
  pair.second = warden::platform::MessageChannel(-1);
  EVP_PKEY_up_ref(pki.minter.leaf_key());
  X509_up_ref(pki.ca.certificate());
  {
    SignerClient client(std::move(pair.first), X509Ptr(pki.ca.certificate()),
                        PkeyPtr(pki.minter.leaf_key()));
    std::size_t i = 0;
    for (auto _ : state) {
      auto cert = client.mint("host" + std::to_string(i++) + ".example.com", std::nullopt);
      if (!cert) state.SkipWithError(cert.error().context.c_str());
      benchmark::DoNotOptimize(cert);
    }
  }
  ::waitpid(pid, nullptr, 0);
}
BENCHMARK(BM_MintThroughSigner)->Unit(benchmark::kMicrosecond);

void BM_CertCacheHit(benchmark::State& state) {
  Pki pki;
  CertCache cache(pki.minter);
  (void)cache.get("www.example.com", std::nullopt);
  for (auto _ : state) {
    auto cert = cache.get("www.example.com", std::nullopt);
    benchmark::DoNotOptimize(cert);
  }
}
BENCHMARK(BM_CertCacheHit);

// The per-connection cost of the client-facing SSL: SSL_new and the minted certificate + key.
void BM_NewServerSsl(benchmark::State& state) {
  Pki pki;
  CertCache cache(pki.minter);
  auto cert = *cache.get("www.example.com", std::nullopt);
  auto ctx = *make_server_context();
  for (auto _ : state) {
    auto ssl = new_server_ssl(ctx.get(), cert->cert.get(), pki.minter.leaf_key(),
                              pki.minter.ca_certificate());
    benchmark::DoNotOptimize(ssl);
  }
}
BENCHMARK(BM_NewServerSsl)->Unit(benchmark::kMicrosecond);

}  // namespace
