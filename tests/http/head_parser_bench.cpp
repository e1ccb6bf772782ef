// Micro-benchmark: parse + analyse a typical browser request head, and a response head.
#include "http/framing.hpp"
#include "http/head_parser.hpp"
#include "http/rewrite.hpp"

#include <benchmark/benchmark.h>

#include <string>

using namespace warden::http;

namespace {

const std::string kRequest =
    "GET http://www.example.com/index.html?q=1 HTTP/1.1\r\nHost: www.example.com\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0 Safari/537.36\r\nAccept: text/html,application/xhtml+xml,*/*;q=0.8\r\n"
    "Accept-Language: en-GB,en;q=0.9\r\nAccept-Encoding: gzip, deflate, br\r\n"
    "Cookie: session=abcdef0123456789; theme=dark\r\nConnection: keep-alive\r\n\r\n";

void BM_ParseRequestHead(benchmark::State& state) {
  for (auto _ : state) {
    RequestHeadParser p;
    ParseResult r = p.parse(kRequest);
    RequestHead h = p.take();
    auto s = analyze_request(h);
    benchmark::DoNotOptimize(r);
    benchmark::DoNotOptimize(s);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(kRequest.size()));
}
BENCHMARK(BM_ParseRequestHead);

void BM_RewriteRequestHead(benchmark::State& state) {
  RequestHeadParser p;
  (void)p.parse(kRequest);
  RequestHead h = p.take();
  auto s = *analyze_request(h);
  auto t = *parse_absolute_target(h.target());
  for (auto _ : state) {
    std::string out = upstream_request_head(h, s, t, {"1.1 warden", ""});
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_RewriteRequestHead);

}  // namespace
