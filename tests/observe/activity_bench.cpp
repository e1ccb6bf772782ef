// The activity database at a school's scale (bench/activity.sh): N synthetic access records
// (default 10 M, 30 days, 2,000 clients, 20,000 hosts with a Zipf-like spread, 5 % blocked, 1 %
// searches) written through ActivityStore as the workers would hand them over, then the
// dashboard's report queries timed (median of 5). Prints one line per figure.
#include "observe/activity_reader.hpp"
#include "observe/activity_row.hpp"
#include "observe/activity_store.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

using namespace warden::observe;
using Steady = std::chrono::steady_clock;

namespace {

double ms_since(Steady::time_point t) {
  return std::chrono::duration<double, std::milli>(Steady::now() - t).count();
}

template <class Fn>
double median_ms(Fn fn) {
  std::vector<double> runs;
  for (int i = 0; i < 5; ++i) {
    const auto t = Steady::now();
    fn();
    runs.push_back(ms_since(t));
  }
  std::sort(runs.begin(), runs.end());
  return runs[2];
}

}  // namespace

int main(int argc, char** argv) {
  std::int64_t rows = 10'000'000;
  std::string dir = "/tmp/warden-activity-bench";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--rows") rows = std::stoll(argv[i + 1]);
    if (flag == "--dir") dir = argv[i + 1];
  }
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  ActivityOptions options;
  options.path = dir + "/activity.db";
  options.retention_days = 31;
  options.max_bytes = std::uint64_t{64} << 30;
  options.max_queued_rows = 1'000'000;

  std::mt19937_64 rng(42);
  std::vector<std::string> hosts;
  for (int i = 0; i < 20'000; ++i) hosts.push_back(fmt::format("site{}.example", i));
  std::vector<std::string> clients;
  for (int i = 0; i < 2'000; ++i)
    clients.push_back(fmt::format("10.{}.{}.{}", i / 60000, i / 250 % 240, i % 250 + 1));
  const std::vector<std::string> groups{"pupils", "staff", "guests"};
  const std::vector<std::string> categories{"games",    "social_networks", "adult",
                                            "gambling", "audio-video",     "shopping"};
  // Zipf-like: the k-th host drawn with weight 1/k.
  std::vector<double> weights;
  for (std::size_t k = 1; k <= hosts.size(); ++k) weights.push_back(1.0 / static_cast<double>(k));
  std::discrete_distribution<std::size_t> pick_host(weights.begin(), weights.end());
  std::uniform_int_distribution<std::size_t> pick_client(0, clients.size() - 1);
  std::uniform_real_distribution<double> unit(0, 1);
  const auto now = std::chrono::system_clock::now();
  const auto span = std::chrono::hours(24 * 30);

  auto store = ActivityStore::open(options);
  if (!store) {
    fmt::print(stderr, "{}\n", store.error().context);
    return 1;
  }
  const auto started = Steady::now();
  std::string batch;
  std::size_t in_batch = 0;
  for (std::int64_t i = 0; i < rows; ++i) {
    AccessRecord r;
    // In time order, as they arrive.
    r.ts = now - span +
           std::chrono::duration_cast<std::chrono::system_clock::duration>(
               span * (static_cast<double>(i) / static_cast<double>(rows)));
    const std::size_t h = pick_host(rng);
    const std::size_t c = pick_client(rng);
    r.id = fmt::format("bench-{}", i);
    r.host = hosts[h];
    r.client = clients[c];
    r.group = groups[c % groups.size()];
    r.method = "GET";
    r.scheme = "https";
    r.port = 443;
    r.path = "/page/" + std::to_string(i % 1000);
    r.capture = "redirect";
    if (h % 10 == 3) r.category = categories[h % categories.size()];
    const bool blocked = !r.category.empty() && h % 20 == 3;
    r.decision = blocked ? "block" : "allow";
    r.rule = blocked ? "no " + r.category : "default";
    r.status = blocked ? 403 : 200;
    r.bytes_out = blocked ? 900 : 20'000;
    if (unit(rng) < 0.01) {
      r.search = "homework help " + std::to_string(i % 500);
      r.search_engine = "google";
      r.search_kind = "submitted";
    }
    append_row(r, batch);
    if (++in_batch == 256) {
      (*store)->submit(std::move(batch), in_batch);
      batch.clear();
      in_batch = 0;
      while ((*store)->written_rows() + 500'000 < static_cast<std::uint64_t>(i)) {
        // The bench outruns a real school by far: wait rather than drop.
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    }
  }
  (*store)->submit(std::move(batch), in_batch);
  (*store)->sync();
  const double write_s = ms_since(started) / 1000;
  fmt::print("rows {} written {} dropped {} in {:.1f} s: {:.0f} rows/s on the writer thread\n",
             rows, (*store)->written_rows(), (*store)->dropped_rows(), write_s,
             static_cast<double>(rows) / write_s);
  store->reset();
  fmt::print("database {:.0f} MiB\n",
             static_cast<double>(std::filesystem::file_size(options.path)) / (1 << 20));

  auto reader = ActivityReader::open(options.path);
  if (!reader) {
    fmt::print(stderr, "{}\n", reader.error().context);
    return 1;
  }
  const std::int64_t last_hour =
      std::chrono::duration_cast<std::chrono::hours>(now.time_since_epoch()).count();
  const ReportScope week{last_hour - 24 * 7, last_hour, "", ""};
  const ReportScope day_group{last_hour - 24, last_hour, "pupils", ""};
  const ReportScope week_client{last_hour - 24 * 7, last_hour, "", clients[7]};
  auto report = [&](const char* what, auto fn) {
    fmt::print("{:<44} {:8.1f} ms (median of 5)\n", what, median_ms(fn));
  };
  report("week: top 20 blocked hosts", [&] { (void)reader->top(week, "host", "block", 20); });
  report("week: top 20 allowed hosts", [&] { (void)reader->top(week, "host", "allow", 20); });
  report("week: top categories", [&] { (void)reader->top(week, "category", "block", 20); });
  report("week: top 20 clients", [&] { (void)reader->top(week, "client", "allow", 20); });
  report("week: blocks per hour", [&] { (void)reader->blocks_per_hour(week); });
  report("day, one group: top 20 allowed hosts",
         [&] { (void)reader->top(day_group, "host", "allow", 20); });
  report("week, one client: top 20 allowed hosts",
         [&] { (void)reader->top(week_client, "host", "allow", 20); });
  report("week: latest 100 searches", [&] { (void)reader->searches(week, 100); });
  ActivityFilter f;
  f.decision = "block";
  f.host = "site13";
  report("activity: 50 newest blocked, host filter", [&] { (void)reader->recent(f, 50, 0); });
  ActivityFilter rare;
  rare.client = clients[9];
  rare.status = "4xx";
  report("activity: 50 newest of one client, 4xx", [&] { (void)reader->recent(rare, 50, 0); });
  return 0;
}
