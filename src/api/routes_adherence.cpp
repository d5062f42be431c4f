// Adherence routes (docs/api.md, "Adherence"): the RTA board and historical adherence and
// conformance, and the live pushes of adherence changes to agents and supervisors.

#include <algorithm>
#include <cstdio>
#include <limits>
#include <mutex>
#include <set>

#include "api/api_app.h"
#include "api/live_hub.h"
#include "api/route_util.h"
#include "reports/time_zone.h"
#include "wfmstore/planning.h"
#include "wfmstore/schedule_store.h"

namespace sb::api {
namespace {

static_assert(static_cast<int>(wfmstore::ActivityKind::kWork) ==
                      static_cast<int>(adherence::Activity::kWork) &&
                  static_cast<int>(wfmstore::ActivityKind::kOff) ==
                      static_cast<int>(adherence::Activity::kOff) &&
                  wfmstore::kActivityKindCount == adherence::kActivityCount,
              "the schedule store's activity kinds and adherence's must agree");

// At most every this often the supervisor channel gets the board unprompted (at once on a change
// of someone's adherence).
constexpr Millis kBoardPushPeriod = 5 * kMillisPerSecond;
constexpr std::int64_t kMaxHistoryDays = 400;

json ratio_or_null(std::optional<double> r) { return r ? json(*r) : json(nullptr); }

json figures_json(const adherence::DayTotals& t) {
  json activities = json::object();
  for (int i = 0; i < adherence::kActivityCount; ++i)
    activities[std::string(adherence::activity_name(static_cast<adherence::Activity>(i)))] =
        static_cast<double>(t.by_activity[static_cast<std::size_t>(i)]) / 1000.0;
  return json{{"scheduled_s", static_cast<double>(t.scheduled) / 1000.0},
              {"scheduled_work_s", static_cast<double>(t.scheduled_work()) / 1000.0},
              {"in_adherence_s", static_cast<double>(t.in_adherence) / 1000.0},
              {"out_of_adherence_s", static_cast<double>(t.out_of_adherence) / 1000.0},
              {"out_unscheduled_s", static_cast<double>(t.out_unscheduled) / 1000.0},
              {"worked_s", static_cast<double>(t.worked) / 1000.0},
              {"adherence", ratio_or_null(t.adherence())},
              {"conformance", ratio_or_null(t.conformance())},
              {"activities_s", std::move(activities)}};
}

std::string local_date(Millis day_start, const reports::TimeZone& tz) {
  int y = 0, m = 0, d = 0;
  const Millis local = day_start + tz.offset_at(day_start);
  reports::civil_from_days(local / kMillisPerDay, y, m, d);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  return buf;
}

Result<Millis> parse_day(const std::string& text) {
  int y = 0, m = 0, d = 0, consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d%n", &y, &m, &d, &consumed) != 3 ||
      consumed != static_cast<int>(text.size()) || consumed != 10)
    return Status::invalid_argument("'" + text + "' is not a date (YYYY-MM-DD)");
  int cy = 0, cm = 0, cd = 0;
  reports::civil_from_days(reports::days_from_civil(y, m, d), cy, cm, cd);
  if (cy != y || cm != m || cd != d)
    return Status::invalid_argument("'" + text + "' is not a date");
  return reports::days_from_civil(y, m, d) * kMillisPerDay;  // local midnight as a wall time
}

// The UTC instant of the local midnight whose wall time (as epoch ms) is `wall`.
Millis local_midnight(const reports::TimeZone& tz, Millis wall) {
  return wfmstore::local_to_utc(tz, static_cast<wfm::Date>(wall / kMillisPerDay), 0);
}

// Worst first: out of adherence (longest first), then the most time out today, then by name.
void sort_worst_first(json& items) {
  std::stable_sort(items.begin(), items.end(), [](const json& a, const json& b) {
    const bool ao = a["out_of_adherence"].get<bool>(), bo = b["out_of_adherence"].get<bool>();
    if (ao != bo) return ao;
    const double af = a["out_for_s"].get<double>(), bf = b["out_for_s"].get<double>();
    if (af != bf) return af > bf;
    const double at = a["out_today_s"].get<double>(), bt = b["out_today_s"].get<double>();
    if (at != bt) return at > bt;
    return a["name"].get<std::string>() < b["name"].get<std::string>();
  });
}

}  // namespace

ScheduleSource schedule_source_from(const wfmstore::ScheduleStore& store,
                                    std::function<std::shared_ptr<const CenterConfig>()> config) {
  // Published schedules change rarely: the whole set is read again only when a schedule header
  // changed (created, edited, published, superseded, removed), else the last one is reused.
  struct Cache {
    std::mutex mu;
    std::string fingerprint;
    std::optional<adherence::Schedule> schedule;
  };
  auto cache = std::make_shared<Cache>();
  return [&store, config = std::move(config), cache]() -> Result<adherence::Schedule> {
    auto headers = store.list();
    if (!headers.ok()) return headers.status();
    const auto cfg = config();
    std::string fingerprint;
    for (const auto& h : *headers)
      fingerprint += std::to_string(h.id) + ':' + std::to_string(static_cast<int>(h.state)) + ':' +
                     std::to_string(h.revision) + ':' + std::to_string(h.updated_at) + ';';
    fingerprint += "agents:" + std::to_string(cfg->agents.size());
    std::lock_guard lock(cache->mu);
    if (cache->schedule && cache->fingerprint == fingerprint) return *cache->schedule;
    std::map<std::string, AgentId> ids;
    for (const auto& a : cfg->agents) ids[a.name] = a.id;
    constexpr Millis kAll = std::numeric_limits<Millis>::max();
    auto agents = store.published_agents(std::numeric_limits<Millis>::min(), kAll);
    if (!agents.ok()) return agents.status();
    std::vector<adherence::ScheduledActivity> activities;
    for (const auto& name : *agents) {
      auto it = ids.find(name);
      if (it == ids.end()) continue;  // not an agent of this center (docs/metrics.md)
      auto acts = store.published_activities(name, std::numeric_limits<Millis>::min(), kAll);
      if (!acts.ok()) return acts.status();
      for (const auto& a : *acts)
        activities.push_back(
            {it->second, static_cast<adherence::Activity>(a.kind), a.start, a.end});
    }
    auto schedule = adherence::Schedule::make(std::move(activities));
    if (!schedule.ok()) return schedule.status();
    cache->fingerprint = std::move(fingerprint);
    cache->schedule = *schedule;
    return schedule;
  };
}

void ApiApp::set_schedule_source(ScheduleSource source) {
  if (adherence_) adherence_->set_schedule_source(std::move(source));
}

std::map<AgentId, std::string> ApiApp::team_of_agents() {
  std::map<AgentId, std::string> out;
  auto teams = directory_.list("team");
  if (!teams.ok()) return out;
  for (const auto& t : *teams) {
    if (!t.contains("agents") || !t["agents"].is_array()) continue;
    for (const auto& a : t["agents"])
      if (a.is_number_unsigned()) out[a.get<AgentId>()] = t.value("name", "");
  }
  return out;
}

json ApiApp::adherence_live_json(const AdherenceMonitor::Snapshot& snapshot) {
  const auto config = config_snapshot();
  const auto teams = team_of_agents();
  json items = json::array();
  std::size_t out = 0;
  for (const auto& s : snapshot.agents) {
    json scheduled = nullptr;
    if (s.scheduled)
      scheduled = {{"activity", adherence::activity_name(s.scheduled->activity)},
                   {"start", s.scheduled->start},
                   {"end", s.scheduled->end}};
    json actual = {{"state", adherence::state_name(s.actual.state)},
                   {"since", s.actual_since == 0 ? json(nullptr) : json(s.actual_since)}};
    if (s.actual.state == adherence::State::kNotReady) {
      actual["reason"] = s.actual.reason;
      actual["reason_name"] = reason_label(s.actual.reason);
    }
    auto team = teams.find(s.agent);
    items.push_back({{"agent", s.agent},
                     {"name", agent_name(*config, s.agent)},
                     {"team", team == teams.end() ? json(nullptr) : json(team->second)},
                     {"scheduled", std::move(scheduled)},
                     {"actual", std::move(actual)},
                     {"mismatch", s.mismatch},
                     {"mismatch_since", s.mismatch ? json(s.mismatch_since) : json(nullptr)},
                     {"out_of_adherence", s.out_of_adherence},
                     {"out_since", s.out_of_adherence ? json(s.out_since) : json(nullptr)},
                     {"out_for_s", static_cast<double>(s.out_for) / 1000.0},
                     {"out_today_s", static_cast<double>(s.today.out_of_adherence) / 1000.0},
                     {"adherence_today", ratio_or_null(s.today.adherence())},
                     {"conformance_today", ratio_or_null(s.today.conformance())}});
    if (s.out_of_adherence) ++out;
  }
  sort_worst_first(items);
  json j = {{"now", snapshot.now},
            {"grace_s", static_cast<double>(adherence_->grace()) / 1000.0},
            {"out_of_adherence", out},
            {"agents", std::move(items)}};
  Status schedule = adherence_->schedule_status();
  j["schedule_error"] = schedule.ok() ? json(nullptr) : json(schedule.message());
  return j;
}

void ApiApp::deliver_adherence(const std::vector<adherence::Transition>& transitions,
                               const std::vector<adherence::AgentStatus>& live, Millis now) {
  if (!hub_) return;
  if (!transitions.empty()) {
    const auto config = config_snapshot();
    for (const auto& t : transitions) {
      json body = {
          {"agent", t.agent},
          {"name", agent_name(*config, t.agent)},
          {"out", t.out},
          {"at", t.at},
          {"since", t.since},
          {"scheduled", t.scheduled ? json(adherence::activity_name(*t.scheduled)) : json(nullptr)},
          {"actual", adherence::state_name(t.actual.state)}};
      json to_agent = body;
      to_agent["type"] = "adherence";
      hub_->push_to_agent(t.agent, to_agent.dump());
      body["type"] = "adherence_alert";
      hub_->broadcast_supervisor(body.dump());
    }
  }
  // The board: at once after a change, else every kBoardPushPeriod, and only to listeners.
  if (transitions.empty() && now - last_adherence_push_ < kBoardPushPeriod) return;
  if (!hub_->has_supervisors()) return;
  last_adherence_push_ = now;
  AdherenceMonitor::Snapshot snapshot{now, live};
  hub_->broadcast_supervisor(
      json{{"type", "adherence"}, {"rta", adherence_live_json(snapshot)}}.dump());
}

void ApiApp::register_adherence_routes() {
  // Agents may read their own adherence only: `agent` must be theirs (or absent), no `team`.
  // Returns the forced agent id for an agent, nullopt for others; `refusal` set when refused.
  auto own_scope = [](const RouteContext& ctx, std::optional<HttpResponse>& refusal,
                      const CenterConfig& config) -> std::optional<AgentId> {
    const auto& user = ctx.principal->user;
    if (user.role != accounts::Role::kAgent) return std::nullopt;
    if (!user.agent_id) {
      refusal = forbidden("your user is not linked to an agent");
      return std::nullopt;
    }
    if (ctx.req.query.count("team")) {
      refusal = forbidden("agents may read only their own adherence (no team)");
      return std::nullopt;
    }
    if (auto it = ctx.req.query.find("agent"); it != ctx.req.query.end()) {
      const AgentId me = *user.agent_id;
      bool mine = it->second == std::to_string(me);
      for (const auto& a : config.agents)
        if (a.id == me && a.name == it->second) mine = true;
      if (!mine) {
        refusal = forbidden("agents may read only their own adherence");
        return std::nullopt;
      }
    }
    return *user.agent_id;
  };
  // The agents named by `agent` (ids or names, comma-separated) and `team` (names or ids).
  struct Filter {
    bool any = false;
    std::set<AgentId> agents;
  };
  auto filter_of = [this](const RouteContext& ctx, const CenterConfig& config,
                          std::vector<FieldError>& errors) {
    Filter f;
    auto split = [](const std::string& s) {
      std::vector<std::string> out;
      std::string cur;
      for (char c : s) {
        if (c == ',') {
          if (!cur.empty()) out.push_back(cur);
          cur.clear();
        } else {
          cur += c;
        }
      }
      if (!cur.empty()) out.push_back(cur);
      return out;
    };
    if (auto it = ctx.req.query.find("agent"); it != ctx.req.query.end()) {
      f.any = true;
      for (const auto& name : split(it->second)) {
        bool found = false;
        for (const auto& a : config.agents)
          if (a.name == name || std::to_string(a.id) == name) {
            f.agents.insert(a.id);
            found = true;
          }
        if (!found) errors.push_back({"agent", "no agent '" + name + "'"});
      }
    }
    if (auto it = ctx.req.query.find("team"); it != ctx.req.query.end()) {
      f.any = true;
      auto teams = directory_.list("team");
      for (const auto& name : split(it->second)) {
        bool found = false;
        if (teams.ok())
          for (const auto& t : *teams)
            if (t.value("name", "") == name || std::to_string(t.value("id", 0)) == name) {
              found = true;
              if (t.contains("agents") && t["agents"].is_array())
                for (const auto& a : t["agents"])
                  if (a.is_number_unsigned()) f.agents.insert(a.get<AgentId>());
            }
        if (!found) errors.push_back({"team", "no team '" + name + "'"});
      }
    }
    return f;
  };
  auto unavailable = [this] {
    return problem(503, "unavailable", "Unavailable",
                   "adherence is not available: " + adherence_status_.message());
  };

  router_.add("GET", "/api/v1/adherence/live", kAdmin | kSupervisor | kAgent,
              "Real-time adherence (RTA board): scheduled activity vs actual state, worst first",
              [this, own_scope, filter_of, unavailable](RouteContext& ctx, Reply reply) {
                if (!adherence_ || !adherence_status_.ok()) return reply(unavailable());
                const auto config = config_snapshot();
                std::optional<HttpResponse> refusal;
                const std::optional<AgentId> me = own_scope(ctx, refusal, *config);
                if (refusal) return reply(*refusal);
                std::vector<FieldError> errors;
                Filter f = filter_of(ctx, *config, errors);
                if (!errors.empty()) return reply(bad_request("invalid adherence query", errors));
                auto snapshot = adherence_->live();
                if (!snapshot.ok()) return reply(problem_from_status(snapshot.status()));
                std::erase_if(snapshot->agents, [&](const adherence::AgentStatus& s) {
                  if (me) return s.agent != *me;
                  return f.any && !f.agents.count(s.agent);
                });
                reply(json_response(adherence_live_json(*snapshot)));
              });

  router_.add(
      "GET", "/api/v1/adherence/history", kAdmin | kSupervisor | kAnalyst | kAgent,
      "Adherence and conformance per agent and day, with totals per agent, team and overall",
      [this, own_scope, filter_of, unavailable](RouteContext& ctx, Reply reply) {
        if (!adherence_ || !adherence_status_.ok()) return reply(unavailable());
        const auto config = config_snapshot();
        std::optional<HttpResponse> refusal;
        const std::optional<AgentId> me = own_scope(ctx, refusal, *config);
        if (refusal) return reply(*refusal);
        std::vector<FieldError> errors;
        // Days are the center's local days (23 or 25 hours where daylight saving changes).
        const reports::TimeZone& tz = options_.time_zone;
        Millis from = 0, to = 0;
        for (const char* key : {"from", "to"}) {
          auto it = ctx.req.query.find(key);
          if (it == ctx.req.query.end()) {
            errors.push_back({key, "required: YYYY-MM-DD"});
            continue;
          }
          auto d = parse_day(it->second);
          if (!d.ok()) {
            errors.push_back({key, d.status().message()});
            continue;
          }
          (std::string(key) == "from" ? from : to) = *d;
        }
        if (errors.empty() && to < from) errors.push_back({"to", "must not be before from"});
        if (errors.empty() && (to - from) / kMillisPerDay >= kMaxHistoryDays)
          errors.push_back({"to", "a history covers at most 400 days"});
        Filter f = filter_of(ctx, *config, errors);
        if (!errors.empty()) return reply(bad_request("invalid adherence query", errors));
        auto totals = adherence_->totals();
        if (!totals.ok()) return reply(problem_from_status(totals.status()));
        const auto teams = team_of_agents();
        json days = json::array();
        std::map<AgentId, adherence::DayTotals> per_agent;
        std::map<std::string, adherence::DayTotals> per_team;
        adherence::DayTotals total;
        // `from` and `to` are local midnights as wall times; `to`'s day is included.
        const Millis first = local_midnight(tz, from);
        const Millis end = local_midnight(tz, to + kMillisPerDay);
        for (const auto& [key, t] : *totals) {
          const auto [agent, day] = key;
          if (day < first || day >= end) continue;
          if (me && agent != *me) continue;
          if (!me && f.any && !f.agents.count(agent)) continue;
          auto team = teams.find(agent);
          json row = figures_json(t);
          row["agent"] = agent;
          row["name"] = agent_name(*config, agent);
          row["team"] = team == teams.end() ? json(nullptr) : json(team->second);
          row["day"] = local_date(day, tz);
          days.push_back(std::move(row));
          per_agent[agent] += t;
          if (team != teams.end()) per_team[team->second] += t;
          total += t;
        }
        json agents = json::array();
        for (const auto& [agent, t] : per_agent) {
          auto team = teams.find(agent);
          json row = figures_json(t);
          row["agent"] = agent;
          row["name"] = agent_name(*config, agent);
          row["team"] = team == teams.end() ? json(nullptr) : json(team->second);
          agents.push_back(std::move(row));
        }
        json team_rows = json::array();
        for (const auto& [name, t] : per_team) {
          json row = figures_json(t);
          row["team"] = name;
          team_rows.push_back(std::move(row));
        }
        reply(json_response({{"from", local_date(first, tz)},
                             {"to", local_date(local_midnight(tz, to), tz)},
                             {"time_zone", tz.name()},
                             {"grace_s", static_cast<double>(adherence_->grace()) / 1000.0},
                             {"days", std::move(days)},
                             {"agents", std::move(agents)},
                             {"teams", std::move(team_rows)},
                             {"total", figures_json(total)}}));
      });
}

}  // namespace sb::api
