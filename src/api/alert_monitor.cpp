#include "api/alert_monitor.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace sb::api {

Result<std::unique_ptr<AlertMonitor>> AlertMonitor::open(AlertMonitorOptions options,
                                                         AlertSources sources, const Clock& clock,
                                                         Publish publish) {
  std::unique_ptr<AlertMonitor> m(
      new AlertMonitor(std::move(options), std::move(sources), clock, std::move(publish)));
  auto store = alerts::AlertStore::open(m->options_.db_path);
  if (!store.ok()) return store.status();
  m->store_ = std::move(*store);
  if (!m->options_.webhook_url.empty()) {
    alerts::WebhookOptions w = m->options_.webhook;
    w.url = m->options_.webhook_url;
    auto hook = alerts::WebhookNotifier::start(std::move(w));
    if (!hook.ok()) return hook.status();
    m->webhook_ = std::move(*hook);
  }
  std::lock_guard lock(m->mu_);
  SB_RETURN_IF_ERROR(m->reload_rules_locked());
  // Alerts still active from before a restart stay active: they clear when their figure recovers
  // instead of firing a second time.
  auto active = m->store_->active_alerts();
  if (!active.ok()) return active.status();
  for (const auto& a : *active) m->evaluator_.restore_active(a.rule_id, a.subject, a.fired_at);
  auto last = m->store_->last_interval_end();
  if (!last.ok()) return last.status();
  const Millis now = clock.now();
  // Intervals older than the current day's are not in the live figures any more; on a first
  // start nothing before the current interval is evaluated.
  const Millis day_start = now - now % kMillisPerDay;
  m->last_interval_end_ = *last == 0 ? m->interval_start(now) : std::max(*last, day_start);
  return m;
}

AlertMonitor::AlertMonitor(AlertMonitorOptions options, AlertSources sources, const Clock& clock,
                           Publish publish)
    : options_(std::move(options)),
      sources_(std::move(sources)),
      clock_(clock),
      publish_(std::move(publish)) {}

AlertMonitor::~AlertMonitor() { stop(); }

Millis AlertMonitor::interval_start(Millis t) const {
  const Millis len = std::max<Millis>(1, sources_.interval_length());
  return t - ((t % len) + len) % len;
}

void AlertMonitor::start() {
  if (options_.period <= 0 || thread_.joinable()) return;
  thread_ = std::thread([this] { run(); });
}

void AlertMonitor::stop() {
  {
    std::lock_guard lock(thread_mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (webhook_) webhook_->stop();
}

void AlertMonitor::run() {
  std::unique_lock lock(thread_mu_);
  while (!stopping_) {
    // Wake at the period, and right after an interval boundary so that interval rules are
    // evaluated as soon as their interval closes.
    const Millis now = clock_.now();
    const Millis next_boundary = interval_start(now) + sources_.interval_length();
    const Millis wait = std::clamp<Millis>(next_boundary - now + 50, 50, options_.period);
    cv_.wait_for(lock, std::chrono::milliseconds(wait), [&] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    Status st = tick();
    if (!st.ok()) std::fprintf(stderr, "switchboard: alert evaluation: %s\n", st.message().c_str());
    lock.lock();
  }
}

Status AlertMonitor::reload_rules_locked() {
  auto rules = store_->rules();
  if (!rules.ok()) return rules.status();
  auto transitions = evaluator_.set_rules(std::move(*rules), clock_.now());
  return deliver_locked(transitions);
}

Status AlertMonitor::deliver_locked(const std::vector<alerts::Transition>& transitions) {
  Status first;
  for (const auto& t : transitions) {
    auto stored = store_->record(t);
    if (!stored.ok()) {
      ++stats_.errors;
      if (first.ok()) first = stored.status();
      continue;
    }
    if (t.type == alerts::TransitionType::kFired) {
      ++stats_.fired;
    } else {
      ++stats_.cleared;
    }
    const std::string body = alerts::transition_to_json(t, *stored).dump();
    if (publish_) {
      alerts::json message = alerts::transition_to_json(t, *stored);
      message["type"] = "alert";
      publish_(message.dump());
    }
    if (webhook_) webhook_->notify(body);
  }
  return first;
}

namespace {

// The monitor's own recorded figures, then the history source.
class HistoryBaselines final : public alerts::BaselineSource {
 public:
  HistoryBaselines(const alerts::AlertStore& store, const AlertSources& sources, Millis length)
      : store_(store), sources_(sources), length_(length) {}
  Result<std::optional<double>> interval_figure(std::string_view metric, alerts::Subject subject,
                                                Millis interval_start) const override {
    auto recorded = store_.interval_figure(metric, subject, interval_start);
    if (!recorded.ok() || recorded->has_value() || !sources_.history) return recorded;
    return sources_.history(metric, subject, interval_start, length_);
  }

 private:
  const alerts::AlertStore& store_;
  const AlertSources& sources_;
  Millis length_;
};

}  // namespace

Result<std::optional<double>> report_interval_figure(const reports::ReportStore& reports,
                                                     std::string_view metric,
                                                     alerts::Subject subject, Millis start,
                                                     Millis length) {
  reports::ReportRequest r;
  r.from = start;
  r.to = start + length;
  r.group_by = {};
  r.include_histograms = false;
  if (subject.queue != kNoId) r.queues = {std::to_string(subject.queue)};
  auto result = reports.query(r);
  if (!result.ok()) {
    // A queue without report data has no figure.
    if (result.status().code() == StatusCode::kNotFound) return std::optional<double>();
    return result.status();
  }
  const reports::Kpis& k = result->total;
  if (k.offered == 0) return std::optional<double>();
  if (metric == "offered") return std::optional<double>(static_cast<double>(k.offered));
  if (metric == "handled") return std::optional<double>(static_cast<double>(k.handled));
  if (metric == "abandoned") return std::optional<double>(static_cast<double>(k.abandoned));
  if (metric == "service_level") return std::optional<double>(k.service_level);
  if (metric == "abandon_rate") return std::optional<double>(k.abandon_rate);
  if (metric == "asa_s") return std::optional<double>(k.asa_s);
  if (metric == "aht_s") return std::optional<double>(k.aht_s);
  if (metric == "wait_p90_s") return std::optional<double>(k.wait_p90_s);
  return std::optional<double>();
}

Status AlertMonitor::tick() {
  const Millis now = clock_.now();
  std::vector<alerts::Sample> intervals;
  {
    std::lock_guard lock(mu_);
    intervals = sources_.closed_intervals(last_interval_end_, now);
  }
  alerts::Sample live = sources_.live(now);
  std::lock_guard lock(mu_);
  Status first;
  auto keep = [&](const Status& s) {
    if (!s.ok()) {
      ++stats_.errors;
      if (first.ok()) first = s;
    }
  };
  for (const auto& sample : intervals) {
    if (sample.at <= last_interval_end_) continue;  // a concurrent tick() took it already
    std::vector<Status> errors;
    const HistoryBaselines baselines(*store_, sources_, sample.interval_length);
    auto transitions = evaluator_.evaluate(sample, &baselines, &errors);
    for (const auto& e : errors) keep(e);
    keep(deliver_locked(transitions));
    // This week's figures are next week's baseline.
    keep(store_->record_interval(sample));
    last_interval_end_ = sample.at;
    keep(store_->set_last_interval_end(sample.at));
    ++stats_.evaluations;
  }
  keep(deliver_locked(evaluator_.evaluate(live, nullptr)));
  ++stats_.evaluations;
  return first;
}

Result<alerts::Rule> AlertMonitor::create_rule(alerts::Rule rule) {
  std::lock_guard lock(mu_);
  auto created = store_->create_rule(std::move(rule));
  if (!created.ok()) return created.status();
  SB_RETURN_IF_ERROR(reload_rules_locked());
  return created;
}

Status AlertMonitor::update_rule(const alerts::Rule& rule) {
  std::lock_guard lock(mu_);
  SB_RETURN_IF_ERROR(store_->update_rule(rule));
  return reload_rules_locked();
}

Status AlertMonitor::delete_rule(std::int64_t id) {
  std::lock_guard lock(mu_);
  SB_RETURN_IF_ERROR(store_->delete_rule(id));
  return reload_rules_locked();
}

AlertMonitorStats AlertMonitor::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

alerts::WebhookStats AlertMonitor::webhook_stats() const {
  return webhook_ ? webhook_->stats() : alerts::WebhookStats{};
}

}  // namespace sb::api
