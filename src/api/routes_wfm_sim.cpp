// Route: multi-skill staffing by simulation (POST /api/v1/wfm/staffing/simulation). The center
// is the server's live configuration (queues, skills, routing profiles, agents grouped by identical
// skills/queues/profile), the demand the published forecasts of its queues; the simulator runs
// the production router on each interval (wfm/sim_staffing.h, docs/forecasting.md).
//
// Simulation is the expensive planning call, so the request is bounded before any work starts:
// at most kMaxIntervals intervals, kMaxReplications x kMaxCallsPerReplication simulated arrivals
// per headcount tried, kMaxEvaluationsPerInterval headcounts per interval, and kMaxSimulatedCalls
// arrivals over the whole request (a deterministic budget, not a wall-clock deadline, so the same
// request always gets the same answer or the same error; at the default precision it allows
// ~3,000 headcounts, about 14 s of CPU, where sim_staffing_bench's busy three-queue day of
// 15-minute intervals takes 1,116 and 5 s; docs/performance.md), and one simulation at a time
// per server (a second gets a 503 while the first runs).

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "api/api_app.h"
#include "api/route_util.h"
#include "domain/config_lookup.h"
#include "wfm/sim_staffing.h"
#include "wfmstore/planning.h"

namespace sb::api {

namespace {

constexpr unsigned kPlanners = kAdmin | kSupervisor | kAnalyst;
constexpr int kMaxIntervals = 96;  // one day of 15-minute intervals, two of 30-minute ones
constexpr int kMaxReplications = 10;
constexpr int kMaxCallsPerReplication = 4000;
constexpr int kMaxEvaluationsPerInterval = 60;
constexpr std::int64_t kMaxSimulatedCalls = 12'000'000;
constexpr int kMaxDays = 7;

reports::TimeZone zone_or_utc(const std::string& name) {
  auto z = reports::TimeZone::parse(name);
  return z.ok() ? *z : reports::TimeZone::utc();
}

// Which forecast feeds which queue of the configuration.
struct QueueForecast {
  std::size_t queue = 0;
  wfmstore::StoredForecast forecast;
};

}  // namespace

void ApiApp::register_wfm_sim_routes() {
  router_.add(
      "POST", "/api/v1/wfm/staffing/simulation", kPlanners,
      "Multi-skill staffing by simulation with the real router: agents per group and interval "
      "for the published forecasts of the center's queues, with simulated SL/ASA/abandon/"
      "occupancy",
      [this](RouteContext& ctx, Reply reply) {
        if (!forecasts_) {
          return reply(
              problem(503, "unavailable", "Unavailable",
                      "workforce planning storage is not available: " + wfm_status_.message()));
        }
        json body;
        if (auto bad = parse_object(ctx.req.body, body)) return reply(*bad);
        std::vector<FieldError> errors;
        JsonReader r(body, errors);
        const auto config = config_snapshot();

        // Which forecasts: ids given, or the newest of each named queue, or of every queue.
        std::vector<QueueForecast> chosen;
        std::set<std::size_t> seen;
        auto take = [&](std::size_t q, wfmstore::StoredForecast f, const std::string& field) {
          if (!seen.insert(q).second) {
            errors.push_back({field, "two forecasts for queue '" + config->queues[q].name + "'"});
            return;
          }
          chosen.push_back({q, std::move(f)});
        };
        auto queue_index = [&](const std::string& name) -> std::optional<std::size_t> {
          auto id = find_queue(*config, name);
          if (!id) return std::nullopt;
          for (std::size_t q = 0; q < config->queues.size(); ++q)
            if (config->queues[q].id == *id) return q;
          return std::nullopt;
        };
        if (const json* ids = r.array("forecasts", false)) {
          if (ids->empty()) errors.push_back({"forecasts", "give at least one forecast id"});
          for (std::size_t i = 0; i < ids->size(); ++i) {
            const std::string field = "forecasts[" + std::to_string(i) + "]";
            const json& v = (*ids)[i];
            if (!v.is_number_integer()) {
              errors.push_back({field, "must be a forecast id"});
              continue;
            }
            auto f = forecasts_->get(v.get<std::int64_t>());
            if (!f.ok()) {
              if (f.status().code() != StatusCode::kNotFound)
                return reply(problem_from_status(f.status()));
              errors.push_back({field, "no forecast " + std::to_string(v.get<std::int64_t>())});
              continue;
            }
            auto q = queue_index(f->queue);
            if (!q) {
              errors.push_back({field, "forecast of queue '" + f->queue +
                                           "', which is not a queue of the center"});
              continue;
            }
            take(*q, std::move(*f), field);
          }
        } else {
          std::vector<std::size_t> queues;
          if (const json* names = r.array("queues", false)) {
            if (names->empty()) errors.push_back({"queues", "give at least one queue"});
            for (std::size_t i = 0; i < names->size(); ++i) {
              const std::string field = "queues[" + std::to_string(i) + "]";
              const json& v = (*names)[i];
              auto q = v.is_string() ? queue_index(v.get<std::string>()) : std::nullopt;
              if (!q) {
                errors.push_back({field, v.is_string()
                                             ? "unknown queue '" + v.get<std::string>() + "'"
                                             : "must be a queue name"});
                continue;
              }
              queues.push_back(*q);
            }
          } else {
            for (std::size_t q = 0; q < config->queues.size(); ++q) queues.push_back(q);
          }
          const bool named = r.has("queues");
          for (std::size_t k = 0; k < queues.size(); ++k) {
            const std::string& name = config->queues[queues[k]].name;
            auto list = forecasts_->list(name);
            if (!list.ok()) return reply(problem_from_status(list.status()));
            if (list->empty()) {
              if (named)
                errors.push_back({"queues[" + std::to_string(k) + "]",
                                  "queue '" + name + "' has no published forecast"});
              continue;
            }
            auto f = forecasts_->get(list->front().id);
            if (!f.ok()) return reply(problem_from_status(f.status()));
            take(queues[k], std::move(*f), "queues[" + std::to_string(k) + "]");
          }
          if (errors.empty() && chosen.empty())
            errors.push_back({"queues", "no queue of the center has a published forecast"});
        }

        // Goal, demand and simulation settings.
        wfm::SimStaffingOptions o;
        o.max_evaluations = kMaxEvaluationsPerInterval;
        auto target = r.number("target_sl", false, 0.01, 0.9999);
        auto threshold = r.number("threshold_s", false, 0, 3600);
        o.shrinkage = r.number("shrinkage", false, 0, 0.95).value_or(0);
        const double default_aht = r.number("aht_s", false, 1, 86400).value_or(0);
        auto patience = r.number("patience_s", false, 1, 86400);
        o.replications =
            static_cast<int>(r.integer("replications", false, 2, kMaxReplications).value_or(4));
        o.calls_per_replication = static_cast<int>(
            r.integer("calls_per_replication", false, 200, kMaxCallsPerReplication).value_or(1000));
        o.seed = static_cast<std::uint64_t>(r.integer("seed", false, 0, INT64_MAX).value_or(1));
        o.require_confidence = r.boolean("require_confidence", false).value_or(false);
        Channel channel = Channel::kVoice;
        if (auto c = r.string("channel", false)) {
          auto parsed = parse_channel(*c);
          if (!parsed.ok()) {
            r.error("channel", parsed.status().message());
          } else {
            channel = *parsed;
          }
        }
        const int days = static_cast<int>(r.integer("days", false, 1, kMaxDays).value_or(1));
        std::optional<wfm::Date> first_day;
        if (auto d = r.string("start_date", false)) {
          auto parsed = wfm::parse_date(*d);
          if (!parsed.ok()) {
            r.error("start_date", parsed.status().message());
          } else {
            first_day = *parsed;
          }
        }
        if (!errors.empty())
          return reply(bad_request("invalid staffing simulation request", errors));

        // One interval grid: every forecast's length and time zone must agree.
        const int minutes = chosen.front().forecast.interval_minutes;
        const std::string zone = chosen.front().forecast.time_zone;
        for (const auto& c : chosen) {
          if (c.forecast.interval_minutes != minutes)
            return reply(bad_request(
                "the forecasts have different interval lengths (" + std::to_string(minutes) +
                    " and " + std::to_string(c.forecast.interval_minutes) + " minutes)",
                {{"forecasts", "choose forecasts with the same interval length"}}));
          if (c.forecast.time_zone != zone)
            return reply(
                bad_request("the forecasts are in different time zones (" + zone + " and " +
                                c.forecast.time_zone + ")",
                            {{"forecasts", "choose forecasts planned in the same time zone"}}));
        }
        const int per_day = 1440 / minutes;
        if (days * per_day > kMaxIntervals)
          return reply(bad_request(
              "horizon too long: " + std::to_string(days) + " days of " + std::to_string(minutes) +
                  "-minute intervals is " + std::to_string(days * per_day) +
                  " intervals; a simulation takes at most " + std::to_string(kMaxIntervals),
              {{"days", "at most " + std::to_string(kMaxIntervals / per_day) + " with " +
                            std::to_string(minutes) + "-minute intervals"}}));
        const auto tz = zone_or_utc(zone);
        if (!first_day) {
          Millis earliest = INT64_MAX;
          for (const auto& c : chosen)
            if (!c.forecast.intervals.empty())
              earliest = std::min(earliest, c.forecast.intervals.front().start);
          if (earliest == INT64_MAX)
            return reply(bad_request("the forecasts have no intervals", {{"forecasts", "empty"}}));
          first_day = wfmstore::utc_to_local(tz, earliest).day;
        }
        const Millis from = wfmstore::local_to_utc(tz, *first_day, 0);
        const Millis to = wfmstore::local_to_utc(tz, *first_day + days, 0);

        // The center: the live configuration; its queues with forecasts get their volume.
        wfm::MultiSkillCenter center = wfm::center_from_config(*config, channel);
        if (center.groups.empty())
          return reply(bad_request("the center has no agents to staff",
                                   {{"queues", "configure agents with queue memberships"}}));
        if (patience)
          for (auto& spec : center.queues)
            spec.patience = sim::Distribution::exponential(
                static_cast<Millis>(std::llround(*patience * kMillisPerSecond)));
        if (target || threshold) {
          for (const auto& q : center.center.queues)
            o.goals.push_back(
                {.target_sl = target.value_or(q.service_level_target),
                 .threshold_s = threshold.value_or(static_cast<double>(q.service_level_threshold) /
                                                   kMillisPerSecond)});
        }
        o.interval_minutes = minutes;
        std::map<Millis, wfm::SimStaffingInterval> by_start;
        for (const auto& c : chosen) {
          for (const auto& iv : c.forecast.intervals) {
            if (iv.start < from || iv.start >= to) continue;
            const double aht = iv.aht_s && *iv.aht_s > 0 ? *iv.aht_s : default_aht;
            if (iv.volume > 0 && aht <= 0)
              return reply(bad_request("forecast " + std::to_string(c.forecast.id) + " (queue '" +
                                           c.forecast.queue + "') has no handle time: give aht_s",
                                       {{"aht_s", "required for these forecasts"}}));
            auto& s = by_start[iv.start];
            const auto local = wfmstore::utc_to_local(tz, iv.start);
            s.day = local.day;
            s.minute = local.minute;
            s.queues.resize(center.center.queues.size());
            s.queues[c.queue] = {.volume = iv.volume, .aht_s = aht};
          }
        }
        if (by_start.empty())
          return reply(bad_request(
              "no forecast interval between " + tz.format(from) + " and " + tz.format(to),
              {{"start_date", "outside the forecasts"}}));
        if (simulation_running_.exchange(true))
          return reply(problem(503, "unavailable", "Unavailable",
                               "another staffing simulation is running; try again when it "
                               "finishes"));

        post_work([this, reply, center = std::move(center), o, by_start = std::move(by_start),
                   chosen = std::move(chosen), tz, minutes, days, first_day = *first_day] {
          // The flag is cleared before the answer goes out: a client that sends its next request
          // on receiving this one must not find the simulation still "running".
          struct Done {
            std::atomic<bool>& flag;
            ~Done() { flag = false; }
          };
          auto answer = [&]() -> HttpResponse {
            std::vector<wfm::SimStaffingRow> rows;
            std::vector<Millis> starts;
            int evaluations = 0;
            const auto per_evaluation =
                static_cast<std::int64_t>(o.replications) * o.calls_per_replication;
            const auto budget = static_cast<int>(kMaxSimulatedCalls / per_evaluation);
            for (const auto& [start, iv] : by_start) {
              wfm::SimStaffingOptions each = o;
              each.max_evaluations = std::min(kMaxEvaluationsPerInterval, budget - evaluations);
              if (each.max_evaluations < 1)
                return (
                    bad_request("the simulation budget of " + std::to_string(kMaxSimulatedCalls) +
                                " simulated arrivals (" + std::to_string(budget) +
                                " headcounts at this precision) ran out at " + tz.format(start) +
                                "; ask for fewer replications or calls, or fewer days"));
              auto one = wfm::simulate_staffing(center, {iv}, each);
              if (!one.ok()) {
                // Bad input (a queue with volume nobody serves) and a search that ran out of
                // headcounts are the request's fault: 400 with the search's own message.
                const Status& st = one.status();
                if (st.code() == StatusCode::kInvalidArgument ||
                    st.code() == StatusCode::kFailedPrecondition)
                  return (bad_request(st.message()));
                return (problem_from_status(st));
              }
              evaluations += one->front().evaluations;
              rows.push_back(std::move(one->front()));
              starts.push_back(start);
            }
            const auto& queues = center.center.queues;
            json groups = json::array();
            for (std::size_t g = 0; g < center.groups.size(); ++g) {
              json serves = json::array();
              for (std::size_t q = 0; q < queues.size(); ++q)
                if (wfm::group_serves(center, g, q)) serves.push_back(queues[q].name);
              groups.push_back({{"name", center.groups[g].name}, {"queues", serves}});
            }
            json used = json::array();
            for (const auto& c : chosen)
              used.push_back({{"queue", queues[c.queue].name}, {"forecast_id", c.forecast.id}});
            json out_rows = json::array();
            int peak_agents = 0, peak_scheduled = 0;
            double agent_hours = 0;
            for (std::size_t i = 0; i < rows.size(); ++i) {
              const auto& row = rows[i];
              json per_queue = json::array();
              for (std::size_t q = 0; q < queues.size(); ++q) {
                const auto& qr = row.result.queues[q];
                const bool busy = qr.volume > 0;
                per_queue.push_back(
                    {{"queue", queues[q].name},
                     {"volume", qr.volume},
                     {"aht_s", busy ? json(qr.aht_s) : json(nullptr)},
                     {"load_erlangs", qr.load_erlangs},
                     {"target_sl", qr.target_sl},
                     {"service_level", busy ? json(qr.service_level) : json(nullptr)},
                     {"sl_ci95", busy ? json(qr.sl_ci95) : json(nullptr)},
                     {"asa_s", busy ? json(qr.asa_s) : json(nullptr)},
                     {"abandon_rate", busy ? json(qr.abandon_rate) : json(nullptr)},
                     {"erlang_c_alone", qr.erlang_c_alone},
                     {"met", qr.met}});
              }
              peak_agents = std::max(peak_agents, row.total_agents);
              peak_scheduled = std::max(peak_scheduled, row.total_scheduled);
              agent_hours += row.total_scheduled * minutes / 60.0;
              out_rows.push_back({{"start", starts[i]},
                                  {"local", tz.format(starts[i])},
                                  {"agents", row.agents},
                                  {"scheduled", row.scheduled},
                                  {"total_agents", row.total_agents},
                                  {"total_scheduled", row.total_scheduled},
                                  {"erlang_c_separate", row.erlang_c_separate},
                                  {"pooled_start", row.pooled_start},
                                  {"occupancy", row.result.occupancy},
                                  {"meets_goals", row.result.meets_goals},
                                  {"evaluations", row.evaluations},
                                  {"queues", per_queue}});
            }
            return json_response({{"method", "simulation"},
                                  {"interval_minutes", minutes},
                                  {"time_zone", tz.name()},
                                  {"start_date", wfm::format_date(first_day)},
                                  {"days", days},
                                  {"forecasts", used},
                                  {"groups", groups},
                                  {"replications", o.replications},
                                  {"calls_per_replication", o.calls_per_replication},
                                  {"seed", o.seed},
                                  {"require_confidence", o.require_confidence},
                                  {"shrinkage", o.shrinkage},
                                  {"evaluations", evaluations},
                                  {"peak_agents", peak_agents},
                                  {"peak_scheduled", peak_scheduled},
                                  {"scheduled_agent_hours", agent_hours},
                                  {"limits",
                                   {{"max_intervals", kMaxIntervals},
                                    {"max_replications", kMaxReplications},
                                    {"max_calls_per_replication", kMaxCallsPerReplication},
                                    {"max_evaluations_per_interval", kMaxEvaluationsPerInterval},
                                    {"max_simulated_calls", kMaxSimulatedCalls}}},
                                  {"rows", out_rows}});
          };
          HttpResponse res;
          {
            Done done{simulation_running_};
            res = answer();
          }
          reply(std::move(res));
        });
      });
}

}  // namespace sb::api
