#pragma once
// Agent attrition over a period, from the user lifecycle (docs/metrics.md, "Agent attrition").
//
// Users live in accounts.db, not in the event log; reports::agent_lifecycles (agent_lifecycles.h)
// turns each agent user's creation and its enable/disable history (the audit log) into an
// AgentLifecycle for the API and the CLI. This is the computation, kept apart so that it is
// defined and tested in one place.

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "base/time.h"

namespace sb::reports {

struct LifecycleChange {
  Millis at = 0;
  bool active = false;  // true: (re-)enabled; false: disabled or deleted
};

struct AgentLifecycle {
  std::string user;  // for messages
  Millis created_at = 0;
  // Sorted by time by the computation; changes at the same millisecond apply in this order.
  std::vector<LifecycleChange> changes;
};

struct AttritionFigures {
  Millis from = 0, to = 0;
  std::uint64_t headcount_start = 0;  // active just before `from`
  std::uint64_t headcount_end = 0;    // active just before `to`
  double average_headcount = 0;       // time-weighted mean of the headcount over [from, to)
  std::uint64_t hires = 0;            // created or re-enabled in [from, to)
  std::uint64_t separations = 0;      // disabled or deleted in [from, to)
  double attrition_rate = 0;          // separations / average_headcount (0 when no headcount)
  double annualized_rate = 0;         // attrition_rate × 365 days / (to − from)
};

// InvalidArgument when to <= from. A change before its user's creation is treated as happening
// at the creation; repeated changes to the same state count once.
Result<AttritionFigures> compute_attrition(const std::vector<AgentLifecycle>& agents, Millis from,
                                           Millis to);

// The exports of GET /api/v1/reports/attrition and `switchboard report --attrition` (one code, so
// the two print the same bytes). `agents` is how many agent users the figures are over; `from`
// and `to` print as epoch milliseconds, `time_zone` is the one the dates were read in.
// JSON: one object, keys sorted. CSV: a header line and one line of values.
std::string attrition_to_json(const AttritionFigures& f, const std::string& time_zone,
                              std::size_t agents);
std::string attrition_to_csv(const AttritionFigures& f, const std::string& time_zone,
                             std::size_t agents);

}  // namespace sb::reports
