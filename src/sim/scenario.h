#pragma once
// A simulation scenario: the center (skills, routing profiles, queues, agents with shifts), the
// demand on every queue (arrivals, handle times, patience) and the run parameters. Scenarios are
// written in TOML; docs/simulator.md documents the format with a fully commented example.
//
// Time: simulated time is epoch milliseconds. The run covers [start, start + duration); times of
// day in the scenario ("08:00") count from the midnight (UTC) that begins each simulated day.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/time.h"
#include "domain/model.h"
#include "sim/distribution.h"

namespace sb::sim {

// A Poisson rate that is constant over [begin, end), in arrivals per millisecond.
struct RateSegment {
  Millis begin = 0;
  Millis end = 0;
  double per_ms = 0;
};

// Exactly `count` arrivals spread over [begin, end) like a Poisson process conditioned on its count
// (independent uniform instants).
struct CountInterval {
  Millis begin = 0;
  Millis end = 0;
  std::uint32_t count = 0;
};

// One call of a call-by-call replay. Handle time and patience fall back to the queue's
// distributions when the log does not give them (kDraw).
constexpr Millis kDraw = -1;
struct CallRecord {
  Millis arrival = 0;  // since the start of the run
  Millis handle = kDraw;
  Millis patience = kDraw;  // kNever: waits forever
};

struct ArrivalSpec {
  enum class Kind : std::uint8_t { kNone = 0, kPoisson, kCounts, kCalls };
  Kind kind = Kind::kNone;
  // kPoisson: segments sorted and disjoint, offsets from the start of the run; the pattern repeats
  // every `cycle` (0: it does not repeat).
  std::vector<RateSegment> segments;
  Millis cycle = 0;
  // kCounts: intervals sorted and disjoint, offsets from the start of the run.
  std::vector<CountInterval> counts;
  // kCalls: sorted by arrival.
  std::vector<CallRecord> calls;

  // Expected arrivals over [0, horizon) (exact for counts and calls).
  double expected_arrivals(Millis horizon) const;
};

// What the simulator needs to know about a queue beyond its engine configuration.
struct QueueSpec {
  Channel channel = Channel::kVoice;
  Requirements requirements;
  std::int32_t priority = 0;
  Distribution handle_time = Distribution::exponential(180 * kMillisPerSecond);
  Distribution patience = Distribution::never();
  // Random wrap-up, ended by the simulator (cmd::EndWrapUp). A constant wrap-up is left to the
  // engine's own timer (QueueConfig::wrap_up) instead and `random_wrap_up` is false.
  bool random_wrap_up = false;
  Distribution wrap_up;
  ArrivalSpec arrivals;
};

struct BreakSpec {
  Millis start = 0;  // from the midnight of the shift's day
  Millis duration = 0;
  ReasonId reason = reason::kBreak;
};

// A shift on the days in `days` (bit d set = weekday d, Monday = 0). `end` may exceed one day for
// a shift that crosses midnight; breaks lie within [start, end).
struct ShiftSpec {
  Millis start = 0;  // from midnight
  Millis end = 0;
  std::uint8_t days = 0x7f;
  std::vector<BreakSpec> breaks;  // sorted, disjoint
};

struct AgentSpec {
  // Empty: the agent is logged in and available for the whole run.
  std::vector<ShiftSpec> shifts;  // sorted by start, disjoint even across midnight
  Distribution accept_delay;      // from the offer to cmd::AcceptOffer
};

struct Scenario {
  std::string name;
  std::string source;  // the file it was read from
  CenterConfig center;
  std::vector<QueueSpec> queues;  // parallel to center.queues
  std::vector<AgentSpec> agents;  // parallel to center.agents

  Millis start = 0;  // epoch ms; a midnight
  Millis duration = kMillisPerDay;
  // Contacts that arrive before start + warmup are left out of the KPIs (the system fills up).
  Millis warmup = 0;
  Millis interval = 30 * kMillisPerMinute;  // length of the KPI intervals
  std::uint64_t seed = 1;
  int replications = 1;
};

// Reads and validates a scenario. Errors name the file, line, column and field:
//   "center.toml:12:10: queues[1].selection: unknown agent selection 'fastest' (expected ...)"
// Relative file names inside the scenario (CSV inputs) resolve against the scenario's directory.
Result<Scenario> load_scenario(const std::string& path);
// The same from text; `source_name` appears in messages, `base_dir` resolves relative files.
Result<Scenario> parse_scenario(std::string_view text, const std::string& source_name,
                                const std::string& base_dir = ".");

// "90s", "1.5m", "2h", "1d", "250ms", or a time of day "08:30" / "08:30:15" (from midnight).
Result<Millis> parse_duration(std::string_view text);

}  // namespace sb::sim
