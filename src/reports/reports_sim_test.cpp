// Live-maintained equals rebuilt: a seeded multi-day simulation of the demo center (voice with
// overflow and relaxation, chat, email) is written to an event log and fed to the read model the
// way the live server does (small batches as they become durable, with a restart in the middle);
// `reports rebuild` from the log must give byte-identical tables, and the totals must agree with
// the simulator's own KPI collector.

#include <gtest/gtest.h>

#include <vector>

#include "base/random.h"
#include "reports/projection.h"
#include "reports/report_query.h"
#include "reports/test_util.h"
#include "sim/scenario.h"
#include "sim/simulator.h"
#include "store/sqlite_event_store.h"

namespace sb::reports {
namespace {

TEST(ReportsSimTest, LiveMaintainedTablesEqualARebuildFromTheLog) {
  testing::TempDir dir;
  auto scenario = sim::load_scenario(std::string(SB_SOURCE_DIR) + "/examples/demo-center.toml");
  ASSERT_TRUE(scenario.ok()) << scenario.status().to_string();
  scenario->duration = 7 * kMillisPerDay;
  scenario->warmup = 0;

  std::vector<Event> log;
  sim::RunOptions options;
  options.on_event = [&](const Event& e) { log.push_back(e); };
  sim::Simulator simulator(*scenario, options);
  auto run = simulator.run(Random(20240304));
  ASSERT_TRUE(run.ok()) << run.status().to_string();
  ASSERT_GT(log.size(), 80'000u);

  // The event log, as the server writes it.
  {
    auto events = SqliteEventStore::open(dir.file("events.db"));
    ASSERT_TRUE(events.ok()) << events.status().to_string();
    for (std::size_t i = 0; i < log.size(); i += 20'000) {
      const std::size_t n = std::min<std::size_t>(20'000, log.size() - i);
      ASSERT_TRUE((*events)->append(std::span(log).subspan(i, n)).ok());
    }
  }

  // Live: batches of 1 to 50 events (what one group commit makes durable), a restart after 40 %.
  const std::string live_dir = dir.file("live");
  std::filesystem::create_directories(live_dir);
  const std::size_t restart_at = log.size() * 2 / 5;
  {
    auto live = ReportStore::open_data_dir(live_dir);
    ASSERT_TRUE(live.ok()) << live.status().to_string();
    std::size_t i = 0, step = 1;
    while (i < restart_at) {
      const std::size_t n = std::min(step, restart_at - i);
      ASSERT_TRUE((*live)->ingest(std::span(log).subspan(i, n)).ok());
      i += n;
      step = step % 50 + 1;
    }
  }
  {
    auto events = SqliteEventStore::open(dir.file("events.db"));
    ASSERT_TRUE(events.ok());
    auto live = ReportStore::open_data_dir(live_dir);
    ASSERT_TRUE(live.ok());
    EXPECT_EQ((*live)->applied_seq(), restart_at);
    // The restart catches up from the log (history up to applied_seq only rebuilds state)...
    ASSERT_TRUE(catch_up(**live, **events, 4096).ok());
    EXPECT_EQ((*live)->applied_seq(), log.size());
  }

  // Rebuild from the log.
  const std::string rebuilt_dir = dir.file("rebuilt");
  std::filesystem::create_directories(rebuilt_dir);
  {
    auto events = SqliteEventStore::open(dir.file("events.db"));
    ASSERT_TRUE(events.ok());
    auto rebuilt = ReportStore::open_data_dir(rebuilt_dir);
    ASSERT_TRUE(rebuilt.ok());
    ASSERT_TRUE((*rebuilt)->ingest(std::span(log).subspan(0, 1000)).ok());  // stale content
    ASSERT_TRUE(rebuild(**rebuilt, **events, 10'000).ok());
  }
  const std::string live_tables = testing::dump_tables(live_dir + "/reports.db");
  EXPECT_GT(live_tables.size(), 100'000u);
  EXPECT_TRUE(live_tables == testing::dump_tables(rebuilt_dir + "/reports.db"))
      << "live-maintained and rebuilt tables differ";

  // One definition: the simulator's KPI collector and the read model count the same contacts.
  auto store = ReportStore::open_data_dir(live_dir);
  ASSERT_TRUE(store.ok());
  ReportRequest r;
  r.from = scenario->start - kMillisPerDay;
  r.to = scenario->start + 9 * kMillisPerDay;
  r.group_by = {Dimension::kQueue};
  auto report = (*store)->query(r);
  ASSERT_TRUE(report.ok()) << report.status().to_string();
  const Kpis& k = report->total;
  const metrics::KpiSummary& sim = run->total;
  EXPECT_EQ(k.offered, sim.offered);
  EXPECT_EQ(k.handled, sim.handled);
  EXPECT_EQ(k.abandoned, sim.abandoned);
  EXPECT_EQ(k.blocked, sim.blocked);
  EXPECT_EQ(k.transferred, sim.transferred);
  EXPECT_EQ(k.flowed_out, sim.overflowed);
  EXPECT_EQ(k.callbacks_requested, sim.callbacks_requested);
  EXPECT_EQ(k.self_served, sim.self_served);
  EXPECT_EQ(k.answered_within_sl, sim.answered_within_sl);
  EXPECT_EQ(k.handle_samples, sim.handle_samples);
  EXPECT_NEAR(k.service_level, sim.service_level, 1e-12);
  EXPECT_NEAR(k.asa_s, sim.asa_s, 1e-9);
  EXPECT_NEAR(k.aht_s, sim.aht_s, 1e-9);
  EXPECT_NEAR(k.avg_hold_s, sim.avg_hold_s, 1e-9);
  EXPECT_NEAR(k.avg_wrap_s, sim.avg_wrap_s, 1e-9);
  EXPECT_NEAR(k.wait_p90_s, sim.wait_p90_s, 1e-9);
  EXPECT_NEAR(k.occupancy, sim.occupancy, 1e-9);
  ASSERT_EQ(run->queues.size(), scenario->queues.size());
  for (std::size_t q = 0; q < scenario->queues.size(); ++q) {
    SCOPED_TRACE(scenario->center.queues[q].name);
    const ReportRow* row = nullptr;
    for (const ReportRow& x : report->rows)
      if (x.keys[0] == scenario->center.queues[q].name) row = &x;
    ASSERT_NE(row, nullptr);
    EXPECT_EQ(row->kpis.offered, run->queues[q].offered);
    EXPECT_EQ(row->kpis.handled, run->queues[q].handled);
    EXPECT_EQ(row->kpis.abandoned, run->queues[q].abandoned);
    EXPECT_NEAR(row->kpis.service_level, run->queues[q].service_level, 1e-12);
  }
}

}  // namespace
}  // namespace sb::reports
