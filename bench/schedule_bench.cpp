// Scheduling benchmark (issue 6): 300 agents, one week, 15-minute intervals. Prints the time to
// a schedule and its gap to the bound CBC proves, for the greedy heuristic alone and for the
// integer program under several time limits. docs/performance.md records the figures.
//
// The center: open Monday-Friday 07:00-21:00 and Saturday 08:00-18:00, closed Sunday; the
// requirement has a morning and an early-afternoon peak (~230 agents on weekdays). 240 full-time
// agents (8.5-hour shifts with a 30-minute unpaid lunch and two paid 15-minute breaks, 32-40 paid
// hours, at most 5 days) and 60 part-timers (4-hour shifts with one break, 12-24 hours).
// Usage: schedule_bench [time limits in seconds...]   (default 10 30 60)

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "wfm/schedule.h"

namespace {

using namespace sb::wfm;

ScheduleProblem make_problem() {
  ScheduleProblem p;
  p.interval_minutes = 15;
  const Date monday = 19723;  // 2024-01-01
  for (int d = 0; d < 7; ++d) p.days.push_back(monday + d);
  p.required.assign(7 * 96, 0);
  for (int d = 0; d < 6; ++d) {
    const bool saturday = d == 5;
    const int open = saturday ? 8 * 4 : 7 * 4, close = saturday ? 18 * 4 : 21 * 4;
    for (int i = open; i < close; ++i) {
      const double h = i / 4.0;
      // Two bumps (10:30 and 14:30) over a base that falls off in the evening.
      const double shape = 0.35 + 0.65 * std::exp(-std::pow((h - 10.5) / 1.8, 2)) +
                           0.55 * std::exp(-std::pow((h - 14.5) / 2.0, 2)) -
                           (h > 18 ? 0.1 * (h - 18) : 0);
      const double day_factor = saturday ? 0.45 : (d == 0 ? 1.1 : 1.0 - 0.03 * d);
      p.required[d * 96 + i] = static_cast<int>(std::lround(230 * day_factor * shape / 1.02));
    }
  }
  ShiftTemplate full;
  full.name = "full";
  full.length_min = 510;
  full.earliest_start_min = 7 * 60;
  full.latest_start_min = 12 * 60 + 30;
  full.start_step_min = 30;
  full.weekdays = {true, true, true, true, true, true, false};
  full.breaks = {{"break1", 15, 90, 150, true},
                 {"lunch", 30, 210, 300, false},
                 {"break2", 15, 360, 420, true}};
  ShiftTemplate part;
  part.name = "part";
  part.length_min = 240;
  part.earliest_start_min = 7 * 60;
  part.latest_start_min = 17 * 60;
  part.start_step_min = 30;
  part.weekdays = full.weekdays;
  part.breaks = {{"break", 15, 90, 150, true}};
  p.templates = {full, part};
  for (int i = 0; i < 240; ++i) {
    ScheduleAgent a;
    a.id = "ft" + std::to_string(i);
    a.templates = {"full"};
    a.min_paid_min = 32 * 60;
    a.max_paid_min = 40 * 60;
    a.max_days = 5;
    p.agents.push_back(a);
  }
  for (int i = 0; i < 60; ++i) {
    ScheduleAgent a;
    a.id = "pt" + std::to_string(i);
    a.templates = {"part"};
    a.min_paid_min = 12 * 60;
    a.max_paid_min = 24 * 60;
    a.max_days = 5;
    p.agents.push_back(a);
  }
  return p;
}

void report(const char* name, const ScheduleProblem& p, const ScheduleOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  const std::clock_t c0 = std::clock();
  auto r = make_schedule(p, o);
  const double cpu = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!r.ok()) {
    std::printf("  %-14s error: %s\n", name, r.status().message().c_str());
    return;
  }
  std::printf("  %-14s %8.2f %7.2f %7zu %10.1f %10.1f %7.2f%% %8ld %8ld %10.1f  %s%s\n", name, secs,
              cpu, r->shifts.size(), r->ip_objective, r->ip_bound, 100 * r->ip_gap, r->under,
              r->over, r->objective, r->solver.c_str(), r->optimal ? " (optimal)" : "");
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<double> limits;
  for (int i = 1; i < argc; ++i) limits.push_back(std::atof(argv[i]));
  if (limits.empty()) limits = {10, 30, 60};
  const ScheduleProblem p = make_problem();
  long required = 0;
  int peak = 0;
  for (int v : p.required) required += v, peak = std::max(peak, v);
  std::printf(
      "schedule bench: %zu agents, %zu days x 96 intervals of 15 min, required %ld "
      "agent-intervals (peak %d)\n",
      p.agents.size(), p.days.size(), required, peak);
  std::printf(
      "  objective = 2 x under + 1 x over (agent-intervals); 'expected' counts breaks as "
      "spread over their windows\n");
  std::printf("  %-14s %8s %7s %7s %10s %10s %8s %8s %8s %10s  %s\n", "run", "wall s", "cpu s",
              "shifts", "expected", "bound", "gap", "under", "over", "final", "solver");
  report("greedy", p, {.time_limit_s = 1, .use_solver = false, .solver_log_level = 0});
  for (double limit : limits) {
    const std::string name = "cbc " + std::to_string(static_cast<int>(limit)) + " s";
    report(name.c_str(), p, {.time_limit_s = limit, .use_solver = true, .solver_log_level = 0});
  }
  return 0;
}
