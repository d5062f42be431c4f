#pragma once
// Staffing: how many agents each interval needs to meet a service goal, and what a given
// headcount achieves (what-if). Required agents come from Erlang C (callers never abandon) or
// Erlang A (exponential patience, estimated from abandonment data); shrinkage (breaks, training,
// absence) turns the agents needed on the phones into the headcount to schedule.

#include <istream>
#include <optional>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "wfm/erlang.h"
#include "wfm/series.h"

namespace sb::wfm {

enum class StaffingModel { kErlangC, kErlangA };

struct StaffingOptions {
  StaffingModel model = StaffingModel::kErlangC;
  double threshold_s = 20;  // service-level answer-time threshold
  erlang::StaffingGoal goal{
      .service_level = 0.8, .max_asa_s = {}, .max_occupancy = {}, .max_abandon = {}};
  double patience_s = 0;  // Erlang A only: mean caller patience
  double shrinkage = 0;   // default share of paid time off the phones, [0, 1)
};

// One interval of demand. `aht_s` must be positive where volume is; `shrinkage` overrides the
// default for this interval; `headcount` is the scheduled headcount for what-if.
struct IntervalDemand {
  Date day = 0;
  int minute = 0;
  double volume = 0;
  double aht_s = 0;
  std::optional<double> shrinkage;
  std::optional<int> headcount;
};

struct StaffingRow {
  IntervalDemand demand;
  double load_erlangs = 0;
  double shrinkage = 0;
  int required = 0;   // agents on the phones the goal needs
  int scheduled = 0;  // required / (1 - shrinkage), rounded up
  // The figures at `required` agents (what-if: at the agents the headcount leaves on the phones).
  int agents = 0;
  double service_level = 1;
  double asa_s = 0;
  double p_abandon = 0;  // Erlang A only
  double occupancy = 0;
  bool stable = true;  // Erlang C what-if: false when agents <= load (the queue never empties)
};

// Required and scheduled agents per interval.
Result<std::vector<StaffingRow>> required_staff(const std::vector<IntervalDemand>& demand,
                                                int interval_minutes, const StaffingOptions& o);

// What a scheduled headcount achieves: each interval's `headcount` (required) less shrinkage
// (rounded down) answers the interval's volume.
Result<std::vector<StaffingRow>> what_if(const std::vector<IntervalDemand>& demand,
                                         int interval_minutes, const StaffingOptions& o);

// Demand read from CSV: `start,volume` plus optional `aht_s`, `shrinkage`, `agents` columns (the
// `switchboard forecast --csv` output is valid input). `default_aht_s` fills a missing aht_s
// (0: an aht_s column is then required). The interval length is inferred as for history.
struct DemandTable {
  int interval_minutes = 0;
  std::vector<IntervalDemand> rows;
};
Result<DemandTable> read_demand_csv(std::istream& in, std::string_view source,
                                    double default_aht_s);

// Mean patience under exponential patience, by maximum likelihood with right-censoring:
// every caller's time in queue is exposure (an answered caller's wait is a censored patience
// time), so the estimate is total queue time / number of abandons (Mandelbaum & Zeltyn,
// "Staffing many-server queues with impatient customers", Oper. Res. 57 (2009); Brown et al.,
// "Statistical analysis of a telephone call center", JASA 100 (2005) 36-50).
struct QueueRecord {
  double wait_s = 0;  // time in queue until answered or abandoned
  bool abandoned = false;
};
struct PatienceEstimate {
  double mean_patience_s = 0;
  long abandons = 0;
  long calls = 0;
  double total_wait_s = 0;
};
Result<PatienceEstimate> estimate_patience(const std::vector<QueueRecord>& records);

// Queue records from CSV with columns `wait_s` and `abandoned` (1/0, true/false) or `outcome`
// (abandoned/answered).
Result<std::vector<QueueRecord>> read_queue_records_csv(std::istream& in, std::string_view source);

}  // namespace sb::wfm
