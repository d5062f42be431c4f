// AlertMonitor with scripted figures and a manual clock: interval rules are evaluated once per
// closed interval (also across a reopen), this week's interval figures become next week's
// baseline, and alerts active at a restart stay active without firing twice.

#include "api/alert_monitor.h"

#include <gtest/gtest.h>

#include <map>

#include "../../tests/store/temp_dir.h"

namespace sb::api {
namespace {

constexpr Millis kInterval = 15 * kMillisPerMinute;

struct Script {
  // Interval figures by interval start; live waiting count.
  std::map<Millis, double> abandon_rate;
  double waiting = 0;
  int interval_calls = 0;

  AlertSources sources() {
    AlertSources s;
    s.interval_length = [] { return kInterval; };
    s.live = [this](Millis now) {
      alerts::Sample x;
      x.source = alerts::Source::kLive;
      x.at = now;
      x.center["waiting"] = waiting;
      return x;
    };
    s.closed_intervals = [this](Millis after_end, Millis now) {
      ++interval_calls;
      std::vector<alerts::Sample> out;
      for (Millis start = after_end - after_end % kInterval; start + kInterval <= now;
           start += kInterval) {
        if (start + kInterval <= after_end) continue;
        alerts::Sample x;
        x.source = alerts::Source::kInterval;
        x.interval_start = start;
        x.interval_length = kInterval;
        x.at = start + kInterval;
        x.center["offered"] = 100;
        if (auto it = abandon_rate.find(start); it != abandon_rate.end())
          x.center["abandon_rate"] = it->second;
        out.push_back(x);
      }
      return out;
    };
    return s;
  }
};

alerts::Rule rule(const alerts::json& j) {
  auto r = alerts::rule_from_json(j);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return *r;
}

TEST(AlertMonitor, IntervalRulesUseLastWeeksFiguresAndSurviveARestart) {
  store_testing::TempDir dir;
  AlertMonitorOptions options;
  options.db_path = dir.file("alerts.db");
  options.period = 0;                      // ticks by hand
  const Millis day0 = 20 * kMillisPerDay;  // some Monday-ish day, aligned to intervals
  ManualClock clock(day0 + 10 * kInterval + 1000);
  Script script;
  std::vector<std::string> published;
  auto publish = [&](const std::string& m) { published.push_back(m); };

  // Week 1: intervals 10..13 at 10 % abandons, recorded as figures.
  for (int i = 10; i < 14; ++i) script.abandon_rate[day0 + i * kInterval] = 0.10;
  {
    auto m = AlertMonitor::open(options, script.sources(), clock, publish);
    ASSERT_TRUE(m.ok()) << m.status().message();
    ASSERT_TRUE((*m)->create_rule(rule({{"name", "Abandons up"},
                                        {"metric", "abandon_rate"},
                                        {"kind", "baseline_change"},
                                        {"comparison", "above"},
                                        {"threshold", 0.5}}))
                    .ok());
    clock.set(day0 + 14 * kInterval + 500);
    ASSERT_TRUE((*m)->tick().ok());
    EXPECT_EQ((*m)->stats().fired, 0u);  // no baseline yet
    auto figure =
        (*m)->store().interval_figure("abandon_rate", alerts::Subject{}, day0 + 12 * kInterval);
    ASSERT_TRUE(figure.ok());
    EXPECT_EQ(*figure, std::optional<double>(0.10));
  }

  // A week later: interval 10 at 20 % (+100 %) fires; a restart in between does not evaluate
  // an interval twice, and the active alert clears (not fires again) when abandons recover.
  const Millis week = 7 * kMillisPerDay;
  script.abandon_rate[week + day0 + 10 * kInterval] = 0.20;
  script.abandon_rate[week + day0 + 11 * kInterval] = 0.20;
  script.abandon_rate[week + day0 + 12 * kInterval] = 0.11;
  clock.set(week + day0 + 10 * kInterval + 100);
  {
    auto m = AlertMonitor::open(options, script.sources(), clock, publish);
    ASSERT_TRUE(m.ok());
    clock.set(week + day0 + 11 * kInterval + 100);
    ASSERT_TRUE((*m)->tick().ok());
    EXPECT_EQ((*m)->stats().fired, 1u);
    ASSERT_TRUE((*m)->tick().ok());  // the same interval again: nothing new
    EXPECT_EQ((*m)->stats().fired, 1u);
    auto active = (*m)->store().active_alerts();
    ASSERT_TRUE(active.ok());
    ASSERT_EQ(active->size(), 1u);
    EXPECT_NEAR(*(*active)[0].change, 1.0, 1e-9);
    EXPECT_DOUBLE_EQ(*(*active)[0].baseline, 0.10);
  }
  {
    auto m = AlertMonitor::open(options, script.sources(), clock, publish);
    ASSERT_TRUE(m.ok());
    clock.set(week + day0 + 12 * kInterval + 100);
    ASSERT_TRUE((*m)->tick().ok());  // interval 11: still +100 %, already active
    EXPECT_EQ((*m)->stats().fired, 0u);
    clock.set(week + day0 + 13 * kInterval + 100);
    ASSERT_TRUE((*m)->tick().ok());  // interval 12: +10 %, clears
    EXPECT_EQ((*m)->stats().cleared, 1u);
    EXPECT_TRUE((*m)->store().active_alerts()->empty());
  }
  ASSERT_EQ(published.size(), 2u);
  EXPECT_NE(published[0].find("\"event\":\"fired\""), std::string::npos) << published[0];
  EXPECT_NE(published[1].find("\"event\":\"cleared\""), std::string::npos) << published[1];
}

// A baseline the monitor never recorded (it was not running last week, or the history was
// imported) comes from the reports read model.
TEST(AlertMonitor, BaselinesComeFromTheReportsReadModelWhenNotRecorded) {
  AlertMonitorOptions options;
  options.period = 0;
  const Millis day0 = 20 * kMillisPerDay;
  const Millis week = 7 * kMillisPerDay;
  auto reports = reports::ReportStore::open(":memory:");
  ASSERT_TRUE(reports.ok());
  // Last week's interval 10: 20 imported contacts, 2 abandoned (10 %); interval 11: none.
  std::vector<Event> events;
  for (int i = 0; i < 20; ++i) {
    ImportedContact c;
    c.source = "test";
    c.queue = "billing";
    c.arrived_at = day0 + 10 * kInterval + i * 30 * kMillisPerSecond;
    c.outcome = i < 2 ? ImportOutcome::kAbandoned : ImportOutcome::kAnswered;
    c.wait = 5000;
    c.talk = c.outcome == ImportOutcome::kAnswered ? 60'000 : 0;
    events.push_back(Event{static_cast<std::uint64_t>(i + 1), c.arrived_at,
                           ev::ContactImported{std::make_shared<const ImportedContact>(c)}});
  }
  ASSERT_TRUE((*reports)->ingest(events).ok());
  auto figure = report_interval_figure(**reports, "abandon_rate", alerts::Subject{},
                                       day0 + 10 * kInterval, kInterval);
  ASSERT_TRUE(figure.ok());
  EXPECT_EQ(*figure, std::optional<double>(0.10));
  EXPECT_EQ(*report_interval_figure(**reports, "abandon_rate", alerts::Subject{},
                                    day0 + 11 * kInterval, kInterval),
            std::nullopt);
  EXPECT_EQ(*report_interval_figure(**reports, "offered", alerts::Subject{42},
                                    day0 + 10 * kInterval, kInterval),
            std::nullopt);  // a queue the read model has no data of

  Script script;
  script.abandon_rate[week + day0 + 10 * kInterval] = 0.25;  // +150 %
  script.abandon_rate[week + day0 + 11 * kInterval] = 0.25;  // no baseline: no evaluation
  AlertSources sources = script.sources();
  int history_calls = 0;
  sources.history = [&](std::string_view metric, alerts::Subject subject, Millis start,
                        Millis length) {
    ++history_calls;
    return report_interval_figure(**reports, metric, subject, start, length);
  };
  ManualClock clock(week + day0 + 10 * kInterval + 100);
  auto m = AlertMonitor::open(options, sources, clock, nullptr);
  ASSERT_TRUE(m.ok()) << m.status().message();
  ASSERT_TRUE((*m)->create_rule(rule({{"name", "Abandons up"},
                                      {"metric", "abandon_rate"},
                                      {"kind", "baseline_change"},
                                      {"comparison", "above"},
                                      {"threshold", 0.5}}))
                  .ok());
  clock.set(week + day0 + 12 * kInterval + 100);
  ASSERT_TRUE((*m)->tick().ok());
  EXPECT_EQ((*m)->stats().fired, 1u);
  EXPECT_EQ(history_calls, 2);
  auto active = (*m)->store().active_alerts();
  ASSERT_TRUE(active.ok());
  ASSERT_EQ(active->size(), 1u);
  EXPECT_DOUBLE_EQ(*(*active)[0].baseline, 0.10);
  EXPECT_NEAR(*(*active)[0].change, 1.5, 1e-9);
}

TEST(AlertMonitor, LiveRulesFireAndDeletingTheRuleClosesTheAlert) {
  AlertMonitorOptions options;
  options.period = 0;
  ManualClock clock(1'000'000);
  Script script;
  std::vector<std::string> published;
  auto m = AlertMonitor::open(options, script.sources(), clock,
                              [&](const std::string& s) { published.push_back(s); });
  ASSERT_TRUE(m.ok());
  auto created = (*m)->create_rule(rule({{"name", "Backlog"},
                                         {"metric", "waiting"},
                                         {"comparison", "above"},
                                         {"threshold", 20},
                                         {"fire_for_s", 10}}));
  ASSERT_TRUE(created.ok());
  script.waiting = 25;
  ASSERT_TRUE((*m)->tick().ok());
  clock.advance(5000);
  ASSERT_TRUE((*m)->tick().ok());
  EXPECT_EQ((*m)->stats().fired, 0u);  // breaching for 5 s only
  clock.advance(5000);
  ASSERT_TRUE((*m)->tick().ok());
  EXPECT_EQ((*m)->stats().fired, 1u);
  ASSERT_TRUE((*m)->delete_rule(created->id).ok());
  auto history = (*m)->store().history(0, 10, false, std::nullopt);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->items.size(), 1u);
  EXPECT_EQ(history->items[0].cleared_reason, "rule_deleted");
  EXPECT_EQ(published.size(), 2u);
}

}  // namespace
}  // namespace sb::api
