#include "alerts/evaluator.h"

#include <cstdio>

namespace sb::alerts {

namespace {

std::string format_number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

std::string subject_label(Subject s) {
  return s.queue == kNoId ? "center" : "queue " + std::to_string(s.queue);
}

std::string describe(const Rule& rule, const Transition& t) {
  std::string m = rule.name + " (" + subject_label(t.subject) + "): " + rule.metric + " ";
  if (t.type == TransitionType::kCleared && t.reason != "recovered")
    return m + "alert closed, " + t.reason;
  if (rule.kind == Kind::kBaselineChange) {
    m += format_number(t.value) + " vs " + format_number(t.baseline.value_or(0)) + " last week (" +
         (t.change.value_or(0) >= 0 ? "+" : "") + format_number(100.0 * t.change.value_or(0)) +
         " %)";
  } else {
    m += format_number(t.value);
  }
  if (t.type == TransitionType::kFired) {
    m += std::string(rule.comparison == Comparison::kAbove ? " above " : " below ") +
         format_number(t.threshold);
  } else {
    m += " back " + std::string(rule.comparison == Comparison::kAbove ? "below " : "above ") +
         format_number(t.threshold);
  }
  return m;
}

std::string rule_identity(const Rule& r) { return rule_to_json(r).dump(); }

}  // namespace

Millis retry_backoff(int attempt, Millis initial, Millis max) {
  if (attempt <= 1) return 0;
  Millis d = initial;
  for (int i = 2; i < attempt && d < max; ++i) d *= 2;
  return std::min(d, max);
}

std::vector<Transition> Evaluator::clear_all(const Rule& rule, Millis at,
                                             const std::string& reason) {
  std::vector<Transition> out;
  for (auto it = states_.begin(); it != states_.end();) {
    if (it->first.first != rule.id) {
      ++it;
      continue;
    }
    if (it->second.active) {
      Transition t;
      t.type = TransitionType::kCleared;
      t.rule_id = rule.id;
      t.rule_name = rule.name;
      t.severity = rule.severity;
      t.metric = rule.metric;
      t.subject = it->first.second;
      t.at = at;
      t.threshold = rule.effective_clear_threshold();
      t.reason = reason;
      t.message = describe(rule, t);
      out.push_back(std::move(t));
    }
    it = states_.erase(it);
  }
  return out;
}

std::vector<Transition> Evaluator::set_rules(std::vector<Rule> rules, Millis at) {
  std::vector<Transition> out;
  for (const Rule& old : rules_) {
    const Rule* now = nullptr;
    for (const Rule& r : rules)
      if (r.id == old.id) now = &r;
    std::string reason;
    if (now == nullptr) {
      reason = "rule_deleted";
    } else if (!now->enabled && old.enabled) {
      reason = "rule_disabled";
    } else if (rule_identity(*now) != rule_identity(old)) {
      reason = "rule_changed";
    } else {
      continue;
    }
    auto cleared = clear_all(old, at, reason);
    out.insert(out.end(), cleared.begin(), cleared.end());
  }
  rules_ = std::move(rules);
  return out;
}

void Evaluator::restore_active(std::int64_t rule_id, Subject subject, Millis fired_at) {
  State& s = states_[{rule_id, subject}];
  s.active = true;
  s.run = 0;
  s.run_since = fired_at;
}

bool Evaluator::active(std::int64_t rule_id, Subject subject) const {
  auto it = states_.find({rule_id, subject});
  return it != states_.end() && it->second.active;
}

std::size_t Evaluator::active_count() const {
  std::size_t n = 0;
  for (const auto& [key, s] : states_) n += s.active ? 1 : 0;
  return n;
}

void Evaluator::evaluate_subject(const Rule& rule, Subject subject, const Figures& figures,
                                 const Sample& sample, const BaselineSource* baselines,
                                 std::vector<Transition>& out, std::vector<Status>* errors) {
  auto it = figures.find(rule.metric);
  if (it == figures.end()) return;
  const double value = it->second;
  if (rule.min_offered > 0) {
    auto offered = figures.find("offered");
    if (offered == figures.end() || offered->second < static_cast<double>(rule.min_offered)) return;
  }
  double compared = value;
  std::optional<double> baseline;
  std::optional<double> change;
  if (rule.kind == Kind::kBaselineChange) {
    if (baselines == nullptr) return;
    auto found =
        baselines->interval_figure(rule.metric, subject, sample.interval_start - kBaselineOffset);
    if (!found.ok()) {
      if (errors != nullptr) errors->push_back(found.status());
      return;
    }
    baseline = *found;
    if (!baseline || *baseline <= rule.min_baseline || *baseline <= 0) return;
    change = (value - *baseline) / *baseline;
    compared = *change;
  }
  const bool above = rule.comparison == Comparison::kAbove;
  const bool breaching = above ? compared > rule.threshold : compared < rule.threshold;
  const double clear_at = rule.effective_clear_threshold();
  const bool recovered = above ? compared <= clear_at : compared >= clear_at;

  State& s = states_[{rule.id, subject}];
  const bool towards_change = s.active ? recovered : breaching;
  if (!towards_change) {
    s.run = 0;
    return;
  }
  if (s.run == 0) s.run_since = sample.at;
  ++s.run;
  const int need = s.active ? rule.clear_after : rule.fire_after;
  const Millis need_for = s.active ? rule.clear_for : rule.fire_for;
  if (s.run < need || sample.at - s.run_since < need_for) return;

  Transition t;
  t.type = s.active ? TransitionType::kCleared : TransitionType::kFired;
  t.rule_id = rule.id;
  t.rule_name = rule.name;
  t.severity = rule.severity;
  t.metric = rule.metric;
  t.subject = subject;
  t.at = sample.at;
  t.value = value;
  t.threshold = s.active ? clear_at : rule.threshold;
  t.baseline = baseline;
  t.change = change;
  if (s.active) t.reason = "recovered";
  t.message = describe(rule, t);
  out.push_back(std::move(t));
  s.active = !s.active;
  s.run = 0;
}

std::vector<Transition> Evaluator::evaluate(const Sample& sample, const BaselineSource* baselines,
                                            std::vector<Status>* errors) {
  std::vector<Transition> out;
  for (const Rule& rule : rules_) {
    if (!rule.enabled || rule.source() != sample.source) continue;
    switch (rule.scope) {
      case Scope::kCenter:
        evaluate_subject(rule, Subject{}, sample.center, sample, baselines, out, errors);
        break;
      case Scope::kQueue:
        if (auto q = sample.queues.find(rule.queue); q != sample.queues.end())
          evaluate_subject(rule, Subject{rule.queue}, q->second, sample, baselines, out, errors);
        break;
      case Scope::kEachQueue:
        for (const auto& [queue, figures] : sample.queues)
          evaluate_subject(rule, Subject{queue}, figures, sample, baselines, out, errors);
        break;
    }
  }
  return out;
}

}  // namespace sb::alerts
