#pragma once
// Reports over the replications of a simulation: every KPI as the mean over replications with
// the half-width of its 95% confidence interval (Student t, metrics::mean_confidence_interval),
// as a table for people, as JSON for scripts, and the per-interval rows as CSV.

#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "sim/scenario.h"
#include "sim/simulator.h"

namespace sb::sim {

enum class KpiUnit : std::uint8_t { kCount = 0, kRatio, kSeconds };

struct KpiEstimate {
  std::string key;    // "service_level"
  std::string label;  // "Service level"
  KpiUnit unit = KpiUnit::kCount;
  double mean = 0;
  // Half-width of the 95% confidence interval; absent with a single replication.
  std::optional<double> ci95;
};

struct QueueEstimates {
  std::string name;
  std::vector<KpiEstimate> kpis;
};

struct Estimates {
  std::vector<KpiEstimate> total;
  std::vector<QueueEstimates> queues;
  double arrivals_per_replication = 0;
  double engine_events_per_replication = 0;

  // The estimate with this key in `total`. REQUIRES: the key exists.
  const KpiEstimate& get(std::string_view key) const;
};

// The KPIs, in report order: offered, handled, abandoned, abandon_rate, service_level, p_wait,
// asa_s, aht_s, occupancy, wait_p50_s, wait_p90_s, blocked.
Estimates estimate(const Scenario& scenario, const SimulationResult& result);

// The human-readable report.
std::string format_table(const Scenario& scenario, const SimulationResult& result,
                         const Estimates& est);
// One JSON object: { "scenario", "replications", "seed", ..., "kpis": { key: { "mean", "ci95" } },
// "queues": [ { "name", "kpis": {...} } ] }. ci95 is null with a single replication.
std::string format_json(const Scenario& scenario, const SimulationResult& result,
                        const Estimates& est);
// Per-interval rows of every replication (needs RunOptions::keep_intervals).
Status write_intervals_csv(const Scenario& scenario, const SimulationResult& result,
                           const std::string& path);

// "2024-01-01T08:30:00Z"
std::string iso_time(Millis t);

}  // namespace sb::sim
