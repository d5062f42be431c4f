#include "wfmstore/planning.h"

#include <gtest/gtest.h>

#include <memory>

#include "domain/events.h"

namespace sb::wfmstore {
namespace {

constexpr Millis kMin = kMillisPerMinute;
// 2025-11-03, a Monday.
const wfm::Date kMon = *wfm::parse_date("2025-11-03");

Millis at(wfm::Date day, int minute) {
  return static_cast<Millis>(day) * kMillisPerDay + minute * kMin;
}

// Feeds `count` answered calls (100 s talk) into each of the given quarter-hours.
class Feeder {
 public:
  explicit Feeder(reports::ReportStore& r) : reports_(r) {}
  void add(const std::string& queue, Millis start, int count) {
    std::vector<Event> batch;
    for (int i = 0; i < count; ++i) {
      auto c = std::make_shared<ImportedContact>();
      c->source = "test";
      c->external_id = std::to_string(seq_);
      c->arrived_at = start + i * 10 * kMillisPerSecond;
      c->queue = queue;
      c->agent = "ann";
      c->outcome = ImportOutcome::kAnswered;
      c->talk = 100 * kMillisPerSecond;
      batch.push_back(
          Event{.seq = ++seq_, .at = c->arrived_at, .payload = ev::ContactImported{.record = c}});
    }
    ASSERT_TRUE(reports_.ingest(batch).ok());
  }

 private:
  reports::ReportStore& reports_;
  std::uint64_t seq_ = 0;
};

// Three weeks of weekdays, 09:00-10:00 in quarters: 4 + slot + week contacts.
void feed_history(Feeder& f) {
  for (int w = 0; w < 3; ++w)
    for (int d = 0; d < 5; ++d)
      for (int s = 0; s < 4; ++s) f.add("sales", at(kMon + 7 * w + d, 9 * 60 + 15 * s), 4 + s + w);
}

TEST(PlanningTest, HistoryForecastAndAccuracyFromTheReadModel) {
  auto reports = reports::ReportStore::open(":memory:");
  ASSERT_TRUE(reports.ok()) << reports.status().to_string();
  Feeder feed(**reports);
  feed_history(feed);
  feed.add("other", at(kMon, 9 * 60), 50);
  const auto utc = reports::TimeZone::utc();

  HistoryQuery q{.queue = "sales",
                 .channel = "",
                 .from = at(kMon, 0),
                 .to = at(kMon + 19, 0),
                 .interval_minutes = 15,
                 .time_zone = "UTC"};
  auto history = history_from_reports(**reports, q);
  ASSERT_TRUE(history.ok()) << history.status().to_string();
  EXPECT_EQ(history->num_days(), 15u);  // weekends absent
  EXPECT_EQ(history->slots(), (std::vector<int>{540, 555, 570, 585}));
  EXPECT_DOUBLE_EQ(history->volume(0, 0), 4);
  EXPECT_DOUBLE_EQ(history->volume(14, 3), 9);
  ASSERT_TRUE(history->has_aht());
  EXPECT_DOUBLE_EQ(history->aht_s(0, 0), 100);

  wfm::ForecastOptions o;
  o.method = wfm::Method::kSeasonalNaive;
  o.outlier_z = 0;
  auto f = wfm::forecast(*history, 3, o);  // Sat, Sun skipped: Monday 2025-11-24 only
  ASSERT_TRUE(f.ok()) << f.status().to_string();
  const Millis created = at(kMon + 19, 0);  // Saturday 2025-11-22 00:00
  StoredForecast s = to_stored(*f, *history, utc, created);
  s.queue = "sales";
  s.source = "reports";
  ASSERT_EQ(s.intervals.size(), 4u);
  EXPECT_EQ(s.intervals[0].start, at(kMon + 21, 540));
  EXPECT_EQ(s.intervals[0].horizon_days, 2);
  EXPECT_DOUBLE_EQ(s.intervals[0].volume, 6);
  EXPECT_DOUBLE_EQ(s.intervals[3].volume, 9);
  EXPECT_DOUBLE_EQ(s.mase_scale, 1);  // each week one more than the last

  auto store = ForecastStore::open(":memory:");
  ASSERT_TRUE(store.ok());
  auto published = (*store)->publish(s, created);
  ASSERT_TRUE(published.ok()) << published.status().to_string();
  auto back = (*store)->get(published->id);
  ASSERT_TRUE(back.ok());
  ASSERT_EQ(back->intervals.size(), 4u);
  EXPECT_DOUBLE_EQ(*back->intervals[1].aht_s, 100);
  EXPECT_EQ(back->method, "seasonal_naive");

  // What happened on Monday: 7, 7, 8, 12 against 6, 7, 8, 9.
  const int actual[4] = {7, 7, 8, 12};
  for (int k = 0; k < 4; ++k) feed.add("sales", at(kMon + 21, 540 + 15 * k), actual[k]);

  // At 09:40 two intervals are over.
  auto partial = forecast_accuracy(**reports, {*back}, at(kMon + 21, 580));
  ASSERT_TRUE(partial.ok()) << partial.status().to_string();
  EXPECT_EQ(partial->overall.intervals, 2);
  EXPECT_EQ(partial->intervals_pending, 2);

  auto full = forecast_accuracy(**reports, {*back}, at(kMon + 22, 0));
  ASSERT_TRUE(full.ok());
  const AccuracyFigures& a = full->overall;
  EXPECT_EQ(a.intervals, 4);
  EXPECT_NEAR(a.mape, 100.0 * (1.0 / 7 + 3.0 / 12) / 4, 1e-9);
  EXPECT_NEAR(a.wmape, 100.0 * 4 / 34, 1e-9);
  EXPECT_NEAR(a.bias, 100.0 * (30.0 - 34) / 34, 1e-9);
  EXPECT_NEAR(a.mase, 1.0, 1e-9);
  ASSERT_EQ(full->by_horizon.count(2), 1u);
  EXPECT_EQ(full->by_horizon.at(2).intervals, 4);
  EXPECT_EQ(full->queue, "sales");
}

TEST(PlanningTest, PatienceFromAbandonsInTheReadModel) {
  auto reports = reports::ReportStore::open(":memory:");
  ASSERT_TRUE(reports.ok());
  std::vector<Event> batch;
  // 3 answered after 20, 40, 60 s; 2 abandoned after 30 and 90 s: 240 s in queue, 2 abandons.
  const std::pair<int, bool> calls[] = {
      {20, false}, {40, false}, {60, false}, {30, true}, {90, true}};
  std::uint64_t seq = 0;
  for (const auto& [wait, abandoned] : calls) {
    auto c = std::make_shared<ImportedContact>();
    c->source = "test";
    c->external_id = std::to_string(seq);
    c->arrived_at = at(kMon, 9 * 60) + static_cast<Millis>(seq) * 1000;
    c->queue = "sales";
    c->outcome = abandoned ? ImportOutcome::kAbandoned : ImportOutcome::kAnswered;
    if (!abandoned) c->agent = "ann";
    c->wait = wait * kMillisPerSecond;
    c->talk = abandoned ? 0 : 60 * kMillisPerSecond;
    batch.push_back(
        Event{.seq = ++seq, .at = c->arrived_at, .payload = ev::ContactImported{.record = c}});
  }
  ASSERT_TRUE((*reports)->ingest(batch).ok());
  auto p = patience_from_reports(**reports, "sales", "", at(kMon, 0), at(kMon + 1, 0));
  ASSERT_TRUE(p.ok()) << p.status().to_string();
  EXPECT_EQ(p->abandons, 2);
  EXPECT_EQ(p->calls, 5);
  EXPECT_NEAR(p->total_wait_s, 240, 1e-6);
  EXPECT_NEAR(p->mean_patience_s, 120, 1e-6);
  auto none = patience_from_reports(**reports, "sales", "", at(kMon + 1, 0), at(kMon + 2, 0));
  EXPECT_EQ(none.status().code(), StatusCode::kInvalidArgument);
}

TEST(PlanningTest, EmptyHistoryIsAClearError) {
  auto reports = reports::ReportStore::open(":memory:");
  ASSERT_TRUE(reports.ok());
  HistoryQuery q{.queue = "nobody",
                 .channel = "",
                 .from = at(kMon, 0),
                 .to = at(kMon + 7, 0),
                 .interval_minutes = 15,
                 .time_zone = "UTC"};
  auto h = history_from_reports(**reports, q);
  EXPECT_EQ(h.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(h.status().message().find("empty history"), std::string::npos);
  q.interval_minutes = 20;
  EXPECT_EQ(history_from_reports(**reports, q).status().code(), StatusCode::kInvalidArgument);
}

TEST(PlanningTest, GeneratedScheduleKeepsTheSolversCoverage) {
  wfm::ScheduleProblem p;
  p.interval_minutes = 30;
  p.days = {kMon, kMon + 1};
  p.required.assign(2 * 48, 0);
  for (int d = 0; d < 2; ++d)
    for (int i = 18; i < 34; ++i) p.required[static_cast<std::size_t>(d * 48 + i)] = 2;
  wfm::ShiftTemplate t;
  t.name = "day";
  t.length_min = 8 * 60;
  t.earliest_start_min = 8 * 60;
  t.latest_start_min = 10 * 60;
  t.breaks = {wfm::BreakRule{.name = "lunch",
                             .length_min = 30,
                             .earliest_after_min = 180,
                             .latest_after_min = 300,
                             .paid = false}};
  p.templates = {t};
  for (const char* id : {"ann", "bob", "cid"})
    p.agents.push_back(wfm::ScheduleAgent{.id = id,
                                          .templates = {},
                                          .min_paid_min = 0,
                                          .max_paid_min = 16 * 60,
                                          .max_days = 2,
                                          .availability = {},
                                          .unavailable = {},
                                          .time_off = {},
                                          .skills = {}});
  wfm::ScheduleOptions so;
  so.use_solver = false;
  auto r = wfm::make_schedule(p, so);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  auto tz = reports::TimeZone::parse("+01:00");
  ASSERT_TRUE(tz.ok());
  auto grid = PlanningGrid::make(*tz, kMon, 2, 30);
  ASSERT_TRUE(grid.ok()) << grid.status().to_string();
  Schedule s = schedule_from_result(p, *r, *tz, *grid);
  EXPECT_EQ(s.header.start, at(kMon, 0) - kMillisPerHour);
  EXPECT_EQ(s.agents.size(), 3u);
  Coverage c = compute_coverage(s.header, s.activities);
  ASSERT_EQ(c.scheduled.size(), r->coverage.size());
  for (std::size_t i = 0; i < c.scheduled.size(); ++i)
    EXPECT_DOUBLE_EQ(c.scheduled[i], r->coverage[i]) << i;
  int lunches = 0;
  for (const Activity& a : s.activities) lunches += a.kind == ActivityKind::kLunch;
  EXPECT_EQ(lunches, static_cast<int>(r->shifts.size()));
  // Stored and read back as a draft.
  auto store = ScheduleStore::open(":memory:");
  ASSERT_TRUE(store.ok());
  auto created = (*store)->create(s, 1);
  ASSERT_TRUE(created.ok()) << created.status().to_string();
  EXPECT_EQ(created->activities.size(), s.activities.size());
}

// The week of the October change in Berlin: Sunday 2026-10-25 has 25 hours (02:00-03:00 twice),
// and the March change makes Sunday 2026-03-29 a 23-hour day. Every interval of the grid starts
// on a local quarter hour, days start at local midnight, and the requirement follows wall time.
TEST(PlanningTest, PlanningGridFollowsLocalTimeAcrossDaylightSavingChanges) {
  auto berlin = reports::TimeZone::parse("Europe/Berlin");
  ASSERT_TRUE(berlin.ok()) << berlin.status().to_string();
  const wfm::Date oct19 = *wfm::parse_date("2026-10-19");  // Monday
  auto week = PlanningGrid::make(*berlin, oct19, 7, 15);
  ASSERT_TRUE(week.ok()) << week.status().to_string();
  // Six 24-hour days and one 25-hour day.
  EXPECT_EQ(week->size(), 6u * 96 + 100);
  EXPECT_EQ(week->wall_size(), 7u * 96);
  EXPECT_EQ(week->start(), at(oct19, 0) - 2 * kMillisPerHour);    // CEST midnight
  EXPECT_EQ(week->end(), at(oct19 + 7, 0) - 1 * kMillisPerHour);  // CET midnight
  for (std::size_t i = 0; i < week->size(); ++i) {
    const wfm::LocalDateTime local = utc_to_local(*berlin, week->interval_start(i));
    ASSERT_EQ(local.minute % 15, 0) << i;
    ASSERT_EQ(week->wall_slot(i), static_cast<std::size_t>(local.day - oct19) * 96 +
                                      static_cast<std::size_t>(local.minute / 15))
        << i;
  }
  // Sunday: 02:00-02:45 come twice, then 03:00 is the 13th hour's first quarter.
  const std::size_t sunday = 6 * 96;
  EXPECT_EQ(week->wall_slot(sunday + 8), 6u * 96 + 8);                  // 02:00 CEST
  EXPECT_EQ(week->wall_slot(sunday + 12), 6u * 96 + 8);                 // 02:00 CET
  EXPECT_EQ(week->wall_slot(sunday + 16), 6u * 96 + 12);                // 03:00 CET
  EXPECT_EQ(week->interval_start(sunday + 16), at(oct19 + 6, 2 * 60));  // 03:00 CET = 02:00 UTC
  // A requirement of 3 from 08:00 to 17:00 every day stays at 08:00-17:00 local after the change.
  std::vector<int> wall(week->wall_size(), 0);
  for (std::size_t d = 0; d < 7; ++d)
    for (std::size_t k = 32; k < 68; ++k) wall[d * 96 + k] = 3;
  const std::vector<double> per_interval = week->from_wall(wall);
  for (std::size_t i = 0; i < week->size(); ++i) {
    const int minute = utc_to_local(*berlin, week->interval_start(i)).minute;
    ASSERT_EQ(per_interval[i], minute >= 8 * 60 && minute < 17 * 60 ? 3.0 : 0.0) << i;
  }
  EXPECT_EQ(week->to_wall(per_interval), wall);
  // The repeated hour's larger value is the wall slot's.
  std::vector<double> repeated = per_interval;
  repeated[sunday + 9] = 1;   // 02:15 CEST
  repeated[sunday + 13] = 4;  // 02:15 CET
  EXPECT_EQ(week->to_wall(repeated)[6 * 96 + 9], 4);

  // March: Sunday 2026-03-29 has 23 hours; 02:00-02:45 do not exist.
  const wfm::Date mar23 = *wfm::parse_date("2026-03-23");
  auto spring = PlanningGrid::make(*berlin, mar23, 7, 30);
  ASSERT_TRUE(spring.ok());
  EXPECT_EQ(spring->size(), 6u * 48 + 46);
  EXPECT_EQ(spring->wall_slot(6 * 48 + 4), 6u * 48 + 6);  // 01:30 CET is followed by 03:00 CEST

  // A generated schedule on the October week: the shifts start at local wall times and the
  // stored coverage, recomputed from the activities, is on the 25-hour grid.
  wfm::ScheduleProblem p;
  p.interval_minutes = 15;
  for (int d = 0; d < 7; ++d) p.days.push_back(oct19 + d);
  p.required = wall;
  wfm::ShiftTemplate t;
  t.name = "day";
  t.length_min = 9 * 60;
  t.earliest_start_min = 8 * 60;
  t.latest_start_min = 8 * 60;
  p.templates = {t};
  for (const char* id : {"ann", "bob", "cid"})
    p.agents.push_back(wfm::ScheduleAgent{.id = id,
                                          .templates = {},
                                          .min_paid_min = 0,
                                          .max_paid_min = 7 * 9 * 60,
                                          .max_days = 7,
                                          .availability = {},
                                          .unavailable = {},
                                          .time_off = {},
                                          .skills = {}});
  wfm::ScheduleOptions so;
  so.use_solver = false;
  auto r = wfm::make_schedule(p, so);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  Schedule s = schedule_from_result(p, *r, *berlin, *week);
  EXPECT_EQ(s.header.start, week->start());
  EXPECT_EQ(s.header.end(), week->end());
  ASSERT_EQ(s.header.required.size(), week->size());
  for (const Activity& a : s.activities) {
    EXPECT_EQ(utc_to_local(*berlin, a.start).minute, 8 * 60) << a.agent;
    EXPECT_EQ(utc_to_local(*berlin, a.end).minute, 17 * 60) << a.agent;
  }
  const Coverage c = compute_coverage(s.header, s.activities);
  EXPECT_DOUBLE_EQ(c.under, 0);
  EXPECT_DOUBLE_EQ(c.over, 0);
  // Sunday 16:45 CET (15:45 UTC) is covered by three agents.
  const std::size_t last_quarter = sunday + 100 - 29;  // 16:45: 4 hours of 25 less 7 quarters
  EXPECT_EQ(utc_to_local(*berlin, week->interval_start(last_quarter)).minute, 16 * 60 + 45);
  EXPECT_DOUBLE_EQ(c.scheduled[last_quarter], 3);

  // Hour-long intervals cannot divide a day with a 30-minute change (Lord Howe Island).
  auto lord_howe = reports::TimeZone::parse("Australia/Lord_Howe");
  ASSERT_TRUE(lord_howe.ok());
  auto bad = PlanningGrid::make(*lord_howe, *wfm::parse_date("2026-10-01"), 7, 60);
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("Australia/Lord_Howe"), std::string::npos);
}

}  // namespace
}  // namespace sb::wfmstore
