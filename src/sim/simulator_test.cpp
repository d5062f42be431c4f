#include "sim/simulator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "sim/report.h"

namespace sb::sim {
namespace {

Scenario parse_or_die(const std::string& text) {
  auto s = parse_scenario(text, "test.toml", ".");
  EXPECT_TRUE(s.ok()) << s.status().to_string();
  return s.ok() ? std::move(*s) : Scenario{};
}

ReplicationResult run_once(const Scenario& s, std::uint64_t seed = 1, RunOptions o = {}) {
  Simulator sim(s, o);
  auto r = sim.run(Random(seed));
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  return r.ok() ? std::move(*r) : ReplicationResult{};
}

// One agent, one queue, calls given call by call: every wait can be worked out by hand.
std::string one_agent(const std::string& calls, const std::string& extra_queue = "",
                      const std::string& extra_sim = "") {
  return "[simulation]\nduration = \"10m\"\ninterval = \"1h\"\n" + extra_sim +
         "[[queues]]\nname = \"q\"\nsl_threshold = \"20s\"\narrivals = { calls = " + calls +
         " }\n" + extra_queue + "[[agents]]\nname = \"solo\"\nqueues = [\"q\"]\n";
}

TEST(SimulatorTest, OneAgentServesCallsInOrderWithExactWaits) {
  // Calls at 0, 10 and 20 s, 60 s each: they wait 0, 50 and 100 s.
  const Scenario s = parse_or_die(one_agent("[[0, 60], [10, 60], [20, 60]]"));
  const ReplicationResult r = run_once(s);
  EXPECT_EQ(r.arrivals, 3u);
  EXPECT_EQ(r.total.offered, 3u);
  EXPECT_EQ(r.total.handled, 3u);
  EXPECT_EQ(r.total.abandoned, 0u);
  EXPECT_EQ(r.total.answered_within_sl, 1u);
  EXPECT_DOUBLE_EQ(r.total.asa_s, 50.0);
  EXPECT_DOUBLE_EQ(r.total.aht_s, 60.0);
  EXPECT_NEAR(r.total.service_level, 1.0 / 3.0, 1e-12);
  EXPECT_NEAR(r.p_wait, 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(r.total.wait_p50_s, 50.0, 0.1);
  EXPECT_DOUBLE_EQ(r.total.longest_wait_s, 100.0);
  // Logged in for the whole 600 s, busy for 180 s of them.
  EXPECT_DOUBLE_EQ(r.total.staffed_s, 600.0);
  EXPECT_NEAR(r.occupancy, 0.3, 1e-12);
}

TEST(SimulatorTest, CustomersAbandonWhenTheirPatienceRunsOut) {
  // The second caller gives up after 30 s while the agent is busy until 100 s.
  const Scenario s = parse_or_die(one_agent("[[0, 100], [10, 100, 30], [20, 30, \"none\"]]"));
  const ReplicationResult r = run_once(s);
  EXPECT_EQ(r.total.offered, 3u);
  EXPECT_EQ(r.total.abandoned, 1u);
  EXPECT_EQ(r.total.handled, 2u);
  EXPECT_DOUBLE_EQ(r.total.avg_abandon_wait_s, 30.0);
  EXPECT_DOUBLE_EQ(r.total.asa_s, 40.0);  // (0 + 80) / 2
  EXPECT_NEAR(r.total.abandon_rate, 1.0 / 3.0, 1e-12);
}

TEST(SimulatorTest, CustomersCanHangUpWhileTheOfferRings) {
  const Scenario s =
      parse_or_die(one_agent("[[0, 60, 2], [30, 60, 10]]", "", "accept_delay = \"5s\"\n"));
  const ReplicationResult r = run_once(s);
  EXPECT_EQ(r.total.abandoned, 1u);
  EXPECT_EQ(r.total.handled, 1u);
  EXPECT_DOUBLE_EQ(r.total.asa_s, 5.0);  // the second call rang for 5 s
  EXPECT_DOUBLE_EQ(r.p_wait, 0.0);       // both were offered on arrival
}

TEST(SimulatorTest, WrapUpKeepsTheAgentBusyByEngineTimerOrBySimulatorDraw) {
  for (const char* wrap : {"wrap_up = \"10s\"\n",
                           "wrap_up = { dist = \"uniform\", min = \"10s\", max = \"10s\" }\n"}) {
    const Scenario s = parse_or_die(one_agent("[[0, 60], [10, 60]]", wrap));
    EXPECT_EQ(s.queues[0].random_wrap_up, std::string(wrap).find("dist") != std::string::npos);
    const ReplicationResult r = run_once(s);
    EXPECT_EQ(r.total.handled, 2u) << wrap;
    EXPECT_DOUBLE_EQ(r.total.asa_s, 30.0) << wrap;  // the second call waits 60 s (to 70 s)
    EXPECT_DOUBLE_EQ(r.total.aht_s, 70.0) << wrap;  // talk + wrap-up
    EXPECT_DOUBLE_EQ(r.total.avg_wrap_s, 10.0) << wrap;
  }
}

TEST(SimulatorTest, ShiftsAndBreaksGateTheAgent) {
  // 2024-01-01 is a Monday. One agent works 08:00-09:00 with a break 08:30-08:45.
  const std::string text = R"([simulation]
duration = "1d"
[[queues]]
name = "q"
# 07:50 (waits for the login), 08:35 (waits for the end of the break), 08:59:30 (answered, runs
# past the end of the shift), 09:00:30 (nobody left to answer it).
arrivals = { calls = [["07:50", 60], ["08:35", 60], ["08:59:30", 120], ["09:00:30", 60]] }
[[agents]]
name = "a"
queues = ["q"]
shift = { start = "08:00", end = "09:00", breaks = [{ start = "08:30", duration = "15m" }] }
)";
  const Scenario s = parse_or_die(text);
  const ReplicationResult r = run_once(s);
  EXPECT_EQ(r.total.offered, 4u);
  EXPECT_EQ(r.total.handled, 3u);
  EXPECT_DOUBLE_EQ(r.total.asa_s, 400.0);  // (600 + 600 + 0) / 3
  // Logged in from 08:00 until the last call ended at 09:01:30; the break is staffed time but
  // not available time.
  EXPECT_DOUBLE_EQ(r.total.staffed_s, 3690.0);
  EXPECT_DOUBLE_EQ(r.total.available_s, 2790.0);
}

TEST(SimulatorTest, ANightShiftThatBeganTheEveningBeforeIsAlreadyLoggedIn) {
  const std::string text = R"([simulation]
duration = "1d"
[[queues]]
name = "q"
arrivals = { calls = [["00:10", 60], ["06:30", 60], ["23:00", 60]] }
[[agents]]
name = "night"
queues = ["q"]
shift = { start = "22:00", end = "06:00" }
)";
  const ReplicationResult r = run_once(parse_or_die(text));
  // 00:10 is answered at once, 06:30 waits for the next night shift at 22:00, 23:00 is answered
  // at once.
  EXPECT_EQ(r.total.offered, 3u);
  EXPECT_EQ(r.total.handled, 3u);
  EXPECT_DOUBLE_EQ(r.total.asa_s, (22 * 3600.0 - 6.5 * 3600.0) / 3.0);
  EXPECT_DOUBLE_EQ(r.total.staffed_s, 8 * 3600.0);  // 00:00-06:00 and 22:00-24:00
}

TEST(SimulatorTest, WarmupContactsAreLeftOutOfTheKpis) {
  const Scenario s =
      parse_or_die(one_agent("[[0, 60], [10, 60], [\"00:06\", 30]]", "", "warmup = \"5m\"\n"));
  const ReplicationResult r = run_once(s);
  EXPECT_EQ(r.arrivals, 3u);
  EXPECT_EQ(r.total.offered, 1u);
  EXPECT_EQ(r.total.handled, 1u);
  EXPECT_DOUBLE_EQ(r.total.asa_s, 0.0);
  // Occupancy counts agent time after the warm-up only: 30 s busy of 300 s.
  EXPECT_NEAR(r.occupancy, 0.1, 1e-12);
}

TEST(SimulatorTest, OverflowMovesWaitingContactsToAnotherQueue) {
  const std::string text = R"([simulation]
duration = "1h"
[[queues]]
name = "first"
overflow = { after = "30s", to = "second" }
arrivals = { calls = [[0, 60]] }
[[queues]]
name = "second"
[[agents]]
name = "a"
queues = ["second"]
)";
  const ReplicationResult r = run_once(parse_or_die(text));
  EXPECT_EQ(r.total.handled, 1u);
  EXPECT_DOUBLE_EQ(r.total.asa_s, 30.0);
  EXPECT_EQ(r.queues[0].overflowed, 1u);
}

TEST(SimulatorTest, IntervalCountsAreExactAndPlacedInTheirIntervals) {
  const std::string text = R"([simulation]
duration = "1d"
interval = "1h"
[[queues]]
name = "q"
handle_time = "1s"
arrivals = { counts = [5, 0, 3], interval = "1h", start = "01:00" }
[[agents]]
name = "a"
count = 10
queues = ["q"]
)";
  RunOptions o;
  o.keep_intervals = true;
  const ReplicationResult r = run_once(parse_or_die(text), 3, o);
  EXPECT_EQ(r.arrivals, 8u);
  ASSERT_EQ(r.intervals.size(), 2u);
  EXPECT_EQ(r.intervals[0].start % kMillisPerDay, kMillisPerHour);
  EXPECT_EQ(r.intervals[0].offered, 5u);
  EXPECT_EQ(r.intervals[1].start % kMillisPerDay, 3 * kMillisPerHour);
  EXPECT_EQ(r.intervals[1].offered, 3u);
}

TEST(SimulatorTest, PoissonRatesFollowTheirIntervals) {
  const std::string text = R"([simulation]
duration = "1d"
interval = "1h"
[[queues]]
name = "q"
handle_time = "1s"
arrivals = { rates = [0, 3600, 0, 360], interval = "1h", start = "02:00" }
[[agents]]
name = "a"
count = 20
queues = ["q"]
)";
  RunOptions o;
  o.keep_intervals = true;
  const ReplicationResult r = run_once(parse_or_die(text), 5, o);
  ASSERT_EQ(r.intervals.size(), 2u);
  EXPECT_EQ(r.intervals[0].start % kMillisPerDay, 3 * kMillisPerHour);
  EXPECT_NEAR(static_cast<double>(r.intervals[0].offered), 3600.0, 4 * 60.0);  // 4 sigma
  EXPECT_EQ(r.intervals[1].start % kMillisPerDay, 5 * kMillisPerHour);
  EXPECT_NEAR(static_cast<double>(r.intervals[1].offered), 360.0, 4 * 19.0);
}

TEST(SimulatorTest, SameSeedSameRunDifferentSeedDifferentRun) {
  auto s = load_scenario(SB_SOURCE_DIR "/examples/demo-center.toml");
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  const ReplicationResult a = run_once(*s, 11);
  const ReplicationResult b = run_once(*s, 11);
  const ReplicationResult c = run_once(*s, 12);
  EXPECT_GT(a.arrivals, 1000u);
  EXPECT_EQ(a.arrivals, b.arrivals);
  EXPECT_EQ(a.engine_events, b.engine_events);
  EXPECT_EQ(a.state_hash, b.state_hash);
  EXPECT_EQ(a.total.handled, b.total.handled);
  EXPECT_EQ(a.total.abandoned, b.total.abandoned);
  EXPECT_EQ(a.total.asa_s, b.total.asa_s);
  EXPECT_EQ(a.total.service_level, b.total.service_level);
  EXPECT_EQ(a.occupancy, b.occupancy);
  EXPECT_NE(a.engine_events, c.engine_events);
  EXPECT_NE(a.total.asa_s, c.total.asa_s);

  // simulate() gives the same replications for the same seed.
  auto x = simulate(*s, 2, 99);
  auto y = simulate(*s, 2, 99);
  ASSERT_TRUE(x.ok() && y.ok());
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(x->replications[i].engine_events, y->replications[i].engine_events);
    EXPECT_EQ(x->replications[i].state_hash, y->replications[i].state_hash);
  }
  EXPECT_NE(x->replications[0].state_hash, x->replications[1].state_hash);
}

TEST(SimulatorTest, ReplicationConfidenceIntervalsCoverTheTrueMean) {
  // Ample agents and no abandonment: the offered count is Poisson with mean 600/h x 50 min = 500
  // and the AHT estimates the 30 s mean handle time. Arrivals stop 10 minutes before the end so
  // that every call completes (a run cut off mid-call would leave out the longest calls and bias
  // the AHT low). A 95% interval from 10 replications must cover the true value in about 95% of
  // independent experiments (2 misses in 40 expected; 7 or more happen with probability below 1%).
  const std::string text = R"([simulation]
duration = "1h"
[[queues]]
name = "q"
handle_time = { dist = "exponential", mean = "30s" }
arrivals = { rates = [600], interval = "50m", cycle = "none" }
[[agents]]
name = "a"
count = 30
queues = ["q"]
)";
  const Scenario s = parse_or_die(text);
  int offered_covered = 0, aht_covered = 0;
  constexpr int kExperiments = 40;
  for (int e = 0; e < kExperiments; ++e) {
    auto result = simulate(s, 10, 1000 + e);
    ASSERT_TRUE(result.ok());
    const Estimates est = estimate(s, *result);
    const KpiEstimate& offered = est.get("offered");
    const KpiEstimate& aht = est.get("aht_s");
    ASSERT_TRUE(offered.ci95.has_value() && aht.ci95.has_value());
    EXPECT_GT(*offered.ci95, 0.0);
    if (std::abs(offered.mean - 500.0) <= *offered.ci95) ++offered_covered;
    if (std::abs(aht.mean - 30.0) <= *aht.ci95) ++aht_covered;
  }
  std::printf("95%% interval coverage over %d experiments: offered %d, AHT %d\n", kExperiments,
              offered_covered, aht_covered);
  EXPECT_GE(offered_covered, kExperiments - 6);
  EXPECT_GE(aht_covered, kExperiments - 6);
  EXPECT_LT(offered_covered + aht_covered, 2 * kExperiments);  // not suspiciously wide
}

TEST(SimulatorTest, ReportsAsTableJsonAndIntervalCsv) {
  auto s = load_scenario(SB_SOURCE_DIR "/examples/demo-center.toml");
  ASSERT_TRUE(s.ok());
  RunOptions o;
  o.keep_intervals = true;
  auto result = simulate(*s, 2, 5, o);
  ASSERT_TRUE(result.ok());
  const Estimates est = estimate(*s, *result);

  const std::string table = format_table(*s, *result, est);
  for (const char* words : {"Offered", "Handled", "Abandoned", "Service level", "ASA", "AHT",
                            "Occupancy", "Wait p50", "Wait p90", "95% CI", "support_es"})
    EXPECT_NE(table.find(words), std::string::npos) << words << "\n" << table;

  const auto j = nlohmann::json::parse(format_json(*s, *result, est));
  EXPECT_EQ(j["replications"], 2);
  for (const char* k : {"offered", "handled", "abandoned", "service_level", "asa_s", "aht_s",
                        "occupancy", "wait_p50_s", "wait_p90_s", "p_wait"}) {
    ASSERT_TRUE(j["kpis"].contains(k)) << k;
    EXPECT_TRUE(j["kpis"][k]["mean"].is_number()) << k;
    EXPECT_TRUE(j["kpis"][k]["ci95"].is_number()) << k;
  }
  EXPECT_EQ(j["queues"].size(), 5u);
  EXPECT_EQ(j["queues"][0]["name"], "sales");

  const auto path = std::filesystem::temp_directory_path() / "sb_sim_test_intervals.csv";
  ASSERT_TRUE(write_intervals_csv(*s, *result, path.string()).ok());
  std::ifstream in(path);
  std::string header;
  std::getline(in, header);
  EXPECT_EQ(header.rfind("replication,interval_start,queue,offered,handled,abandoned", 0), 0u);
  std::size_t rows = 0;
  for (std::string line; std::getline(in, line);) ++rows;
  EXPECT_EQ(rows,
            result->replications[0].intervals.size() + result->replications[1].intervals.size());
  EXPECT_GT(rows, 50u);
  std::filesystem::remove(path);
}

TEST(SimulatorTest, FormatsTimes) {
  EXPECT_EQ(iso_time(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(iso_time(1704067200000 + 8 * kMillisPerHour + 30 * kMillisPerMinute),
            "2024-01-01T08:30:00Z");
  EXPECT_EQ(format_duration(90 * kMillisPerSecond), "1.5m");
  EXPECT_EQ(format_duration(kMillisPerDay), "1d");
  EXPECT_EQ(format_duration(250), "250ms");
}

}  // namespace
}  // namespace sb::sim
