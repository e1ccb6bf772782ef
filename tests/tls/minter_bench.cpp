// Micro-benchmarks: minting one certificate (a miss), a certificate-cache hit, and the
// client-facing SSL made per connection.
// Targets on this machine: first mint <= 1 ms, hit <= 5 us.
#include "tls/cert_cache.hpp"
#include "tls/server_context.hpp"

#include <benchmark/benchmark.h>

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
