#pragma once
// Alert rules: a condition on one KPI or live figure, for the center as a whole, one queue, or
// every queue apart, with hysteresis (a separate clear threshold, and counts and durations a
// breach or a recovery must last) so that an alert does not flap. See docs/alerts.md.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/time.h"
#include "domain/ids.h"

namespace sb::alerts {

using json = nlohmann::json;

// Live figures are sampled every few seconds; interval figures once per closed interval.
enum class Source : std::uint8_t { kLive, kInterval };
// Threshold: the figure against a fixed value. Baseline change: the relative change of an interval
// figure against the same interval one week earlier, (value - baseline) / baseline.
enum class Kind : std::uint8_t { kThreshold, kBaselineChange };
// kAbove fires when the compared quantity is above the threshold, kBelow when below.
enum class Comparison : std::uint8_t { kAbove, kBelow };
enum class Severity : std::uint8_t { kWarning, kCritical };
enum class Scope : std::uint8_t { kCenter, kQueue, kEachQueue };

struct MetricInfo {
  std::string_view name;
  Source source;
  std::string_view unit;  // "ratio", "count", "s"
  std::string_view description;
};
// Every figure a rule may watch.
const std::vector<MetricInfo>& metric_catalog();
const MetricInfo* find_metric(std::string_view name);

std::string_view source_name(Source s);
std::string_view kind_name(Kind k);
std::string_view severity_name(Severity s);
std::string_view scope_name(Scope s);

// The thing an alert is about: the center (queue = kNoId) or one queue.
struct Subject {
  QueueId queue = kNoId;
  bool operator==(const Subject&) const = default;
  auto operator<=>(const Subject&) const = default;
  std::string key() const;  // "center" or "queue:3"
};

struct Rule {
  std::int64_t id = 0;  // assigned by the store
  std::string name;
  bool enabled = true;
  Severity severity = Severity::kWarning;
  std::string metric;  // a name from metric_catalog()
  Scope scope = Scope::kCenter;
  QueueId queue = kNoId;  // Scope::kQueue only
  Kind kind = Kind::kThreshold;
  Comparison comparison = Comparison::kAbove;
  // Threshold: the figure's value. Baseline change: the relative change (0.5 = +50 %; with kBelow
  // usually negative, -0.3 = a drop of 30 %).
  double threshold = 0;
  // Hysteresis band: an active alert clears only once the compared quantity is back at or on the
  // good side of this value (kAbove: <= it; kBelow: >= it). Defaults to `threshold` (no band);
  // must not be on the breaching side of it.
  std::optional<double> clear_threshold;
  int fire_after = 1;   // consecutive breaching evaluations before the alert fires
  int clear_after = 1;  // consecutive recovered evaluations before it clears
  Millis fire_for = 0;  // and the breach has lasted at least this long (live rules)
  Millis clear_for = 0;
  // Interval rules: intervals with fewer offered contacts are not evaluated (a service level over
  // two calls says nothing). Skipped evaluations neither count nor break a run.
  std::uint64_t min_offered = 0;
  // Baseline rules: baselines at or below this are not compared (a change against ~0 is noise).
  double min_baseline = 0;

  double effective_clear_threshold() const { return clear_threshold.value_or(threshold); }
  Source source() const;
};

// Validates and reads a rule from its JSON form (docs/alerts.md). Errors name the JSON path.
// `id` is not read from the body.
Result<Rule> rule_from_json(const json& j);
json rule_to_json(const Rule& r);

}  // namespace sb::alerts
