#include "wfm/schedule.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace sb::wfm {
namespace {

constexpr int kMonday = 19723;  // 2024-01-01

// Coverage recomputed from the shifts alone (independently of the scheduler's bookkeeping):
// every interval from start to end, less the intervals of each placed break.
std::vector<int> recount(const ScheduleProblem& p, const std::vector<Shift>& shifts) {
  const int per_day = 1440 / p.interval_minutes;
  std::vector<int> cov(p.days.size() * per_day, 0);
  for (const Shift& s : shifts) {
    const auto d = std::find(p.days.begin(), p.days.end(), s.day) - p.days.begin();
    for (int minute = s.start_min; minute < s.end_min; minute += p.interval_minutes) {
      bool on_break = false;
      for (const auto& b : s.breaks) {
        on_break |= minute >= b.start_min && minute < b.start_min + b.length_min;
      }
      const long g = d * per_day + minute / p.interval_minutes;
      if (!on_break && g < static_cast<long>(cov.size())) ++cov[g];
    }
  }
  return cov;
}

void expect_valid(const ScheduleProblem& p, const ScheduleResult& r) {
  const std::vector<int> cov = recount(p, r.shifts);
  ASSERT_EQ(cov, r.coverage);
  long under = 0, over = 0;
  for (std::size_t t = 0; t < cov.size(); ++t) {
    under += std::max(0, p.required[t] - cov[t]);
    over += std::max(0, cov[t] - p.required[t]);
  }
  EXPECT_EQ(under, r.under);
  EXPECT_EQ(over, r.over);
  EXPECT_LE(r.ip_bound, r.ip_objective + 1e-6);
  // Contracts, one shift a day, breaks inside their windows.
  std::map<std::string, int> paid, days;
  std::map<std::pair<std::string, Date>, int> per_day;
  for (const Shift& s : r.shifts) {
    paid[s.agent] += s.paid_min;
    ++days[s.agent];
    EXPECT_EQ(++per_day[std::make_pair(s.agent, s.day)], 1) << s.agent;
    const auto t = std::find_if(p.templates.begin(), p.templates.end(),
                                [&](const ShiftTemplate& x) { return x.name == s.template_name; });
    ASSERT_NE(t, p.templates.end());
    EXPECT_EQ(s.end_min - s.start_min, t->length_min);
    EXPECT_GE(s.start_min, t->earliest_start_min);
    EXPECT_LE(s.start_min, t->latest_start_min);
    ASSERT_EQ(s.breaks.size(), t->breaks.size());
    for (const auto& b : s.breaks) {
      const auto rule = std::find_if(t->breaks.begin(), t->breaks.end(),
                                     [&](const BreakRule& x) { return x.name == b.name; });
      ASSERT_NE(rule, t->breaks.end());
      EXPECT_GE(b.start_min - s.start_min, rule->earliest_after_min);
      EXPECT_LE(b.start_min - s.start_min, rule->latest_after_min);
    }
  }
  for (const auto& a : p.agents) {
    EXPECT_GE(paid[a.id], a.min_paid_min) << a.id;
    EXPECT_LE(paid[a.id], a.max_paid_min) << a.id;
    EXPECT_LE(days[a.id], a.max_days) << a.id;
  }
}

ScheduleProblem week(int interval, int n_days = 7) {
  ScheduleProblem p;
  p.interval_minutes = interval;
  for (int d = 0; d < n_days; ++d) p.days.push_back(kMonday + d);
  p.required.assign(p.days.size() * (1440 / interval), 0);
  return p;
}

void require(ScheduleProblem& p, int day, int from_min, int to_min, int agents) {
  const int per_day = 1440 / p.interval_minutes;
  for (int m = from_min; m < to_min; m += p.interval_minutes) {
    p.required[day * per_day + m / p.interval_minutes] = agents;
  }
}

ShiftTemplate day_shift(int earliest, int latest, int length = 480) {
  ShiftTemplate t;
  t.name = "day";
  t.length_min = length;
  t.earliest_start_min = earliest;
  t.latest_start_min = latest;
  t.start_step_min = 30;
  t.weekdays = {true, true, true, true, true, false, false};
  return t;
}

ScheduleAgent agent(std::string id, int min_h = 40, int max_h = 40, int max_days = 5) {
  ScheduleAgent a;
  a.id = std::move(id);
  a.min_paid_min = min_h * 60;
  a.max_paid_min = max_h * 60;
  a.max_days = max_days;
  return a;
}

TEST(ScheduleTest, ExactCoverIsFoundAndProvedOptimal) {
  ScheduleProblem p = week(30);
  for (int d = 0; d < 5; ++d) require(p, d, 9 * 60, 17 * 60, 2);
  p.templates.push_back(day_shift(8 * 60, 10 * 60));
  p.agents = {agent("ann"), agent("bob")};
  auto r = make_schedule(p, {.time_limit_s = 10});
  ASSERT_TRUE(r.ok()) << r.status().message();
  expect_valid(p, *r);
  EXPECT_EQ(r->shifts.size(), 10u);
  EXPECT_EQ(r->under, 0);
  EXPECT_EQ(r->over, 0);
  EXPECT_TRUE(r->optimal);
  EXPECT_NEAR(r->ip_bound, 0.0, 1e-6);
  for (const auto& s : r->shifts) EXPECT_EQ(s.start_min, 9 * 60);
}

TEST(ScheduleTest, LunchesAreStaggeredWhereCoverageAllows) {
  ScheduleProblem p = week(30, 1);
  require(p, 0, 9 * 60, 17 * 60, 2);
  ShiftTemplate t = day_shift(9 * 60, 9 * 60, 510);
  t.breaks.push_back({"lunch", 30, 180, 300, false});
  p.templates.push_back(t);
  p.agents = {agent("a", 0, 40), agent("b", 0, 40), agent("c", 0, 40)};
  // Two agents leave two lunch half-hours short (2 x 10) against 16 half-hours over for three.
  p.under_weight = 10;
  auto r = make_schedule(p, {.time_limit_s = 10});
  ASSERT_TRUE(r.ok()) << r.status().message();
  expect_valid(p, *r);
  ASSERT_EQ(r->shifts.size(), 3u);  // two agents cannot cover 8 h with lunches
  for (int m = 9 * 60; m < 17 * 60; m += 30) EXPECT_GE(r->coverage[m / 30], 2) << m;
  std::vector<int> lunch_starts;
  for (const auto& s : r->shifts) lunch_starts.push_back(s.breaks.at(0).start_min);
  std::sort(lunch_starts.begin(), lunch_starts.end());
  EXPECT_EQ(std::unique(lunch_starts.begin(), lunch_starts.end()), lunch_starts.end());
  EXPECT_EQ(r->shifts[0].paid_min, 480);
}

TEST(ScheduleTest, AvailabilityTimeOffAndContractsAreRespected) {
  ScheduleProblem p = week(30);
  for (int d = 0; d < 5; ++d) require(p, d, 8 * 60, 20 * 60, 2);
  p.templates.push_back(day_shift(8 * 60, 12 * 60));
  ScheduleAgent late = agent("late", 16, 24, 3);
  late.availability[0] = {{12 * 60, 20 * 60}};  // Mondays from noon only
  late.time_off = {kMonday + 2};                // Wednesday off
  p.agents = {late, agent("full1"), agent("full2"), agent("full3", 32, 40)};
  auto r = make_schedule(p, {.time_limit_s = 10});
  ASSERT_TRUE(r.ok()) << r.status().message();
  expect_valid(p, *r);
  for (const auto& s : r->shifts) {
    if (s.agent != "late") continue;
    EXPECT_NE(s.day, kMonday + 2);
    if (s.day == kMonday) {
      EXPECT_GE(s.start_min, 12 * 60);
    }
  }
}

TEST(ScheduleTest, GreedyAloneIsValidAndNoBetterThanTheSolver) {
  ScheduleProblem p = week(15);
  // A day-shaped requirement: a morning ramp, a lunch peak, an evening tail.
  const int per_day = 96;
  for (int d = 0; d < 7; ++d) {
    for (int i = 7 * 4; i < 21 * 4; ++i) {
      const int peak = (i >= 10 * 4 && i < 14 * 4) ? 3 : 0;
      p.required[d * per_day + i] = (d < 5 ? 5 : 2) + peak - (i >= 18 * 4 ? 2 : 0);
    }
  }
  ShiftTemplate a = day_shift(7 * 60, 13 * 60, 510);
  a.weekdays = {true, true, true, true, true, true, true};
  a.breaks = {{"break1", 15, 90, 150, true},
              {"lunch", 30, 210, 300, false},
              {"break2", 15, 360, 420, true}};
  ShiftTemplate b = a;
  b.name = "short";
  b.length_min = 240;
  b.breaks = {{"break", 15, 60, 150, true}};
  p.templates = {a, b};
  for (int i = 0; i < 14; ++i) p.agents.push_back(agent("f" + std::to_string(i), 32, 40, 5));
  for (int i = 0; i < 6; ++i) p.agents.push_back(agent("p" + std::to_string(i), 8, 20, 4));
  auto greedy = make_schedule(p, {.time_limit_s = 5, .use_solver = false});
  auto best = make_schedule(p, {.time_limit_s = 3});
  ASSERT_TRUE(greedy.ok()) << greedy.status().message();
  ASSERT_TRUE(best.ok()) << best.status().message();
  expect_valid(p, *greedy);
  expect_valid(p, *best);
  EXPECT_EQ(greedy->solver, "greedy");
  // The kept schedule is the one leaving the smaller gap once breaks are placed.
  EXPECT_LE(best->objective, greedy->objective + 1e-9);
  EXPECT_GT(best->ip_bound, 0.0);
  EXPECT_GT(best->variables, 0);
}

// Longest-first placement puts the lunch where the surplus is, which can leave a short break
// no room in its window; the shift then takes the chain placement for all its breaks, once each.
TEST(ScheduleTest, BlockedBreakFallsBackToTheChainPlacement) {
  ScheduleProblem p = week(30, 1);
  require(p, 0, 9 * 60, 10 * 60, 1);
  require(p, 0, 11 * 60, 13 * 60, 1);  // nobody needed 10:00-11:00: the lunch goes there
  ShiftTemplate t = day_shift(9 * 60, 9 * 60, 240);
  t.breaks = {
      {"lunch", 60, 60, 120, false}, {"break1", 30, 60, 60, true}, {"break2", 30, 150, 180, true}};
  p.templates.push_back(t);
  p.agents = {agent("solo", 3, 4, 1)};
  auto r = make_schedule(p, {.time_limit_s = 5});
  ASSERT_TRUE(r.ok()) << r.status().message();
  expect_valid(p, *r);
  ASSERT_EQ(r->shifts.size(), 1u);
  const auto& b = r->shifts[0].breaks;
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b[0].name, "break1");
  EXPECT_EQ(b[0].start_min, 10 * 60);
  EXPECT_EQ(b[1].name, "lunch");
  EXPECT_EQ(b[1].start_min, 10 * 60 + 30);
  EXPECT_EQ(b[2].name, "break2");
  EXPECT_EQ(b[2].start_min, 11 * 60 + 30);
}

Status error_of(const ScheduleProblem& p) {
  auto r = make_schedule(p, {.time_limit_s = 5});
  return r.ok() ? Status{} : r.status();
}

TEST(ScheduleTest, ImpossibleRulesAreClearErrors) {
  ScheduleProblem base = week(30);
  require(base, 0, 9 * 60, 17 * 60, 1);
  base.templates.push_back(day_shift(8 * 60, 10 * 60));
  base.agents = {agent("ann")};
  ASSERT_TRUE(error_of(base).ok());

  ScheduleProblem p = base;
  p.templates[0].breaks.push_back({"lunch", 90, 360, 420, false});
  EXPECT_EQ(error_of(p).message(),
            "template 'day': break 'lunch': can end 510 min after the start, past the "
            "480-minute shift");
  p = base;
  p.templates[0].breaks = {{"b1", 60, 120, 120, true}, {"b2", 60, 150, 150, true}};
  EXPECT_EQ(error_of(p).message(),
            "template 'day': the breaks' windows do not let them all fit without overlapping");
  p = base;
  p.agents[0].min_paid_min = 45 * 60;
  p.agents[0].max_paid_min = 50 * 60;
  EXPECT_EQ(error_of(p).message(),
            "agent 'ann': contracted minimum of 45.00 h cannot be met: their templates, "
            "availability, time off and 5-day limit allow at most 40.00 h");
  p = base;
  p.agents[0].time_off = {kMonday, kMonday + 1};
  EXPECT_NE(error_of(p).message().find("cannot be met"), std::string::npos);
  p = base;
  p.agents[0].templates = {"night"};
  EXPECT_EQ(error_of(p).message(), "agent 'ann': unknown template 'night'");
  p = base;
  p.required[20] = -1;
  EXPECT_EQ(error_of(p).message(), "required headcount is negative at 2024-01-01T10:00");
  p = base;
  p.agents.clear();
  EXPECT_EQ(error_of(p).message(), "no agents to schedule");
  p = base;
  p.templates[0].earliest_start_min = 11 * 60;
  EXPECT_EQ(error_of(p).message(),
            "template 'day': the start window 11:00-10:00 is empty or not "
            "in a day");
  p = base;
  p.agents[0].min_paid_min = 0;
  std::fill(p.required.begin(), p.required.end(), 0);
  EXPECT_EQ(error_of(p).message(),
            "the schedule is empty: nothing is required in the period and no agent has a "
            "contracted minimum");
}

}  // namespace
}  // namespace sb::wfm
