#pragma once
// The discrete-event simulator. It hosts the real routing engine (sb::Engine) under a virtual
// clock: it generates arrivals, customer patience, agent answers, the end of conversations and
// the agents' shifts and breaks, turns them into engine commands at their simulated time, delivers
// the engine's timers back to it, and feeds every event the engine produces to a
// metrics::KpiCollector. The routing decisions measured are the production ones.
//
// Determinism: a replication is a pure function of the scenario and its Random stream. The
// calendar breaks ties by scheduling order, and every random draw comes from per-purpose streams
// forked from the replication's stream (arrivals and service per queue, answers per center), so
// changing one queue's demand does not reshuffle the others.

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "base/random.h"
#include "base/status.h"
#include "metrics/kpi.h"
#include "sim/scenario.h"

namespace sb::sim {

// What one replication measured. KPIs cover the contacts that arrived after the warm-up.
struct ReplicationResult {
  metrics::KpiSummary total;
  std::vector<metrics::KpiSummary> queues;      // one per scenario queue
  std::vector<metrics::IntervalRow> intervals;  // only when RunOptions::keep_intervals
  // Agent time after the warm-up: occupied / available (the collector's definitions).
  double occupancy = 0;
  std::vector<double> queue_occupancy;
  // Erlang's P(wait): of the contacts that were answered or abandoned, the fraction that found no
  // agent to offer them to when they arrived (they had to queue).
  double p_wait = 0;
  std::vector<double> queue_p_wait;

  std::uint64_t arrivals = 0;       // contacts generated, warm-up included
  std::uint64_t engine_events = 0;  // events the engine produced
  std::uint64_t engine_commands = 0;
  std::uint64_t calendar_entries = 0;  // entries processed (stale ones included)
  std::size_t peak_calendar = 0;       // most entries pending at once
  std::uint64_t state_hash = 0;        // the engine's state hash at the end of the run
};

struct RunOptions {
  bool keep_intervals = false;
  // Receives every engine event of the run (warm-up included) in seq order: the whole log, as a
  // live server would have written it. Used to feed the reports read model (src/reports).
  std::function<void(const Event&)> on_event;
};

class Simulator {
 public:
  // Prepares the per-scenario tables (agents' weekly plans). `scenario` must outlive this.
  explicit Simulator(const Scenario& scenario, RunOptions options = {});
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  // Runs one replication. Fails only when the engine refuses the scenario's configuration.
  Result<ReplicationResult> run(Random rng);

 private:
  struct Run;
  struct Plan;
  const Scenario& scenario_;
  RunOptions options_;
  std::unique_ptr<Plan> plan_;
};

// All replications of a scenario: replication r runs on the r-th stream forked from `seed`.
struct SimulationResult {
  std::uint64_t seed = 0;
  std::vector<ReplicationResult> replications;
};

Result<SimulationResult> simulate(const Scenario& scenario, int replications, std::uint64_t seed,
                                  RunOptions options = {});

}  // namespace sb::sim
