#include "alerts/alert_store.h"

#include <gtest/gtest.h>

#include "tests/store/temp_dir.h"

namespace sb::alerts {
namespace {

using store_testing::TempDir;

Rule waiting_rule() {
  auto r = rule_from_json({{"name", "Waiting"},
                           {"metric", "waiting"},
                           {"comparison", "above"},
                           {"threshold", 20},
                           {"scope", "each_queue"}});
  EXPECT_TRUE(r.ok());
  return *r;
}

Transition fired(std::int64_t rule, QueueId q, Millis at) {
  Transition t;
  t.type = TransitionType::kFired;
  t.rule_id = rule;
  t.rule_name = "Waiting";
  t.metric = "waiting";
  t.subject.queue = q;
  t.at = at;
  t.value = 25;
  t.threshold = 20;
  t.message = "too many waiting";
  return t;
}

TEST(AlertStore, RulesSurviveReopening) {
  TempDir dir;
  std::int64_t id = 0;
  {
    auto store = AlertStore::open(dir.file("alerts.db"));
    ASSERT_TRUE(store.ok()) << store.status().message();
    auto r = (*store)->create_rule(waiting_rule());
    ASSERT_TRUE(r.ok());
    id = r->id;
    EXPECT_GT(id, 0);
    Rule changed = *r;
    changed.threshold = 30;
    ASSERT_TRUE((*store)->update_rule(changed).ok());
    Rule missing = changed;
    missing.id = 999;
    EXPECT_EQ((*store)->update_rule(missing).code(), StatusCode::kNotFound);
  }
  auto store = AlertStore::open(dir.file("alerts.db"));
  ASSERT_TRUE(store.ok());
  auto r = (*store)->rule(id);
  ASSERT_TRUE(r.ok());
  EXPECT_DOUBLE_EQ(r->threshold, 30);
  EXPECT_EQ(r->scope, Scope::kEachQueue);
  ASSERT_TRUE((*store)->delete_rule(id).ok());
  EXPECT_EQ((*store)->delete_rule(id).code(), StatusCode::kNotFound);
  EXPECT_TRUE((*store)->rules()->empty());
}

TEST(AlertStore, HistoryRecordsFiredAndClearedAndPages) {
  auto store = AlertStore::open(":memory:");
  ASSERT_TRUE(store.ok());
  AlertStore& s = **store;
  for (QueueId q = 0; q < 5; ++q) ASSERT_TRUE(s.record(fired(1, q, 1000 + q)).ok());
  // One active alert per rule and subject.
  EXPECT_EQ(s.record(fired(1, 2, 2000)).status().code(), StatusCode::kAlreadyExists);
  Transition clear = fired(1, 2, 3000);
  clear.type = TransitionType::kCleared;
  clear.value = 3;
  clear.reason = "recovered";
  auto cleared = s.record(clear);
  ASSERT_TRUE(cleared.ok()) << cleared.status().message();
  EXPECT_EQ(cleared->cleared_at, 3000);
  EXPECT_EQ(cleared->cleared_value, 3);
  EXPECT_EQ(cleared->fired_at, 1002);
  EXPECT_EQ(s.record(clear).status().code(), StatusCode::kNotFound);  // nothing active any more
  auto again = s.record(fired(1, 2, 4000));
  ASSERT_TRUE(again.ok());

  EXPECT_EQ(s.active_alerts()->size(), 5u);
  auto page1 = s.history(0, 4, false, std::nullopt);
  ASSERT_TRUE(page1.ok());
  ASSERT_EQ(page1->items.size(), 4u);
  EXPECT_EQ(page1->items[0].id, again->id);  // newest first
  ASSERT_TRUE(page1->next_cursor.has_value());
  auto page2 = s.history(*page1->next_cursor, 4, false, std::nullopt);
  ASSERT_TRUE(page2.ok());
  EXPECT_EQ(page2->items.size(), 2u);
  EXPECT_FALSE(page2->next_cursor.has_value());
  EXPECT_EQ(s.history(0, 10, false, 2)->items.size(), 0u);

  json j = alert_to_json(*cleared);
  EXPECT_EQ(j["state"], "cleared");
  EXPECT_EQ(j["queue"], 2);
  EXPECT_EQ(j["cleared_reason"], "recovered");
}

TEST(AlertStore, IntervalFiguresServeAsBaselines) {
  auto store = AlertStore::open(":memory:");
  ASSERT_TRUE(store.ok());
  Sample s;
  s.source = Source::kInterval;
  s.interval_start = 10 * kMillisPerDay;
  s.interval_length = 15 * kMillisPerMinute;
  s.center = {{"offered", 40}, {"abandon_rate", 0.1}};
  s.queues[3] = {{"offered", 10}, {"abandon_rate", 0.2}};
  ASSERT_TRUE((*store)->record_interval(s).ok());
  auto v = (*store)->interval_figure("abandon_rate", Subject{3}, s.interval_start);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, std::optional<double>(0.2));
  EXPECT_EQ(*(*store)->interval_figure("abandon_rate", Subject{}, s.interval_start),
            std::optional<double>(0.1));
  EXPECT_FALSE(
      (*store)->interval_figure("abandon_rate", Subject{4}, s.interval_start)->has_value());
  // 40 days later the old figures are pruned.
  Sample later = s;
  later.interval_start += 40 * kMillisPerDay;
  ASSERT_TRUE((*store)->record_interval(later).ok());
  EXPECT_FALSE(
      (*store)->interval_figure("abandon_rate", Subject{3}, s.interval_start)->has_value());

  EXPECT_EQ(*(*store)->last_interval_end(), 0);
  ASSERT_TRUE((*store)->set_last_interval_end(12345).ok());
  EXPECT_EQ(*(*store)->last_interval_end(), 12345);
}

TEST(AlertStore, OpeningANonDatabaseFails) {
  TempDir dir;
  {
    std::FILE* f = std::fopen(dir.file("alerts.db").c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("this is not a database, just some text that is long enough to check", f);
    std::fclose(f);
  }
  auto store = AlertStore::open(dir.file("alerts.db"));
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find("alerts.db"), std::string::npos);
}

}  // namespace
}  // namespace sb::alerts
