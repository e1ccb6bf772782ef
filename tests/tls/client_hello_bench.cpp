// Micro-benchmark: reading a real OpenSSL ClientHello (SNI + ALPN).
#include "hello_builder.hpp"
#include "tls/client_hello.hpp"

#include <benchmark/benchmark.h>

namespace {

void BM_ParseClientHello(benchmark::State& state) {
  const std::string hello =
      warden::tls::test::openssl_client_hello("www.example.com", {"h2", "http/1.1"});
  for (auto _ : state) {
    auto r = warden::tls::parse_client_hello(hello);
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(hello.size()));
}
BENCHMARK(BM_ParseClientHello);

}  // namespace
