#pragma once
// Queueing formulas for staffing: Erlang B (loss), Erlang C (M/M/N, infinite patience) and
// Erlang A (M/M/N+M, exponential patience). All are computed exactly and stably for thousands of
// agents and erlangs; see docs/erlang.md for the formulas and the method behind Erlang A.
//
// Units: load in erlangs (A = arrival rate x mean handle time), times in seconds. Bad input
// (negative or non-finite load, fewer than one agent, ...) is an InvalidArgument status.

#include <optional>

#include "base/status.h"

namespace sb::erlang {

// Beyond this the models are still well-defined, but nobody staffs a single queue that large and
// the O(N) recursions should not be run away with by a typo.
constexpr int kMaxAgents = 1'000'000;

// A = calls per hour x AHT / 3600.
Result<double> load_from_calls_per_hour(double calls_per_hour, double aht_s);

// Probability that an arrival finds all `agents` busy and is lost (M/M/N/N).
Result<double> erlang_b(double load_erlangs, int agents);

struct CInput {
  double load_erlangs = 0;
  int agents = 0;
  double aht_s = 0;
  double threshold_s = 0;  // service-level answer-time threshold T
};

struct CMetrics {
  int agents = 0;
  // False when agents <= load: the queue grows without bound. The figures below are then the
  // limits (p_wait 1, service level 0, infinite waits, occupancy 1), never NaN.
  bool stable = true;
  double p_wait = 0;            // P(an arrival waits at all), the Erlang C formula
  double service_level = 0;     // P(wait <= threshold)
  double asa_s = 0;             // mean wait over all calls (all are eventually answered)
  double wait_if_queued_s = 0;  // mean wait of those who wait: AHT / (N - A)
  double occupancy = 0;         // busy fraction of agents: A / N
};

Result<CMetrics> erlang_c(const CInput& in);

struct AInput {
  double load_erlangs = 0;
  int agents = 0;
  double aht_s = 0;
  double patience_s = 0;  // mean time a caller is willing to wait before hanging up
  double threshold_s = 0;
};

struct AMetrics {
  int agents = 0;
  double p_wait = 0;     // P(an arrival finds all agents busy)
  double p_abandon = 0;  // P(an arrival hangs up before being answered)
  // P(answered within the threshold), over ALL arrivals: abandoned calls count as misses.
  double service_level = 0;
  // The same, over answered calls only (what some ACDs report).
  double service_level_answered = 0;
  double asa_s = 0;            // mean wait of answered calls
  double mean_wait_all_s = 0;  // mean time in queue over all arrivals, abandoners included
  double mean_queue_length = 0;
  double occupancy = 0;  // mean busy agents / N
  int queue_states = 0;  // queue lengths kept before truncating the tail (diagnostic)
};

// Exact stationary analysis of the M/M/N+M birth-death chain (no closed-form approximation).
Result<AMetrics> erlang_a(const AInput& in);

// Goals for "how many agents do I need". Every goal given must hold; the answer is the smallest
// agent count (at least 1) that meets them all.
struct StaffingGoal {
  double service_level = 0;  // in (0, 1), with the model's threshold
  std::optional<double> max_asa_s;
  std::optional<double> max_occupancy;  // in (0, 1]
  std::optional<double> max_abandon;    // Erlang A only, in (0, 1]
};

// `in.agents` is ignored.
Result<CMetrics> agents_for_erlang_c(const CInput& in, const StaffingGoal& goal);
Result<AMetrics> agents_for_erlang_a(const AInput& in, const StaffingGoal& goal);

// Smallest agent count whose Erlang B blocking is at most `max_blocking`, in (0, 1).
Result<int> agents_for_erlang_b(double load_erlangs, double max_blocking);

}  // namespace sb::erlang
