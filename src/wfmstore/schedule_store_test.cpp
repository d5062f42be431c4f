#include "wfmstore/schedule_store.h"

#include <gtest/gtest.h>

#include "../../tests/store/temp_dir.h"

namespace sb::wfmstore {
namespace {

constexpr Millis kMin = kMillisPerMinute;
constexpr Millis kDay0 = 1764547200000;  // 2025-12-01T00:00Z, a Monday

Activity act(const std::string& agent, ActivityKind k, int from_min, int to_min,
             std::string label = "") {
  return Activity{.id = 0,
                  .schedule_id = 0,
                  .agent = agent,
                  .kind = k,
                  .start = kDay0 + from_min * kMin,
                  .end = kDay0 + to_min * kMin,
                  .label = std::move(label)};
}

// One day, 30-minute intervals, 2 agents needed 09:00-12:00.
Schedule day_schedule() {
  Schedule s;
  s.header.name = "week 49";
  s.header.team = "blue";
  s.header.queues = {"sales"};
  s.header.start = kDay0;
  s.header.interval_minutes = 30;
  s.header.required.assign(48, 0.0);
  for (int i = 18; i < 24; ++i) s.header.required[static_cast<std::size_t>(i)] = 2;
  s.agents = {"ann", "bob", "cid"};
  s.activities = {act("ann", ActivityKind::kWork, 9 * 60, 10 * 60 + 30, "full"),
                  act("ann", ActivityKind::kBreak, 10 * 60 + 30, 10 * 60 + 45, "break"),
                  act("ann", ActivityKind::kWork, 10 * 60 + 45, 12 * 60, "full"),
                  act("bob", ActivityKind::kWork, 9 * 60, 12 * 60, "full")};
  return s;
}

void expect_near(const std::vector<double>& a, const std::vector<double>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-9) << "interval " << i;
}

// Coverage counted here independently: agents working at the middle of each minute.
std::vector<double> coverage_by_minutes(const Schedule& s) {
  std::vector<double> out(s.header.required.size(), 0.0);
  for (const Activity& a : s.activities) {
    if (a.kind != ActivityKind::kWork) continue;
    for (Millis t = a.start; t < a.end; t += kMin) {
      const auto i = static_cast<std::size_t>((t - s.header.start) / (30 * kMin));
      out[i] += 1.0 / 30.0;
    }
  }
  return out;
}

TEST(ScheduleStoreTest, DraftsAreInvisibleUntilPublished) {
  auto store = ScheduleStore::open(":memory:");
  ASSERT_TRUE(store.ok()) << store.status().to_string();
  auto s = (*store)->create(day_schedule(), 1000);
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  EXPECT_GT(s->header.id, 0);
  EXPECT_EQ(s->header.state, ScheduleState::kDraft);
  EXPECT_EQ(s->activities.size(), 4u);
  const Millis ten = kDay0 + 10 * 60 * kMin;
  auto none = (*store)->activity_at("ann", ten);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  auto p = (*store)->publish(s->header.id, 2000);
  ASSERT_TRUE(p.ok()) << p.status().to_string();
  EXPECT_EQ(p->header.state, ScheduleState::kPublished);
  EXPECT_EQ(p->header.published_at, 2000);

  auto at = (*store)->activity_at("ann", ten);
  ASSERT_TRUE(at.ok());
  ASSERT_TRUE(at->has_value());
  EXPECT_EQ((*at)->kind, ActivityKind::kWork);
  EXPECT_EQ((*at)->label, "full");
  auto brk = (*store)->activity_at("ann", kDay0 + (10 * 60 + 30) * kMin);
  ASSERT_TRUE(brk.ok() && brk->has_value());
  EXPECT_EQ((*brk)->kind, ActivityKind::kBreak);
  // End is exclusive: 10:45 is work again; before 09:00 nothing.
  EXPECT_EQ((*(*store)->activity_at("ann", kDay0 + (10 * 60 + 45) * kMin))->kind,
            ActivityKind::kWork);
  EXPECT_FALSE((*store)->activity_at("ann", kDay0 + 9 * 60 * kMin - 1)->has_value());
  EXPECT_FALSE((*store)->activity_at("cid", ten)->has_value());

  auto range =
      (*store)->published_activities("ann", kDay0 + 10 * 60 * kMin, kDay0 + 11 * 60 * kMin);
  ASSERT_TRUE(range.ok());
  ASSERT_EQ(range->size(), 3u);  // whole activities overlapping the range
  EXPECT_EQ((*range)[0].start, kDay0 + 9 * 60 * kMin);
  EXPECT_EQ((*range)[2].end, kDay0 + 12 * 60 * kMin);
  auto agents = (*store)->published_agents(kDay0, kDay0 + kMillisPerDay);
  ASSERT_TRUE(agents.ok());
  EXPECT_EQ(*agents, (std::vector<std::string>{"ann", "bob"}));
}

TEST(ScheduleStoreTest, CoverageAgainstRequirementMatchesAMinuteCount) {
  Schedule s = day_schedule();
  Coverage c = compute_coverage(s.header, s.activities);
  expect_near(c.scheduled, coverage_by_minutes(s));
  EXPECT_DOUBLE_EQ(c.scheduled[21], 1.5);  // 10:30-11:00: ann on a 15-minute break
  EXPECT_DOUBLE_EQ(c.difference[21], -0.5);
  EXPECT_DOUBLE_EQ(c.difference[18], 0);
  EXPECT_DOUBLE_EQ(c.under, 0.5);
  EXPECT_DOUBLE_EQ(c.over, 0);
}

TEST(ScheduleStoreTest, EditsPaintOverAndRecomputeCoverage) {
  auto store = ScheduleStore::open(":memory:");
  ASSERT_TRUE(store.ok());
  auto s = (*store)->create(day_schedule(), 1000);
  ASSERT_TRUE(s.ok());
  const std::int64_t id = s->header.id;

  // A meeting for bob 10:00-10:30 splits his work in two.
  ActivityEdit add{.op = ActivityEdit::Op::kAdd,
                   .activity_id = 0,
                   .agent = "bob",
                   .kind = ActivityKind::kMeeting,
                   .start = kDay0 + 10 * 60 * kMin,
                   .end = kDay0 + (10 * 60 + 30) * kMin,
                   .label = "1:1"};
  auto e1 = (*store)->edit(id, add, 3000);
  ASSERT_TRUE(e1.ok()) << e1.status().to_string();
  EXPECT_EQ(e1->header.revision, 2);
  std::vector<Activity> bob;
  for (const Activity& a : e1->activities)
    if (a.agent == "bob") bob.push_back(a);
  ASSERT_EQ(bob.size(), 3u);
  EXPECT_EQ(bob[0].end, kDay0 + 10 * 60 * kMin);
  EXPECT_EQ(bob[1].kind, ActivityKind::kMeeting);
  EXPECT_EQ(bob[2].start, kDay0 + (10 * 60 + 30) * kMin);
  EXPECT_EQ(bob[2].kind, ActivityKind::kWork);
  Coverage c = compute_coverage(e1->header, e1->activities);
  expect_near(c.scheduled, coverage_by_minutes(*e1));
  EXPECT_DOUBLE_EQ(c.difference[20], -1);  // 10:00-10:30 only ann

  // Move the meeting to cid (who had nothing) and make it 11:00-12:00 training.
  ActivityEdit move{.op = ActivityEdit::Op::kUpdate,
                    .activity_id = bob[1].id,
                    .agent = "cid",
                    .kind = ActivityKind::kTraining,
                    .start = kDay0 + 11 * 60 * kMin,
                    .end = kDay0 + 12 * 60 * kMin,
                    .label = "product"};
  auto e2 = (*store)->edit(id, move, 4000);
  ASSERT_TRUE(e2.ok()) << e2.status().to_string();
  int bob_count = 0, cid_count = 0;
  for (const Activity& a : e2->activities) {
    if (a.agent == "bob") ++bob_count;
    if (a.agent == "cid") {
      ++cid_count;
      EXPECT_EQ(a.id, bob[1].id);
      EXPECT_EQ(a.kind, ActivityKind::kTraining);
    }
  }
  EXPECT_EQ(bob_count, 2);  // the gap 10:00-10:30 stays (removing leaves no activity)
  EXPECT_EQ(cid_count, 1);

  // Resize ann's first work block into her break: the break is cut back.
  Activity ann_first = e2->activities[0];
  ASSERT_EQ(ann_first.agent, "ann");
  ActivityEdit resize{.op = ActivityEdit::Op::kUpdate,
                      .activity_id = ann_first.id,
                      .agent = "",
                      .kind = ActivityKind::kWork,
                      .start = ann_first.start,
                      .end = kDay0 + (10 * 60 + 40) * kMin,
                      .label = "full"};
  auto e3 = (*store)->edit(id, resize, 5000);
  ASSERT_TRUE(e3.ok()) << e3.status().to_string();
  EXPECT_EQ(e3->activities[1].kind, ActivityKind::kBreak);
  EXPECT_EQ(e3->activities[1].start, kDay0 + (10 * 60 + 40) * kMin);
  EXPECT_EQ(e3->activities[1].end, kDay0 + (10 * 60 + 45) * kMin);

  // Remove it.
  ActivityEdit rm{.op = ActivityEdit::Op::kRemove,
                  .activity_id = e3->activities[1].id,
                  .agent = "",
                  .kind = ActivityKind::kWork,
                  .start = 0,
                  .end = 0,
                  .label = ""};
  auto e4 = (*store)->edit(id, rm, 6000);
  ASSERT_TRUE(e4.ok());
  EXPECT_EQ(e4->header.revision, 5);
  Coverage c4 = compute_coverage(e4->header, e4->activities);
  expect_near(c4.scheduled, coverage_by_minutes(*e4));

  // Bad edits.
  ActivityEdit outside = add;
  outside.start = kDay0 - 60 * kMin;
  EXPECT_EQ((*store)->edit(id, outside, 7000).status().code(), StatusCode::kInvalidArgument);
  ActivityEdit backwards = add;
  backwards.end = backwards.start;
  EXPECT_EQ((*store)->edit(id, backwards, 7000).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ((*store)->edit(id, rm, 7000).status().code(), StatusCode::kNotFound);
  EXPECT_EQ((*store)->edit(id + 100, add, 7000).status().code(), StatusCode::kNotFound);
}

TEST(ScheduleStoreTest, PublishingSupersedesOverlappingSchedulesOfTheSameAgents) {
  store_testing::TempDir dir;
  std::int64_t first = 0, second = 0;
  {
    auto store = ScheduleStore::open_data_dir(dir.path());
    ASSERT_TRUE(store.ok()) << store.status().to_string();
    first = (*store)->create(day_schedule(), 1)->header.id;
    ASSERT_TRUE((*store)->publish(first, 2).ok());
    Schedule again = day_schedule();
    again.activities = {act("ann", ActivityKind::kTraining, 9 * 60, 12 * 60, "onboarding")};
    again.agents = {"ann"};
    second = (*store)->create(again, 3)->header.id;
    // The draft changes nothing for readers.
    EXPECT_EQ((*(*store)->activity_at("ann", kDay0 + 9 * 60 * kMin))->kind, ActivityKind::kWork);
    ASSERT_TRUE((*store)->publish(second, 4).ok());
  }
  // Reopened from disk.
  auto store = ScheduleStore::open_data_dir(dir.path());
  ASSERT_TRUE(store.ok());
  EXPECT_EQ((*store)->get(first)->header.state, ScheduleState::kSuperseded);
  EXPECT_EQ((*(*store)->activity_at("ann", kDay0 + 9 * 60 * kMin))->kind, ActivityKind::kTraining);
  // bob was only in the superseded schedule.
  EXPECT_FALSE((*store)->activity_at("bob", kDay0 + 9 * 60 * kMin)->has_value());
  EXPECT_EQ((*store)->publish(first, 5).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ((*store)->remove(second).code(), StatusCode::kFailedPrecondition);
  auto list = (*store)->list();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].id, second);
}

TEST(ScheduleStoreTest, RefusesBadSchedules) {
  auto store = ScheduleStore::open(":memory:");
  ASSERT_TRUE(store.ok());
  Schedule overlap = day_schedule();
  overlap.activities.push_back(act("bob", ActivityKind::kBreak, 10 * 60, 10 * 60 + 15));
  auto r = (*store)->create(overlap, 1);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("bob"), std::string::npos);
  Schedule negative = day_schedule();
  negative.header.required[3] = -1;
  EXPECT_EQ((*store)->create(negative, 1).status().code(), StatusCode::kInvalidArgument);
  Schedule empty = day_schedule();
  empty.header.required.clear();
  EXPECT_EQ((*store)->create(empty, 1).status().code(), StatusCode::kInvalidArgument);
  Schedule bad_interval = day_schedule();
  bad_interval.header.interval_minutes = 7;
  EXPECT_EQ((*store)->create(bad_interval, 1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(parse_activity_kind("nap").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(*parse_activity_kind("lunch"), ActivityKind::kLunch);
}

TEST(ScheduleStoreTest, PaintCutsAndSplits) {
  std::vector<Activity> v = {act("a", ActivityKind::kWork, 0, 100)};
  v[0].id = 7;
  auto out = paint(v, act("a", ActivityKind::kBreak, 40, 50));
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].id, 7);
  EXPECT_EQ(out[0].end, kDay0 + 40 * kMin);
  EXPECT_EQ(out[2].id, 0);
  EXPECT_EQ(out[2].start, kDay0 + 50 * kMin);
  auto all = paint(out, act("a", ActivityKind::kOff, 0, 100));
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].kind, ActivityKind::kOff);
}

}  // namespace
}  // namespace sb::wfmstore
