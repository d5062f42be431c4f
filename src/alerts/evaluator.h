#pragma once
// Alert evaluation: pure and deterministic. The host feeds samples (live figures every few
// seconds, interval figures when an interval closes); the evaluator keeps per (rule, subject) the
// run of breaching or recovered evaluations and returns the fired and cleared transitions. It
// reads no clock: every sample carries its own time.
//
// A subject is inactive until `fire_after` consecutive evaluations breach the threshold and the
// first of them is at least `fire_for` old; it is then active until `clear_after` consecutive
// evaluations are at or on the good side of the clear threshold for at least `clear_for`. A value
// strictly between the clear threshold and the threshold (the hysteresis band) keeps an active
// alert active and an inactive one inactive, and breaks a run. Evaluations without data (no such
// figure, too few offered contacts, no baseline) leave the state untouched.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "alerts/rule.h"

namespace sb::alerts {

// Named figures of one subject.
using Figures = std::map<std::string, double, std::less<>>;

struct Sample {
  Source source = Source::kLive;
  Millis at = 0;              // live: sample time; interval: the interval's end
  Millis interval_start = 0;  // interval samples only
  Millis interval_length = 0;
  Figures center;
  std::map<QueueId, Figures> queues;
};

// Interval figures of earlier weeks, for baseline rules.
class BaselineSource {
 public:
  virtual ~BaselineSource() = default;
  // The figure, nullopt when there is none, or the error that kept it from being read.
  virtual Result<std::optional<double>> interval_figure(std::string_view metric, Subject subject,
                                                        Millis interval_start) const = 0;
};

constexpr Millis kBaselineOffset = 7 * kMillisPerDay;  // the same interval last week

enum class TransitionType : std::uint8_t { kFired, kCleared };

struct Transition {
  TransitionType type = TransitionType::kFired;
  std::int64_t rule_id = 0;
  std::string rule_name;
  Severity severity = Severity::kWarning;
  std::string metric;
  Subject subject;
  Millis at = 0;
  double value = 0;                // the compared figure (for baseline rules: the figure itself)
  double threshold = 0;            // the threshold crossed (fired) or the clear threshold
  std::optional<double> baseline;  // baseline rules: last week's figure
  std::optional<double> change;    // baseline rules: (value - baseline) / baseline
  // Why it cleared: "recovered", or "rule_changed" / "rule_deleted" / "rule_disabled".
  std::string reason;
  std::string message;  // one line for people
};

class Evaluator {
 public:
  // Replaces the rule set. Subjects of removed, disabled or changed rules that were active clear
  // with the matching reason (at `at`); their runs restart.
  std::vector<Transition> set_rules(std::vector<Rule> rules, Millis at);
  const std::vector<Rule>& rules() const { return rules_; }

  // Marks a subject active without a transition (alerts still active after a restart).
  void restore_active(std::int64_t rule_id, Subject subject, Millis fired_at);

  // Evaluates every enabled rule of the sample's source. `baselines` may be null (baseline rules
  // then skip). A baseline that cannot be read skips that evaluation; the error goes to `errors`.
  std::vector<Transition> evaluate(const Sample& sample, const BaselineSource* baselines,
                                   std::vector<Status>* errors = nullptr);

  bool active(std::int64_t rule_id, Subject subject) const;
  std::size_t active_count() const;

 private:
  struct State {
    bool active = false;
    int run = 0;           // consecutive evaluations towards the next transition
    Millis run_since = 0;  // time of the first of them
  };
  std::vector<Transition> clear_all(const Rule& rule, Millis at, const std::string& reason);
  void evaluate_subject(const Rule& rule, Subject subject, const Figures& figures,
                        const Sample& sample, const BaselineSource* baselines,
                        std::vector<Transition>& out, std::vector<Status>* errors);

  std::vector<Rule> rules_;
  std::map<std::pair<std::int64_t, Subject>, State> states_;
};

// Delay before delivery attempt `attempt` (1-based; attempt 1 has none): initial * 2^(attempt-2),
// capped at `max`.
Millis retry_backoff(int attempt, Millis initial, Millis max);

}  // namespace sb::alerts
