#pragma once
// Multi-skill staffing by simulation: for each interval, the smallest headcount per agent group
// that meets every queue's service-level goal, found by running the discrete-event simulator
// (src/sim, which hosts the production routing engine) on the interval's demand.
//
// Why simulation: Erlang C sizes one queue served by one pool. When agents hold several skills
// the queues share agents, and how much that pooling saves depends on who is eligible for what
// and on the routing rules (priorities, tiers, selection); only the real router answers that.
//
// The search (docs/forecasting.md, "Multi-skill staffing by simulation"):
//   1. Start below the answer: the pooled Erlang C headcount of all queues together (the fewest
//      agents any split could need if every agent could take every queue), split over the groups
//      in proportion to the load each can take.
//   2. Greedy: while some queue misses its goal, try one more agent in each group that serves a
//      failing queue and keep the one that most raises the worst queue's margin (SL − target).
//   3. Trim: try one agent fewer in each group (largest first); keep any removal after which
//      every goal still holds, until none does.
// Every candidate is evaluated with the same seeded replications (common random numbers), so
// candidates are compared on the same arrivals and the whole search is deterministic for a seed.
// A goal holds when the mean service level over the replications reaches the target, or, with
// `require_confidence`, when the lower end of its 95 % confidence interval does.
//
// The simulation of an interval is stationary (the SIPP approach): Poisson arrivals at the
// interval's rate, exponential handle times with the interval's AHT, the queues' patience and
// wrap-up from the center, a warm-up left out of the figures, and arrivals that stop a threshold
// before the end of the run so that every measured contact has had the chance to be answered in
// time. Service level = answered within the threshold / offered (abandons and contacts still
// waiting count as misses).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "domain/model.h"
#include "sim/scenario.h"
#include "wfm/series.h"

namespace sb::wfm {

// Agents with the same skills, queues and routing profile: the unit the search staffs.
struct AgentGroup {
  std::string name;
  AgentConfig prototype;  // id and name are ignored
};

// The center the simulation staffs: queues (engine settings plus what the simulator needs:
// channel, skill requirements, priority, patience, wrap-up) and agent groups.
struct MultiSkillCenter {
  CenterConfig center;                 // skills, profiles, queues; agents are ignored
  std::vector<sim::QueueSpec> queues;  // parallel to center.queues; arrivals/handle time unused
  std::vector<AgentGroup> groups;
};

// Groups agents with identical skills, queues and profile; a group is named after its first
// member with a trailing "-N" dropped ("sales-1" -> "sales").
std::vector<AgentGroup> group_agents(const CenterConfig& config);
// The center of a simulator scenario (docs/simulator.md); its arrivals, shifts and run settings
// are not used.
MultiSkillCenter center_from_scenario(const sim::Scenario& scenario);
// The center of a live configuration: every queue on `channel` without skill requirements
// (membership decides eligibility), never abandoning.
MultiSkillCenter center_from_config(const CenterConfig& config, Channel channel = Channel::kVoice);

// Which queues a group can take: a member of the queue with every required (non-optional) skill
// at the minimum proficiency.
bool group_serves(const MultiSkillCenter& c, std::size_t group, std::size_t queue);

struct QueueDemand {
  double volume = 0;  // contacts in the interval
  double aht_s = 0;   // mean handle time; must be > 0 where volume is
};

struct SimStaffingInterval {
  Date day = 0;
  int minute = 0;
  std::vector<QueueDemand> queues;  // parallel to the center's queues
};

struct QueueGoal {
  double target_sl = 0.8;
  double threshold_s = 20;
};

struct SimStaffingOptions {
  int interval_minutes = 30;
  // One per queue; empty = each queue's own target and threshold from its configuration.
  std::vector<QueueGoal> goals;
  int replications = 5;  // at least 2 (a confidence interval needs them)
  std::uint64_t seed = 1;
  // Arrivals per replication (all queues together) in the measured window: longer windows give
  // tighter estimates. The window is at least the interval length.
  int calls_per_replication = 2000;
  bool require_confidence = false;
  double shrinkage = 0;       // scheduled = ceil(agents / (1 - shrinkage)) per group
  int max_evaluations = 400;  // per interval; beyond it the search fails with a clear error
};

struct QueueResult {
  double volume = 0;
  double aht_s = 0;
  double load_erlangs = 0;
  double target_sl = 0;
  double service_level = 1;  // mean over replications (1 when the queue has no volume)
  double sl_ci95 = 0;        // half-width of its 95 % confidence interval
  double asa_s = 0;
  double abandon_rate = 0;
  int erlang_c_alone = 0;  // agents Erlang C needs for this queue as a pool of its own
  bool met = true;
};

struct Evaluation {
  std::vector<QueueResult> queues;
  double occupancy = 0;
  bool meets_goals = true;
  double worst_margin = 0;  // min over queues with volume of (SL − target) (or its CI bound)
};

struct SimStaffingRow {
  Date day = 0;
  int minute = 0;
  std::vector<int> agents;     // per group, on the phones
  std::vector<int> scheduled;  // per group, with shrinkage
  int total_agents = 0;
  int total_scheduled = 0;
  int erlang_c_separate = 0;  // sum of every queue's own Erlang C pool
  int pooled_start = 0;       // the pooled Erlang C start of the search
  int evaluations = 0;        // simulated headcounts (each with all replications)
  Evaluation result;          // the figures at `agents`
};

// Staffs each interval. Deterministic for a seed; every interval uses the same seed.
Result<std::vector<SimStaffingRow>> simulate_staffing(
    const MultiSkillCenter& center, const std::vector<SimStaffingInterval>& intervals,
    const SimStaffingOptions& options);

// Simulates one interval at a given headcount per group (what-if, and independent checks).
Result<Evaluation> evaluate_staffing(const MultiSkillCenter& center,
                                     const SimStaffingInterval& interval,
                                     const std::vector<int>& agents,
                                     const SimStaffingOptions& options);

}  // namespace sb::wfm
