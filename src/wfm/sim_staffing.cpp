#include "wfm/sim_staffing.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <span>
#include <utility>

#include "metrics/stats.h"
#include "sim/simulator.h"
#include "wfm/erlang.h"

namespace sb::wfm {
namespace {

// Agents of a group are named after it, so strip the "-N" the scenario loader appends.
std::string base_name(const std::string& agent) {
  const auto dash = agent.rfind('-');
  if (dash == std::string::npos || dash + 1 == agent.size() || dash == 0) return agent;
  for (std::size_t i = dash + 1; i < agent.size(); ++i)
    if (agent[i] < '0' || agent[i] > '9') return agent;
  return agent.substr(0, dash);
}

bool same_group(const AgentConfig& a, const AgentConfig& b) {
  return a.profile == b.profile && a.skills == b.skills && a.queues == b.queues;
}

Status check_inputs(const MultiSkillCenter& c, const SimStaffingOptions& o) {
  if (c.queues.size() != c.center.queues.size())
    return Status::invalid_argument("the center needs one queue spec per queue");
  if (c.groups.empty()) return Status::invalid_argument("the center has no agent groups");
  if (o.interval_minutes <= 0 || 1440 % o.interval_minutes != 0)
    return Status::invalid_argument("the interval length must divide a day");
  if (!o.goals.empty() && o.goals.size() != c.center.queues.size())
    return Status::invalid_argument("give one goal per queue (or none)");
  for (std::size_t q = 0; q < o.goals.size(); ++q) {
    const QueueGoal& g = o.goals[q];
    if (!(g.target_sl > 0 && g.target_sl < 1) || !(g.threshold_s >= 0))
      return Status::invalid_argument("queue '" + c.center.queues[q].name +
                                      "': the goal needs a target in (0, 1) and a threshold >= 0");
  }
  if (o.replications < 2 || o.replications > 100)
    return Status::invalid_argument("replications must be 2..100");
  if (o.calls_per_replication < 100 || o.calls_per_replication > 10'000'000)
    return Status::invalid_argument("calls per replication must be 100..10000000");
  if (!(o.shrinkage >= 0 && o.shrinkage < 1))
    return Status::invalid_argument("shrinkage must be in [0, 1)");
  if (o.max_evaluations < 1) return Status::invalid_argument("max evaluations must be positive");
  return {};
}

QueueGoal goal_of(const MultiSkillCenter& c, const SimStaffingOptions& o, std::size_t q) {
  if (!o.goals.empty()) return o.goals[q];
  const QueueConfig& cfg = c.center.queues[q];
  return {.target_sl = cfg.service_level_target,
          .threshold_s = static_cast<double>(cfg.service_level_threshold) / kMillisPerSecond};
}

Status check_interval(const MultiSkillCenter& c, const SimStaffingInterval& iv,
                      const SimStaffingOptions& o) {
  const std::string where = format_local(iv.day, iv.minute);
  if (iv.queues.size() != c.center.queues.size())
    return Status::invalid_argument(where + ": demand for " + std::to_string(iv.queues.size()) +
                                    " queues, the center has " +
                                    std::to_string(c.center.queues.size()));
  for (std::size_t q = 0; q < iv.queues.size(); ++q) {
    const QueueDemand& d = iv.queues[q];
    const std::string name = c.center.queues[q].name;
    if (!std::isfinite(d.volume) || d.volume < 0)
      return Status::invalid_argument(where + ": queue '" + name +
                                      "': volume must be a non-negative number");
    if (d.volume == 0) continue;
    if (!(d.aht_s > 0) || !std::isfinite(d.aht_s))
      return Status::invalid_argument(where + ": queue '" + name +
                                      "': AHT must be positive where there is volume");
    bool served = false;
    for (std::size_t g = 0; g < c.groups.size() && !served; ++g) served = group_serves(c, g, q);
    if (!served)
      return Status::invalid_argument(where + ": queue '" + name +
                                      "' has volume but no agent group can take it");
    const QueueGoal goal = goal_of(c, o, q);
    if (!(goal.target_sl > 0 && goal.target_sl < 1))
      return Status::invalid_argument("queue '" + name + "': its target must be in (0, 1)");
  }
  return {};
}

// One interval's search: the evaluations it made, memoised by headcount.
class IntervalSearch {
 public:
  IntervalSearch(const MultiSkillCenter& c, const SimStaffingInterval& iv,
                 const SimStaffingOptions& o)
      : c_(c), iv_(iv), o_(o) {}

  Result<Evaluation> evaluate(const std::vector<int>& agents) {
    if (auto it = cache_.find(agents); it != cache_.end()) return it->second;
    if (static_cast<int>(cache_.size()) >= o_.max_evaluations)
      return Status::failed_precondition(
          format_local(iv_.day, iv_.minute) + ": no staffing found within " +
          std::to_string(o_.max_evaluations) + " simulated headcounts");
    auto e = simulate(agents);
    if (!e.ok()) return e.status();
    cache_.emplace(agents, *e);
    return e;
  }
  int evaluations() const { return static_cast<int>(cache_.size()); }

 private:
  Result<Evaluation> simulate(const std::vector<int>& agents) const;

  const MultiSkillCenter& c_;
  const SimStaffingInterval& iv_;
  const SimStaffingOptions& o_;
  std::map<std::vector<int>, Evaluation> cache_;
};

Result<Evaluation> IntervalSearch::simulate(const std::vector<int>& agents) const {
  const std::size_t nq = c_.center.queues.size();
  const double interval_ms = o_.interval_minutes * static_cast<double>(kMillisPerMinute);
  double total_volume = 0, max_aht_ms = 0, max_threshold_ms = 0;
  for (std::size_t q = 0; q < nq; ++q) {
    if (iv_.queues[q].volume <= 0) continue;
    total_volume += iv_.queues[q].volume;
    max_aht_ms = std::max(max_aht_ms, iv_.queues[q].aht_s * kMillisPerSecond);
    max_threshold_ms = std::max(max_threshold_ms, goal_of(c_, o_, q).threshold_s * 1000);
  }
  if (total_volume <= 0) {  // nothing arrives: every goal holds trivially
    Evaluation idle;
    for (std::size_t q = 0; q < nq; ++q)
      idle.queues.push_back({.target_sl = goal_of(c_, o_, q).target_sl});
    return idle;
  }
  // Stationary window: long enough for the wanted arrivals, after a warm-up from empty.
  const double measure =
      std::max(interval_ms, o_.calls_per_replication * interval_ms / total_volume);
  const double warmup = std::min(measure, std::max(measure / 10, 5 * max_aht_ms));
  const Millis arrivals_end = static_cast<Millis>(std::ceil(warmup + measure));

  sim::Scenario s;
  s.name = "staffing " + format_local(iv_.day, iv_.minute);
  s.source = "staffing";
  s.center = c_.center;
  s.center.agents.clear();
  s.queues = c_.queues;
  s.start = 0;
  s.warmup = static_cast<Millis>(warmup);
  // Arrivals stop a threshold before the end: a contact that arrived last is answered in time
  // before the run ends or it misses anyway.
  s.duration = arrivals_end + static_cast<Millis>(max_threshold_ms) + kMillisPerSecond;
  s.interval = s.duration;  // one KPI row; only the totals are read
  s.seed = o_.seed;
  s.replications = o_.replications;
  for (std::size_t q = 0; q < nq; ++q) {
    QueueConfig& cfg = s.center.queues[q];
    const QueueGoal goal = goal_of(c_, o_, q);
    cfg.hours = BusinessHours{};  // the forecast says when contacts come
    cfg.service_level_threshold = static_cast<Millis>(std::llround(goal.threshold_s * 1000));
    cfg.service_level_target = goal.target_sl;
    sim::QueueSpec& spec = s.queues[q];
    spec.arrivals = sim::ArrivalSpec{};
    const QueueDemand& d = iv_.queues[q];
    if (d.volume > 0) {
      const auto aht = static_cast<Millis>(std::llround(d.aht_s * kMillisPerSecond));
      spec.handle_time = sim::Distribution::exponential(std::max<Millis>(aht, 1));
      cfg.default_handle_time = std::max<Millis>(aht, 1);
      spec.arrivals.kind = sim::ArrivalSpec::Kind::kPoisson;
      spec.arrivals.segments.push_back(
          {.begin = 0, .end = arrivals_end, .per_ms = d.volume / interval_ms});
    }
  }
  AgentId next = 0;
  for (std::size_t g = 0; g < c_.groups.size(); ++g) {
    for (int i = 0; i < agents[g]; ++i) {
      AgentConfig a = c_.groups[g].prototype;
      a.id = next++;
      a.name = c_.groups[g].name + "-" + std::to_string(i + 1);
      s.center.agents.push_back(std::move(a));
      s.agents.emplace_back();
    }
  }
  auto run = sim::simulate(s, o_.replications, o_.seed);
  if (!run.ok()) return run.status();

  Evaluation e;
  e.worst_margin = INFINITY;
  std::vector<double> occupancy;
  for (const auto& r : run->replications) occupancy.push_back(r.occupancy);
  e.occupancy = std::accumulate(occupancy.begin(), occupancy.end(), 0.0) /
                static_cast<double>(occupancy.size());
  for (std::size_t q = 0; q < nq; ++q) {
    QueueResult qr;
    const QueueDemand& d = iv_.queues[q];
    const QueueGoal goal = goal_of(c_, o_, q);
    qr.volume = d.volume;
    qr.aht_s = d.aht_s;
    qr.target_sl = goal.target_sl;
    if (d.volume > 0) {
      qr.load_erlangs = d.volume * d.aht_s / (interval_ms / 1000);
      std::vector<double> sl, asa, abandon;
      for (const auto& r : run->replications) {
        const metrics::KpiSummary& k = r.queues[q];
        sl.push_back(k.offered > 0 ? static_cast<double>(k.answered_within_sl) /
                                         static_cast<double>(k.offered)
                                   : 1.0);
        asa.push_back(k.asa_s);
        abandon.push_back(k.abandon_rate);
      }
      auto ci = metrics::mean_confidence_interval(sl, 0.95);
      if (!ci.ok()) return ci.status();
      qr.service_level = ci->mean;
      qr.sl_ci95 = std::isfinite(ci->half_width) ? ci->half_width : 0;
      qr.asa_s = std::accumulate(asa.begin(), asa.end(), 0.0) / static_cast<double>(asa.size());
      qr.abandon_rate = std::accumulate(abandon.begin(), abandon.end(), 0.0) /
                        static_cast<double>(abandon.size());
      auto alone = erlang::agents_for_erlang_c({.load_erlangs = qr.load_erlangs,
                                                .agents = 0,
                                                .aht_s = d.aht_s,
                                                .threshold_s = goal.threshold_s},
                                               {.service_level = goal.target_sl,
                                                .max_asa_s = {},
                                                .max_occupancy = {},
                                                .max_abandon = {}});
      if (!alone.ok()) return alone.status();
      qr.erlang_c_alone = alone->agents;
      const double estimate =
          o_.require_confidence ? qr.service_level - qr.sl_ci95 : qr.service_level;
      const double margin = estimate - goal.target_sl;
      qr.met = margin >= -1e-12;
      e.worst_margin = std::min(e.worst_margin, margin);
      e.meets_goals = e.meets_goals && qr.met;
    }
    e.queues.push_back(qr);
  }
  if (!std::isfinite(e.worst_margin)) e.worst_margin = 0;
  return e;
}

// The search's start: the pooled Erlang C headcount split over the groups by the load each can
// take (every queue's load shared equally by the groups that serve it).
Result<std::vector<int>> pooled_start(const MultiSkillCenter& c, const SimStaffingInterval& iv,
                                      const SimStaffingOptions& o, int* pooled) {
  const std::size_t ng = c.groups.size();
  const double interval_s = o.interval_minutes * 60.0;
  double load = 0, volume = 0, target = 1, threshold = 0;
  std::vector<double> assigned(ng, 0.0);
  for (std::size_t q = 0; q < iv.queues.size(); ++q) {
    const QueueDemand& d = iv.queues[q];
    if (d.volume <= 0) continue;
    const double a = d.volume * d.aht_s / interval_s;
    load += a;
    volume += d.volume;
    const QueueGoal g = goal_of(c, o, q);
    target = std::min(target, g.target_sl);  // the loosest goal keeps the start below the answer
    threshold = std::max(threshold, g.threshold_s);
    std::vector<std::size_t> serving;
    for (std::size_t k = 0; k < ng; ++k)
      if (group_serves(c, k, q)) serving.push_back(k);
    for (std::size_t k : serving) assigned[k] += a / static_cast<double>(serving.size());
  }
  auto m = erlang::agents_for_erlang_c(
      {.load_erlangs = load,
       .agents = 0,
       .aht_s = load * interval_s / volume,
       .threshold_s = threshold},
      {.service_level = target, .max_asa_s = {}, .max_occupancy = {}, .max_abandon = {}});
  if (!m.ok()) return m.status();
  *pooled = m->agents;
  std::vector<int> start(ng, 0);
  for (std::size_t k = 0; k < ng; ++k)
    start[k] = static_cast<int>(std::floor(m->agents * assigned[k] / load));
  return start;
}

// Which candidate is better: a higher worst margin, then a higher sum of margins.
bool better(const Evaluation& a, const Evaluation& b) {
  if (a.worst_margin != b.worst_margin) return a.worst_margin > b.worst_margin;
  double sa = 0, sb = 0;
  for (const auto& q : a.queues) sa += q.service_level - q.target_sl;
  for (const auto& q : b.queues) sb += q.service_level - q.target_sl;
  return sa > sb;
}

Status prefix(const SimStaffingInterval& iv, const Status& s) {
  return Status(s.code(), format_local(iv.day, iv.minute) + ": " + s.message());
}

Result<SimStaffingRow> staff_interval(const MultiSkillCenter& c, const SimStaffingInterval& iv,
                                      const SimStaffingOptions& o) {
  SB_RETURN_IF_ERROR(check_interval(c, iv, o));
  const std::size_t ng = c.groups.size();
  SimStaffingRow row;
  row.day = iv.day;
  row.minute = iv.minute;
  row.agents.assign(ng, 0);
  double volume = 0;
  for (const auto& d : iv.queues) volume += d.volume;
  IntervalSearch search(c, iv, o);
  if (volume > 0) {
    auto start = pooled_start(c, iv, o, &row.pooled_start);
    if (!start.ok()) return prefix(iv, start.status());
    std::vector<int> n = *start;
    auto cur = search.evaluate(n);
    if (!cur.ok()) return cur.status();
    Evaluation best_eval = *cur;
    // Greedy: add the agent that most helps the worst queue.
    while (!best_eval.meets_goals) {
      std::optional<std::size_t> pick;
      Evaluation pick_eval;
      for (std::size_t g = 0; g < ng; ++g) {
        bool helps = false;
        for (std::size_t q = 0; q < iv.queues.size() && !helps; ++q)
          helps = !best_eval.queues[q].met && group_serves(c, g, q);
        if (!helps) continue;
        std::vector<int> cand = n;
        ++cand[g];
        auto e = search.evaluate(cand);
        if (!e.ok()) return e.status();
        if (!pick || better(*e, pick_eval)) pick = g, pick_eval = *e;
      }
      if (!pick)
        return Status::internal(format_local(iv.day, iv.minute) +
                                ": no group serves the queues that miss their goal");
      ++n[*pick];
      best_eval = pick_eval;
    }
    // Trim: drop agents the goals do not need (largest group first).
    for (bool removed = true; removed;) {
      removed = false;
      std::vector<std::size_t> order(ng);
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(),
                       [&](std::size_t a, std::size_t b) { return n[a] > n[b]; });
      for (std::size_t g : order) {
        if (n[g] == 0) continue;
        std::vector<int> cand = n;
        --cand[g];
        auto e = search.evaluate(cand);
        if (!e.ok()) return e.status();
        if (e->meets_goals) {
          n = cand;
          best_eval = *e;
          removed = true;
          break;
        }
      }
    }
    row.agents = n;
    row.result = best_eval;
  } else {
    row.result.queues.resize(iv.queues.size());
    for (std::size_t q = 0; q < iv.queues.size(); ++q)
      row.result.queues[q].target_sl = goal_of(c, o, q).target_sl;
  }
  row.evaluations = search.evaluations();
  for (std::size_t g = 0; g < ng; ++g) {
    // The epsilon keeps 14 / 0.7 = 20 from rounding up to 21 through floating-point noise.
    row.scheduled.push_back(static_cast<int>(std::ceil(row.agents[g] / (1 - o.shrinkage) - 1e-9)));
    row.total_agents += row.agents[g];
    row.total_scheduled += row.scheduled.back();
  }
  for (const auto& q : row.result.queues) row.erlang_c_separate += q.erlang_c_alone;
  return row;
}

}  // namespace

std::vector<AgentGroup> group_agents(const CenterConfig& config) {
  std::vector<AgentGroup> out;
  for (const AgentConfig& a : config.agents) {
    auto it = std::find_if(out.begin(), out.end(),
                           [&](const AgentGroup& g) { return same_group(g.prototype, a); });
    if (it != out.end()) continue;
    AgentGroup g;
    g.name = base_name(a.name);
    g.prototype = a;
    // Two groups whose first members share a base name still need distinct names.
    for (int k = 2;
         std::any_of(out.begin(), out.end(), [&](const AgentGroup& o) { return o.name == g.name; });
         ++k)
      g.name = base_name(a.name) + "#" + std::to_string(k);
    out.push_back(std::move(g));
  }
  return out;
}

MultiSkillCenter center_from_scenario(const sim::Scenario& scenario) {
  MultiSkillCenter c;
  c.center = scenario.center;
  c.queues = scenario.queues;
  c.groups = group_agents(scenario.center);
  c.center.agents.clear();
  return c;
}

MultiSkillCenter center_from_config(const CenterConfig& config, Channel channel) {
  MultiSkillCenter c;
  c.center = config;
  for (std::size_t q = 0; q < config.queues.size(); ++q) {
    sim::QueueSpec spec;
    spec.channel = channel;
    c.queues.push_back(std::move(spec));
  }
  c.groups = group_agents(config);
  c.center.agents.clear();
  if (c.center.profiles.empty()) {
    RoutingProfile p;
    p.id = 0;
    p.name = "default";
    p.capacity.fill(1);
    p.max_total = 1;
    c.center.profiles.push_back(p);
  }
  return c;
}

bool group_serves(const MultiSkillCenter& c, std::size_t group, std::size_t queue) {
  const AgentConfig& a = c.groups[group].prototype;
  const bool member = std::any_of(a.queues.begin(), a.queues.end(),
                                  [&](const QueueMembership& m) { return m.queue == queue; });
  if (!member) return false;
  for (const SkillRequirement& r : c.queues[queue].requirements) {
    if (r.optional) continue;
    const bool has = std::any_of(a.skills.begin(), a.skills.end(), [&](const SkillLevel& s) {
      return s.skill == r.skill && s.proficiency >= r.min_proficiency;
    });
    if (!has) return false;
  }
  return true;
}

Result<std::vector<SimStaffingRow>> simulate_staffing(
    const MultiSkillCenter& center, const std::vector<SimStaffingInterval>& intervals,
    const SimStaffingOptions& options) {
  SB_RETURN_IF_ERROR(check_inputs(center, options));
  if (intervals.empty()) return Status::invalid_argument("no intervals to staff");
  std::vector<SimStaffingRow> out;
  out.reserve(intervals.size());
  for (const auto& iv : intervals) {
    auto row = staff_interval(center, iv, options);
    if (!row.ok()) return row.status();
    out.push_back(std::move(*row));
  }
  return out;
}

Result<Evaluation> evaluate_staffing(const MultiSkillCenter& center,
                                     const SimStaffingInterval& interval,
                                     const std::vector<int>& agents,
                                     const SimStaffingOptions& options) {
  SB_RETURN_IF_ERROR(check_inputs(center, options));
  SB_RETURN_IF_ERROR(check_interval(center, interval, options));
  if (agents.size() != center.groups.size())
    return Status::invalid_argument("give one headcount per agent group");
  for (int n : agents)
    if (n < 0) return Status::invalid_argument("headcounts must be >= 0");
  IntervalSearch search(center, interval, options);
  return search.evaluate(agents);
}

}  // namespace sb::wfm
