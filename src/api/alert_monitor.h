#pragma once
// The live host of the alert rules: evaluates them on the center's figures every few seconds
// (live figures) and whenever an interval has closed (interval figures), records fired and
// cleared alerts in alerts.db, and hands each transition to the supervisor WebSocket channel and
// to the webhook notifier. The evaluation itself is sb_alerts' deterministic Evaluator; this class
// only gathers figures, keeps time and delivers.
//
// Thread safety: every public method may be called from any thread; evaluations, rule changes
// and their deliveries are serialised.

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "alerts/alert_store.h"
#include "alerts/evaluator.h"
#include "alerts/webhook.h"
#include "base/status.h"
#include "base/time.h"
#include "reports/report_query.h"

namespace sb::api {

struct AlertMonitorOptions {
  std::string db_path = ":memory:";  // alerts.db
  Millis period = 5000;              // between evaluations of live figures; 0: only tick()
  std::string webhook_url;           // empty: no webhook
  alerts::WebhookOptions webhook;    // retry settings (its url is replaced by webhook_url)
};

// Where the figures come from (the API application reads them from the CenterService).
struct AlertSources {
  // The live figures at `now`.
  std::function<alerts::Sample(Millis now)> live;
  // The intervals that closed in (after_end, now], oldest first; each sample's `at` is its end.
  std::function<std::vector<alerts::Sample>(Millis after_end, Millis now)> closed_intervals;
  // The length of the intervals (aligned to the epoch, like the KPI rows).
  std::function<Millis()> interval_length;
  // Optional: figures of past intervals the monitor did not record itself (it was not running,
  // or the history was imported) — the reports read model's figure of `metric` for `subject`
  // over [start, start + length), nullopt when there is none. Baseline rules read the monitor's
  // own recorded figure first and this one when there is none (report_interval_figure below).
  std::function<Result<std::optional<double>>(std::string_view metric, alerts::Subject subject,
                                              Millis start, Millis length)>
      history;
};

// An interval figure of the alert metric catalogue computed from the reports read model (the
// `history` source the API wires up): offered, handled, abandoned, service_level (each queue's
// own definition), abandon_rate, asa_s, aht_s, wait_p90_s. nullopt for other metrics, for an
// interval without offers, or for a queue the read model has no data of.
Result<std::optional<double>> report_interval_figure(const reports::ReportStore& reports,
                                                     std::string_view metric,
                                                     alerts::Subject subject, Millis start,
                                                     Millis length);

struct AlertMonitorStats {
  std::uint64_t evaluations = 0;
  std::uint64_t fired = 0;
  std::uint64_t cleared = 0;
  std::uint64_t errors = 0;  // store failures while evaluating (also logged)
};

class AlertMonitor {
 public:
  using Publish = std::function<void(const std::string& json_message)>;

  static Result<std::unique_ptr<AlertMonitor>> open(AlertMonitorOptions options,
                                                    AlertSources sources, const Clock& clock,
                                                    Publish publish);
  ~AlertMonitor();

  // Starts the periodic evaluation thread (no-op with period 0).
  void start();
  void stop();

  // One evaluation at clock.now(): intervals closed since the last one, then the live figures.
  Status tick();

  Result<alerts::Rule> create_rule(alerts::Rule rule);
  Status update_rule(const alerts::Rule& rule);
  Status delete_rule(std::int64_t id);
  Result<alerts::Rule> rule(std::int64_t id) { return store_->rule(id); }
  Result<std::vector<alerts::Rule>> rules() { return store_->rules(); }
  alerts::AlertStore& store() { return *store_; }

  AlertMonitorStats stats() const;
  alerts::WebhookStats webhook_stats() const;

 private:
  AlertMonitor(AlertMonitorOptions options, AlertSources sources, const Clock& clock,
               Publish publish);
  Status reload_rules_locked();
  Status deliver_locked(const std::vector<alerts::Transition>& transitions);
  void run();
  Millis interval_start(Millis t) const;

  AlertMonitorOptions options_;
  AlertSources sources_;
  const Clock& clock_;
  Publish publish_;
  std::unique_ptr<alerts::AlertStore> store_;
  std::unique_ptr<alerts::WebhookNotifier> webhook_;

  mutable std::mutex mu_;  // evaluator, rule changes, deliveries
  alerts::Evaluator evaluator_;
  Millis last_interval_end_ = 0;
  AlertMonitorStats stats_;

  std::mutex thread_mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace sb::api
