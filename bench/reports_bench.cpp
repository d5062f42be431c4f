// Reports read model benchmarks (docs/performance.md, "Reports"):
//   1. ingest: a simulated month of the demo center (engine events of every kind) fed into
//      reports.db in batches, events per second (target >= 100,000);
//   2. query: a read model holding one year x 100 queues of 15-minute intervals (one contact per
//      queue and interval, imported), and the report queries the API serves, milliseconds
//      (target < 100 ms).
// Prints medians of --runs runs.
// Usage: reports_bench [--runs 3] [--days 28] [--queues 100] [--year-days 365] [--skip-ingest]
//                      [--model-dir DIR] [--only QUERY_INDEX] [--dump DIR]
// --model-dir keeps the year model in DIR (filled on the first run, about 10 minutes on a busy
// machine) and reuses it when it holds the expected contacts.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "base/random.h"
#include "reports/report_query.h"
#include "sim/scenario.h"
#include "sim/simulator.h"

namespace {

using namespace sb;
using WallClock = std::chrono::steady_clock;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

double seconds_since(WallClock::time_point t) {
  return std::chrono::duration<double>(WallClock::now() - t).count();
}

std::string fresh_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

bool flag(int argc, char** argv, const char* name) {
  for (int i = 1; i < argc; ++i)
    if (std::string(argv[i]) == name) return true;
  return false;
}

std::string text_arg(int argc, char** argv, const char* name) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::string(argv[i]) == name) return argv[i + 1];
  return "";
}

int arg(int argc, char** argv, const char* name, int fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::string(argv[i]) == name) return std::atoi(argv[i + 1]);
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = arg(argc, argv, "--runs", 3);
  const int days = arg(argc, argv, "--days", 28);  // simulated days for the ingest figure
  const int queues = arg(argc, argv, "--queues", 100);
  const int year_days = arg(argc, argv, "--year-days", 365);

  // ---- 1. Ingest ----
  if (!flag(argc, argv, "--skip-ingest")) {
    auto scenario = sim::load_scenario(std::string(SB_SOURCE_DIR) + "/examples/demo-center.toml");
    if (!scenario.ok()) {
      std::fprintf(stderr, "%s\n", scenario.status().to_string().c_str());
      return 1;
    }
    scenario->duration = days * kMillisPerDay;
    std::vector<Event> log;
    sim::RunOptions options;
    options.on_event = [&](const Event& e) { log.push_back(e); };
    sim::Simulator simulator(*scenario, options);
    if (auto run = simulator.run(Random(7)); !run.ok()) {
      std::fprintf(stderr, "%s\n", run.status().to_string().c_str());
      return 1;
    }
    std::printf("ingest: %zu events (%d simulated days of examples/demo-center.toml)\n", log.size(),
                days);
    for (std::size_t batch : {std::size_t{8192}, std::size_t{256}}) {
      std::vector<double> rates, cpu_rates;
      std::uint64_t cells = 0;
      for (int r = 0; r < runs; ++r) {
        const std::string dir = fresh_dir("sb-reports-bench-ingest");
        auto store = reports::ReportStore::open_data_dir(dir);
        if (!store.ok()) return 1;
        const auto t = WallClock::now();
        const std::clock_t c = std::clock();
        for (std::size_t i = 0; i < log.size(); i += batch) {
          const std::size_t n = std::min(batch, log.size() - i);
          if (Status st = (*store)->ingest(std::span(log).subspan(i, n)); !st.ok()) {
            std::fprintf(stderr, "%s\n", st.to_string().c_str());
            return 1;
          }
        }
        rates.push_back(static_cast<double>(log.size()) / seconds_since(t));
        cpu_rates.push_back(static_cast<double>(log.size()) * CLOCKS_PER_SEC /
                            static_cast<double>(std::clock() - c));
        cells = (*store)->stats().cells_written;
        std::filesystem::remove_all(dir);
      }
      std::printf(
          "  batches of %5zu: %10.0f events/s wall, %10.0f events/s cpu (median of %d; %llu "
          "cell writes)\n",
          batch, median(rates), median(cpu_rates), runs, static_cast<unsigned long long>(cells));
    }
  }

  // ---- 2. Queries over one year x queues x 15-minute intervals ----
  const std::string model_dir = text_arg(argc, argv, "--model-dir");
  const std::string dir = model_dir.empty() ? fresh_dir("sb-reports-bench-year") : model_dir;
  if (!model_dir.empty()) std::filesystem::create_directories(dir);
  auto store = reports::ReportStore::open_data_dir(dir);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().to_string().c_str());
    return 1;
  }
  const Millis year_start = 1735689600000;  // 2025-01-01 00:00 UTC
  const Millis intervals = year_days * 96;
  Random rng(11);
  std::vector<Event> batch;
  std::uint64_t seq = 0;
  const auto fill = WallClock::now();
  const auto expected = static_cast<std::uint64_t>(intervals) * static_cast<std::uint64_t>(queues);
  const bool reuse = !model_dir.empty() && (*store)->applied_seq() == expected;
  if (reuse) seq = expected;
  for (Millis i = 0; !reuse && i < intervals; ++i) {
    for (int q = 0; q < queues; ++q) {
      ImportedContact c;
      c.source = "bench";
      c.queue = "queue-" + std::to_string(q);
      c.arrived_at =
          year_start + i * 15 * kMillisPerMinute + static_cast<Millis>(rng.below(900'000));
      const bool answered = rng.below(10) != 0;
      c.outcome = answered ? ImportOutcome::kAnswered : ImportOutcome::kAbandoned;
      c.wait = static_cast<Millis>(rng.below(120'000));
      c.talk = answered ? static_cast<Millis>(60'000 + rng.below(400'000)) : 0;
      c.customer = std::to_string(rng.below(200'000));
      batch.push_back(Event{++seq, year_start,
                            ev::ContactImported{std::make_shared<const ImportedContact>(c)}});
    }
    if (batch.size() >= 50'000 || i + 1 == intervals) {
      if (Status st = (*store)->ingest(batch); !st.ok()) {
        std::fprintf(stderr, "%s\n", st.to_string().c_str());
        return 1;
      }
      batch.clear();
    }
  }
  const double fill_s = seconds_since(fill);
  if (reuse)
    std::printf(
        "query: read model of %d days x %d queues x 96 intervals (%llu contacts, reused "
        "from %s)\n",
        year_days, queues, static_cast<unsigned long long>(seq), dir.c_str());
  else
    std::printf(
        "query: read model of %d days x %d queues x 96 intervals (%llu contacts, "
        "filled in %.1f s = %.0f events/s)\n",
        year_days, queues, static_cast<unsigned long long>(seq), fill_s,
        static_cast<double>(seq) / fill_s);

  struct Query {
    const char* what;
    reports::ReportRequest r;
  };
  auto base = [&] {
    reports::ReportRequest r;
    r.from = year_start;
    r.to = year_start + year_days * kMillisPerDay;
    r.include_histograms = false;
    return r;
  };
  std::vector<Query> queries;
  {
    auto r = base();
    r.group_by = {reports::Dimension::kQueue};
    queries.push_back({"year, all queues, one row per queue", r});
  }
  {
    auto r = base();
    r.group_by = {};
    r.include_histograms = true;
    queries.push_back({"year, all queues, total with histograms", r});
  }
  {
    auto r = base();
    r.group_by = {reports::Dimension::kDay};
    queries.push_back({"year, all queues, by day", r});
  }
  {
    auto r = base();
    r.group_by = {reports::Dimension::kInterval};
    r.queues = {"queue-7"};
    queries.push_back({"year, one queue, 15-minute rows (35,040)", r});
  }
  {
    auto r = base();
    r.group_by = {reports::Dimension::kInterval};
    r.interval_minutes = 60;
    r.queues = {"queue-7"};
    r.time_zone = "Europe/Paris";
    queries.push_back({"year, one queue, 60-minute rows, Europe/Paris", r});
  }
  {
    auto r = base();
    r.to = r.from + kMillisPerDay;
    r.group_by = {reports::Dimension::kInterval, reports::Dimension::kQueue};
    queries.push_back({"one day, all queues, 15-minute rows x queue", r});
  }
  {
    auto r = base();
    r.to = r.from + 7 * kMillisPerDay;
    r.group_by = {reports::Dimension::kWeekday, reports::Dimension::kTimeOfDay};
    queries.push_back({"one week, all queues, weekday x time of day (heatmap)", r});
  }
  const int only = arg(argc, argv, "--only", -1);  // profile one query (its index)
  // --dump DIR writes each query's JSON and CSV to DIR/query-N.json|csv (to compare builds).
  const std::string dump_dir = text_arg(argc, argv, "--dump");
  std::printf("  (query: ReportStore::query; json, csv: to_json / to_csv of its result)\n");
  for (std::size_t qi = 0; qi < queries.size(); ++qi) {
    const Query& q = queries[qi];
    if (only >= 0 && static_cast<std::size_t>(only) != qi) continue;
    std::vector<double> ms, cpu_ms, json_ms, json_cpu_ms, csv_ms, csv_cpu_ms;
    std::size_t rows = 0, json_bytes = 0, csv_bytes = 0;
    std::uint64_t cells = 0;
    for (int r = 0; r < runs; ++r) {
      auto t = WallClock::now();
      std::clock_t c = std::clock();
      auto res = (*store)->query(q.r);
      ms.push_back(seconds_since(t) * 1000);
      cpu_ms.push_back(static_cast<double>(std::clock() - c) * 1000.0 / CLOCKS_PER_SEC);
      if (!res.ok()) {
        std::fprintf(stderr, "%s: %s\n", q.what, res.status().to_string().c_str());
        return 1;
      }
      rows = res->rows.size();
      cells = res->cells_scanned;
      t = WallClock::now();
      c = std::clock();
      const std::string json = reports::to_json(*res);
      json_ms.push_back(seconds_since(t) * 1000);
      json_cpu_ms.push_back(static_cast<double>(std::clock() - c) * 1000.0 / CLOCKS_PER_SEC);
      t = WallClock::now();
      c = std::clock();
      const std::string csv = reports::to_csv(*res);
      csv_ms.push_back(seconds_since(t) * 1000);
      csv_cpu_ms.push_back(static_cast<double>(std::clock() - c) * 1000.0 / CLOCKS_PER_SEC);
      json_bytes = json.size();
      csv_bytes = csv.size();
      if (!dump_dir.empty() && r == 0) {
        std::filesystem::create_directories(dump_dir);
        for (const auto& [ext, text] : {std::pair{"json", &json}, std::pair{"csv", &csv}}) {
          const std::string path = dump_dir + "/query-" + std::to_string(qi) + "." + ext;
          if (FILE* f = std::fopen(path.c_str(), "wb")) {
            std::fwrite(text->data(), 1, text->size(), f);
            std::fclose(f);
          }
        }
      }
    }
    std::printf("  %-55s query %7.1f ms wall %7.1f ms cpu  (%zu rows, %llu cells read)\n", q.what,
                median(ms), median(cpu_ms), rows, static_cast<unsigned long long>(cells));
    std::printf(
        "  %-55s json  %7.1f ms wall %7.1f ms cpu  (%.1f MB); csv %7.1f ms wall %7.1f ms "
        "cpu  (%.1f MB)\n",
        "", median(json_ms), median(json_cpu_ms), static_cast<double>(json_bytes) / 1e6,
        median(csv_ms), median(csv_cpu_ms), static_cast<double>(csv_bytes) / 1e6);
  }
  store->reset();  // closes reports.db before the directory goes
  if (model_dir.empty()) std::filesystem::remove_all(dir);
  return 0;
}
