// Routes: workforce management (/api/v1/wfm/...): forecasts from the reports history of a queue
// (or an uploaded CSV) and their accuracy, staffing tables and what-if, generated schedules with
// activity edits and publishing, and the agent's own published schedule. Planning is for admins,
// supervisors and analysts; agents read only their own published schedule (docs/api.md).

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <sstream>

#include "api/api_app.h"
#include "api/route_util.h"
#include "api/wfm_rules_json.h"
#include "reports/time_zone.h"
#include "wfm/forecast.h"
#include "wfm/schedule.h"
#include "wfm/staffing.h"
#include "wfmstore/planning.h"

namespace sb::api {

namespace {

using wfmstore::Activity;
using wfmstore::ActivityKind;

constexpr unsigned kPlanners = kAdmin | kSupervisor | kAnalyst;
constexpr int kMaxHorizonDays = 62;
constexpr int kMaxScheduleDays = 14;
constexpr int kMaxHistoryDays = 400;
constexpr double kMaxTimeLimitS = 60;

HttpResponse wfm_unavailable(const Status& why) {
  return problem(503, "unavailable", "Unavailable",
                 "workforce planning storage is not available: " + why.message());
}

// An instant in a request: epoch milliseconds (number), or "YYYY-MM-DDTHH:MM[:SS]" with "Z" or
// "±HH:MM", or without an offset as local time of `tz`.
Result<Millis> parse_instant_json(const json& v, const reports::TimeZone& tz) {
  if (v.is_number_integer()) return v.get<Millis>();
  if (!v.is_string()) return Status::invalid_argument("must be a date-time string or epoch ms");
  std::string s = v.get<std::string>();
  std::optional<Millis> offset;
  if (!s.empty() && s.back() == 'Z') {
    offset = 0;
    s.pop_back();
  } else if (s.size() > 16 && (s[s.size() - 6] == '+' || s[s.size() - 6] == '-')) {
    auto z = reports::TimeZone::parse(s.substr(s.size() - 6));
    if (!z.ok()) return Status::invalid_argument("'" + v.get<std::string>() + "': bad offset");
    offset = z->offset_at(0);
    s = s.substr(0, s.size() - 6);
  }
  auto local = wfm::parse_local(s);
  if (!local.ok())
    return Status::invalid_argument("'" + v.get<std::string>() +
                                    "' is not YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM]");
  if (offset)
    return static_cast<Millis>(local->day) * kMillisPerDay + local->minute * kMillisPerMinute -
           *offset;
  return wfmstore::local_to_utc(tz, local->day, local->minute);
}

reports::TimeZone zone_or_utc(const std::string& name) {
  auto z = reports::TimeZone::parse(name);
  return z.ok() ? *z : reports::TimeZone::utc();
}

json forecast_json(const wfmstore::StoredForecast& f, bool intervals) {
  const auto tz = zone_or_utc(f.time_zone);
  json j = {{"id", f.id},
            {"queue", f.queue},
            {"channel", f.channel},
            {"method", f.method},
            {"time_zone", f.time_zone},
            {"source", f.source},
            {"created_at", f.created_at},
            {"interval_minutes", f.interval_minutes},
            {"history_from", f.history_from},
            {"history_to", f.history_to},
            {"mase_scale", f.mase_scale}};
  auto details = json::parse(f.details, nullptr, false);
  j["details"] = details.is_discarded() ? json::object() : details;
  if (intervals) {
    json rows = json::array();
    double total = 0;
    for (const auto& i : f.intervals) {
      auto opt = [](const std::optional<double>& v) { return v ? json(*v) : json(nullptr); };
      rows.push_back({{"start", i.start},
                      {"local", tz.format(i.start)},
                      {"volume", i.volume},
                      {"aht_s", opt(i.aht_s)},
                      {"horizon_days", i.horizon_days},
                      {"lo80", opt(i.lo80)},
                      {"hi80", opt(i.hi80)},
                      {"lo95", opt(i.lo95)},
                      {"hi95", opt(i.hi95)}});
      total += i.volume;
    }
    j["intervals"] = rows;
    j["total_volume"] = total;
  }
  return j;
}

json figures_json(const wfmstore::AccuracyFigures& a) {
  return {{"mape", a.mape},
          {"wmape", a.wmape},
          {"mase", a.mase},
          {"bias", a.bias},
          {"actual_total", a.actual_total},
          {"forecast_total", a.forecast_total},
          {"intervals", a.intervals}};
}

json accuracy_json(const wfmstore::AccuracyReport& r) {
  json by = json::array();
  for (const auto& [h, f] : r.by_horizon) {
    json row = figures_json(f);
    row["horizon_days"] = h;
    by.push_back(row);
  }
  return {{"queue", r.queue},
          {"forecasts", r.forecasts},
          {"by_horizon", by},
          {"overall", figures_json(r.overall)},
          {"intervals_pending", r.intervals_pending}};
}

json activity_json(const Activity& a, const reports::TimeZone& tz) {
  return {{"id", a.id},
          {"schedule_id", a.schedule_id},
          {"agent", a.agent},
          {"kind", std::string(wfmstore::activity_kind_name(a.kind))},
          {"start", a.start},
          {"end", a.end},
          {"start_local", tz.format(a.start)},
          {"end_local", tz.format(a.end)},
          {"label", a.label}};
}

json header_json(const wfmstore::ScheduleHeader& h) {
  auto summary = json::parse(h.solver_summary.empty() ? "{}" : h.solver_summary, nullptr, false);
  return {{"id", h.id},
          {"name", h.name},
          {"team", h.team},
          {"queues", h.queues},
          {"time_zone", h.time_zone},
          {"start", h.start},
          {"end", h.end()},
          {"interval_minutes", h.interval_minutes},
          {"state", std::string(wfmstore::schedule_state_name(h.state))},
          {"created_at", h.created_at},
          {"updated_at", h.updated_at},
          {"published_at", h.published_at ? json(h.published_at) : json(nullptr)},
          {"forecast_id", h.forecast_id ? json(*h.forecast_id) : json(nullptr)},
          {"revision", h.revision},
          {"solver", summary.is_discarded() ? json::object() : summary}};
}

json schedule_json(const wfmstore::Schedule& s) {
  const auto tz = zone_or_utc(s.header.time_zone);
  json j = header_json(s.header);
  j["agents"] = s.agents;
  json acts = json::array();
  for (const auto& a : s.activities) acts.push_back(activity_json(a, tz));
  j["activities"] = acts;
  const wfmstore::Coverage c = wfmstore::compute_coverage(s.header, s.activities);
  json rows = json::array();
  const Millis width = static_cast<Millis>(s.header.interval_minutes) * kMillisPerMinute;
  for (std::size_t i = 0; i < c.required.size(); ++i) {
    const Millis start = s.header.start + static_cast<Millis>(i) * width;
    rows.push_back({{"start", start},
                    {"local", tz.format(start)},
                    {"required", c.required[i]},
                    {"scheduled", c.scheduled[i]},
                    {"difference", c.difference[i]}});
  }
  j["coverage"] = {{"intervals", rows}, {"under", c.under}, {"over", c.over}};
  return j;
}

// Staffing options from a request body (model, goal, shrinkage, patience).
std::optional<wfm::StaffingOptions> staffing_options(JsonReader& r, double* default_aht) {
  wfm::StaffingOptions o;
  if (auto m = r.string("model", false)) {
    if (*m == "erlang_c") {
      o.model = wfm::StaffingModel::kErlangC;
    } else if (*m == "erlang_a") {
      o.model = wfm::StaffingModel::kErlangA;
    } else {
      r.error("model", "must be erlang_c or erlang_a");
    }
  }
  if (auto v = r.number("threshold_s", false, 0, 3600)) o.threshold_s = *v;
  if (auto v = r.number("target_sl", false, 0, 0.9999)) o.goal.service_level = *v;
  if (auto v = r.number("max_asa_s", false, 0, 3600)) o.goal.max_asa_s = *v;
  if (auto v = r.number("max_occupancy", false, 0.01, 1)) o.goal.max_occupancy = *v;
  if (auto v = r.number("max_abandon", false, 0, 1)) o.goal.max_abandon = *v;
  if (auto v = r.number("shrinkage", false, 0, 0.95)) o.shrinkage = *v;
  if (auto v = r.number("patience_s", false, 1, 86400)) o.patience_s = *v;
  if (auto v = r.number("aht_s", false, 1, 86400)) *default_aht = *v;
  return o;
}

json staffing_rows_json(const std::vector<wfm::StaffingRow>& rows,
                        const std::vector<Millis>& starts, const reports::TimeZone& tz,
                        bool erlang_a) {
  json out = json::array();
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    out.push_back({{"start", starts[i]},
                   {"local", tz.format(starts[i])},
                   {"volume", r.demand.volume},
                   {"aht_s", r.demand.aht_s},
                   {"load_erlangs", r.load_erlangs},
                   {"shrinkage", r.shrinkage},
                   {"required", r.required},
                   {"scheduled", r.scheduled},
                   {"agents", r.agents},
                   {"service_level", r.service_level},
                   {"asa_s", r.asa_s},
                   {"p_abandon", erlang_a ? json(r.p_abandon) : json(nullptr)},
                   {"occupancy", r.occupancy},
                   {"stable", r.stable}});
  }
  return out;
}

// The problem+json for a Status from the planning maths: bad input is a 400 whose detail is the
// maths' own message (it names the rule, row or field).
HttpResponse planning_problem(const Status& st) {
  if (st.code() == StatusCode::kInvalidArgument || st.code() == StatusCode::kFailedPrecondition)
    return bad_request(st.message());
  return problem_from_status(st);
}

}  // namespace

// Erlang A without a given patience: estimated from the abandons in the read model over the
// history the forecast was fitted on.
Result<wfm::PatienceEstimate> ApiApp::estimate_patience(const wfmstore::StoredForecast& f) {
  if (reports_ == nullptr)
    return Status::invalid_argument(
        "Erlang A needs patience_s (no reports read model to estimate it from)");
  return wfmstore::patience_from_reports(*reports_, f.queue, f.channel, f.history_from,
                                         f.history_to);
}

Status ApiApp::open_wfm_stores() {
  const std::string path = options_.wfm_db_path.empty() ? ":memory:" : options_.wfm_db_path;
  auto schedules = wfmstore::ScheduleStore::open(path);
  if (!schedules.ok()) return schedules.status();
  auto forecasts = wfmstore::ForecastStore::open(path);
  if (!forecasts.ok()) return forecasts.status();
  auto rules = wfmstore::RulesStore::open(path);
  if (!rules.ok()) return rules.status();
  schedules_ = std::move(*schedules);
  forecasts_ = std::move(*forecasts);
  rules_ = std::move(*rules);
  return Status::ok_status();
}

void ApiApp::register_wfm_routes() {
  wfm_status_ = open_wfm_stores();

  // ---- Forecasts -----------------------------------------------------------------------------
  router_.add(
      "POST", "/api/v1/wfm/forecasts", kPlanners,
      "Forecast a queue's volume and AHT from its reports history (or an uploaded CSV) and "
      "publish it",
      [this](RouteContext& ctx, Reply reply) {
        if (!forecasts_) return reply(wfm_unavailable(wfm_status_));
        json body;
        if (auto bad = parse_object(ctx.req.body, body)) return reply(*bad);
        std::vector<FieldError> errors;
        JsonReader r(body, errors);
        auto queue = r.string("queue", true);
        auto channel = r.string("channel", false);
        const std::string zone = r.string("time_zone", false).value_or("UTC");
        auto tz = reports::TimeZone::parse(zone);
        if (!tz.ok()) r.error("time_zone", tz.status().message());
        auto horizon = r.integer("horizon_days", true, 1, kMaxHorizonDays);
        const int interval =
            static_cast<int>(r.integer("interval_minutes", false, 15, 60).value_or(30));
        if (interval != 15 && interval != 30 && interval != 60)
          r.error("interval_minutes", "must be 15, 30 or 60");
        const int history_days =
            static_cast<int>(r.integer("history_days", false, 7, kMaxHistoryDays).value_or(56));
        auto csv = r.string("history_csv", false, 20'000'000);
        wfm::ForecastOptions fo;
        if (auto m = r.string("method", false)) {
          auto parsed = wfm::parse_method(*m);
          if (!parsed.ok()) {
            r.error("method", parsed.status().message());
          } else {
            fo.method = *parsed;
          }
        }
        if (auto w = r.integer("weeks", false, 0, 104))
          fo.weekday_mean_weeks = static_cast<int>(*w);
        if (auto z = r.number("outlier_z", false, 0, 100)) fo.outlier_z = *z;
        // 80 % and 95 % prediction intervals: one more back-test per forecast, so on request.
        if (auto iv = r.boolean("intervals", false)) fo.intervals = *iv;
        if (const json* sd = r.array("special_days", false)) {
          for (std::size_t i = 0; i < sd->size(); ++i) {
            const json& d = (*sd)[i];
            const std::string field = "special_days[" + std::to_string(i) + "]";
            if (!d.is_object() || !d.contains("date") || !d["date"].is_string()) {
              errors.push_back({field, "must be {\"date\": \"YYYY-MM-DD\", \"factor\": n}"});
              continue;
            }
            auto day = wfm::parse_date(d["date"].get<std::string>());
            if (!day.ok()) {
              errors.push_back({field + ".date", day.status().message()});
              continue;
            }
            double factor = 0;
            if (d.contains("factor")) {
              if (!d["factor"].is_number() || d["factor"].get<double>() < 0) {
                errors.push_back({field + ".factor", "must be a number >= 0"});
                continue;
              }
              factor = d["factor"].get<double>();
            }
            fo.special_days.push_back({*day, factor});
          }
        }
        if (!errors.empty()) return reply(bad_request("invalid forecast request", errors));
        if (!csv && reports_ == nullptr)
          return reply(problem(503, "unavailable", "Unavailable",
                               "no reports read model: upload the history as history_csv"));
        const Millis now = clock_.now();
        post_work([this, reply, now, q = *queue, ch = channel.value_or(""), tzv = *tz,
                   horizon = static_cast<int>(*horizon), interval, history_days, csv, fo] {
          Result<wfm::IntervalSeries> history = Status::internal("unset");
          wfmstore::HistoryQuery hq;
          if (csv) {
            std::istringstream in(*csv);
            history = wfm::read_history_csv(in, "history_csv");
          } else {
            const wfm::Date today = wfmstore::utc_to_local(tzv, now).day;
            hq = {.queue = q,
                  .channel = ch,
                  .from = wfmstore::local_to_utc(tzv, today - history_days, 0),
                  .to = wfmstore::local_to_utc(tzv, today, 0),
                  .interval_minutes = interval,
                  .time_zone = tzv.name()};
            history = wfmstore::history_from_reports(*reports_, hq);
          }
          if (!history.ok()) return reply(planning_problem(history.status()));
          auto f = wfm::forecast(*history, horizon, fo);
          if (!f.ok()) return reply(planning_problem(f.status()));
          wfmstore::StoredForecast s = wfmstore::to_stored(*f, *history, tzv, now);
          s.queue = q;
          s.channel = ch;
          s.source = csv ? "csv" : "reports";
          if (s.intervals.empty())
            return reply(
                bad_request("the forecast has no intervals: the history's weekdays "
                            "do not occur in the next " +
                            std::to_string(horizon) + " days"));
          auto stored = forecasts_->publish(std::move(s), now);
          if (!stored.ok()) return reply(planning_problem(stored.status()));
          reply(json_response(forecast_json(*stored, true), 201));
        });
      });

  router_.add("GET", "/api/v1/wfm/forecasts", kPlanners,
              "Published forecasts, newest first (optionally of one queue)",
              [this](RouteContext& ctx, Reply reply) {
                if (!forecasts_) return reply(wfm_unavailable(wfm_status_));
                std::string queue;
                if (auto it = ctx.req.query.find("queue"); it != ctx.req.query.end())
                  queue = it->second;
                auto list = forecasts_->list(queue);
                if (!list.ok()) return reply(problem_from_status(list.status()));
                json out = json::array();
                for (const auto& f : *list) out.push_back(forecast_json(f, false));
                reply(json_response({{"forecasts", out}}));
              });

  router_.add(
      "GET", "/api/v1/wfm/forecasts/{id}", kPlanners,
      "One forecast with its intervals, and the actual volumes of the week before and since",
      [this](RouteContext& ctx, Reply reply) {
        if (!forecasts_) return reply(wfm_unavailable(wfm_status_));
        auto id = parse_id(ctx.params[0]);
        if (!id) return reply(not_found("no such forecast"));
        auto f = forecasts_->get(*id);
        if (!f.ok()) return reply(problem_from_status(f.status()));
        json j = forecast_json(*f, true);
        json actuals = json::array();
        if (reports_ != nullptr && !f->intervals.empty()) {
          const Millis now = clock_.now();
          reports::ReportRequest r;
          r.from = std::max(f->history_to - 7 * kMillisPerDay, f->history_from);
          const Millis width = static_cast<Millis>(f->interval_minutes) * kMillisPerMinute;
          r.to = std::min(now, f->intervals.back().start + width);
          r.interval_minutes =
              f->interval_minutes % 15 == 0 && f->interval_minutes <= 60 ? f->interval_minutes : 15;
          r.time_zone = f->time_zone;
          r.queues = {f->queue};
          if (!f->channel.empty())
            if (auto c = parse_channel(f->channel); c.ok()) r.channels = {*c};
          r.include_histograms = false;
          if (r.to > r.from && r.to - r.from <= 400 * kMillisPerDay) {
            auto result = reports_->query(r);
            if (result.ok())
              for (const auto& row : result->rows)
                actuals.push_back({{"start", row.start}, {"volume", row.kpis.offered}});
          }
        }
        j["actuals"] = actuals;
        reply(json_response(j));
      });

  router_.add("GET", "/api/v1/wfm/forecasts/{id}/accuracy", kPlanners,
              "Accuracy of one forecast against the actual volumes (MAPE, wMAPE, MASE, bias "
              "per horizon)",
              [this](RouteContext& ctx, Reply reply) {
                if (!forecasts_) return reply(wfm_unavailable(wfm_status_));
                if (reports_ == nullptr)
                  return reply(problem(503, "unavailable", "Unavailable",
                                       "no reports read model to compare with"));
                auto id = parse_id(ctx.params[0]);
                if (!id) return reply(not_found("no such forecast"));
                auto f = forecasts_->get(*id);
                if (!f.ok()) return reply(problem_from_status(f.status()));
                auto acc = wfmstore::forecast_accuracy(*reports_, {*f}, clock_.now());
                if (!acc.ok()) return reply(planning_problem(acc.status()));
                reply(json_response(accuracy_json(*acc)));
              });

  router_.add("GET", "/api/v1/wfm/accuracy", kPlanners,
              "Accuracy of every published forecast of a queue, pooled per horizon",
              [this](RouteContext& ctx, Reply reply) {
                if (!forecasts_) return reply(wfm_unavailable(wfm_status_));
                if (reports_ == nullptr)
                  return reply(problem(503, "unavailable", "Unavailable",
                                       "no reports read model to compare with"));
                auto it = ctx.req.query.find("queue");
                if (it == ctx.req.query.end() || it->second.empty())
                  return reply(bad_request("queue is required", {{"queue", "required"}}));
                auto list = forecasts_->list(it->second);
                if (!list.ok()) return reply(problem_from_status(list.status()));
                std::vector<wfmstore::StoredForecast> full;
                for (const auto& f : *list) {
                  auto g = forecasts_->get(f.id);
                  if (!g.ok()) return reply(problem_from_status(g.status()));
                  full.push_back(std::move(*g));
                }
                auto acc = wfmstore::forecast_accuracy(*reports_, full, clock_.now());
                if (!acc.ok()) return reply(planning_problem(acc.status()));
                json j = accuracy_json(*acc);
                j["queue"] = it->second;
                reply(json_response(j));
              });

  // ---- Staffing ------------------------------------------------------------------------------
  router_.add(
      "POST", "/api/v1/wfm/forecasts/{id}/staffing", kPlanners,
      "Required agents per interval of a forecast (Erlang C or A, service goal, shrinkage), or "
      "what a headcount achieves (what-if)",
      [this](RouteContext& ctx, Reply reply) {
        if (!forecasts_) return reply(wfm_unavailable(wfm_status_));
        auto id = parse_id(ctx.params[0]);
        if (!id) return reply(not_found("no such forecast"));
        json body;
        if (auto bad = parse_object(ctx.req.body, body)) return reply(*bad);
        std::vector<FieldError> errors;
        JsonReader r(body, errors);
        double default_aht = 0;
        auto o = staffing_options(r, &default_aht);
        double volume_factor = 1, aht_factor = 1;
        std::optional<int> headcount;
        std::vector<int> headcounts;
        bool what_if = false;
        if (const json* w = r.object("what_if", false)) {
          what_if = true;
          JsonReader wr(*w, errors, "what_if.");
          if (auto v = wr.number("volume_factor", false, 0, 100)) volume_factor = *v;
          if (auto v = wr.number("aht_factor", false, 0.01, 100)) aht_factor = *v;
          if (auto v = wr.integer("headcount", false, 0, 100000)) headcount = static_cast<int>(*v);
          if (const json* hs = wr.array("headcounts", false)) {
            for (const auto& h : *hs) {
              if (!h.is_number_integer() || h.get<int>() < 0) {
                errors.push_back({"what_if.headcounts", "must be integers >= 0"});
                break;
              }
              headcounts.push_back(h.get<int>());
            }
          }
          if (!headcount && headcounts.empty())
            errors.push_back({"what_if.headcount", "give headcount or headcounts"});
        }
        if (!errors.empty()) return reply(bad_request("invalid staffing request", errors));
        auto f = forecasts_->get(*id);
        if (!f.ok()) return reply(problem_from_status(f.status()));
        std::optional<wfm::PatienceEstimate> estimated;
        if (o->model == wfm::StaffingModel::kErlangA && o->patience_s <= 0) {
          auto p = estimate_patience(*f);
          if (!p.ok()) return reply(planning_problem(p.status()));
          estimated = *p;
          o->patience_s = p->mean_patience_s;
        }
        if (!headcounts.empty() && headcounts.size() != f->intervals.size())
          return reply(bad_request("what_if.headcounts has " + std::to_string(headcounts.size()) +
                                       " values; the forecast has " +
                                       std::to_string(f->intervals.size()) + " intervals",
                                   {{"what_if.headcounts", "one value per forecast interval"}}));
        const auto tz = zone_or_utc(f->time_zone);
        std::vector<wfm::IntervalDemand> demand;
        std::vector<Millis> starts;
        for (std::size_t i = 0; i < f->intervals.size(); ++i) {
          const auto& iv = f->intervals[i];
          wfm::IntervalDemand d;
          const auto local = wfmstore::utc_to_local(tz, iv.start);
          d.day = local.day;
          d.minute = local.minute;
          d.volume = iv.volume * volume_factor;
          d.aht_s = (iv.aht_s && *iv.aht_s > 0 ? *iv.aht_s : default_aht) * aht_factor;
          if (d.volume > 0 && d.aht_s <= 0)
            return reply(bad_request("the forecast has no handle time: give aht_s",
                                     {{"aht_s", "required for this forecast"}}));
          if (what_if) d.headcount = headcounts.empty() ? *headcount : headcounts[i];
          demand.push_back(d);
          starts.push_back(iv.start);
        }
        auto rows = what_if ? wfm::what_if(demand, f->interval_minutes, *o)
                            : wfm::required_staff(demand, f->interval_minutes, *o);
        if (!rows.ok()) return reply(planning_problem(rows.status()));
        int peak = 0;
        double agent_hours = 0;
        for (const auto& row : *rows) {
          peak = std::max(peak, row.scheduled);
          agent_hours += row.scheduled * f->interval_minutes / 60.0;
        }
        reply(json_response(
            {{"forecast_id", f->id},
             {"model", o->model == wfm::StaffingModel::kErlangA ? "erlang_a" : "erlang_c"},
             {"patience_s",
              o->model == wfm::StaffingModel::kErlangA ? json(o->patience_s) : json(nullptr)},
             {"patience_estimate", estimated ? json{{"abandons", estimated->abandons},
                                                    {"calls", estimated->calls},
                                                    {"total_wait_s", estimated->total_wait_s}}
                                             : json(nullptr)},
             {"what_if", what_if},
             {"interval_minutes", f->interval_minutes},
             {"peak_scheduled", peak},
             {"scheduled_agent_hours", agent_hours},
             {"rows",
              staffing_rows_json(*rows, starts, tz, o->model == wfm::StaffingModel::kErlangA)}}));
      });

  // ---- Schedules -----------------------------------------------------------------------------
  router_.add(
      "POST", "/api/v1/wfm/schedules", kPlanners,
      "Generate a draft schedule for a period from a requirement (a forecast's staffing or "
      "explicit headcounts), shift templates and agents",
      [this](RouteContext& ctx, Reply reply) {
        if (!schedules_) return reply(wfm_unavailable(wfm_status_));
        json body;
        if (auto bad = parse_object(ctx.req.body, body)) return reply(*bad);
        std::vector<FieldError> errors;
        JsonReader r(body, errors);
        wfm::ScheduleProblem p;
        wfmstore::ScheduleHeader h;
        h.name = r.string("name", false).value_or("schedule");
        h.team = r.string("team", false).value_or("");
        if (const json* qs = r.array("queues", false))
          for (const auto& q : *qs)
            if (q.is_string()) h.queues.push_back(q.get<std::string>());
        h.time_zone = r.string("time_zone", false).value_or(options_.time_zone.name());
        auto tz = reports::TimeZone::parse(h.time_zone);
        if (!tz.ok()) r.error("time_zone", tz.status().message());
        auto start_date = r.string("start_date", true);
        std::optional<wfm::Date> first_day;
        if (start_date) {
          auto d = wfm::parse_date(*start_date);
          if (!d.ok()) {
            r.error("start_date", d.status().message());
          } else {
            first_day = *d;
          }
        }
        const int days =
            static_cast<int>(r.integer("days", false, 1, kMaxScheduleDays).value_or(7));
        p.interval_minutes =
            static_cast<int>(r.integer("interval_minutes", false, 5, 60).value_or(30));
        if (1440 % p.interval_minutes != 0) r.error("interval_minutes", "must divide a day");
        if (auto v = r.number("under_weight", false, 0, 1000)) p.under_weight = *v;
        if (auto v = r.number("over_weight", false, 0, 1000)) p.over_weight = *v;
        wfm::ScheduleOptions so;
        so.time_limit_s = r.number("time_limit_s", false, 1, kMaxTimeLimitS).value_or(10);
        so.use_solver = !r.boolean("greedy", false).value_or(false);
        const std::size_t slots_per_day = static_cast<std::size_t>(1440 / p.interval_minutes);
        if (first_day)
          for (int d = 0; d < days; ++d) p.days.push_back(*first_day + d);
        // The requirement: explicit, or the scheduled headcount of a forecast's staffing.
        std::optional<std::int64_t> forecast_id;
        std::optional<std::vector<double>> explicit_required;
        const json* req = r.object("requirement", true);
        std::optional<wfm::StaffingOptions> staffing;
        double default_aht = 0;
        if (req != nullptr) {
          JsonReader rr(*req, errors, "requirement.");
          if (const json* list = rr.array("required", false)) {
            explicit_required.emplace();
            for (std::size_t i = 0; i < list->size(); ++i) {
              const json& v = (*list)[i];
              if (!v.is_number() || v.get<double>() < 0 || !std::isfinite(v.get<double>())) {
                errors.push_back(
                    {"requirement.required[" + std::to_string(i) + "]", "must be a number >= 0"});
                break;
              }
              explicit_required->push_back(v.get<double>());
            }
          } else if (auto fid = rr.integer("forecast_id", false, 0, INT64_MAX)) {
            forecast_id = *fid;
            staffing = staffing_options(rr, &default_aht);
          } else {
            errors.push_back({"requirement", "give required (per interval) or forecast_id"});
          }
        }
        // Shift templates: given, or the stored ones.
        if (const json* templates = r.array("templates", false)) {
          if (templates->empty())
            errors.push_back({"templates", "at least one shift template is needed"});
          for (std::size_t i = 0; i < templates->size(); ++i)
            p.templates.push_back(template_from_json(
                (*templates)[i], "templates[" + std::to_string(i) + "].", errors));
        } else if (rules_) {
          auto stored = rules_->templates();
          if (!stored.ok()) return reply(problem_from_status(stored.status()));
          p.templates = std::move(*stored);
          if (p.templates.empty())
            errors.push_back({"templates",
                              "none given and none stored (POST "
                              "/api/v1/wfm/shift-templates)"});
        } else {
          errors.push_back({"templates", "required"});
        }
        // Agents: listed, or every configured agent with their stored contract (or the
        // defaults); stored time off is added to everybody's.
        ContractDefaults defaults;
        if (const json* d = r.object("agent_defaults", false)) {
          JsonReader dr(*d, errors, "agent_defaults.");
          defaults.min_hours = dr.number("min_hours", false, 0, 168).value_or(defaults.min_hours);
          defaults.max_hours = dr.number("max_hours", false, 0, 168).value_or(defaults.max_hours);
          defaults.max_days =
              static_cast<int>(dr.integer("max_days", false, 0, 14).value_or(defaults.max_days));
        }
        if (const json* as = r.array("agents", false)) {
          for (std::size_t i = 0; i < as->size(); ++i)
            p.agents.push_back(agent_from_json((*as)[i], "agents[" + std::to_string(i) + "].",
                                               errors, defaults, true));
        } else {
          std::map<std::string, wfm::ScheduleAgent> contracts;
          if (rules_) {
            auto stored = rules_->contracts();
            if (!stored.ok()) return reply(problem_from_status(stored.status()));
            for (auto& c : *stored) contracts.emplace(c.id, std::move(c));
          }
          const auto config = config_snapshot();
          for (const auto& ac : config->agents) {
            auto c = contracts.find(ac.name);
            if (c != contracts.end()) {
              p.agents.push_back(c->second);
              continue;
            }
            wfm::ScheduleAgent a;
            a.id = ac.name;
            a.min_paid_min = static_cast<int>(std::lround(defaults.min_hours * 60));
            a.max_paid_min = static_cast<int>(std::lround(defaults.max_hours * 60));
            a.max_days = defaults.max_days;
            p.agents.push_back(std::move(a));
          }
        }
        if (rules_ && first_day) {
          auto off = rules_->time_off();
          if (!off.ok()) return reply(problem_from_status(off.status()));
          wfmstore::add_time_off(*off, *first_day, days, p.agents);
        }
        if (errors.empty() && p.agents.empty())
          errors.push_back({"agents", "no agents to schedule (none given, none configured)"});
        // The period in local time: days of 23 or 25 hours where daylight saving changes.
        std::optional<wfmstore::PlanningGrid> grid;
        if (errors.empty()) {
          auto g = wfmstore::PlanningGrid::make(*tz, *first_day, days, p.interval_minutes);
          if (!g.ok()) {
            errors.push_back({"start_date", g.status().message()});
          } else {
            grid = std::move(*g);
          }
        }
        // Explicit headcounts: one per interval of the local period, or per wall-clock interval
        // (days x intervals of a day; the same count unless daylight saving changes).
        std::vector<double> grid_required;
        if (errors.empty() && explicit_required) {
          if (explicit_required->size() == grid->size()) {
            grid_required = std::move(*explicit_required);
          } else if (explicit_required->size() == grid->wall_size()) {
            std::vector<int> wall;
            for (double v : *explicit_required)
              wall.push_back(static_cast<int>(std::ceil(v - 1e-9)));
            grid_required = grid->from_wall(wall);
          } else {
            errors.push_back(
                {"requirement.required",
                 "needs one value per interval: " + std::to_string(days) + " days x " +
                     std::to_string(slots_per_day) + " = " + std::to_string(grid->wall_size()) +
                     (grid->size() != grid->wall_size()
                          ? " (or " + std::to_string(grid->size()) +
                                " for the period's real intervals across the daylight-saving "
                                "change)"
                          : std::string()) +
                     ", got " + std::to_string(explicit_required->size())});
          }
        }
        if (!errors.empty()) return reply(bad_request("invalid schedule request", errors));

        // A forecast's requirement: its staffing's scheduled headcount on the grid.
        if (forecast_id) {
          auto f = forecasts_->get(*forecast_id);
          if (!f.ok()) return reply(problem_from_status(f.status()));
          if (staffing->model == wfm::StaffingModel::kErlangA && staffing->patience_s <= 0) {
            auto pe = estimate_patience(*f);
            if (!pe.ok()) return reply(planning_problem(pe.status()));
            staffing->patience_s = pe->mean_patience_s;
          }
          if (f->interval_minutes != p.interval_minutes)
            return reply(bad_request("forecast " + std::to_string(f->id) + " has " +
                                         std::to_string(f->interval_minutes) +
                                         "-minute intervals; the schedule " +
                                         std::to_string(p.interval_minutes),
                                     {{"interval_minutes", "must equal the forecast's interval"}}));
          std::vector<wfm::IntervalDemand> demand;
          std::vector<std::size_t> index;
          const Millis start = grid->start();
          const Millis width = static_cast<Millis>(p.interval_minutes) * kMillisPerMinute;
          const std::size_t n = grid->size();
          for (const auto& iv : f->intervals) {
            if (iv.start < start) continue;
            const auto i = static_cast<std::size_t>((iv.start - start) / width);
            if (i >= n) continue;
            wfm::IntervalDemand d;
            const auto local = wfmstore::utc_to_local(*tz, iv.start);
            d.day = local.day;
            d.minute = local.minute;
            d.volume = iv.volume;
            d.aht_s = iv.aht_s && *iv.aht_s > 0 ? *iv.aht_s : default_aht;
            if (d.volume > 0 && d.aht_s <= 0)
              return reply(bad_request("the forecast has no handle time: give requirement.aht_s",
                                       {{"requirement.aht_s", "required for this forecast"}}));
            demand.push_back(d);
            index.push_back(i);
          }
          if (demand.empty())
            return reply(bad_request(
                "forecast " + std::to_string(f->id) + " has no interval in the schedule's period",
                {{"start_date", "outside the forecast"}}));
          auto rows = wfm::required_staff(demand, p.interval_minutes, *staffing);
          if (!rows.ok()) return reply(planning_problem(rows.status()));
          grid_required.assign(n, 0);
          for (std::size_t k = 0; k < rows->size(); ++k)
            grid_required[index[k]] = (*rows)[k].scheduled;
          h.forecast_id = f->id;
        }
        // The scheduling maths plans on the wall clock; the stored grid keeps real intervals.
        p.required = grid->to_wall(grid_required);
        const Millis now = clock_.now();
        post_work([this, reply, p = std::move(p), so, h = std::move(h), tzv = *tz, g = *grid,
                   grid_required = std::move(grid_required), now]() mutable {
          auto result = wfm::make_schedule(p, so);
          if (!result.ok()) return reply(planning_problem(result.status()));
          wfmstore::Schedule s =
              wfmstore::schedule_from_result(p, *result, tzv, g, std::move(grid_required));
          s.header.name = h.name;
          s.header.team = h.team;
          s.header.queues = h.queues;
          s.header.forecast_id = h.forecast_id;
          auto stored = schedules_->create(std::move(s), now);
          if (!stored.ok()) return reply(planning_problem(stored.status()));
          reply(json_response(schedule_json(*stored), 201));
        });
      });

  router_.add("GET", "/api/v1/wfm/schedules", kPlanners, "Schedules, newest first",
              [this](RouteContext&, Reply reply) {
                if (!schedules_) return reply(wfm_unavailable(wfm_status_));
                auto list = schedules_->list();
                if (!list.ok()) return reply(problem_from_status(list.status()));
                json out = json::array();
                for (const auto& h : *list) out.push_back(header_json(h));
                reply(json_response({{"schedules", out}}));
              });

  router_.add("GET", "/api/v1/wfm/schedules/{id}", kPlanners,
              "A schedule with every agent's activities and the coverage row",
              [this](RouteContext& ctx, Reply reply) {
                if (!schedules_) return reply(wfm_unavailable(wfm_status_));
                auto id = parse_id(ctx.params[0]);
                if (!id) return reply(not_found("no such schedule"));
                auto s = schedules_->get(*id);
                if (!s.ok()) return reply(problem_from_status(s.status()));
                reply(json_response(schedule_json(*s)));
              });

  router_.add("DELETE", "/api/v1/wfm/schedules/{id}", kAdmin | kSupervisor,
              "Delete a draft schedule", [this](RouteContext& ctx, Reply reply) {
                if (!schedules_) return reply(wfm_unavailable(wfm_status_));
                auto id = parse_id(ctx.params[0]);
                if (!id) return reply(not_found("no such schedule"));
                Status st = schedules_->remove(*id);
                if (!st.ok()) return reply(problem_from_status(st));
                audit(&*ctx.principal, ctx.req, "wfm.schedule.delete", std::to_string(*id), "");
                reply(no_content());
              });

  // Reads an activity edit body; nullopt with the 400 in `bad`.
  auto read_edit = [](const json& body, const reports::TimeZone& tz, wfmstore::ActivityEdit& e,
                      bool agent_required, HttpResponse& bad) {
    std::vector<FieldError> errors;
    JsonReader r(body, errors);
    e.agent = r.string("agent", agent_required).value_or("");
    if (auto k = r.string("kind", true)) {
      auto kind = wfmstore::parse_activity_kind(*k);
      if (!kind.ok()) {
        r.error("kind", kind.status().message());
      } else {
        e.kind = *kind;
      }
    }
    int times = 0;
    for (const char* key : {"start", "end"}) {
      if (!body.contains(key)) {
        errors.push_back({key, "required"});
        continue;
      }
      auto t = parse_instant_json(body[key], tz);
      if (!t.ok()) {
        errors.push_back({key, t.status().message()});
      } else {
        (std::string(key) == "start" ? e.start : e.end) = *t;
        ++times;
      }
    }
    e.label = r.string("label", false).value_or("");
    if (times == 2 && e.end <= e.start) errors.push_back({"end", "must be after start"});
    if (!errors.empty()) {
      bad = bad_request("invalid activity", errors);
      return false;
    }
    return true;
  };

  auto edit_route = [this, read_edit](wfmstore::ActivityEdit::Op op) {
    return [this, read_edit, op](RouteContext& ctx, Reply reply) {
      if (!schedules_) return reply(wfm_unavailable(wfm_status_));
      auto id = parse_id(ctx.params[0]);
      if (!id) return reply(not_found("no such schedule"));
      auto current = schedules_->get(*id);
      if (!current.ok()) return reply(problem_from_status(current.status()));
      wfmstore::ActivityEdit e;
      e.op = op;
      if (op != wfmstore::ActivityEdit::Op::kAdd) {
        auto aid = parse_id(ctx.params[1]);
        if (!aid) return reply(not_found("no such activity"));
        e.activity_id = *aid;
      }
      if (op != wfmstore::ActivityEdit::Op::kRemove) {
        json body;
        if (auto bad = parse_object(ctx.req.body, body)) return reply(*bad);
        HttpResponse bad;
        if (!read_edit(body, zone_or_utc(current->header.time_zone), e,
                       op == wfmstore::ActivityEdit::Op::kAdd, bad))
          return reply(bad);
      }
      auto s = schedules_->edit(*id, e, clock_.now());
      if (!s.ok()) return reply(problem_from_status(s.status()));
      audit(&*ctx.principal, ctx.req, "wfm.schedule.edit", std::to_string(*id),
            std::string(op == wfmstore::ActivityEdit::Op::kAdd      ? "add"
                        : op == wfmstore::ActivityEdit::Op::kUpdate ? "update"
                                                                    : "remove"));
      reply(json_response(schedule_json(*s), op == wfmstore::ActivityEdit::Op::kAdd ? 201 : 200));
    };
  };
  router_.add("POST", "/api/v1/wfm/schedules/{id}/activities", kAdmin | kSupervisor,
              "Add an activity for an agent (painted over what it overlaps); coverage "
              "recomputed",
              edit_route(wfmstore::ActivityEdit::Op::kAdd));
  router_.add("PUT", "/api/v1/wfm/schedules/{id}/activities/{activity}", kAdmin | kSupervisor,
              "Move, resize or change an activity (or give it to another agent)",
              edit_route(wfmstore::ActivityEdit::Op::kUpdate));
  router_.add("DELETE", "/api/v1/wfm/schedules/{id}/activities/{activity}", kAdmin | kSupervisor,
              "Remove an activity (the time becomes unscheduled)",
              edit_route(wfmstore::ActivityEdit::Op::kRemove));

  router_.add("POST", "/api/v1/wfm/schedules/{id}/publish", kAdmin | kSupervisor,
              "Publish a draft schedule (supersedes overlapping published schedules of the same "
              "agents)",
              [this](RouteContext& ctx, Reply reply) {
                if (!schedules_) return reply(wfm_unavailable(wfm_status_));
                auto id = parse_id(ctx.params[0]);
                if (!id) return reply(not_found("no such schedule"));
                auto s = schedules_->publish(*id, clock_.now());
                if (!s.ok()) return reply(problem_from_status(s.status()));
                audit(&*ctx.principal, ctx.req, "wfm.schedule.publish", std::to_string(*id), "");
                reply(json_response(schedule_json(*s)));
              });

  router_.add("GET", "/api/v1/wfm/my-schedule", kAnyRole,
              "The logged-in agent's published activities (default: yesterday to two weeks ahead)",
              [this](RouteContext& ctx, Reply reply) {
                if (!schedules_) return reply(wfm_unavailable(wfm_status_));
                const auto& p = *ctx.principal;
                if (!p.user.agent_id)
                  return reply(problem(404, "not-found", "Not Found",
                                       "this user is not linked to an agent"));
                const auto config = config_snapshot();
                const std::string agent = agent_name(*config, *p.user.agent_id);
                const auto tz = ctx.req.query.count("tz") ? zone_or_utc(ctx.req.query.at("tz"))
                                                          : options_.time_zone;
                const Millis now = clock_.now();
                Millis from = now - kMillisPerDay, to = now + 14 * kMillisPerDay;
                std::vector<FieldError> errors;
                for (const char* key : {"from", "to"}) {
                  auto it = ctx.req.query.find(key);
                  if (it == ctx.req.query.end()) continue;
                  json v = it->second.find_first_not_of("0123456789") == std::string::npos &&
                                   !it->second.empty()
                               ? json(std::stoll(it->second.substr(0, 15)))
                               : json(it->second);
                  auto t = parse_instant_json(v, tz);
                  if (!t.ok()) {
                    errors.push_back({key, t.status().message()});
                  } else {
                    (std::string(key) == "from" ? from : to) = *t;
                  }
                }
                if (errors.empty() && to <= from) errors.push_back({"to", "must be after from"});
                if (errors.empty() && to - from > 62 * kMillisPerDay)
                  errors.push_back({"to", "at most 62 days at once"});
                if (!errors.empty()) return reply(bad_request("invalid range", errors));
                auto acts = schedules_->published_activities(agent, from, to);
                if (!acts.ok()) return reply(problem_from_status(acts.status()));
                json out = json::array();
                for (const auto& a : *acts) out.push_back(activity_json(a, tz));
                auto current = schedules_->activity_at(agent, now);
                json now_j = nullptr;
                if (current.ok() && current->has_value()) now_j = activity_json(**current, tz);
                reply(json_response({{"agent", agent},
                                     {"from", from},
                                     {"to", to},
                                     {"time_zone", tz.name()},
                                     {"now", now_j},
                                     {"activities", out}}));
              });
}

}  // namespace sb::api
