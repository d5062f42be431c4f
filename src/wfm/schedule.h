#pragma once
// Shift scheduling: assign each agent at most one shift a day for a planning period so that the
// agents on the phones cover the required headcount per interval with the least weighted
// under- and over-staffing, within shift templates (start windows, lengths, days), agent
// availability, time off and contracted hours; then place breaks and lunches where coverage
// allows. The assignment is an integer program solved by COIN-OR CBC under a time limit, with a
// greedy heuristic as the fallback. docs/scheduling.md describes the model.

#include <array>
#include <string>
#include <vector>

#include "base/status.h"
#include "wfm/series.h"

namespace sb::wfm {

struct BreakRule {
  std::string name;  // "break", "lunch"
  int length_min = 15;
  int earliest_after_min = 0;  // earliest start, minutes after the shift starts
  int latest_after_min = 0;    // latest start, minutes after the shift starts
  bool paid = true;
};

struct ShiftTemplate {
  std::string name;
  int length_min = 0;          // start to end, breaks included; may run past midnight
  int earliest_start_min = 0;  // minute of the day
  int latest_start_min = 0;
  int start_step_min = 0;                                                  // 0: the interval length
  std::array<bool, 7> weekdays{true, true, true, true, true, true, true};  // Monday first
  std::vector<BreakRule> breaks;
};

struct TimeWindow {
  int from_min = 0;  // minute of the day
  int to_min = 1440;
};

struct ScheduleAgent {
  std::string id;
  std::vector<std::string> templates;  // allowed templates; empty = all
  int min_paid_min = 0;                // contracted paid minutes over the period
  int max_paid_min = 40 * 60;
  int max_days = 5;
  // Per weekday (Monday first): the windows a shift must lie within. No windows on a weekday
  // means available all day unless `unavailable` marks the weekday.
  std::array<std::vector<TimeWindow>, 7> availability;
  std::array<bool, 7> unavailable{};
  std::vector<Date> time_off;  // whole days off
  std::vector<std::string> skills;
};

struct ScheduleProblem {
  int interval_minutes = 15;
  std::vector<Date> days;     // the planning period, consecutive
  std::vector<int> required;  // days.size() x (1440 / interval_minutes), agents on the phones
  std::vector<ShiftTemplate> templates;
  std::vector<ScheduleAgent> agents;
  double under_weight = 2.0;  // cost of one interval one agent short
  double over_weight = 1.0;   // cost of one interval one agent too many
};

struct ScheduleOptions {
  double time_limit_s = 30;
  bool use_solver = true;  // false: the greedy heuristic alone
  int solver_log_level = 0;
};

struct PlacedBreak {
  std::string name;
  int start_min = 0;  // minutes from the start of the shift's day
  int length_min = 0;
  bool paid = true;
};

struct Shift {
  std::string agent;
  Date day = 0;
  std::string template_name;
  int start_min = 0;  // minute of the day
  int end_min = 0;    // start + length; > 1440 when the shift runs past midnight
  std::vector<PlacedBreak> breaks;
  int paid_min = 0;
};

struct ScheduleResult {
  std::vector<Shift> shifts;  // by agent, then day
  // Agents on the phones per interval (days x intervals), breaks taken out.
  std::vector<int> coverage;
  long under = 0;        // sum over intervals of max(required - coverage, 0)
  long over = 0;         // sum over intervals of max(coverage - required, 0)
  double objective = 0;  // under_weight x under + over_weight x over
  // The integer program's figures (breaks counted as spread over their windows): the objective
  // of the schedule chosen and the lower bound CBC proved (its LP relaxation at least).
  double ip_objective = 0;
  double ip_bound = 0;
  double ip_gap = 0;  // (ip_objective - ip_bound) / ip_objective, 0 when optimal
  bool optimal = false;
  std::string solver;  // "cbc", or "greedy" (no solver, or it found nothing better)
  double greedy_objective = 0;
  int variables = 0;
};

// The checks of one shift template on a grid of `interval_minutes` (InvalidArgument naming the
// template and what is wrong): length and start window on the grid and within a day, at least
// one weekday, breaks that fit inside the shift and can all be placed without overlapping.
Status check_shift_template(const ShiftTemplate& t, int interval_minutes);

// Checks the rules (clear error for impossible ones: a break that cannot fit, a contract no
// availability can meet, an empty period, ...) then schedules. Never returns an empty schedule
// silently: agents with nothing to do still get their contracted minimum.
Result<ScheduleResult> make_schedule(const ScheduleProblem& problem,
                                     const ScheduleOptions& options = {});

}  // namespace sb::wfm
