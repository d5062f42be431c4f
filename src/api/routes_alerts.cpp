// Routes: alert rules (CRUD) and alerts (active and history); the figures the alert monitor
// evaluates, read from the live service (the same numbers as /api/v1/stats/queues).

#include <algorithm>
#include <map>

#include "api/alert_monitor.h"
#include "api/api_app.h"
#include "api/route_util.h"
#include "metrics/kpi.h"

namespace sb::api {

namespace {

// "$.metric: required, ..." → field "metric".
HttpResponse rule_problem(const Status& s) {
  if (s.code() != StatusCode::kInvalidArgument) return problem_from_status(s);
  std::string field;
  const std::string& m = s.message();
  if (m.rfind("$.", 0) == 0) field = m.substr(2, m.find(':') - 2);
  return bad_request("invalid alert rule", {{field, m}});
}

void put_ratio(alerts::Figures& f, const char* name, double value, bool defined) {
  if (defined) f[name] = value;
}

// Interval figures of one subject from summed counts. Ratios with an empty denominator are left
// out: "no service level" must not read as "service level 0".
alerts::Figures interval_figures(const metrics::KpiSummary& s, std::optional<double> wait_p90,
                                 metrics::SlFormula formula) {
  alerts::Figures f;
  f["offered"] = static_cast<double>(s.offered);
  f["handled"] = static_cast<double>(s.handled);
  f["abandoned"] = static_cast<double>(s.abandoned);
  const bool outcomes = s.handled + s.abandoned > s.short_abandoned;
  put_ratio(f, "service_level", metrics::service_level(s, formula), outcomes);
  put_ratio(f, "abandon_rate", s.offered == 0 ? 0 : double(s.abandoned) / double(s.offered),
            s.offered > 0);
  put_ratio(f, "asa_s", s.asa_s, s.handled > 0);
  put_ratio(f, "aht_s", s.aht_s, s.handle_samples > 0);
  if (wait_p90 && s.handled > 0) f["wait_p90_s"] = *wait_p90;
  return f;
}

void add_row(metrics::KpiSummary& sum, const metrics::IntervalRow& r) {
  const double handled_before = static_cast<double>(sum.handled);
  const double legs_before = static_cast<double>(sum.handle_samples);
  sum.offered += r.offered;
  sum.handled += r.handled;
  sum.abandoned += r.abandoned;
  sum.short_abandoned += r.short_abandoned;
  sum.answered_within_sl += r.answered_within_sl;
  sum.abandoned_within_sl += r.abandoned_within_sl;
  sum.handle_samples += r.handle_samples;
  if (sum.handled > 0)
    sum.asa_s = (sum.asa_s * handled_before + r.asa_s * static_cast<double>(r.handled)) /
                static_cast<double>(sum.handled);
  if (sum.handle_samples > 0)
    sum.aht_s = (sum.aht_s * legs_before + r.aht_s * static_cast<double>(r.handle_samples)) /
                static_cast<double>(sum.handle_samples);
}

}  // namespace

alerts::Sample ApiApp::live_alert_sample(Millis now) {
  alerts::Sample s;
  s.source = alerts::Source::kLive;
  s.at = now;
  const std::shared_ptr<const CenterConfig> config = config_snapshot();
  service_.read([&](const service::LiveView& v) {
    double waiting = 0;
    double longest = 0;
    for (const auto& q : config->queues) {
      auto qv = v.engine.queue(q.id);
      if (!qv.ok()) continue;
      const double wait =
          qv->oldest_enqueued_at == kNever
              ? 0.0
              : seconds_from_millis(std::max<Millis>(0, v.now - qv->oldest_enqueued_at));
      alerts::Figures& f = s.queues[q.id];
      f["waiting"] = qv->waiting;
      f["longest_wait_s"] = wait;
      f["agents_logged_in"] = qv->agents_logged_in;
      f["agents_available"] = qv->agents_available;
      const metrics::KpiSummary today = v.today().queue(q.id);
      put_ratio(f, "service_level_today", today.service_level,
                today.handled + today.abandoned > today.short_abandoned);
      put_ratio(f, "abandon_rate_today", today.abandon_rate, today.offered > 0);
      put_ratio(f, "asa_today_s", today.asa_s, today.handled > 0);
      waiting += qv->waiting;
      longest = std::max(longest, wait);
    }
    double logged_in = 0;
    double available = 0;
    for (const auto& a : config->agents) {
      auto view = v.engine.agent(a.id);
      if (!view.ok() || !view->logged_in) continue;
      logged_in += 1;
      if (view->presence == Presence::kAvailable) available += 1;
    }
    alerts::Figures& c = s.center;
    c["waiting"] = waiting;
    c["longest_wait_s"] = longest;
    c["agents_logged_in"] = logged_in;
    c["agents_available"] = available;
    const metrics::KpiSummary today = v.today().total();
    put_ratio(c, "service_level_today", today.service_level,
              today.handled + today.abandoned > today.short_abandoned);
    put_ratio(c, "abandon_rate_today", today.abandon_rate, today.offered > 0);
    put_ratio(c, "asa_today_s", today.asa_s, today.handled > 0);
  });
  // Outside the engine read: the adherence monitor has its own thread and lock.
  if (adherence_ && adherence_status_.ok()) {
    auto rta = adherence_->live();
    if (rta.ok()) {
      double out = 0;
      for (const auto& a : rta->agents) out += a.out_of_adherence ? 1 : 0;
      s.center["agents_out_of_adherence"] = out;
    }
  }
  return s;
}

std::vector<alerts::Sample> ApiApp::closed_alert_intervals(Millis after_end, Millis now) {
  std::vector<alerts::Sample> out;
  const std::shared_ptr<const CenterConfig> config = config_snapshot();
  std::vector<metrics::IntervalRow> rows;
  Millis length = 0;
  metrics::SlFormula formula{};
  service_.read([&](const service::LiveView& v) {
    length = v.today().settings().interval;
    formula = v.today().settings().formula;
    rows = v.today().intervals();
  });
  if (length <= 0) return out;
  const Millis first = after_end - ((after_end % length) + length) % length;
  // Every closed interval gets a sample, also without traffic (volume rules must see the zeros).
  std::map<Millis, std::map<QueueId, const metrics::IntervalRow*>> by_start;
  for (const auto& r : rows)
    if (r.start >= first && r.start + length <= now) by_start[r.start][r.queue] = &r;
  for (Millis start = first; start + length <= now; start += length) {
    if (start + length <= after_end) continue;
    alerts::Sample s;
    s.source = alerts::Source::kInterval;
    s.interval_start = start;
    s.interval_length = length;
    s.at = start + length;
    metrics::KpiSummary center;
    const auto& queues = by_start[start];
    for (const auto& q : config->queues) {
      metrics::KpiSummary sum;
      std::optional<double> p90;
      if (auto it = queues.find(q.id); it != queues.end()) {
        add_row(sum, *it->second);
        add_row(center, *it->second);
        p90 = it->second->wait_p90_s;
      }
      s.queues[q.id] = interval_figures(sum, p90, formula);
    }
    s.center = interval_figures(center, std::nullopt, formula);
    out.push_back(std::move(s));
  }
  return out;
}

json ApiApp::active_alerts_json() {
  json items = json::array();
  if (!alerts_) return items;
  auto active = alerts_->store().active_alerts();
  if (!active.ok()) return items;
  for (const auto& a : *active) items.push_back(alerts::alert_to_json(a));
  return items;
}

void ApiApp::register_alert_routes() {
  constexpr unsigned kRuleEditors = kAdmin | kSupervisor;
  constexpr unsigned kAlertReaders = kAdmin | kSupervisor | kAnalyst;
  auto unavailable = [this] {
    return problem_from_status(alerts_status_.ok() ? Status::unavailable("alerts are not running")
                                                   : alerts_status_);
  };
  // A rule must name a queue that exists.
  auto check_queue = [this](const alerts::Rule& r) -> std::optional<HttpResponse> {
    if (r.scope != alerts::Scope::kQueue) return std::nullopt;
    const auto config = config_snapshot();
    for (const auto& q : config->queues)
      if (q.id == r.queue) return std::nullopt;
    return bad_request("invalid alert rule",
                       {{"queue", "unknown queue " + std::to_string(r.queue)}});
  };

  router_.add("GET", "/api/v1/alert-rules", kRuleEditors, "List alert rules",
              [this, unavailable](RouteContext&, Reply reply) {
                if (!alerts_) return reply(unavailable());
                auto rules = alerts_->rules();
                if (!rules.ok()) return reply(problem_from_status(rules.status()));
                json items = json::array();
                for (const auto& r : *rules) items.push_back(alerts::rule_to_json(r));
                json metrics_list = json::array();
                for (const auto& m : alerts::metric_catalog())
                  metrics_list.push_back({{"name", m.name},
                                          {"source", alerts::source_name(m.source)},
                                          {"unit", m.unit},
                                          {"description", m.description}});
                reply(json_response({{"items", items}, {"metrics", metrics_list}}));
              });
  router_.add("POST", "/api/v1/alert-rules", kRuleEditors, "Create an alert rule",
              [this, unavailable, check_queue](RouteContext& ctx, Reply reply) {
                if (!alerts_) return reply(unavailable());
                json body;
                if (auto bad = parse_object(ctx.req.body, body)) return reply(*bad);
                auto rule = alerts::rule_from_json(body);
                if (!rule.ok()) return reply(rule_problem(rule.status()));
                if (auto bad = check_queue(*rule)) return reply(*bad);
                auto created = alerts_->create_rule(*rule);
                if (!created.ok()) return reply(problem_from_status(created.status()));
                audit(&*ctx.principal, ctx.req, "alert_rule.create",
                      "alert_rule:" + std::to_string(created->id), created->name);
                reply(json_response(alerts::rule_to_json(*created), 201));
              });
  router_.add("GET", "/api/v1/alert-rules/{id}", kRuleEditors, "Get an alert rule",
              [this, unavailable](RouteContext& ctx, Reply reply) {
                if (!alerts_) return reply(unavailable());
                auto id = parse_id(ctx.params[0]);
                if (!id) return reply(not_found("no alert rule " + ctx.params[0]));
                auto rule = alerts_->rule(*id);
                if (!rule.ok()) return reply(problem_from_status(rule.status()));
                reply(json_response(alerts::rule_to_json(*rule)));
              });
  router_.add("PUT", "/api/v1/alert-rules/{id}", kRuleEditors,
              "Replace an alert rule (its active alerts close)",
              [this, unavailable, check_queue](RouteContext& ctx, Reply reply) {
                if (!alerts_) return reply(unavailable());
                auto id = parse_id(ctx.params[0]);
                if (!id) return reply(not_found("no alert rule " + ctx.params[0]));
                json body;
                if (auto bad = parse_object(ctx.req.body, body)) return reply(*bad);
                auto rule = alerts::rule_from_json(body);
                if (!rule.ok()) return reply(rule_problem(rule.status()));
                if (auto bad = check_queue(*rule)) return reply(*bad);
                rule->id = *id;
                Status st = alerts_->update_rule(*rule);
                if (!st.ok()) return reply(problem_from_status(st));
                audit(&*ctx.principal, ctx.req, "alert_rule.update",
                      "alert_rule:" + std::to_string(*id), rule->name);
                reply(json_response(alerts::rule_to_json(*rule)));
              });
  router_.add("DELETE", "/api/v1/alert-rules/{id}", kRuleEditors,
              "Delete an alert rule (its active alerts close)",
              [this, unavailable](RouteContext& ctx, Reply reply) {
                if (!alerts_) return reply(unavailable());
                auto id = parse_id(ctx.params[0]);
                if (!id) return reply(not_found("no alert rule " + ctx.params[0]));
                Status st = alerts_->delete_rule(*id);
                if (!st.ok()) return reply(problem_from_status(st));
                audit(&*ctx.principal, ctx.req, "alert_rule.delete",
                      "alert_rule:" + std::to_string(*id), "");
                reply(no_content());
              });
  router_.add(
      "GET", "/api/v1/alerts", kAlertReaders, "Active alerts and the alert history",
      [this, unavailable](RouteContext& ctx, Reply reply) {
        if (!alerts_) return reply(unavailable());
        HttpResponse bad;
        auto page = page_from_query(ctx.req, bad);
        if (!page) return reply(bad);
        bool only_active = false;
        if (auto it = ctx.req.query.find("state"); it != ctx.req.query.end()) {
          if (it->second == "active") {
            only_active = true;
          } else if (it->second != "all") {
            return reply(bad_request("state must be 'active' or 'all'",
                                     {{"state", "must be 'active' or 'all'"}}));
          }
        }
        std::optional<std::int64_t> rule_id;
        if (auto it = ctx.req.query.find("rule"); it != ctx.req.query.end()) {
          rule_id = parse_id(it->second);
          if (!rule_id)
            return reply(bad_request("rule must be a rule id", {{"rule", "must be a rule id"}}));
        }
        auto result = alerts_->store().history(static_cast<std::int64_t>(page->after_id),
                                               page->limit, only_active, rule_id);
        if (!result.ok()) return reply(problem_from_status(result.status()));
        json items = json::array();
        for (const auto& a : result->items) items.push_back(alerts::alert_to_json(a));
        reply(json_response(
            {{"items", items},
             {"next_cursor",
              result->next_cursor ? json(std::to_string(*result->next_cursor)) : json(nullptr)}}));
      });
}

}  // namespace sb::api
