// Validates the simulator (and the routing engine it hosts) against queueing theory: simulated
// M/M/c (Erlang C, no abandonment) and M/M/c+M (Erlang A, exponential patience) centers must
// reproduce the formulas of src/wfm/erlang.h within the simulation's confidence intervals, for
// small and large centers alike.
//
// Definitions used on both sides:
//   P(wait)  the fraction of arrivals that find no free agent (sim: answered or abandoned
//            contacts that were not offered on arrival);
//   SL       answered within T over all arrivals that reached an outcome (Erlang A counts
//            abandons as misses; the KPI collector's default formula does the same);
//   ASA      mean wait of answered contacts;
//   abandon  abandoned over offered.
// Each case runs 10 independent replications, each with a warm-up (10 % of its length) that is
// left out of the KPIs because the system starts empty. (With only 5 replications the sample
// standard deviation, on 4 degrees of freedom, is erratic: some intervals came out half as wide
// as they should.)
//
// 95 % intervals miss the true value 5 % of the time by construction, this test makes 35
// comparisons, and the metrics of one case come from the same runs (they miss together). So it
// asserts each value within its 99.9 % interval (a Bonferroni-style guard against chance) and, as
// a check for a systematic bias that stays under that bound, that at least 75 % of the values
// fall inside their 95 % interval. The table printed at the end goes into docs/simulator.md.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "metrics/stats.h"
#include "sim/scenario.h"
#include "sim/simulator.h"
#include "wfm/erlang.h"

namespace sb::sim {
namespace {

constexpr double kAhtS = 180;
constexpr double kThresholdS = 20;
constexpr double kPatienceS = 120;
constexpr int kReplications = 10;

struct Case {
  int agents;
  double load;    // erlangs
  bool patience;  // Erlang A (exponential patience) or Erlang C (none)
  double calls;   // arrivals per replication
};

struct Row {
  int agents;
  double load;
  const char* model;
  const char* metric;
  double erlang;
  double mean;
  double ci95;
  double ci999;
};

std::vector<Row> g_rows;

std::string scenario_text(const Case& c) {
  const double per_hour = c.load / kAhtS * 3600.0;
  const double hours = c.calls / per_hour;
  const double total_s = std::ceil(hours * 1.1 * 3600.0);  // + 10 % warm-up
  std::string t;
  t += "[simulation]\n";
  t += "duration = " + std::to_string(static_cast<long long>(total_s)) + "\n";
  t += "warmup = " + std::to_string(static_cast<long long>(total_s / 11.0)) + "\n";
  t += "[[queues]]\nname = \"q\"\n";
  t += "sl_threshold = \"" + std::to_string(static_cast<int>(kThresholdS)) + "s\"\n";
  t += "handle_time = { dist = \"exponential\", mean = \"" +
       std::to_string(static_cast<int>(kAhtS)) + "s\" }\n";
  if (c.patience)
    t += "patience = { dist = \"exponential\", mean = \"" +
         std::to_string(static_cast<int>(kPatienceS)) + "s\" }\n";
  char rate[64];
  std::snprintf(rate, sizeof rate, "%.9f", per_hour);
  t += std::string("arrivals = { rate = ") + rate + " }\n";
  t += "[[agents]]\nname = \"agent\"\ncount = " + std::to_string(c.agents) + "\nqueues = [\"q\"]\n";
  return t;
}

void compare(const Case& c, const char* metric, double erlang, const std::vector<double>& sim) {
  auto ci95 = metrics::mean_confidence_interval(sim, 0.95);
  auto ci999 = metrics::mean_confidence_interval(sim, 0.999);
  ASSERT_TRUE(ci95.ok() && ci999.ok());
  g_rows.push_back({c.agents, c.load, c.patience ? "M/M/c+M" : "M/M/c", metric, erlang, ci95->mean,
                    ci95->half_width, ci999->half_width});
  EXPECT_LE(std::abs(ci95->mean - erlang), ci999->half_width)
      << metric << " for c = " << c.agents << ", load " << c.load << (c.patience ? " (A)" : " (C)")
      << ": erlang " << erlang << ", sim " << ci95->mean << " ± " << ci95->half_width;
}

void run_case(const Case& c) {
  auto scenario = parse_scenario(scenario_text(c), "erlang.toml");
  ASSERT_TRUE(scenario.ok()) << scenario.status().to_string();
  auto result = simulate(*scenario, kReplications, 1000 + static_cast<std::uint64_t>(c.agents));
  ASSERT_TRUE(result.ok()) << result.status().to_string();
  std::vector<double> p_wait, sl, asa, abandon;
  for (const auto& r : result->replications) {
    p_wait.push_back(r.p_wait);
    sl.push_back(r.total.service_level);
    asa.push_back(r.total.asa_s);
    abandon.push_back(r.total.abandon_rate);
  }
  if (c.patience) {
    auto a = erlang::erlang_a({c.load, c.agents, kAhtS, kPatienceS, kThresholdS});
    ASSERT_TRUE(a.ok()) << a.status().to_string();
    compare(c, "P(wait)", a->p_wait, p_wait);
    compare(c, "SL", a->service_level, sl);
    compare(c, "ASA s", a->asa_s, asa);
    compare(c, "abandon", a->p_abandon, abandon);
  } else {
    auto e = erlang::erlang_c({c.load, c.agents, kAhtS, kThresholdS});
    ASSERT_TRUE(e.ok()) << e.status().to_string();
    compare(c, "P(wait)", e->p_wait, p_wait);
    compare(c, "SL", e->service_level, sl);
    compare(c, "ASA s", e->asa_s, asa);
  }
}

// Small centers relax slowly (long busy periods), so they get more calls per replication.
const Case kCases[] = {
    {2, 1.5, false, 100000},  {10, 8.5, false, 100000}, {50, 45, false, 75000},
    {200, 188, false, 75000}, {500, 480, false, 75000}, {2, 2.0, true, 75000},
    {10, 10, true, 75000},    {50, 50, true, 50000},    {200, 200, true, 50000},
    {500, 500, true, 50000},
};

// One test, so that the table and the coverage check see every case (ctest runs each test in a
// process of its own).
TEST(ErlangValidationTest, SimulationAgreesWithErlangCAndErlangA) {
  for (const Case& c : kCases) {
    SCOPED_TRACE("c = " + std::to_string(c.agents) + (c.patience ? ", Erlang A" : ", Erlang C"));
    run_case(c);
  }
  int inside = 0;
  std::printf(
      "\n| c | load (erl) | model | metric | Erlang | simulation (mean ± 95%% CI) | in CI |\n");
  std::printf("|---:|---:|---|---|---:|---:|:---:|\n");
  for (const Row& r : g_rows) {
    const bool in = std::abs(r.mean - r.erlang) <= r.ci95;
    inside += in;
    if (std::string(r.metric) != "ASA s")
      std::printf("| %d | %.1f | %s | %s | %.2f %% | %.2f %% ± %.2f | %s |\n", r.agents, r.load,
                  r.model, r.metric, 100 * r.erlang, 100 * r.mean, 100 * r.ci95, in ? "yes" : "no");
    else
      std::printf("| %d | %.1f | %s | %s | %.2f s | %.2f s ± %.2f | %s |\n", r.agents, r.load,
                  r.model, r.metric, r.erlang, r.mean, r.ci95, in ? "yes" : "no");
  }
  std::printf("%d of %zu comparisons inside the 95%% interval\n\n", inside, g_rows.size());
  EXPECT_GE(inside, static_cast<int>(std::ceil(0.75 * static_cast<double>(g_rows.size()))));
}

}  // namespace
}  // namespace sb::sim
