// Micro-benchmarks of the domain matcher (targets on this machine: <= 300 ns per lookup, mixed
// hits and misses; load + compile of 5 M domains <= 3 s; <= 64 bytes per domain):
// - BM_LoadUt1: all of ../shared/datasets/ut1 (skipped, saying so, where it is absent);
// - BM_Build5M: 5,000,000 synthetic domains from a file through the same loader;
// - BM_Lookup: lookups in the 5 M set, half hits (subdomains of listed names), half misses;
// - BM_MatchUrlUt1: URL prefixes and expressions of all of UT1 over everyday URLs (what every
//   judged request pays beside the host lookup).
#include "policy/category_lists.hpp"

#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <random>

namespace {

using namespace warden::policy;

const char* kUt1 = WARDEN_SHARED_DIR "/datasets/ut1";

std::string synthetic(std::size_t i) {
  static const char* kTlds[] = {"com", "net", "org", "fr", "de", "io", "co.uk", "info"};
  std::string s;
  std::uint64_t x = i * 0x9E3779B97F4A7C15ULL + 12345;
  const std::size_t len = 6 + x % 10;
  for (std::size_t k = 0; k < len; ++k) {
    s.push_back(static_cast<char>('a' + (x >> (k * 3 % 60)) % 26));
  }
  s += std::to_string(i % 1000);
  s += '.';
  s += kTlds[i % 8];
  return s;
}

std::string five_million_dir() {
  static const std::string dir = [] {
    const auto d = std::filesystem::temp_directory_path() / "warden-5m-lists";
    if (!std::filesystem::exists(d / "synthetic/domains")) {
      std::filesystem::create_directories(d / "synthetic");
      std::ofstream out(d / "synthetic/domains");
      for (std::size_t i = 0; i < 5'000'000; ++i) out << synthetic(i) << '\n';
    }
    return d.string();
  }();
  return dir;
}

void BM_LoadUt1(benchmark::State& state) {
  if (!std::filesystem::exists(kUt1)) {
    state.SkipWithError("../shared/datasets/ut1 is not here (CI and the team's machines have it)");
    return;
  }
  for (auto _ : state) {
    auto lists = CategoryLists::load(kUt1);
    benchmark::DoNotOptimize(lists);
  }
}
BENCHMARK(BM_LoadUt1)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_Build5M(benchmark::State& state) {
  const std::string dir = five_million_dir();
  std::size_t bytes_per_domain = 0;
  for (auto _ : state) {
    auto lists = CategoryLists::load(dir);
    bytes_per_domain = (*lists)->memory_bytes() / 5'000'000;
    benchmark::DoNotOptimize(lists);
  }
  state.counters["bytes_per_domain"] = static_cast<double>(bytes_per_domain);
}
BENCHMARK(BM_Build5M)->Unit(benchmark::kMillisecond)->Iterations(1);

void BM_Lookup(benchmark::State& state) {
  static auto lists = *CategoryLists::load(five_million_dir());
  std::vector<std::string> hosts;
  std::mt19937_64 rng(7);
  for (int i = 0; i < 4096; ++i) {
    const std::size_t n = rng() % 5'000'000;
    hosts.push_back(i % 2 == 0 ? "www.cdn." + synthetic(n)
                               : "www.not-listed-" + std::to_string(n) + ".example.org");
  }
  std::size_t i = 0;
  std::size_t hits = 0;
  for (auto _ : state) {
    if (!lists->match_host(hosts[i++ & 4095]).empty()) ++hits;
  }
  state.counters["hit_ratio"] = static_cast<double>(hits) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_Lookup);

void BM_MatchUrlUt1(benchmark::State& state) {
  if (!std::filesystem::exists(kUt1)) {
    state.SkipWithError("../shared/datasets/ut1 is not here (CI and the team's machines have it)");
    return;
  }
  static auto lists = *CategoryLists::load(kUt1);
  const std::pair<const char*, const char*> urls[] = {
      {"www.bbc.co.uk", "www.bbc.co.uk/news/articles/c0k7xyz12345o"},
      {"en.wikipedia.org", "en.wikipedia.org/wiki/Photosynthesis"},
      {"www.google.com", "www.google.com/search?q=volcano+eruption+year+7&hl=en&source=hp"},
      {"docs.google.com", "docs.google.com/document/d/1aBcDeFgHiJkLmNoPqRsTuVwXyZ/edit"},
      {"cdn.example.net", "cdn.example.net/static/js/app.3f9a1c.bundle.js?v=20261204"},
  };
  std::size_t i = 0;
  std::size_t hits = 0;
  for (auto _ : state) {
    const auto& [host, url] = urls[i++ % std::size(urls)];
    if (!lists->match_url(host, url).empty()) ++hits;
  }
  state.counters["hit_ratio"] = static_cast<double>(hits) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_MatchUrlUt1);

}  // namespace
