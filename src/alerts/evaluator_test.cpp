#include "alerts/evaluator.h"

#include <gtest/gtest.h>

#include <map>

namespace sb::alerts {
namespace {

constexpr Millis kInterval = 15 * kMillisPerMinute;

Rule rule_from(const json& j, std::int64_t id) {
  auto r = rule_from_json(j);
  EXPECT_TRUE(r.ok()) << r.status().message();
  r->id = id;
  return *r;
}

Sample interval_sample(int index, Figures center, std::map<QueueId, Figures> queues = {}) {
  Sample s;
  s.source = Source::kInterval;
  s.interval_start = index * kInterval;
  s.interval_length = kInterval;
  s.at = s.interval_start + kInterval;
  s.center = std::move(center);
  s.queues = std::move(queues);
  return s;
}

Sample live_sample(Millis at, Figures center) {
  Sample s;
  s.source = Source::kLive;
  s.at = at;
  s.center = std::move(center);
  return s;
}

class MapBaselines : public BaselineSource {
 public:
  Result<std::optional<double>> interval_figure(std::string_view metric, Subject subject,
                                                Millis start) const override {
    if (fail) return Status::io_error("disk on fire");
    auto it = values.find({std::string(metric), subject.queue, start});
    if (it == values.end()) return std::optional<double>();
    return std::optional<double>(it->second);
  }
  std::map<std::tuple<std::string, QueueId, Millis>, double> values;
  bool fail = false;
};

TEST(Evaluator, ServiceLevelBelowForTwoIntervalsFiresThenClears) {
  Evaluator e;
  e.set_rules({rule_from({{"name", "SL"},
                          {"metric", "service_level"},
                          {"comparison", "below"},
                          {"threshold", 0.7},
                          {"fire_after", 2}},
                         1)},
              0);
  // One bad interval is not enough; a good one breaks the run.
  EXPECT_TRUE(e.evaluate(interval_sample(0, {{"service_level", 0.6}}), nullptr).empty());
  EXPECT_TRUE(e.evaluate(interval_sample(1, {{"service_level", 0.9}}), nullptr).empty());
  EXPECT_TRUE(e.evaluate(interval_sample(2, {{"service_level", 0.5}}), nullptr).empty());
  auto fired = e.evaluate(interval_sample(3, {{"service_level", 0.65}}), nullptr);
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired[0].type, TransitionType::kFired);
  EXPECT_EQ(fired[0].rule_id, 1);
  EXPECT_EQ(fired[0].subject, Subject{});
  EXPECT_EQ(fired[0].at, 4 * kInterval);
  EXPECT_DOUBLE_EQ(fired[0].value, 0.65);
  EXPECT_NE(fired[0].message.find("below 0.7"), std::string::npos) << fired[0].message;
  EXPECT_TRUE(e.active(1, Subject{}));
  // Still bad: no second alert.
  EXPECT_TRUE(e.evaluate(interval_sample(4, {{"service_level", 0.4}}), nullptr).empty());
  auto cleared = e.evaluate(interval_sample(5, {{"service_level", 0.8}}), nullptr);
  ASSERT_EQ(cleared.size(), 1u);
  EXPECT_EQ(cleared[0].type, TransitionType::kCleared);
  EXPECT_EQ(cleared[0].reason, "recovered");
  EXPECT_FALSE(e.active(1, Subject{}));
}

// A figure oscillating around the threshold: without hysteresis every crossing is a transition;
// with a clear threshold and clear_after it fires once and stays up.
TEST(Evaluator, HysteresisSuppressesFlapping) {
  const std::vector<double> waiting = {21, 19, 22, 18, 23, 19, 21, 20, 24, 19, 22, 18};
  auto transitions = [&](const json& extra) {
    json j = {
        {"name", "Waiting"}, {"metric", "waiting"}, {"comparison", "above"}, {"threshold", 20}};
    for (auto& [k, v] : extra.items()) j[k] = v;
    Evaluator e;
    e.set_rules({rule_from(j, 7)}, 0);
    int n = 0;
    for (std::size_t i = 0; i < waiting.size(); ++i)
      n += static_cast<int>(
          e.evaluate(live_sample(static_cast<Millis>(i) * 5000, {{"waiting", waiting[i]}}), nullptr)
              .size());
    return n;
  };
  EXPECT_EQ(transitions(json::object()), 12);  // flaps: fired or cleared at every sample
  EXPECT_EQ(transitions({{"clear_threshold", 15}}), 1);
  EXPECT_EQ(transitions({{"clear_after", 3}}), 1);
}

TEST(Evaluator, MinimumDurationForLiveFigures) {
  Evaluator e;
  e.set_rules({rule_from({{"name", "Longest wait"},
                          {"metric", "longest_wait_s"},
                          {"comparison", "above"},
                          {"threshold", 180},
                          {"clear_threshold", 120},
                          {"fire_for_s", 30},
                          {"clear_for_s", 20}},
                         2)},
              0);
  EXPECT_TRUE(e.evaluate(live_sample(0, {{"longest_wait_s", 190}}), nullptr).empty());
  EXPECT_TRUE(e.evaluate(live_sample(25'000, {{"longest_wait_s", 200}}), nullptr).empty());
  auto fired = e.evaluate(live_sample(30'000, {{"longest_wait_s", 210}}), nullptr);
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired[0].at, 30'000);
  // In the band (150 is neither above 180 nor below 120): stays active.
  EXPECT_TRUE(e.evaluate(live_sample(40'000, {{"longest_wait_s", 150}}), nullptr).empty());
  EXPECT_TRUE(e.evaluate(live_sample(45'000, {{"longest_wait_s", 100}}), nullptr).empty());
  EXPECT_TRUE(e.evaluate(live_sample(60'000, {{"longest_wait_s", 90}}), nullptr).empty());
  auto cleared = e.evaluate(live_sample(65'000, {{"longest_wait_s", 80}}), nullptr);
  ASSERT_EQ(cleared.size(), 1u);
  EXPECT_EQ(cleared[0].type, TransitionType::kCleared);
  EXPECT_DOUBLE_EQ(cleared[0].threshold, 120);
}

TEST(Evaluator, BaselineChangeAgainstTheSameIntervalLastWeek) {
  Evaluator e;
  e.set_rules({rule_from({{"name", "Abandons up"},
                          {"metric", "abandon_rate"},
                          {"kind", "baseline_change"},
                          {"comparison", "above"},
                          {"threshold", 0.5},
                          {"clear_threshold", 0.2},
                          {"scope", "each_queue"},
                          {"min_offered", 10},
                          {"min_baseline", 0.01}},
                         3)},
              0);
  MapBaselines last_week;
  const int now_index = 7 * 96 + 40;  // a week and 40 intervals after the epoch
  last_week.values[{"abandon_rate", 4, 40 * kInterval}] = 0.10;
  last_week.values[{"abandon_rate", 5, 40 * kInterval}] = 0.005;  // under min_baseline
  auto fired = e.evaluate(interval_sample(now_index, {},
                                          {{4, {{"abandon_rate", 0.16}, {"offered", 50}}},
                                           {5, {{"abandon_rate", 0.30}, {"offered", 50}}},
                                           {6, {{"abandon_rate", 0.90}, {"offered", 50}}}}),
                          &last_week);
  ASSERT_EQ(fired.size(), 1u);  // queue 5: baseline too small; queue 6: no baseline
  EXPECT_EQ(fired[0].subject.queue, 4u);
  ASSERT_TRUE(fired[0].baseline && fired[0].change);
  EXPECT_DOUBLE_EQ(*fired[0].baseline, 0.10);
  EXPECT_NEAR(*fired[0].change, 0.6, 1e-9);
  EXPECT_NE(fired[0].message.find("+60 %"), std::string::npos) << fired[0].message;

  // Too few offered: skipped, neither clears nor breaks anything.
  last_week.values[{"abandon_rate", 4, 41 * kInterval}] = 0.10;
  EXPECT_TRUE(
      e.evaluate(interval_sample(now_index + 1, {}, {{4, {{"abandon_rate", 0.0}, {"offered", 3}}}}),
                 &last_week)
          .empty());
  EXPECT_TRUE(e.active(3, Subject{4}));
  // +30 %: inside the band, stays active; +10 %: clears.
  last_week.values[{"abandon_rate", 4, 42 * kInterval}] = 0.10;
  last_week.values[{"abandon_rate", 4, 43 * kInterval}] = 0.10;
  EXPECT_TRUE(e.evaluate(interval_sample(now_index + 2, {},
                                         {{4, {{"abandon_rate", 0.13}, {"offered", 40}}}}),
                         &last_week)
                  .empty());
  auto cleared = e.evaluate(
      interval_sample(now_index + 3, {}, {{4, {{"abandon_rate", 0.11}, {"offered", 40}}}}),
      &last_week);
  ASSERT_EQ(cleared.size(), 1u);
  EXPECT_EQ(cleared[0].type, TransitionType::kCleared);

  // A baseline that cannot be read skips the evaluation and reports the error.
  last_week.fail = true;
  std::vector<Status> errors;
  EXPECT_TRUE(e.evaluate(interval_sample(now_index + 4, {},
                                         {{4, {{"abandon_rate", 0.9}, {"offered", 40}}}}),
                         &last_week, &errors)
                  .empty());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].code(), StatusCode::kIoError);
}

TEST(Evaluator, RuleSourcesAndScopesAreKeptApart) {
  Evaluator e;
  e.set_rules({rule_from({{"name", "Q2 waiting"},
                          {"metric", "waiting"},
                          {"comparison", "above"},
                          {"threshold", 5},
                          {"scope", "queue"},
                          {"queue", 2}},
                         1),
               rule_from({{"name", "SL"},
                          {"metric", "service_level"},
                          {"comparison", "below"},
                          {"threshold", 0.8}},
                         2)},
              0);
  Sample live = live_sample(1000, {{"waiting", 100}, {"service_level", 0.1}});
  live.queues[1] = {{"waiting", 50}};
  live.queues[2] = {{"waiting", 6}};
  auto t = e.evaluate(live, nullptr);
  ASSERT_EQ(t.size(), 1u);  // the interval rule ignores live samples; only queue 2 is watched
  EXPECT_EQ(t[0].subject.queue, 2u);
  EXPECT_EQ(e.active_count(), 1u);
}

TEST(Evaluator, ChangingOrDeletingARuleClosesItsAlerts) {
  json j = {{"name", "Waiting"},
            {"metric", "waiting"},
            {"comparison", "above"},
            {"threshold", 5},
            {"scope", "each_queue"}};
  Evaluator e;
  e.set_rules({rule_from(j, 1)}, 0);
  Sample live = live_sample(1000, {});
  live.queues[1] = {{"waiting", 9}};
  live.queues[2] = {{"waiting", 9}};
  ASSERT_EQ(e.evaluate(live, nullptr).size(), 2u);
  // The same rule again: nothing happens.
  EXPECT_TRUE(e.set_rules({rule_from(j, 1)}, 2000).empty());
  j["threshold"] = 8;
  auto changed = e.set_rules({rule_from(j, 1)}, 3000);
  ASSERT_EQ(changed.size(), 2u);
  EXPECT_EQ(changed[0].reason, "rule_changed");
  EXPECT_EQ(changed[0].at, 3000);
  EXPECT_EQ(e.active_count(), 0u);
  ASSERT_EQ(e.evaluate(live, nullptr).size(), 2u);  // 9 > 8: fires again under the new rule
  auto deleted = e.set_rules({}, 4000);
  ASSERT_EQ(deleted.size(), 2u);
  EXPECT_EQ(deleted[1].reason, "rule_deleted");
}

TEST(Evaluator, RestoredAlertsClearWithoutFiringAgain) {
  Evaluator e;
  e.set_rules(
      {rule_from(
          {{"name", "Waiting"}, {"metric", "waiting"}, {"comparison", "above"}, {"threshold", 5}},
          1)},
      0);
  e.restore_active(1, Subject{}, 500);
  EXPECT_TRUE(e.evaluate(live_sample(1000, {{"waiting", 9}}), nullptr).empty());
  auto t = e.evaluate(live_sample(2000, {{"waiting", 1}}), nullptr);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].type, TransitionType::kCleared);
}

TEST(RetryBackoff, DoublesUpToTheCap) {
  EXPECT_EQ(retry_backoff(1, 100, 1000), 0);
  EXPECT_EQ(retry_backoff(2, 100, 1000), 100);
  EXPECT_EQ(retry_backoff(3, 100, 1000), 200);
  EXPECT_EQ(retry_backoff(5, 100, 1000), 800);
  EXPECT_EQ(retry_backoff(6, 100, 1000), 1000);
  EXPECT_EQ(retry_backoff(60, 100, 1000), 1000);
}

}  // namespace
}  // namespace sb::alerts
