#include "alerts/rule.h"

#include <cmath>

namespace sb::alerts {

const std::vector<MetricInfo>& metric_catalog() {
  static const std::vector<MetricInfo> catalog = {
      {"waiting", Source::kLive, "count", "contacts waiting now"},
      {"longest_wait_s", Source::kLive, "s", "wait of the oldest waiting contact now"},
      {"agents_logged_in", Source::kLive, "count", "agents logged in (member agents for a queue)"},
      {"agents_available", Source::kLive, "count", "agents available for the queue now"},
      {"service_level_today", Source::kLive, "ratio", "service level since 00:00 UTC"},
      {"abandon_rate_today", Source::kLive, "ratio", "abandoned / offered since 00:00 UTC"},
      {"asa_today_s", Source::kLive, "s", "average speed of answer since 00:00 UTC"},
      {"agents_out_of_adherence", Source::kLive, "count",
       "scheduled agents out of schedule adherence now (center only)"},
      {"offered", Source::kInterval, "count", "contacts offered in the interval"},
      {"handled", Source::kInterval, "count", "offers answered in the interval"},
      {"abandoned", Source::kInterval, "count", "offers abandoned in the interval"},
      {"service_level", Source::kInterval, "ratio", "service level of the interval"},
      {"abandon_rate", Source::kInterval, "ratio", "abandoned / offered in the interval"},
      {"asa_s", Source::kInterval, "s", "average speed of answer in the interval"},
      {"aht_s", Source::kInterval, "s", "average handle time in the interval"},
      {"wait_p90_s", Source::kInterval, "s", "90th percentile wait (queues only)"},
  };
  return catalog;
}

const MetricInfo* find_metric(std::string_view name) {
  for (const auto& m : metric_catalog())
    if (m.name == name) return &m;
  return nullptr;
}

std::string_view source_name(Source s) { return s == Source::kLive ? "live" : "interval"; }
std::string_view kind_name(Kind k) {
  return k == Kind::kThreshold ? "threshold" : "baseline_change";
}
std::string_view severity_name(Severity s) {
  return s == Severity::kWarning ? "warning" : "critical";
}
std::string_view scope_name(Scope s) {
  switch (s) {
    case Scope::kCenter:
      return "center";
    case Scope::kQueue:
      return "queue";
    case Scope::kEachQueue:
      return "each_queue";
  }
  return "center";
}

std::string Subject::key() const {
  return queue == kNoId ? "center" : "queue:" + std::to_string(queue);
}

Source Rule::source() const {
  const MetricInfo* m = find_metric(metric);
  return m == nullptr ? Source::kLive : m->source;
}

namespace {

Status bad(const std::string& path, const std::string& what) {
  return Status::invalid_argument("$." + path + ": " + what);
}

// Reads an optional member of the expected JSON type; absent leaves `out` unchanged.
template <typename T>
Status read(const json& j, const char* key, T& out) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return Status::ok_status();
  if constexpr (std::is_same_v<T, std::string>) {
    if (!it->is_string()) return bad(key, "must be a string");
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!it->is_boolean()) return bad(key, "must be true or false");
  } else if constexpr (std::is_floating_point_v<T>) {
    if (!it->is_number() || !std::isfinite(it->get<double>())) return bad(key, "must be a number");
  } else {
    if (!it->is_number_integer() && !it->is_number_unsigned())
      return bad(key, "must be an integer");
  }
  out = it->get<T>();
  return Status::ok_status();
}

}  // namespace

Result<Rule> rule_from_json(const json& j) {
  if (!j.is_object()) return Status::invalid_argument("$: the rule must be a JSON object");
  static const std::vector<std::string> known = {
      "id",          "name",       "enabled",     "severity",    "metric",          "scope",
      "queue",       "kind",       "comparison",  "threshold",   "clear_threshold", "fire_after",
      "clear_after", "fire_for_s", "clear_for_s", "min_offered", "min_baseline",    "source"};
  for (auto& [key, value] : j.items()) {
    (void)value;
    bool ok = false;
    for (const auto& k : known) ok = ok || k == key;
    if (!ok) return bad(key, "unknown field");
  }
  Rule r;
  SB_RETURN_IF_ERROR(read(j, "name", r.name));
  if (r.name.empty() || r.name.size() > 200) return bad("name", "required, 1..200 characters");
  SB_RETURN_IF_ERROR(read(j, "enabled", r.enabled));

  std::string severity = "warning";
  SB_RETURN_IF_ERROR(read(j, "severity", severity));
  if (severity == "warning") {
    r.severity = Severity::kWarning;
  } else if (severity == "critical") {
    r.severity = Severity::kCritical;
  } else {
    return bad("severity", "must be 'warning' or 'critical'");
  }

  SB_RETURN_IF_ERROR(read(j, "metric", r.metric));
  const MetricInfo* metric = find_metric(r.metric);
  if (metric == nullptr) {
    std::string names;
    for (const auto& m : metric_catalog())
      names += (names.empty() ? "" : ", ") + std::string(m.name);
    return bad("metric", "required, one of " + names);
  }

  std::string scope = "center";
  SB_RETURN_IF_ERROR(read(j, "scope", scope));
  if (scope == "center") {
    r.scope = Scope::kCenter;
  } else if (scope == "queue") {
    r.scope = Scope::kQueue;
    std::int64_t q = -1;
    SB_RETURN_IF_ERROR(read(j, "queue", q));
    if (q < 0 || q >= kNoId) return bad("queue", "required with scope 'queue': a queue id");
    r.queue = static_cast<QueueId>(q);
  } else if (scope == "each_queue") {
    r.scope = Scope::kEachQueue;
  } else {
    return bad("scope", "must be 'center', 'queue' or 'each_queue'");
  }
  if (r.scope != Scope::kQueue && j.contains("queue") && !j["queue"].is_null())
    return bad("queue", "only with scope 'queue'");
  if (r.metric == "wait_p90_s" && r.scope == Scope::kCenter)
    return bad("metric", "wait_p90_s exists per queue only (percentiles do not add up)");

  std::string kind = "threshold";
  SB_RETURN_IF_ERROR(read(j, "kind", kind));
  if (kind == "threshold") {
    r.kind = Kind::kThreshold;
  } else if (kind == "baseline_change") {
    r.kind = Kind::kBaselineChange;
    if (metric->source != Source::kInterval)
      return bad("kind",
                 "baseline_change compares interval figures; '" + r.metric + "' is a live figure");
  } else {
    return bad("kind", "must be 'threshold' or 'baseline_change'");
  }

  std::string comparison;
  SB_RETURN_IF_ERROR(read(j, "comparison", comparison));
  if (comparison == "above") {
    r.comparison = Comparison::kAbove;
  } else if (comparison == "below") {
    r.comparison = Comparison::kBelow;
  } else {
    return bad("comparison", "required, 'above' or 'below'");
  }

  if (!j.contains("threshold")) return bad("threshold", "required");
  SB_RETURN_IF_ERROR(read(j, "threshold", r.threshold));
  if (j.contains("clear_threshold") && !j["clear_threshold"].is_null()) {
    double c = 0;
    SB_RETURN_IF_ERROR(read(j, "clear_threshold", c));
    const bool breaching_side =
        r.comparison == Comparison::kAbove ? c > r.threshold : c < r.threshold;
    if (breaching_side)
      return bad("clear_threshold", r.comparison == Comparison::kAbove
                                        ? "must be at or below threshold for 'above'"
                                        : "must be at or above threshold for 'below'");
    r.clear_threshold = c;
  }

  std::int64_t fire_after = 1;
  std::int64_t clear_after = 1;
  SB_RETURN_IF_ERROR(read(j, "fire_after", fire_after));
  SB_RETURN_IF_ERROR(read(j, "clear_after", clear_after));
  if (fire_after < 1 || fire_after > 1000) return bad("fire_after", "must be 1..1000");
  if (clear_after < 1 || clear_after > 1000) return bad("clear_after", "must be 1..1000");
  r.fire_after = static_cast<int>(fire_after);
  r.clear_after = static_cast<int>(clear_after);

  double fire_for_s = 0;
  double clear_for_s = 0;
  SB_RETURN_IF_ERROR(read(j, "fire_for_s", fire_for_s));
  SB_RETURN_IF_ERROR(read(j, "clear_for_s", clear_for_s));
  if (fire_for_s < 0 || fire_for_s > 86400) return bad("fire_for_s", "must be 0..86400");
  if (clear_for_s < 0 || clear_for_s > 86400) return bad("clear_for_s", "must be 0..86400");
  r.fire_for = seconds(fire_for_s);
  r.clear_for = seconds(clear_for_s);

  std::int64_t min_offered = 0;
  SB_RETURN_IF_ERROR(read(j, "min_offered", min_offered));
  if (min_offered < 0) return bad("min_offered", "must not be negative");
  if (min_offered > 0 && metric->source != Source::kInterval)
    return bad("min_offered", "applies to interval figures only");
  r.min_offered = static_cast<std::uint64_t>(min_offered);
  SB_RETURN_IF_ERROR(read(j, "min_baseline", r.min_baseline));
  if (r.min_baseline < 0) return bad("min_baseline", "must not be negative");
  if (j.contains("source") && j["source"] != std::string(source_name(metric->source)))
    return bad("source", "is implied by the metric ('" + std::string(source_name(metric->source)) +
                             "' for " + r.metric + ")");
  return r;
}

json rule_to_json(const Rule& r) {
  json j = {{"id", r.id},
            {"name", r.name},
            {"enabled", r.enabled},
            {"severity", std::string(severity_name(r.severity))},
            {"metric", r.metric},
            {"source", std::string(source_name(r.source()))},
            {"scope", std::string(scope_name(r.scope))},
            {"queue", r.scope == Scope::kQueue ? json(r.queue) : json(nullptr)},
            {"kind", std::string(kind_name(r.kind))},
            {"comparison", r.comparison == Comparison::kAbove ? "above" : "below"},
            {"threshold", r.threshold},
            {"clear_threshold", r.effective_clear_threshold()},
            {"fire_after", r.fire_after},
            {"clear_after", r.clear_after},
            {"fire_for_s", static_cast<double>(r.fire_for) / 1000.0},
            {"clear_for_s", static_cast<double>(r.clear_for) / 1000.0},
            {"min_offered", r.min_offered},
            {"min_baseline", r.min_baseline}};
  return j;
}

}  // namespace sb::alerts
