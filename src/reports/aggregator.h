#pragma once
// The projection from events to cell deltas: the single place where the reports' KPIs are
// counted (docs/metrics.md). The live server, `switchboard reports rebuild`, imports and the
// tests all feed events through it; ReportStore adds its deltas to reports.db.
//
// It follows a contact from arrival to its last leg's wrap-up (offers, waits, legs, holds) and
// each agent's presence, and writes what it learns into the cell of the interval where the offer
// started (the "arrival interval" convention of docs/kpis-core.md). Agent time is split at
// interval boundaries.
//
// `record = false` replays history only to rebuild the in-flight state (contacts still open,
// agents' presence, customers' last contacts) after a restart; it produces no deltas.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "domain/events.h"
#include "reports/cells.h"
#include "reports/report_query.h"

namespace sb::reports {

// Keys for queues and agents. Live queues and agents keep their engine id; names that only
// imports know get synthetic keys from kSyntheticKeyBase up, in the order they are first seen.
constexpr std::int64_t kSyntheticKeyBase = 1'000'000'000;

struct DimensionName {
  char kind = 'q';  // 'q' queue, 'a' agent
  std::int64_t key = 0;
  std::string name;
  bool operator==(const DimensionName&) const = default;
};

// The definitions in force, looked up by queue and offer start.
class DefinitionTable {
 public:
  void set(std::vector<QueueDefinition> defs);
  const std::vector<QueueDefinition>& all() const { return defs_; }
  // The definition for an offer of queue (`key`, `name`) starting at `start`; nullptr when none
  // applies (the built-in version 0 does).
  const QueueDefinition* find(std::int64_t key, const std::string& name, Millis start) const;

 private:
  std::vector<QueueDefinition> defs_;  // sorted by queue, then effective_from
};

class Aggregator {
 public:
  Aggregator(const DefinitionTable& definitions, const CenterSettings& settings);
  ~Aggregator();
  Aggregator(const Aggregator&) = delete;
  Aggregator& operator=(const Aggregator&) = delete;

  void on_event(const Event& e, bool record);
  // Accounts every agent's open presence span up to `t` (call at the end of a batch so that the
  // current interval's agent time is in the cells; splitting a span is additive).
  void settle_agents(Millis t, bool record);

  using Deltas = std::unordered_map<CellKey, CellValues, CellKeyHash>;
  Deltas& deltas() { return deltas_; }
  std::vector<DimensionName>& dimension_changes() { return dims_changed_; }

  // The name of a queue or agent key ("queue 3" / "agent 7" until configured).
  std::string queue_name(std::int64_t key) const;
  std::string agent_name(std::int64_t key) const;
  std::uint64_t last_seq() const { return last_seq_; }
  std::size_t open_contacts() const;

 private:
  struct State;
  std::unique_ptr<State> s_;
  Deltas deltas_;
  std::vector<DimensionName> dims_changed_;
  std::uint64_t last_seq_ = 0;
};

}  // namespace sb::reports
