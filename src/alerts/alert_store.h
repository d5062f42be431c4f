#pragma once
// alerts.db: the alert rules, the alert history (one row per alert: fired, and cleared once it
// clears) and the interval figures that baseline rules compare against a week later.
//
// Thread safety: every method locks; one AlertStore may be shared between threads.

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "alerts/evaluator.h"
#include "alerts/rule.h"
#include "base/status.h"

namespace sb::sqlite {
class Database;
}

namespace sb::alerts {

struct Alert {
  std::int64_t id = 0;
  std::int64_t rule_id = 0;
  std::string rule_name;
  Severity severity = Severity::kWarning;
  std::string metric;
  Subject subject;
  Millis fired_at = 0;
  double fired_value = 0;
  double threshold = 0;
  std::optional<double> baseline;
  std::optional<double> change;
  std::string message;
  std::optional<Millis> cleared_at;  // empty while active
  std::optional<double> cleared_value;
  std::string cleared_reason;
  bool active() const { return !cleared_at.has_value(); }
};
json alert_to_json(const Alert& a);
// The JSON pushed for a transition: {"event": "fired"|"cleared", "alert": {...}}.
json transition_to_json(const Transition& t, const Alert& a);

struct AlertPage {
  std::vector<Alert> items;
  std::optional<std::int64_t> next_cursor;  // pass as before_id for the next (older) page
};

class AlertStore final : public BaselineSource {
 public:
  // ":memory:" opens a private in-memory database.
  static Result<std::unique_ptr<AlertStore>> open(const std::string& path);
  ~AlertStore() override;

  Result<Rule> create_rule(Rule rule);   // assigns the id
  Status update_rule(const Rule& rule);  // NotFound for an unknown id
  Status delete_rule(std::int64_t id);
  Result<Rule> rule(std::int64_t id);
  Result<std::vector<Rule>> rules();

  // Fired: a new active alert. Cleared: closes the subject's active alert of that rule
  // (NotFound if there is none). Returns the alert as stored.
  Result<Alert> record(const Transition& t);
  Result<std::vector<Alert>> active_alerts();
  // Newest first. before_id = 0: from the newest. only_active: active alerts only.
  Result<AlertPage> history(std::int64_t before_id, std::size_t limit, bool only_active,
                            std::optional<std::int64_t> rule_id);

  // Interval figures for baselines: every figure of every subject of a closed interval. Figures
  // older than `keep` before the interval are pruned.
  Status record_interval(const Sample& interval, Millis keep = 35 * kMillisPerDay);
  Result<std::optional<double>> interval_figure(std::string_view metric, Subject subject,
                                                Millis interval_start) const override;

  // The end of the last interval the host evaluated (0 = none), so a restart does not evaluate
  // an interval twice.
  Result<Millis> last_interval_end();
  Status set_last_interval_end(Millis end);

 private:
  explicit AlertStore(std::unique_ptr<sqlite::Database> db);

  std::unique_ptr<sqlite::Database> db_;
  mutable std::mutex mu_;
};

}  // namespace sb::alerts
