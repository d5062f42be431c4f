#pragma once
// The KPI core: contact-center KPIs computed incrementally from the engine's event stream. The
// simulator and the live server's reports feed the same events into the same collector, so the
// numbers they print are defined once, here and in docs/kpis-core.md (the exact formulas).
//
// Feeding is O(1) per event and allocation-free in the steady state: queues and agents live in
// flat vectors indexed by id, in-flight contacts in an open-addressing table that forgets a
// contact as soon as nothing more can happen to it, and waits go into fixed-layout histograms.
//
// Thread safety: none. One thread owns a KpiCollector.

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/time.h"
#include "domain/events.h"
#include "domain/ids.h"
#include "metrics/histogram.h"

namespace sb::metrics {

// How the service level is computed from a queue's counts. T is the queue's service-level
// threshold, "short" abandons are those faster than KpiSettings::short_abandon.
enum class SlFormula : std::uint8_t {
  // Default: answered within T / (answered + abandoned - short abandoned). The denominator is
  // every contact offered to the queue that reached an outcome; with short_abandon = 0 this is
  // "answered within T over all arrivals", the quantity Erlang A predicts.
  kAnsweredWithinOverOffered = 0,
  // Asterisk "SL": answered within T / answered. Ignores abandons.
  kAnsweredWithinOverAnswered,
  // Asterisk "SL2": (answered within T + abandoned within T) / (answered + abandoned), short
  // abandons left out of both sides.
  kWithinOverAnsweredAndAbandoned,
  // Answered within T / offered, where offered is the `offered` counter (contacts still waiting
  // or transferred away before an outcome count in the denominator too).
  kAnsweredWithinOverOfferedCount,

  kAsteriskSl = kAnsweredWithinOverAnswered,
  kAsteriskSl2 = kWithinOverAnsweredAndAbandoned,
};
// "answered_within_over_offered", "asterisk_sl", "asterisk_sl2",
// "answered_within_over_offered_count".
std::string_view sl_formula_name(SlFormula f);
Result<SlFormula> parse_sl_formula(std::string_view name);

struct KpiSettings {
  // Length of the per-interval rows; intervals are aligned to the epoch (UTC), so 15-minute rows
  // start at :00, :15, :30 and :45.
  Millis interval = 15 * kMillisPerMinute;
  // The service-level threshold of queues no QueueConfigured event has configured.
  Millis default_sl_threshold = 20 * kMillisPerSecond;
  // Abandons with wait < short_abandon are "short" (0 = none). They stay in `abandoned` and the
  // abandon rate but leave the service level (see SlFormula).
  Millis short_abandon = 0;
  SlFormula formula = SlFormula::kAnsweredWithinOverOffered;

  // InvalidArgument for a non-positive interval or a negative threshold.
  Status validate() const;
};

// KPIs over a set of contacts (all queues, one queue, or one interval row). Times are seconds.
// A ratio whose denominator is zero is reported as 0; the counts tell the two cases apart.
struct KpiSummary {
  std::uint64_t offered = 0;              // contacts that entered the queue (new offers)
  std::uint64_t handled = 0;              // offers answered (first connection to an agent)
  std::uint64_t abandoned = 0;            // offers whose customer left before an answer
  std::uint64_t short_abandoned = 0;      // of those, abandons faster than short_abandon
  std::uint64_t abandoned_within_sl = 0;  // non-short abandons with wait <= threshold
  std::uint64_t answered_within_sl = 0;   // handled with wait <= threshold
  std::uint64_t blocked = 0;              // refused at entry; not in offered
  std::uint64_t transferred = 0;          // left the queue's agent (or queue) by a transfer
  std::uint64_t overflowed = 0;           // moved out of the queue by overflow
  std::uint64_t callbacks_requested = 0;
  std::uint64_t self_served = 0;     // total() only: self service names no queue
  std::uint64_t handle_samples = 0;  // completed agent legs (the AHT denominator)

  double service_level = 0;  // by KpiSettings::formula, in [0, 1]
  double asa_s = 0;          // mean wait of handled offers
  double aht_s = 0;          // mean talk + hold + wrap of completed legs
  double avg_talk_s = 0;
  double avg_hold_s = 0;
  double avg_wrap_s = 0;
  double avg_abandon_wait_s = 0;  // mean wait of abandoned offers (short ones included)
  double abandon_rate = 0;        // abandoned / offered
  double occupancy = 0;           // occupied_s / available_s
  double wait_p50_s = 0;          // percentiles of the waits of handled offers
  double wait_p90_s = 0;
  double wait_p95_s = 0;
  double longest_wait_s = 0;  // longest wait of an answered or abandoned offer

  // Agent time in agent-seconds. queue(q) sums the agents configured as members of q.
  double staffed_s = 0;    // logged in, any presence
  double available_s = 0;  // the occupancy denominator
  double occupied_s = 0;   // the occupancy numerator
};

// The service level of `s` by `formula` (KpiSummary::service_level uses the configured one).
double service_level(const KpiSummary& s, SlFormula formula);

// KPIs of the contacts of one queue that arrived in one interval.
struct IntervalRow {
  Millis start = 0;  // interval start (epoch milliseconds)
  QueueId queue = kNoId;
  std::uint64_t offered = 0;
  std::uint64_t handled = 0;
  std::uint64_t abandoned = 0;
  std::uint64_t short_abandoned = 0;
  std::uint64_t answered_within_sl = 0;
  std::uint64_t abandoned_within_sl = 0;
  std::uint64_t blocked = 0;
  std::uint64_t transferred = 0;
  std::uint64_t overflowed = 0;
  std::uint64_t callbacks_requested = 0;
  std::uint64_t handle_samples = 0;
  double service_level = 0;
  double asa_s = 0;
  double aht_s = 0;
  double abandon_rate = 0;
  double wait_p90_s = 0;
};

class KpiCollector {
 public:
  // REQUIRES: s.validate().ok() (an invalid interval falls back to the default one).
  explicit KpiCollector(KpiSettings s = {});
  ~KpiCollector();
  KpiCollector(KpiCollector&&) noexcept;
  KpiCollector& operator=(KpiCollector&&) noexcept;
  KpiCollector(const KpiCollector&) = delete;
  KpiCollector& operator=(const KpiCollector&) = delete;

  // Every engine event, in seq order (times never decrease). Each contact must be seen from its
  // arrival (ContactArrived or ContactQueued); events about contacts never seen are ignored.
  void on_event(const Event& e);
  // Closes agent time accounting at `end_time`: agent time until then enters staffed, available
  // and occupied. May be called again later (for example at each report) with a later time.
  void finish(Millis end_time);

  KpiSummary total() const;           // all queues together, plus self service
  KpiSummary queue(QueueId q) const;  // zeros for a queue never seen
  // One row per (interval start, queue) with traffic (any count non-zero), sorted by start, queue.
  std::vector<IntervalRow> intervals() const;

  // Waits of handled offers, all queues or one.
  Histogram wait_histogram() const;
  Histogram wait_histogram(QueueId q) const;
  // Queues that were configured or saw traffic, ascending.
  std::vector<QueueId> queues() const;

  const KpiSettings& settings() const;
  // Contacts still tracked (waiting, in service or in wrap-up): finished ones are forgotten.
  std::size_t tracked_contacts() const;

 private:
  struct State;
  std::unique_ptr<State> s_;
};

}  // namespace sb::metrics
