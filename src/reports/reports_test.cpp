#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "accounts/accounts.h"
#include "base/random.h"
#include "reports/agent_lifecycles.h"
#include "reports/attrition.h"
#include "reports/histogram_sum.h"
#include "reports/report_query.h"
#include "reports/test_util.h"
#include "reports/time_zone.h"

namespace sb::reports {
namespace {

constexpr Millis kS = kMillisPerSecond;
// 2026-03-02 (a Monday) 08:00 UTC.
constexpr Millis kT0 = 1772438400000;

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out(1);
  for (char c : s) {
    if (c == sep) {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

class EventLog {
 public:
  template <class P>
  void add(Millis at, P payload) {
    events_.push_back(Event{events_.size() + 1, kT0 + at, EventPayload(std::move(payload))});
  }
  const std::vector<Event>& events() const { return events_; }

 private:
  std::vector<Event> events_;
};

QueueConfig queue(QueueId id, const std::string& name) {
  QueueConfig q;
  q.id = id;
  q.name = name;
  q.service_level_threshold = 20 * kS;
  return q;
}

// One agent, three queued contacts, a blocked one and two survey answers (figures worked out by
// hand in the tests below).
std::vector<Event> small_day() {
  EventLog log;
  AgentConfig ada;
  ada.id = 0;
  ada.name = "ada";
  log.add(0, ev::QueueConfigured{std::make_shared<const QueueConfig>(queue(0, "sales"))});
  log.add(0, ev::AgentConfigured{std::make_shared<const AgentConfig>(ada)});
  log.add(0, ev::AgentLoggedIn{0});
  // c1: voice, waits 5 s, talks 49 s with a 10 s hold, wraps up 10 s; a conversion (code 7).
  log.add(1 * kS, ev::ContactArrived{1, Channel::kVoice, 0, 0, {}, 42});
  log.add(1 * kS, ev::ContactQueued{1, 0});
  log.add(1 * kS, ev::ContactOffered{1, 0, 0, kT0 + 31 * kS});
  log.add(6 * kS, ev::ContactConnected{1, 0});
  // c2: voice, abandons after 3 s.
  log.add(10 * kS, ev::ContactArrived{2, Channel::kVoice, 0, 0, {}, 43});
  log.add(10 * kS, ev::ContactQueued{2, 0});
  log.add(10 * kS, ev::HoldStarted{1, 0});
  log.add(13 * kS, ev::ContactAbandoned{2, 0});
  log.add(20 * kS, ev::HoldEnded{1, 0});
  // c3: chat from the same customer as c1 (a repeat), answered after 50 s, 20 s of talk.
  log.add(30 * kS, ev::ContactArrived{3, Channel::kChat, 0, 0, {}, 42});
  log.add(30 * kS, ev::ContactQueued{3, 0});
  // c4: refused by an unconfigured queue.
  log.add(40 * kS, ev::ContactArrived{4, Channel::kVoice, 1, 0, {}, 0});
  log.add(40 * kS, ev::ContactBlocked{4, 1, BlockReason::kNoSuchQueue});
  log.add(65 * kS, ev::ContactEnded{1, 0, EndedBy::kAgent});
  log.add(75 * kS, ev::WrapUpEnded{1, 0, 7});
  log.add(75 * kS, ev::ContactOffered{3, 0, 0, kT0 + 105 * kS});
  log.add(80 * kS, ev::ContactConnected{3, 0});
  log.add(90 * kS, ev::SurveyAnswered{1, 0, 0, SurveyKind::kCsat, 5});
  log.add(91 * kS, ev::SurveyAnswered{1, 0, 0, SurveyKind::kNps, 6});
  log.add(100 * kS, ev::ContactEnded{3, 0, EndedBy::kCustomer});
  log.add(100 * kS, ev::WrapUpEnded{3, 0, 0});
  log.add(120 * kS, ev::AgentLoggedOut{0});
  return log.events();
}

std::unique_ptr<ReportStore> open_memory() {
  auto s = ReportStore::open(":memory:");
  EXPECT_TRUE(s.ok()) << s.status().to_string();
  return std::move(*s);
}

ReportRequest whole_day() {
  ReportRequest r;
  r.from = kT0 - kMillisPerHour;
  r.to = kT0 + kMillisPerHour;
  r.group_by = {};
  return r;
}

TEST(ReportsTest, EveryKpiOfASmallDayMatchesTheHandComputation) {
  auto store = open_memory();
  CenterSettings settings;
  settings.conversion_dispositions = {7};
  settings.agent_hourly_cost = 36;
  settings.channel_minute_cost[Channel::kVoice] = 0.5;
  ASSERT_TRUE(store->set_center_settings(settings).ok());
  const auto events = small_day();
  ASSERT_TRUE(store->ingest(events).ok());
  EXPECT_EQ(store->applied_seq(), events.size());

  auto result = store->query(whole_day());
  ASSERT_TRUE(result.ok()) << result.status().to_string();
  const Kpis& k = result->total;
  EXPECT_EQ(k.offered, 3u);
  EXPECT_EQ(k.handled, 2u);
  EXPECT_EQ(k.abandoned, 1u);
  EXPECT_EQ(k.blocked, 1u);
  EXPECT_EQ(k.answered_within_sl, 1u);
  EXPECT_EQ(k.abandoned_within_sl, 1u);
  EXPECT_EQ(k.removed_within_sl, 2u);
  EXPECT_DOUBLE_EQ(k.service_level, 1.0 / 3);
  EXPECT_EQ(k.service_level_preset, "switchboard");
  EXPECT_DOUBLE_EQ(k.service_level_by_preset[int(SlPreset::kAsteriskSl)], 0.5);
  EXPECT_DOUBLE_EQ(k.service_level_by_preset[int(SlPreset::kAsteriskSl2)], 2.0 / 3);
  EXPECT_DOUBLE_EQ(k.service_level_by_preset[int(SlPreset::kAmazonConnect)], 2.0 / 3);
  EXPECT_DOUBLE_EQ(k.service_level_by_preset[int(SlPreset::kAnsweredOnly)], 0.5);
  EXPECT_DOUBLE_EQ(k.service_level_by_preset[int(SlPreset::kGenesys)], 1.0 / 3);
  EXPECT_DOUBLE_EQ(k.asa_s, 27.5);
  EXPECT_DOUBLE_EQ(k.avg_wait_s, (5.0 + 50 + 3) / 3);
  EXPECT_DOUBLE_EQ(k.avg_abandon_wait_s, 3);
  EXPECT_DOUBLE_EQ(k.longest_wait_s, 50);
  EXPECT_NEAR(k.wait_p50_s, 27.5, 0.1);
  EXPECT_EQ(k.handle_samples, 2u);
  EXPECT_DOUBLE_EQ(k.aht_s, (69.0 + 20) / 2);
  EXPECT_DOUBLE_EQ(k.avg_talk_s, (49.0 + 20) / 2);
  EXPECT_DOUBLE_EQ(k.avg_hold_s, 5);
  EXPECT_DOUBLE_EQ(k.avg_wrap_s, 5);
  EXPECT_DOUBLE_EQ(k.longest_hold_s, 10);
  EXPECT_DOUBLE_EQ(k.abandon_rate, 1.0 / 3);
  EXPECT_EQ(k.customer_contacts, 3u);
  EXPECT_EQ(k.repeat_contacts, 1u);
  EXPECT_EQ(k.fcr_eligible, 2u);
  EXPECT_EQ(k.fcr_resolved, 1u);  // c1 was followed by c3 within the window
  EXPECT_DOUBLE_EQ(k.fcr_rate, 0.5);
  EXPECT_EQ(k.first_responses, 1u);
  EXPECT_DOUBLE_EQ(k.avg_first_response_s, 50);
  EXPECT_DOUBLE_EQ(k.staffed_s, 120);
  EXPECT_DOUBLE_EQ(k.available_s, 120);
  EXPECT_DOUBLE_EQ(k.occupied_s, 89);
  EXPECT_DOUBLE_EQ(k.occupancy, 89.0 / 120);
  EXPECT_EQ(k.dispositioned, 1u);
  EXPECT_EQ(k.conversions, 1u);
  EXPECT_DOUBLE_EQ(k.cost_total, 120.0 / 3600 * 36 + 59.0 / 60 * 0.5);
  EXPECT_DOUBLE_EQ(k.cost_per_contact, k.cost_total / 2);
  EXPECT_EQ(k.csat_responses, 1u);
  EXPECT_DOUBLE_EQ(k.csat, 1);
  EXPECT_EQ(k.nps_responses, 1u);
  EXPECT_DOUBLE_EQ(k.nps, -100);
  EXPECT_EQ(k.peak_hour_offered, 3u);
  EXPECT_EQ(k.peak_hour_start, kT0);
  ASSERT_EQ(k.definition_versions.size(), 2u);  // sales and the blocked queue, built-in
  EXPECT_EQ(k.definition_versions[0], "queue 1:0");
  EXPECT_EQ(k.definition_versions[1], "sales:0");
}

TEST(ReportsTest, GroupsByQueueChannelAgentAndInterval) {
  auto store = open_memory();
  ASSERT_TRUE(store->ingest(small_day()).ok());
  ReportRequest r = whole_day();
  r.group_by = {Dimension::kQueue, Dimension::kChannel};
  auto res = store->query(r);
  ASSERT_TRUE(res.ok()) << res.status().to_string();
  // ("", "") agent time; ("", survey) has no channel either; sales/voice, sales/chat, queue 1.
  std::map<std::string, Kpis> by;
  for (const auto& row : res->rows) by[row.keys[0] + "/" + row.keys[1]] = row.kpis;
  EXPECT_EQ(by["sales/voice"].offered, 2u);
  EXPECT_EQ(by["sales/voice"].handled, 1u);
  EXPECT_EQ(by["sales/chat"].handled, 1u);
  EXPECT_EQ(by["queue 1/voice"].blocked, 1u);
  EXPECT_EQ(by["sales/"].csat_responses, 1u);
  EXPECT_DOUBLE_EQ(by["/"].staffed_s, 120);

  r.group_by = {Dimension::kAgent};
  r.agents = {"ada"};
  res = store->query(r);
  ASSERT_TRUE(res.ok()) << res.status().to_string();
  ASSERT_EQ(res->rows.size(), 1u);
  EXPECT_EQ(res->rows[0].keys[0], "ada");
  EXPECT_EQ(res->rows[0].kpis.handled, 2u);
  EXPECT_DOUBLE_EQ(res->rows[0].kpis.occupancy, 89.0 / 120);

  r.agents = {};
  r.team_of_agent = {{"ada", "blue"}};
  r.teams = {"blue"};
  r.group_by = {Dimension::kTeam};
  res = store->query(r);
  ASSERT_TRUE(res.ok());
  ASSERT_EQ(res->rows.size(), 1u);
  EXPECT_EQ(res->rows[0].keys[0], "blue");
  EXPECT_EQ(res->rows[0].kpis.handled, 2u);

  r = whole_day();
  r.group_by = {Dimension::kInterval};
  r.interval_minutes = 30;
  r.time_zone = "Europe/Paris";
  res = store->query(r);
  ASSERT_TRUE(res.ok()) << res.status().to_string();
  ASSERT_EQ(res->rows.size(), 1u);
  EXPECT_EQ(res->rows[0].keys[0], "2026-03-02T09:00:00+01:00");
  r.include_empty_intervals = true;
  res = store->query(r);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->rows.size(), 4u);  // 08:00..10:00 local in 30-minute steps

  r.queues = {"nope"};
  EXPECT_EQ(store->query(r).status().code(), StatusCode::kNotFound);
  r.queues = {};
  r.interval_minutes = 20;
  EXPECT_EQ(store->query(r).status().code(), StatusCode::kInvalidArgument);
}

TEST(ReportsTest, DefinitionsAreVersionedAndApplyFromTheirDate) {
  auto store = open_memory();
  QueueDefinition d;
  d.queue = "sales";
  d.effective_from = 0;
  d.short_abandon = 5 * kS;
  d.preset = SlPreset::kAsteriskSl;
  auto v1 = store->add_definition(d);
  ASSERT_TRUE(v1.ok()) << v1.status().to_string();
  EXPECT_EQ(v1->version, 1u);
  d.effective_from = kT0 + 20 * kS;  // from c3 on: T = 60 s
  d.sl_threshold = 60 * kS;
  auto v2 = store->add_definition(d);
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ(v2->version, 2u);
  ASSERT_TRUE(store->ingest(small_day()).ok());

  ReportRequest r = whole_day();
  r.queues = {"sales"};
  auto res = store->query(r);
  ASSERT_TRUE(res.ok()) << res.status().to_string();
  const Kpis& k = res->total;
  EXPECT_EQ(k.short_abandoned, 1u);     // c2 waited 3 s < 5 s
  EXPECT_EQ(k.answered_within_sl, 2u);  // c3's 50 s wait is within version 2's 60 s
  EXPECT_EQ(k.service_level_preset, "asterisk_sl");
  EXPECT_DOUBLE_EQ(k.service_level, 1.0);
  EXPECT_DOUBLE_EQ(k.service_level_by_preset[int(SlPreset::kSwitchboard)], 1.0);
  EXPECT_EQ(k.definition_versions, (std::vector<std::string>{"sales:1", "sales:2"}));

  r.preset = SlPreset::kAmazonConnect;
  res = store->query(r);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->total.service_level_preset, "amazon_connect");

  QueueDefinition bad;
  bad.interval_minutes = 10;
  EXPECT_EQ(store->add_definition(bad).status().code(), StatusCode::kInvalidArgument);
  bad.interval_minutes = 15;
  bad.time_zone = "Mars/Olympus";
  EXPECT_FALSE(store->add_definition(bad).ok());
}

using testing::TempDir;

TEST(ReportsTest, BatchesAndRestartsGiveTheSameTablesAsOnePass) {
  TempDir dir;
  const auto events = small_day();
  {
    auto one = ReportStore::open(dir.file("one.db"));
    ASSERT_TRUE(one.ok());
    ASSERT_TRUE((*one)->ingest(events).ok());
  }
  {
    auto many = ReportStore::open(dir.file("many.db"));
    ASSERT_TRUE(many.ok());
    for (std::size_t i = 0; i < events.size(); i += 3) {
      const std::size_t n = std::min<std::size_t>(3, events.size() - i);
      ASSERT_TRUE((*many)->ingest(std::span(events).subspan(i, n)).ok());
    }
    // A batch fed twice changes nothing.
    ASSERT_TRUE((*many)->ingest(std::span(events).subspan(0, 5)).ok());
  }
  {
    // Half, then a restart: the log is fed again from seq 1 and only the rest is recorded.
    auto half = ReportStore::open(dir.file("half.db"));
    ASSERT_TRUE(half.ok());
    ASSERT_TRUE((*half)->ingest(std::span(events).subspan(0, 12)).ok());
  }
  {
    auto half = ReportStore::open(dir.file("half.db"));
    ASSERT_TRUE(half.ok());
    EXPECT_EQ((*half)->applied_seq(), 12u);
    const Status gap = (*half)->ingest(std::span(events).subspan(12));
    EXPECT_EQ(gap.code(), StatusCode::kFailedPrecondition) << gap.to_string();
    ASSERT_TRUE((*half)->ingest(events).ok());
  }
  const std::string expected = testing::dump_tables(dir.file("one.db"));
  EXPECT_FALSE(expected.empty());
  EXPECT_EQ(testing::dump_tables(dir.file("many.db")), expected);
  EXPECT_EQ(testing::dump_tables(dir.file("half.db")), expected);
}

TEST(ReportsTest, ImportedContactsAreCountedUnderTheirQueueNames) {
  auto store = open_memory();
  EventLog log;
  auto imported = [&](Millis at, const char* queue, ImportOutcome o, Millis wait, Millis talk,
                      const char* customer) {
    ImportedContact r;
    r.source = "csv:test";
    r.queue = queue;
    r.agent = o == ImportOutcome::kAnswered ? "bob" : "";
    r.arrived_at = kT0 + at;
    r.outcome = o;
    r.wait = wait;
    r.talk = talk;
    r.customer = customer;
    log.add(0, ev::ContactImported{std::make_shared<const ImportedContact>(r)});
  };
  imported(0, "billing", ImportOutcome::kAnswered, 10 * kS, 100 * kS, "7");
  imported(60 * kS, "billing", ImportOutcome::kAbandoned, 30 * kS, 0, "8");
  imported(120 * kS, "billing", ImportOutcome::kTimedOut, 300 * kS, 0, "7");
  imported(180 * kS, "billing", ImportOutcome::kBlocked, 0, 0, "");
  ASSERT_TRUE(store->ingest(log.events()).ok());
  ReportRequest r = whole_day();
  r.queues = {"billing"};
  r.group_by = {Dimension::kAgent};
  auto res = store->query(r);
  ASSERT_TRUE(res.ok()) << res.status().to_string();
  const Kpis& k = res->total;
  EXPECT_EQ(k.offered, 3u);
  EXPECT_EQ(k.imported, 3u);
  EXPECT_EQ(k.handled, 1u);
  EXPECT_EQ(k.abandoned, 1u);
  EXPECT_EQ(k.timed_out, 1u);
  EXPECT_EQ(k.blocked, 1u);
  EXPECT_DOUBLE_EQ(k.aht_s, 100);
  EXPECT_DOUBLE_EQ(k.service_level, 1.0 / 3);  // timed out counts as a miss
  EXPECT_EQ(k.repeat_contacts, 1u);
  EXPECT_EQ(k.fcr_resolved, 0u);
  ASSERT_EQ(res->rows.size(), 2u);
  EXPECT_EQ(res->rows[1].keys[0], "bob");
}

// Imported contacts of three queues spread over 80 days (two month ends), with waits and talk
// times over the whole histogram range.
std::vector<Event> quarter_of_imports() {
  std::vector<Event> events;
  Random rng(5);
  const Millis start = kT0 - 40 * kMillisPerDay;  // 2026-01-21
  for (int i = 0; i < 6000; ++i) {
    ImportedContact c;
    c.source = "test";
    c.queue = "q" + std::to_string(rng.below(3));
    c.arrived_at = start + static_cast<Millis>(rng.below(80 * 24)) * kMillisPerHour +
                   static_cast<Millis>(rng.below(3'600'000));
    const auto kind = rng.below(10);
    c.outcome = kind < 7 ? ImportOutcome::kAnswered
                         : (kind < 9 ? ImportOutcome::kAbandoned : ImportOutcome::kTimedOut);
    c.wait = static_cast<Millis>(rng.below(kind == 0 ? 4'000'000 : 200'000));
    c.talk = c.outcome == ImportOutcome::kAnswered ? static_cast<Millis>(rng.below(2'000'000)) : 0;
    c.hold = c.outcome == ImportOutcome::kAnswered ? static_cast<Millis>(rng.below(60'000)) : 0;
    c.agent = c.outcome == ImportOutcome::kAnswered ? "a" + std::to_string(rng.below(4)) : "";
    c.customer = std::to_string(rng.below(500));
    events.push_back(Event{events.size() + 1, c.arrived_at,
                           ev::ContactImported{std::make_shared<const ImportedContact>(c)}});
  }
  std::sort(events.begin(), events.end(),
            [](const Event& a, const Event& b) { return a.at < b.at; });
  for (std::size_t i = 0; i < events.size(); ++i) events[i].seq = i + 1;
  return events;
}

TEST(ReportsTest, DayAndMonthRollupsGiveTheFiguresOfTheCells) {
  auto store = open_memory();
  const auto events = quarter_of_imports();
  // q1 changes its definition in February, so days of all queues sum several versions.
  QueueDefinition def;
  def.queue = "q1";
  def.effective_from = kT0 - 20 * kMillisPerDay;
  def.preset = SlPreset::kAsteriskSl;
  ASSERT_TRUE(store->add_definition(def).ok());
  for (std::size_t i = 0; i < events.size(); i += 700)
    ASSERT_TRUE(
        store->ingest(std::span(events).subspan(i, std::min<std::size_t>(700, events.size() - i)))
            .ok());
  struct Case {
    Millis from, to;
    std::vector<Dimension> group_by;
    std::string tz;
    std::vector<std::string> queues;
  };
  const Millis jan21 = kT0 - 40 * kMillisPerDay;
  const std::vector<Case> cases = {
      // Partial January, all of February, partial March, April: cells, days and months.
      {jan21 + 5 * kMillisPerHour, jan21 + 85 * kMillisPerDay, {Dimension::kQueue}, "UTC", {}},
      {jan21, jan21 + 85 * kMillisPerDay, {}, "UTC", {}},
      {jan21 + 77 * kMillisPerMinute,
       jan21 + 60 * kMillisPerDay,
       {Dimension::kChannel},
       "UTC",
       {"q1"}},
      {jan21, jan21 + 85 * kMillisPerDay, {Dimension::kQueue}, "Europe/Paris", {}},
      {jan21 + 3 * kMillisPerHour, jan21 + 50 * kMillisPerDay, {Dimension::kDay}, "UTC", {}},
      {jan21, jan21 + 85 * kMillisPerDay, {Dimension::kWeekday, Dimension::kQueue}, "UTC", {}},
      // Days of all queues (the day_totals rollup): by day, weekday and channel, and the edges
      // of a total.
      {jan21 + 2 * kMillisPerDay, jan21 + 30 * kMillisPerDay, {Dimension::kDay}, "UTC", {}},
      {jan21, jan21 + 85 * kMillisPerDay, {Dimension::kWeekday}, "UTC", {}},
      {jan21 + 7 * kMillisPerHour,
       jan21 + 70 * kMillisPerDay,
       {Dimension::kDay, Dimension::kChannel},
       "UTC",
       {}},
      {jan21 + 7 * kMillisPerHour, jan21 + 20 * kMillisPerDay, {}, "UTC", {}},
      // Intervals of all queues (the interval_totals rollup): the heatmap, intervals, intervals
      // x channel, local intervals.
      {jan21, jan21 + 28 * kMillisPerDay, {Dimension::kWeekday, Dimension::kTimeOfDay}, "UTC", {}},
      {jan21 + 13 * kMillisPerMinute,
       jan21 + 15 * kMillisPerDay,
       {Dimension::kInterval},
       "UTC",
       {}},
      {jan21, jan21 + 16 * kMillisPerDay, {Dimension::kInterval, Dimension::kChannel}, "UTC", {}},
      {jan21,
       jan21 + 45 * kMillisPerDay,
       {Dimension::kWeekday, Dimension::kTimeOfDay},
       "Europe/Paris",
       {}},
  };
  for (const Case& c : cases) {
    ReportRequest r;
    r.from = c.from;
    r.to = c.to;
    r.group_by = c.group_by;
    r.time_zone = c.tz;
    r.queues = c.queues;
    auto rolled = store->query(r);
    r.use_rollups = false;
    auto cells = store->query(r);
    ASSERT_TRUE(rolled.ok()) << rolled.status().to_string();
    ASSERT_TRUE(cells.ok()) << cells.status().to_string();
    EXPECT_LT(rolled->cells_scanned, cells->cells_scanned);
    EXPECT_GT(rolled->total.offered, 1000u);
    EXPECT_EQ(to_json(*rolled), to_json(*cells)) << "from " << c.from << " to " << c.to;
    EXPECT_EQ(to_csv(*rolled), to_csv(*cells));
  }
  // A day of all queues keeps which definitions its contacts were counted with.
  ReportRequest r;
  r.from = jan21 + 2 * kMillisPerDay;
  r.to = jan21 + 30 * kMillisPerDay;
  r.group_by = {Dimension::kDay};
  auto days = store->query(r);
  ASSERT_TRUE(days.ok()) << days.status().to_string();
  EXPECT_EQ(days->rows.size(), 29u);     // Jan 23 08:00 to Feb 20 08:00
  EXPECT_LT(days->cells_scanned, 200u);  // 27 day_totals rows and the edges' cells
  EXPECT_EQ(days->total.definition_versions,
            (std::vector<std::string>{"q0:0", "q1:0", "q1:1", "q2:0"}));
  EXPECT_EQ(days->total.service_level_preset, "mixed");
  EXPECT_EQ(days->rows.back().kpis.service_level_preset, "mixed");
  EXPECT_EQ(days->rows.front().kpis.service_level_preset, "switchboard");
  // So does an interval of all queues.
  r.group_by = {Dimension::kWeekday, Dimension::kTimeOfDay};
  auto heatmap = store->query(r);
  ASSERT_TRUE(heatmap.ok()) << heatmap.status().to_string();
  EXPECT_GT(heatmap->rows.size(), 600u);  // of 7 x 96 (slots without traffic have no row)
  EXPECT_LE(heatmap->rows.size(), 7u * 96);
  EXPECT_EQ(heatmap->total.definition_versions,
            (std::vector<std::string>{"q0:0", "q1:0", "q1:1", "q2:0"}));
  EXPECT_EQ(heatmap->total.service_level_preset, "mixed");
}

// A report of one queue by interval is streamed (each row finished when the next interval's
// cells start); grouped by interval and channel it goes through the map of groups. Both must
// give the same rows and total, across a daylight-saving change and several agents per interval.
TEST(ReportsTest, StreamedIntervalRowsEqualTheGroupedOnes) {
  auto store = open_memory();
  ASSERT_TRUE(store->ingest(quarter_of_imports()).ok());
  auto drop_second_column = [](const std::string& csv) {
    std::string out;
    for (const std::string& line : split(csv, '\n')) {
      if (line.empty()) continue;
      const auto a = line.find(',');
      const auto b = a == std::string::npos ? a : line.find(',', a + 1);
      out += (b == std::string::npos ? line : line.substr(0, a) + line.substr(b)) + "\n";
    }
    return out;
  };
  for (const std::string tz : {"UTC", "Europe/Paris"}) {
    for (int minutes : {15, 60}) {
      ReportRequest r;
      r.from = kT0 - 40 * kMillisPerDay;
      r.to = kT0 + 40 * kMillisPerDay;
      r.time_zone = tz;
      r.interval_minutes = minutes;
      r.queues = {"q1"};
      r.group_by = {Dimension::kInterval};
      auto streamed = store->query(r);
      r.group_by = {Dimension::kInterval, Dimension::kChannel};  // one channel: the same rows
      auto grouped = store->query(r);
      ASSERT_TRUE(streamed.ok()) << streamed.status().to_string();
      ASSERT_TRUE(grouped.ok()) << grouped.status().to_string();
      ASSERT_GT(streamed->rows.size(), 500u);
      ASSERT_EQ(streamed->rows.size(), grouped->rows.size());
      EXPECT_EQ(to_csv(*streamed), drop_second_column(to_csv(*grouped))) << tz << " " << minutes;
      for (std::size_t i = 0; i < streamed->rows.size(); ++i)
        EXPECT_EQ(streamed->rows[i].kpis.peak_hour_start, grouped->rows[i].kpis.peak_hour_start);
    }
  }
}

TEST(ReportsTest, AVersion1FileIsRewrittenWithTheRollups) {
  TempDir dir;
  const auto events = quarter_of_imports();
  {
    auto store = ReportStore::open(dir.file("new.db"));
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->ingest(events).ok());
  }
  {
    // The version 1 layout: cells and days keyed by time first, no month rollup or agent work.
    auto store = ReportStore::open(dir.file("old.db"));
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->ingest(events).ok());
  }
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(dir.file("old.db").c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    const int rc = sqlite3_exec(db, R"sql(
      CREATE TABLE c1(interval INTEGER NOT NULL, queue INTEGER NOT NULL, channel INTEGER NOT NULL,
        agent INTEGER NOT NULL, version INTEGER NOT NULL, fields BLOB NOT NULL,
        waits BLOB NOT NULL, handles BLOB NOT NULL,
        PRIMARY KEY(interval, queue, channel, agent, version)) WITHOUT ROWID;
      INSERT INTO c1 SELECT * FROM cells; DROP TABLE cells; ALTER TABLE c1 RENAME TO cells;
      CREATE TABLE d1(day INTEGER NOT NULL, queue INTEGER NOT NULL, channel INTEGER NOT NULL,
        version INTEGER NOT NULL, fields BLOB NOT NULL, waits BLOB NOT NULL,
        handles BLOB NOT NULL, hourly BLOB NOT NULL,
        PRIMARY KEY(day, queue, channel, version)) WITHOUT ROWID;
      INSERT INTO d1 SELECT * FROM days; DROP TABLE days; ALTER TABLE d1 RENAME TO days;
      DROP TABLE months;
      DROP TABLE agent_work;
      UPDATE meta SET value = 1 WHERE key = 'schema_version';
    )sql",
                                nullptr, nullptr, &err);
    EXPECT_EQ(rc, SQLITE_OK) << (err ? err : "");
    sqlite3_free(err);
    sqlite3_close(db);
  }
  {
    auto store = ReportStore::open(dir.file("old.db"));
    ASSERT_TRUE(store.ok()) << store.status().to_string();
    EXPECT_EQ((*store)->applied_seq(), events.size());
  }
  // (EXPECT_TRUE: a byte diff of the megabyte dumps would take minutes to print.)
  EXPECT_TRUE(testing::dump_tables(dir.file("old.db")) == testing::dump_tables(dir.file("new.db")));
}

TEST(ReportsTest, Version2And3FilesGetTheRollupsOfAllQueues) {
  TempDir dir;
  const auto events = quarter_of_imports();
  for (const char* name : {"new.db", "v2.db", "v3.db"}) {
    auto store = ReportStore::open(dir.file(name));
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->ingest(events).ok());
  }
  const std::string fresh = testing::dump_tables(dir.file("new.db"));
  EXPECT_NE(fresh.find("q1"), std::string::npos);
  for (int version : {2, 3}) {
    SCOPED_TRACE(version);
    const std::string file = dir.file("v" + std::to_string(version) + ".db");
    // Version 2 had neither rollup of all queues, version 3 no interval_totals.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    const std::string sql =
        std::string(version == 2 ? "DROP TABLE day_totals; " : "") +
        "DROP TABLE interval_totals; UPDATE meta SET value = " + std::to_string(version) +
        " WHERE key = 'schema_version';";
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    EXPECT_EQ(rc, SQLITE_OK) << (err ? err : "");
    sqlite3_free(err);
    sqlite3_close(db);
    {
      auto store = ReportStore::open(file);
      ASSERT_TRUE(store.ok()) << store.status().to_string();
      EXPECT_EQ((*store)->applied_seq(), events.size());
    }
    EXPECT_TRUE(testing::dump_tables(file) == fresh);
    ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'schema_version'", -1, &st,
                                 nullptr),
              SQLITE_OK);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    EXPECT_EQ(sqlite3_column_int64(st, 0), 4);
    sqlite3_finalize(st);
    sqlite3_close(db);
  }
}

// Two agents and two queues in the 08:00-08:15 interval. Ada handles a contact of queue A
// (connected 60-240 s, wrap-up to 300 s: 240 s of handle time) and one of queue B (360-600 s,
// wrap-up to 660 s: 300 s); Bob one of queue A (120-420 s, wrap-up to 480 s: 360 s). Both are
// logged in and available for the whole 900 s.
TEST(ReportsTest, OccupancyPerQueueApportionsEachAgentsTimeByHandleTime) {
  EventLog log;
  log.add(0, ev::QueueConfigured{std::make_shared<const QueueConfig>(queue(0, "A"))});
  log.add(0, ev::QueueConfigured{std::make_shared<const QueueConfig>(queue(1, "B"))});
  for (AgentId id : {0u, 1u}) {
    AgentConfig a;
    a.id = id;
    a.name = id == 0 ? "ada" : "bob";
    log.add(0, ev::AgentConfigured{std::make_shared<const AgentConfig>(a)});
    log.add(0, ev::AgentLoggedIn{id});
  }
  auto arrive = [&](Millis at, ContactId c, QueueId q, AgentId agent) {
    log.add(at, ev::ContactArrived{c, Channel::kVoice, q, 0, {}, 0});
    log.add(at, ev::ContactQueued{c, q});
    log.add(at, ev::ContactOffered{c, agent, q, kT0 + at + 30 * kS});
  };
  arrive(0, 1, 0, 0);
  arrive(0, 3, 0, 1);
  log.add(60 * kS, ev::ContactConnected{1, 0});
  log.add(120 * kS, ev::ContactConnected{3, 1});
  log.add(240 * kS, ev::ContactEnded{1, 0, EndedBy::kAgent});
  log.add(300 * kS, ev::WrapUpEnded{1, 0, 0});
  arrive(300 * kS, 2, 1, 0);
  log.add(360 * kS, ev::ContactConnected{2, 0});
  log.add(420 * kS, ev::ContactEnded{3, 1, EndedBy::kAgent});
  log.add(480 * kS, ev::WrapUpEnded{3, 1, 0});
  log.add(600 * kS, ev::ContactEnded{2, 0, EndedBy::kAgent});
  log.add(660 * kS, ev::WrapUpEnded{2, 0, 0});
  log.add(900 * kS, ev::AgentLoggedOut{0});
  log.add(900 * kS, ev::AgentLoggedOut{1});
  auto store = open_memory();
  ASSERT_TRUE(store->ingest(log.events()).ok());
  ReportRequest r = whole_day();
  r.group_by = {Dimension::kQueue};
  auto res = store->query(r);
  ASSERT_TRUE(res.ok()) << res.status().to_string();
  const Kpis* a = nullptr;
  const Kpis* b = nullptr;
  for (const auto& row : res->rows) {
    if (row.keys[0] == "A") a = &row.kpis;
    if (row.keys[0] == "B") b = &row.kpis;
  }
  ASSERT_TRUE(a && b);
  // Ada: occupied 240 + 300 = 540 s of 900 available; 4/9 of her time goes to A, 5/9 to B.
  // A: available 900 x 4/9 + Bob's 900 = 1300 s, occupied 540 x 4/9 + Bob's 360 = 600 s.
  EXPECT_NEAR(a->queue_available_s, 1300, 1e-9);
  EXPECT_NEAR(a->queue_occupied_s, 600, 1e-9);
  EXPECT_NEAR(a->queue_occupancy, 6.0 / 13, 1e-12);
  // B: available 900 x 5/9 = 500 s, occupied 540 x 5/9 = 300 s.
  EXPECT_NEAR(b->queue_available_s, 500, 1e-9);
  EXPECT_NEAR(b->queue_occupied_s, 300, 1e-9);
  EXPECT_NEAR(b->queue_occupancy, 0.6, 1e-12);
  // The total is every agent's time: (540 + 360) / 1800.
  EXPECT_NEAR(res->total.queue_occupancy, 0.5, 1e-12);
  EXPECT_NEAR(res->total.occupancy, 0.5, 1e-12);
  // A queue filter keeps that queue's share; an agent filter that agent's time.
  r.queues = {"B"};
  auto only_b = store->query(r);
  ASSERT_TRUE(only_b.ok());
  EXPECT_NEAR(only_b->total.queue_occupancy, 0.6, 1e-12);
  r.queues = {};
  r.agents = {"bob"};
  auto only_bob = store->query(r);
  ASSERT_TRUE(only_bob.ok());
  EXPECT_NEAR(only_bob->total.queue_available_s, 900, 1e-9);
  EXPECT_NEAR(only_bob->total.queue_occupancy, 360.0 / 900, 1e-12);
}

TEST(AttritionTest, SeparationsOverTheTimeWeightedAverageHeadcount) {
  const Millis d = kMillisPerDay;
  const Millis from = kT0, to = kT0 + 30 * d;  // a 30-day period
  std::vector<AgentLifecycle> agents = {
      {"ann", kT0 - 100 * d, {}},                       // there all along
      {"bob", kT0 - 100 * d, {{kT0 + 10 * d, false}}},  // leaves on day 10
      {"cat", kT0 + 20 * d, {}},                        // hired on day 20
      {"dan", kT0 - 50 * d, {{kT0 - 5 * d, false}}},    // left before the period
      {"eve", kT0 - 50 * d, {{kT0 + 5 * d, false}, {kT0 + 15 * d, true}}},  // away 10 days
      {"fay", kT0 + 40 * d, {}},                                   // hired after the period
      {"gus", kT0 - 9 * d, {{kT0 + 30 * d, false}}},               // leaves at `to`: not counted
      {"hal", kT0, {{kT0 + 6 * d, false}, {kT0 + 6 * d, false}}},  // hired at `from`, leaves once
  };
  auto f = compute_attrition(agents, from, to);
  ASSERT_TRUE(f.ok()) << f.status().to_string();
  // Just before `from`: ann, bob, eve, gus (hal is created at `from`).
  EXPECT_EQ(f->headcount_start, 4u);
  // Just before `to`: ann, cat, eve, gus.
  EXPECT_EQ(f->headcount_end, 4u);
  // Hires: cat, hal, eve's return. Separations: bob, eve, hal.
  EXPECT_EQ(f->hires, 3u);
  EXPECT_EQ(f->separations, 3u);
  // Active days in the period: ann 30 + bob 10 + cat 10 + eve 5 + 15 + gus 30 + hal 6 = 106.
  EXPECT_DOUBLE_EQ(f->average_headcount, 106.0 / 30);
  EXPECT_DOUBLE_EQ(f->attrition_rate, 3 / (106.0 / 30));
  EXPECT_DOUBLE_EQ(f->annualized_rate, 3 / (106.0 / 30) * 365 / 30);
  EXPECT_EQ(compute_attrition(agents, to, from).status().code(), StatusCode::kInvalidArgument);
  auto empty = compute_attrition({}, from, to);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->attrition_rate, 0.0);
}

// Edge cases of the definition (docs/metrics.md, "Agent attrition"): a rehire within the period,
// an agent hired and gone within it, changes in one millisecond, no headcount at all; and always
// headcount_end = headcount_start + hires − separations.
TEST(AttritionTest, EdgeCases) {
  const Millis d = kMillisPerDay;
  const Millis from = kT0, to = kT0 + 10 * d;
  std::vector<AgentLifecycle> agents = {
      // Leaves on day 2, rehired on day 4, leaves again on day 8: two separations, one hire.
      {"ivy", kT0 - 30 * d, {{kT0 + 2 * d, false}, {kT0 + 4 * d, true}, {kT0 + 8 * d, false}}},
      // Hired on day 1, gone on day 3: a hire and a separation, 2 active days.
      {"jon", kT0 + 1 * d, {{kT0 + 3 * d, false}}},
      // Disabled and re-enabled in the same millisecond (in that order): still active.
      {"kim", kT0 - 30 * d, {{kT0 + 5 * d, false}, {kT0 + 5 * d, true}}},
      // A disable recorded before the creation counts at the creation: never active.
      {"lou", kT0 + 6 * d, {{kT0 + 1 * d, false}}},
  };
  auto f = compute_attrition(agents, from, to);
  ASSERT_TRUE(f.ok()) << f.status().to_string();
  EXPECT_EQ(f->headcount_start, 2u);  // ivy, kim
  EXPECT_EQ(f->headcount_end, 1u);    // kim
  // Hires: ivy's return, jon, kim's re-enable, lou's creation. Separations: ivy twice, jon, kim,
  // lou (created and disabled at the same instant).
  EXPECT_EQ(f->hires, 4u);
  EXPECT_EQ(f->separations, 5u);
  EXPECT_EQ(f->headcount_end, f->headcount_start + f->hires - f->separations);
  // Active days: ivy 2 + 4, jon 2, kim 10, lou 0 = 18 over 10 days.
  EXPECT_DOUBLE_EQ(f->average_headcount, 1.8);
  EXPECT_DOUBLE_EQ(f->attrition_rate, 5 / 1.8);
  EXPECT_DOUBLE_EQ(f->annualized_rate, 5 / 1.8 * 36.5);

  // No headcount in the period: the rate is 0, not a division by zero, even with a separation
  // (an agent active for no time at all).
  auto none = compute_attrition({{"lou", kT0 + 6 * d, {{kT0 + 6 * d, false}}}}, from, to);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->average_headcount, 0.0);
  EXPECT_EQ(none->separations, 1u);
  EXPECT_EQ(none->attrition_rate, 0.0);
  EXPECT_EQ(none->annualized_rate, 0.0);
}

// The lifecycles come from the accounts in the order things happened: the audit log lists newest
// first, and a disable and re-enable within one millisecond must leave the agent active.
TEST(AttritionTest, LifecyclesFromTheAccountsAreInTheOrderThingsHappened) {
  ManualClock clock(kT0);
  accounts::AccountsOptions options;
  options.fast_hashing_for_tests = true;
  auto opened = accounts::Accounts::open(":memory:", clock, options);
  ASSERT_TRUE(opened.ok()) << opened.status().to_string();
  accounts::Accounts& accounts = **opened;
  accounts::NewUser n;
  n.username = "mia";
  n.password = "a-long-password";
  n.role = accounts::Role::kAgent;
  auto mia = accounts.create_user(n);
  n.username = "sam";
  n.role = accounts::Role::kSupervisor;
  ASSERT_TRUE(mia.ok() && accounts.create_user(n).ok());
  auto audit = [&](const std::string& action, const std::string& detail) {
    accounts::AuditEntry e;
    e.action = action;
    e.target = "user:" + std::to_string(mia->id);
    e.detail = detail;
    ASSERT_TRUE(accounts.audit(e).ok());
  };
  clock.advance(kMillisPerDay);
  accounts::UserPatch off;
  off.disabled = true;
  ASSERT_TRUE(accounts.update_user(mia->id, off).ok());
  audit("user.disable", "");
  accounts::UserPatch on;
  on.disabled = false;
  ASSERT_TRUE(accounts.update_user(mia->id, on).ok());
  audit("user.update", R"({"disabled":false})");      // the same millisecond
  audit("user.update", R"({"display_name":"Mia"})");  // not a lifecycle change

  auto lifecycles = agent_lifecycles(accounts);
  ASSERT_TRUE(lifecycles.ok()) << lifecycles.status().to_string();
  ASSERT_EQ(lifecycles->size(), 1u);  // sam is a supervisor
  const AgentLifecycle& a = lifecycles->front();
  EXPECT_EQ(a.user, "mia");
  EXPECT_EQ(a.created_at, kT0);
  ASSERT_EQ(a.changes.size(), 2u);
  EXPECT_FALSE(a.changes[0].active);
  EXPECT_TRUE(a.changes[1].active);
  auto f = compute_attrition(*lifecycles, kT0, kT0 + 2 * kMillisPerDay);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->headcount_end, 1u);
  EXPECT_EQ(f->separations, 1u);
  EXPECT_EQ(f->hires, 2u);  // the creation at `from` and the re-enable
  EXPECT_DOUBLE_EQ(f->average_headcount, 1.0);
}

TEST(HistogramSumTest, EqualsTheMergedHistogramsWhicheverWayItIsAdded) {
  Random rng(9);
  for (int blobs : {0, 1, 2, 5, 16, 17, 400}) {
    metrics::Histogram merged;
    HistogramSum sum, halves[2];
    std::vector<std::string> kept;
    for (int b = 0; b < blobs; ++b) {
      metrics::Histogram h;
      const int n = static_cast<int>(rng.below(40));
      for (int i = 0; i < n; ++i)
        h.add(static_cast<Millis>(rng.below(b % 3 == 0 ? 100'000'000 : 300'000)));
      std::string blob;
      h.encode(blob);
      merged.merge(h);
      ASSERT_TRUE(sum.add(blob).ok());
      ASSERT_TRUE(halves[b % 2].add(blob).ok());
      kept.push_back(blob);
    }
    ASSERT_TRUE(halves[0].add(halves[1]).ok());
    // A report's total adds its rows' resolved sums: the odd blobs' sum resolved, added to the
    // even blobs kept as blobs, plus an empty row's (nothing).
    HistogramSum from_resolved, odd;
    for (std::size_t b = 0; b < kept.size(); ++b)
      ASSERT_TRUE((b % 2 ? odd : from_resolved).add(kept[b]).ok());
    for (const HistogramSum& row : {odd, HistogramSum()}) {
      ResolvedHistogram resolved;
      ASSERT_TRUE(row.resolve(resolved).ok());
      ASSERT_TRUE(from_resolved.add(resolved).ok());
    }
    std::string expected;
    merged.encode(expected);
    for (const HistogramSum* s : {&sum, &halves[0], &from_resolved}) {
      auto h = s->histogram();
      ASSERT_TRUE(h.ok()) << h.status().to_string();
      std::string got;
      h->encode(got);
      EXPECT_EQ(got, expected) << blobs << " blobs";
      // resolve(): the same buckets, count, extremes and percentiles, without a Histogram.
      ResolvedHistogram resolved;
      resolved.buckets.emplace_back(1, 1);  // a previous row's: cleared
      ASSERT_TRUE(s->resolve(resolved).ok());
      std::vector<std::pair<int, std::uint64_t>> buckets;
      for (const auto& b : merged.buckets())
        buckets.emplace_back(metrics::Histogram::bucket_of(b.lower), b.count);
      EXPECT_EQ(resolved.buckets, buckets) << blobs << " blobs";
      EXPECT_EQ(resolved.count, merged.count());
      EXPECT_EQ(resolved.sum, merged.sum());
      EXPECT_EQ(resolved.min, merged.min());
      EXPECT_EQ(resolved.max, merged.max());
      for (double q : {0.0, 0.01, 0.5, 0.9, 0.95, 0.999, 1.0})
        EXPECT_EQ(resolved.percentile(q), merged.percentile(q)) << blobs << " blobs, q " << q;
    }
  }
  HistogramSum bad;
  EXPECT_EQ(bad.add(std::string("\x05\x02", 2)).code(), StatusCode::kOk);  // kept undecoded
  EXPECT_EQ(bad.histogram().status().code(), StatusCode::kCorruption);
  ResolvedHistogram resolved;
  EXPECT_EQ(bad.resolve(resolved).code(), StatusCode::kCorruption);
}

TEST(ReportsTest, ExportsCsvAndJson) {
  auto store = open_memory();
  ASSERT_TRUE(store->ingest(small_day()).ok());
  ReportRequest r = whole_day();
  r.group_by = {Dimension::kQueue};
  auto res = store->query(r);
  ASSERT_TRUE(res.ok());
  const std::string csv = to_csv(*res);
  EXPECT_EQ(csv.substr(0, 22), "queue,offered,handled,") << csv;
  EXPECT_NE(csv.find("\nsales,3,2,1,"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\ntotal,3,2,1,"), std::string::npos) << csv;
  const std::string json = to_json(*res);
  EXPECT_NE(json.find(R"("queue":"sales","kpis":{"offered":3,"handled":2)"), std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("wait_histogram":[{"lower_ms":5000,"upper_ms":5100,"count":1})"),
            std::string::npos);
}

// The text the exports printed numbers with before they were written without snprintf/strtod:
// the shortest "%.*g" (precision 6 to 17) that reads back to the same double.
std::string reference_csv_number(double x) {
  if (x == static_cast<double>(static_cast<std::int64_t>(x)) && x > -9e15 && x < 9e15)
    return std::to_string(static_cast<std::int64_t>(x));
  char buf[32];
  for (int precision = 6; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, x);
    if (std::strtod(buf, nullptr) == x) break;
  }
  return buf;
}

// Numbers of every magnitude and texts that need escaping: the CSV numbers are those of the
// reference above, and the JSON is exactly what nlohmann::ordered_json prints for itself
// (parsing it and dumping it again changes nothing), as it was when nlohmann built it.
TEST(ReportsTest, ExportsPrintNumbersAndTextsAsNlohmannAndPrintfDid) {
  Random rng(21);
  ReportResult res;
  res.request.from = kT0;
  res.request.to = kT0 + kMillisPerDay;
  res.request.include_histograms = true;
  res.columns = {"queue"};
  std::vector<double> values;
  for (int i = 0; i < 3000; ++i) {
    const double mantissa = static_cast<double>(rng.below(1'000'000'007)) / 1'000'000'007.0;
    const int exponent = static_cast<int>(rng.below(40)) - 20;
    double x = mantissa * std::pow(10.0, exponent);
    if (i % 7 == 0) x = -x;
    if (i % 11 == 0) x = static_cast<double>(rng.below(100000)) / 8;  // short binary fractions
    if (i % 13 == 0) x = static_cast<double>(rng.below(1000)) / 3;
    values.push_back(x);
  }
  values.insert(values.end(), {0.1 + 0.2, 1e-5, 123456.789, 1e15 + 0.5, 9.5e15, -9.5e15, 1e21,
                               5e-324, 0.0, -0.0, 2.0 / 3, 100.0});
  const std::vector<std::string> names = {
      "sales", "a,b", "say \"hi\"", "caf\xc3\xa9", "bad \xff utf8", "tab\there", "back\\slash", ""};
  for (std::size_t i = 0; i < values.size(); ++i) {
    ReportRow row;
    row.keys = {names[i % names.size()]};
    row.kpis.asa_s = values[i];
    row.kpis.nps = -values[i] / 3;
    row.kpis.offered = i;
    row.kpis.service_level_preset = names[(i + 1) % names.size()];
    row.kpis.definition_versions = {names[(i + 2) % names.size()] + ":1", "x:2"};
    row.kpis.wait_histogram = {{0, 100, i}, {600000, 613140, 2}};
    row.kpis.handle_histogram = {{1000, kNever, 1}};
    row.kpis.peak_hour_offered = i % 2;
    row.kpis.peak_hour_start = kT0 + static_cast<Millis>(i % 24) * kMillisPerHour;
    res.rows.push_back(row);
  }
  res.total.asa_s = 1.0 / 7;
  res.total.service_level_preset = "line\nbreak";  // last line: the rows' lines stay put

  const std::vector<std::string> lines = split(to_csv(res), '\n');
  const std::vector<std::string> header = split(lines[0], ',');
  const auto column = [&](const std::string& name) {
    return static_cast<std::size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  };
  const std::size_t asa = column("asa_s"), nps = column("nps");
  ASSERT_LT(nps, header.size());
  std::size_t checked = 0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    // Rows whose texts hold a comma or quote are quoted: check the plain ones.
    if (names[i % names.size()].find_first_of(",\"") != std::string::npos ||
        names[(i + 1) % names.size()].find_first_of(",\"") != std::string::npos)
      continue;
    const std::size_t line = i + 1;
    const std::vector<std::string> cells = split(lines[line], ',');
    ASSERT_LT(nps, cells.size()) << lines[line];
    EXPECT_EQ(cells[asa], reference_csv_number(values[i])) << values[i];
    EXPECT_EQ(cells[nps], reference_csv_number(-values[i] / 3)) << values[i];
    ++checked;
  }
  EXPECT_GT(checked, values.size() / 3);

  const std::string json = to_json(res);
  const auto parsed = nlohmann::ordered_json::parse(json);
  EXPECT_EQ(parsed.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace), json)
      << "not nlohmann's own text";
  ASSERT_EQ(parsed["rows"].size(), values.size());
  for (std::size_t i = 0; i < values.size(); ++i)
    EXPECT_EQ(parsed["rows"][i]["kpis"]["asa_s"].get<double>(), values[i] == 0 ? 0.0 : values[i]);
  EXPECT_EQ(parsed["rows"][3]["queue"], "caf\xc3\xa9");
  EXPECT_EQ(parsed["rows"][4]["queue"], "bad \xef\xbf\xbd utf8");  // replaced, as before
  EXPECT_EQ(parsed["rows"][1]["kpis"]["wait_histogram"][1]["upper_ms"], 613140);
  EXPECT_EQ(parsed["rows"][1]["kpis"]["handle_histogram"][0]["upper_ms"], -1);
}

TEST(AttritionTest, JsonAndCsvExportsCarryTheSameFigures) {
  AttritionFigures f;
  f.from = kT0;
  f.to = kT0 + 30 * kMillisPerDay;
  f.headcount_start = 4;
  f.headcount_end = 5;
  f.average_headcount = 106.0 / 30;
  f.hires = 3;
  f.separations = 2;
  f.attrition_rate = 2 / f.average_headcount;
  f.annualized_rate = f.attrition_rate * 365 / 30;
  const auto j = nlohmann::json::parse(attrition_to_json(f, "Europe/Paris", 9));
  EXPECT_EQ(j["from"], kT0);
  EXPECT_EQ(j["agents"], 9);
  EXPECT_EQ(j["time_zone"], "Europe/Paris");
  EXPECT_EQ(j["attrition_rate"].get<double>(), f.attrition_rate);
  const std::vector<std::string> lines = split(attrition_to_csv(f, "Europe/Paris", 9), '\n');
  ASSERT_EQ(lines.size(), 3u);  // header, values, and the empty text after the last newline
  const std::vector<std::string> header = split(lines[0], ','), values = split(lines[1], ',');
  ASSERT_EQ(header.size(), values.size());
  ASSERT_EQ(header.size(), j.size());
  for (std::size_t i = 0; i < header.size(); ++i) {
    ASSERT_TRUE(j.contains(header[i])) << header[i];
    if (j[header[i]].is_string()) {
      EXPECT_EQ(values[i], j[header[i]].get<std::string>());
    } else {
      EXPECT_EQ(std::strtod(values[i].c_str(), nullptr), j[header[i]].get<double>()) << header[i];
    }
  }
}

TEST(TimeZoneTest, FixedOffsetsAndIanaZones) {
  auto utc = TimeZone::parse("UTC");
  ASSERT_TRUE(utc.ok());
  EXPECT_TRUE(utc->is_utc());
  auto india = TimeZone::parse("+05:30");
  ASSERT_TRUE(india.ok());
  EXPECT_EQ(india->offset_at(0), 330 * kMillisPerMinute);
  EXPECT_FALSE(TimeZone::parse("+05:20").ok());
  EXPECT_FALSE(TimeZone::parse("../etc/passwd").ok());
  EXPECT_EQ(TimeZone::parse("Nowhere/City").status().code(), StatusCode::kNotFound);
  auto paris = TimeZone::parse("Europe/Paris");
  ASSERT_TRUE(paris.ok()) << paris.status().to_string();
  EXPECT_EQ(paris->offset_at(kT0), kMillisPerHour);                            // March 2: winter
  EXPECT_EQ(paris->offset_at(kT0 + 150 * kMillisPerDay), 2 * kMillisPerHour);  // July: summer
  EXPECT_EQ(paris->format(kT0), "2026-03-02T09:00:00+01:00");
  EXPECT_EQ(paris->format(kT0 + 150 * kMillisPerDay + 59 * kMillisPerSecond),
            "2026-07-30T10:00:59+02:00");
  auto west = TimeZone::parse("-09:30");
  ASSERT_TRUE(west.ok());
  EXPECT_EQ(west->format(0), "1969-12-31T14:30:00-09:30");
  EXPECT_EQ(utc->format(-62167219200000), "0000-01-01T00:00:00+00:00");
  EXPECT_EQ(utc->format(253402300800000), "10000-01-01T00:00:00+00:00");
  EXPECT_EQ(paris->day_start(kT0), kT0 - 9 * kMillisPerHour);
  EXPECT_EQ(weekday_of_days(days_from_civil(2026, 3, 2)), 0);  // a Monday
  int y, m, d;
  civil_from_days(days_from_civil(2024, 2, 29), y, m, d);
  EXPECT_EQ(y * 10000 + m * 100 + d, 20240229);
}

TEST(TimeZoneTest, ReportInstantsOfTheApiAndTheCommandLine) {
  const TimeZone utc = TimeZone::utc();
  auto paris = TimeZone::parse("Europe/Paris");
  ASSERT_TRUE(paris.ok());
  auto at = [](std::string_view text, const TimeZone& tz, bool end = false) {
    auto t = parse_report_instant(text, tz, end);
    EXPECT_TRUE(t.ok()) << text << ": " << t.status().to_string();
    return t.ok() ? *t : Millis{-1};
  };
  // kT0 is 2026-03-02T08:00Z, 09:00 in Paris (winter).
  EXPECT_EQ(at("2026-03-02", utc), kT0 - 8 * kMillisPerHour);
  EXPECT_EQ(at("2026-03-02", utc, true), kT0 + 16 * kMillisPerHour);  // the day is included
  EXPECT_EQ(at("2026-03-02", *paris), kT0 - 9 * kMillisPerHour);
  EXPECT_EQ(at("2026-03-02T09:00", *paris), kT0);
  EXPECT_EQ(at("2026-03-02 09:00:00", *paris), kT0);  // the command line's form
  EXPECT_EQ(at("2026-03-02T08:00Z", *paris), kT0);
  EXPECT_EQ(at("2026-03-02T10:30+02:30", utc), kT0);
  EXPECT_EQ(at("2026-03-02T08:00:07", utc), kT0 + 7 * kS);
  EXPECT_EQ(at(std::to_string(kT0), *paris), kT0);  // epoch milliseconds
  // Summer time: 2026-07-01 12:00 in Paris is 10:00 UTC.
  EXPECT_EQ(at("2026-07-01T12:00", *paris), at("2026-07-01T10:00Z", utc));
  for (const char* bad : {"", "2026", "2026-3-02", "2026-02-30", "2026-03-02T25:00",
                          "2026-03-02T08", "2026-03-02T08:00:61", "2026-03-02T08:00+05:20",
                          "2026-03-02X08:00", "2026-03-02T08:00Zulu", "1234567890123456"}) {
    auto t = parse_report_instant(bad, utc, false);
    EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace sb::reports
