// Simulated multi-skill staffing benchmark (issue 6): one day of 15-minute intervals for a
// three-queue center, staffed by simulation with the real router (wfm/sim_staffing.h). Prints the
// wall and CPU time of each run, the simulated headcounts, and the agents saved against separate
// Erlang C pools; docs/performance.md records the median.
//
// The center: queues billing, tech and sales (80 % in 20 s each, sales at priority 1), open
// 07:00-21:00 (56 intervals with volume, 40 without). Five agent groups: one specialist group per
// queue, billing+tech generalists and an all-queue group. Demand has a morning and an afternoon
// peak: billing 10-55 calls per 15 minutes at 240 s, tech 6-35 at 420 s, sales 4-25 at 300 s
// (peak load about 80 erlangs in all).
//
// Usage: sim_staffing_bench [--runs N] [--replications R] [--calls C] [--seed S]
//   default: 3 runs at the API's default precision (4 replications of 1,000 arrivals).

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "sim/scenario.h"
#include "wfm/sim_staffing.h"

namespace {

using namespace sb;
using namespace sb::wfm;

constexpr const char* kCenter = R"(
skills = ["billing", "tech", "sales"]
[simulation]
duration = "1d"
[[queues]]
name = "billing"
skills = { billing = 1 }
sl_threshold = "20s"
sl_target = 0.8
[[queues]]
name = "tech"
skills = { tech = 1 }
sl_threshold = "20s"
sl_target = 0.8
[[queues]]
name = "sales"
skills = { sales = 1 }
priority = 1
sl_threshold = "20s"
sl_target = 0.8
[[agents]]
name = "billing"
skills = { billing = 5 }
queues = ["billing"]
[[agents]]
name = "tech"
skills = { tech = 5 }
queues = ["tech"]
[[agents]]
name = "sales"
skills = { sales = 5 }
queues = ["sales"]
[[agents]]
name = "billing-tech"
skills = { billing = 5, tech = 5 }
queues = ["billing", "tech"]
[[agents]]
name = "universal"
skills = { billing = 5, tech = 5, sales = 5 }
queues = ["billing", "tech", "sales"]
)";

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// Two bumps (10:30 and 15:00) over a base, 0 outside 07:00-21:00.
double shape(int minute) {
  if (minute < 7 * 60 || minute >= 21 * 60) return 0;
  const double h = (minute + 7.5) / 60.0;
  return 0.2 + 0.8 * std::exp(-std::pow((h - 10.5) / 1.7, 2)) +
         0.6 * std::exp(-std::pow((h - 15.0) / 2.0, 2));
}

std::vector<SimStaffingInterval> day() {
  std::vector<SimStaffingInterval> out;
  const Date monday = 20514;  // 2026-03-02
  for (int i = 0; i < 96; ++i) {
    const int minute = i * 15;
    const double s = shape(minute);
    out.push_back({.day = monday,
                   .minute = minute,
                   .queues = {{.volume = std::round(55 * s), .aht_s = 240},
                              {.volume = std::round(35 * s), .aht_s = 420},
                              {.volume = std::round(25 * s), .aht_s = 300}}});
  }
  return out;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 3;
  SimStaffingOptions o;
  o.interval_minutes = 15;
  o.replications = 4;
  o.calls_per_replication = 1000;
  o.max_evaluations = 60;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    const long v = std::strtol(argv[i + 1], nullptr, 10);
    if (a == "--runs") {
      runs = static_cast<int>(v);
    } else if (a == "--replications") {
      o.replications = static_cast<int>(v);
    } else if (a == "--calls") {
      o.calls_per_replication = static_cast<int>(v);
    } else if (a == "--seed") {
      o.seed = static_cast<std::uint64_t>(v);
    } else {
      std::fprintf(stderr,
                   "usage: sim_staffing_bench [--runs N] [--replications R] [--calls C] "
                   "[--seed S]\n");
      return 2;
    }
  }
  auto scenario = sim::parse_scenario(kCenter, "sim_staffing_bench");
  if (!scenario.ok()) {
    std::fprintf(stderr, "%s\n", scenario.status().to_string().c_str());
    return 1;
  }
  const MultiSkillCenter center = center_from_scenario(*scenario);
  const auto intervals = day();
  int busy = 0;
  for (const auto& iv : intervals) busy += iv.queues[0].volume > 0;
  std::printf(
      "sim_staffing_bench: 3 queues, %zu groups, %zu 15-minute intervals (%d with volume), %d "
      "replications x %d arrivals, seed %llu\n",
      center.groups.size(), intervals.size(), busy, o.replications, o.calls_per_replication,
      static_cast<unsigned long long>(o.seed));
  std::vector<double> walls, cpus;
  for (int r = 0; r < runs; ++r) {
    const double cpu0 = cpu_seconds();
    const auto t0 = std::chrono::steady_clock::now();
    auto rows = simulate_staffing(center, intervals, o);
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double cpu = cpu_seconds() - cpu0;
    if (!rows.ok()) {
      std::fprintf(stderr, "%s\n", rows.status().to_string().c_str());
      return 1;
    }
    int evaluations = 0, peak = 0, peak_separate = 0, agent_intervals = 0, separate_intervals = 0,
        misses = 0;
    for (const auto& row : *rows) {
      evaluations += row.evaluations;
      agent_intervals += row.total_agents;
      separate_intervals += row.erlang_c_separate;
      misses += !row.result.meets_goals;
      if (row.total_agents > peak) {
        peak = row.total_agents;
        peak_separate = row.erlang_c_separate;
      }
    }
    std::printf(
        "  run %d: %.2f s wall, %.2f s CPU; %d headcounts simulated (%.1f ms CPU each); peak %d "
        "agents (separate Erlang C pools %d); agent-hours %.1f vs %.1f separate; %d intervals "
        "missing a goal\n",
        r + 1, wall, cpu, evaluations, 1000 * cpu / std::max(evaluations, 1), peak, peak_separate,
        agent_intervals / 4.0, separate_intervals / 4.0, misses);
    walls.push_back(wall);
    cpus.push_back(cpu);
  }
  std::printf("median of %d runs: %.2f s wall, %.2f s CPU\n", runs, median(walls), median(cpus));
  return 0;
}
