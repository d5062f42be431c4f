#include "wfm/schedule.h"

#include <Cbc_C_Interface.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>
#include <optional>
#include <string>
#include <tuple>
#include <utility>

namespace sb::wfm {
namespace {

// A shift shape: a template started at one minute of the day.
struct Option {
  int tmpl = 0;
  int start = 0;  // minute of day
  int length = 0;
  int paid = 0;
};

// An interval a shift covers, and the expected share of it on the phones: breaks are placed
// after the assignment, so the integer program counts each break as spread evenly over the
// starts its window allows (a shift with a 30-minute lunch anywhere in a 2-hour window is on the
// phones 3/4 of each of those intervals). Totals are exact; only the intraday shape is expected.
struct Cover {
  int interval;
  double share;
};

struct Model {
  const ScheduleProblem* p = nullptr;
  int per_day = 0;  // intervals per day
  int horizon = 0;  // intervals in the period
  std::vector<Option> options;
  // What an option covers when started on day d.
  std::vector<std::vector<std::vector<Cover>>> cover;  // [day][option]
  // allowed[a][d] = options agent a may work on day d
  std::vector<std::vector<std::vector<int>>> allowed;
};

std::string hhmm(int minute) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d", (minute / 60) % 100, minute % 60);
  return buf;
}

// Breaks placed one after another in some order, each as early as its window and the previous
// break allow; nullopt when no order lets them all fit. For a fixed order the earliest placement
// is the best one, so trying every order (templates have a handful of breaks; beyond 7 only the
// latest-start order is tried) decides feasibility exactly.
std::optional<std::vector<int>> chain_breaks(const ShiftTemplate& t, int interval) {
  std::vector<std::size_t> order(t.breaks.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const BreakRule& x = t.breaks[a];
    const BreakRule& y = t.breaks[b];
    return std::tie(x.latest_after_min, x.earliest_after_min, a) <
           std::tie(y.latest_after_min, y.earliest_after_min, b);
  });
  const auto place_in =
      [&](const std::vector<std::size_t>& ord) -> std::optional<std::vector<int>> {
    std::vector<int> at(t.breaks.size(), 0);
    int free_from = 0;
    for (std::size_t i : ord) {
      const BreakRule& b = t.breaks[i];
      int s = std::max(b.earliest_after_min, free_from);
      s = (s + interval - 1) / interval * interval;
      if (s > b.latest_after_min) return std::nullopt;
      at[i] = s;
      free_from = s + b.length_min;
    }
    return at;
  };
  if (auto at = place_in(order)) return at;
  if (order.size() > 7) return std::nullopt;
  std::sort(order.begin(), order.end());
  do {
    if (auto at = place_in(order)) return at;
  } while (std::next_permutation(order.begin(), order.end()));
  return std::nullopt;
}

}  // namespace

Status check_shift_template(const ShiftTemplate& t, int interval) {
  const std::string where = "template '" + t.name + "': ";
  if (t.name.empty()) return Status::invalid_argument("a shift template needs a name");
  if (t.length_min <= 0 || t.length_min % interval != 0 || t.length_min > 1440) {
    return Status::invalid_argument(where + "length " + std::to_string(t.length_min) +
                                    " min must be a positive multiple of the " +
                                    std::to_string(interval) + "-minute interval, at most 24 h");
  }
  const int step = t.start_step_min > 0 ? t.start_step_min : interval;
  if (step % interval != 0) {
    return Status::invalid_argument(where + "start step must be a multiple of the interval");
  }
  if (t.earliest_start_min < 0 || t.latest_start_min >= 1440 ||
      t.earliest_start_min > t.latest_start_min) {
    return Status::invalid_argument(where + "the start window " + hhmm(t.earliest_start_min) + "-" +
                                    hhmm(t.latest_start_min) + " is empty or not in a day");
  }
  if (t.earliest_start_min % interval != 0) {
    return Status::invalid_argument(where + "earliest start " + hhmm(t.earliest_start_min) +
                                    " is not on the interval grid");
  }
  if (std::none_of(t.weekdays.begin(), t.weekdays.end(), [](bool b) { return b; })) {
    return Status::invalid_argument(where + "no weekday allowed");
  }
  int total_breaks = 0;
  for (const auto& b : t.breaks) {
    const std::string bw = where + "break '" + b.name + "': ";
    if (b.length_min <= 0 || b.length_min % interval != 0) {
      return Status::invalid_argument(bw + "length must be a positive multiple of the interval");
    }
    if (b.earliest_after_min < 0 || b.earliest_after_min > b.latest_after_min) {
      return Status::invalid_argument(bw + "earliest start after the latest");
    }
    if (b.earliest_after_min % interval != 0 || b.latest_after_min % interval != 0) {
      return Status::invalid_argument(bw + "window must be on the interval grid");
    }
    if (b.latest_after_min + b.length_min > t.length_min) {
      return Status::invalid_argument(
          bw + "can end " + std::to_string(b.latest_after_min + b.length_min) +
          " min after the start, past the " + std::to_string(t.length_min) + "-minute shift");
    }
    total_breaks += b.length_min;
  }
  if (total_breaks >= t.length_min) {
    return Status::invalid_argument(where + "breaks fill the whole shift");
  }
  if (!chain_breaks(t, interval)) {
    return Status::invalid_argument(where +
                                    "the breaks' windows do not let them all fit without "
                                    "overlapping");
  }
  return {};
}

namespace {

bool within_availability(const ScheduleAgent& a, int weekday, int start, int end) {
  const auto& windows = a.availability[weekday];
  if (windows.empty()) return true;
  return std::any_of(windows.begin(), windows.end(),
                     [&](const TimeWindow& w) { return w.from_min <= start && end <= w.to_min; });
}

Result<Model> build_model(const ScheduleProblem& p) {
  if (p.interval_minutes <= 0 || 1440 % p.interval_minutes != 0) {
    return Status::invalid_argument("interval length must divide a day");
  }
  if (p.days.empty()) return Status::invalid_argument("empty planning period");
  for (std::size_t i = 1; i < p.days.size(); ++i) {
    if (p.days[i] != p.days[i - 1] + 1) {
      return Status::invalid_argument("planning days must be consecutive");
    }
  }
  Model m;
  m.p = &p;
  m.per_day = 1440 / p.interval_minutes;
  m.horizon = m.per_day * static_cast<int>(p.days.size());
  if (p.required.size() != static_cast<std::size_t>(m.horizon)) {
    return Status::invalid_argument(
        "required headcount must have one value per interval of the "
        "period");
  }
  for (std::size_t t = 0; t < p.required.size(); ++t) {
    if (p.required[t] < 0) {
      return Status::invalid_argument(
          "required headcount is negative at " +
          format_local(p.days[t / m.per_day],
                       static_cast<int>(t % m.per_day) * p.interval_minutes));
    }
  }
  if (!(p.under_weight > 0) || !(p.over_weight >= 0)) {
    return Status::invalid_argument("under-staffing weight must be > 0, over-staffing >= 0");
  }
  if (p.templates.empty()) return Status::invalid_argument("no shift templates");
  if (p.agents.empty()) return Status::invalid_argument("no agents to schedule");
  for (std::size_t i = 0; i < p.templates.size(); ++i) {
    SB_RETURN_IF_ERROR(check_shift_template(p.templates[i], p.interval_minutes));
    for (std::size_t j = 0; j < i; ++j) {
      if (p.templates[j].name == p.templates[i].name) {
        return Status::invalid_argument("template '" + p.templates[i].name + "' defined twice");
      }
    }
  }
  // Options: every template at every start in its window.
  for (std::size_t ti = 0; ti < p.templates.size(); ++ti) {
    const ShiftTemplate& t = p.templates[ti];
    const int step = t.start_step_min > 0 ? t.start_step_min : p.interval_minutes;
    int unpaid = 0;
    for (const auto& b : t.breaks) unpaid += b.paid ? 0 : b.length_min;
    for (int s = t.earliest_start_min; s <= t.latest_start_min; s += step) {
      m.options.push_back({static_cast<int>(ti), s, t.length_min, t.length_min - unpaid});
    }
  }
  const int interval = p.interval_minutes;
  m.cover.assign(p.days.size(), std::vector<std::vector<Cover>>(m.options.size()));
  for (std::size_t o = 0; o < m.options.size(); ++o) {
    const Option& op = m.options[o];
    const ShiftTemplate& t = p.templates[op.tmpl];
    std::vector<double> on(static_cast<std::size_t>(op.length / interval), 1.0);
    for (const BreakRule& b : t.breaks) {
      const int starts = (b.latest_after_min - b.earliest_after_min) / interval + 1;
      for (int at = b.earliest_after_min; at <= b.latest_after_min; at += interval) {
        for (int k = 0; k < b.length_min / interval; ++k) {
          on[static_cast<std::size_t>(at / interval + k)] -= 1.0 / starts;
        }
      }
    }
    for (std::size_t d = 0; d < p.days.size(); ++d) {
      for (std::size_t k = 0; k < on.size(); ++k) {
        const int g = static_cast<int>(d) * m.per_day + op.start / interval + static_cast<int>(k);
        if (g < m.horizon && on[k] > 1e-9) m.cover[d][o].push_back({g, on[k]});
      }
    }
  }
  // Each agent's options per day, and whether their contract can be met at all.
  m.allowed.resize(p.agents.size());
  for (std::size_t a = 0; a < p.agents.size(); ++a) {
    const ScheduleAgent& ag = p.agents[a];
    const std::string who = "agent '" + ag.id + "': ";
    if (ag.id.empty()) return Status::invalid_argument("an agent needs an id");
    for (const auto& name : ag.templates) {
      if (std::none_of(p.templates.begin(), p.templates.end(),
                       [&](const ShiftTemplate& t) { return t.name == name; })) {
        return Status::invalid_argument(who + "unknown template '" + name + "'");
      }
    }
    if (ag.min_paid_min < 0 || ag.max_paid_min < ag.min_paid_min) {
      return Status::invalid_argument(who + "contracted minimum above the maximum");
    }
    if (ag.max_days < 0) return Status::invalid_argument(who + "max days must be >= 0");
    m.allowed[a].resize(p.days.size());
    for (std::size_t d = 0; d < p.days.size(); ++d) {
      const Date day = p.days[d];
      const int wd = weekday_of(day);
      if (ag.unavailable[wd] ||
          std::find(ag.time_off.begin(), ag.time_off.end(), day) != ag.time_off.end()) {
        continue;
      }
      for (std::size_t o = 0; o < m.options.size(); ++o) {
        const Option& op = m.options[o];
        const ShiftTemplate& t = p.templates[op.tmpl];
        if (!t.weekdays[wd]) continue;
        if (!ag.templates.empty() &&
            std::find(ag.templates.begin(), ag.templates.end(), t.name) == ag.templates.end()) {
          continue;
        }
        if (op.paid > ag.max_paid_min) continue;
        if (!within_availability(ag, wd, op.start, op.start + op.length)) continue;
        m.allowed[a][d].push_back(static_cast<int>(o));
      }
    }
    // Can some choice of at most max_days days, one option each, land the paid minutes within
    // [min, max]? A reachability table over (days used, paid minutes in intervals).
    const int units_max = ag.max_paid_min / interval;
    std::vector<std::vector<char>> reach(
        static_cast<std::size_t>(ag.max_days) + 1,
        std::vector<char>(static_cast<std::size_t>(units_max) + 1, 0));
    reach[0][0] = 1;
    int best_reachable = 0;
    for (std::size_t d = 0; d < p.days.size(); ++d) {
      std::vector<int> lengths;
      for (int o : m.allowed[a][d]) lengths.push_back(m.options[o].paid / interval);
      std::sort(lengths.begin(), lengths.end());
      lengths.erase(std::unique(lengths.begin(), lengths.end()), lengths.end());
      for (int k = ag.max_days - 1; k >= 0; --k) {
        for (int u = units_max; u >= 0; --u) {
          if (!reach[k][u]) continue;
          for (int len : lengths) {
            if (u + len <= units_max) reach[k + 1][u + len] = 1;
          }
        }
      }
    }
    bool ok = false;
    for (int k = 0; k <= ag.max_days; ++k) {
      for (int u = 0; u <= units_max; ++u) {
        if (!reach[k][u]) continue;
        best_reachable = std::max(best_reachable, u * interval);
        if (u * interval >= ag.min_paid_min) ok = true;
      }
    }
    if (!ok) {
      return Status::invalid_argument(
          who + "contracted minimum of " + std::to_string(ag.min_paid_min / 60.0).substr(0, 5) +
          " h cannot be met: their templates, availability, time off and " +
          std::to_string(ag.max_days) + "-day limit allow at most " +
          std::to_string(best_reachable / 60.0).substr(0, 5) + " h");
    }
  }
  return m;
}

struct Pick {
  int agent;
  int day;
  int option;
};

double expected_objective(const ScheduleProblem& p, const std::vector<double>& coverage) {
  double cost = 0;
  for (std::size_t t = 0; t < coverage.size(); ++t) {
    const double diff = coverage[t] - p.required[t];
    cost += diff < 0 ? -diff * p.under_weight : diff * p.over_weight;
  }
  return cost;
}

double objective_of(const ScheduleProblem& p, const std::vector<int>& coverage, long* under,
                    long* over) {
  long u = 0, o = 0;
  for (std::size_t t = 0; t < coverage.size(); ++t) {
    const int diff = coverage[t] - p.required[t];
    if (diff < 0) u -= diff;
    if (diff > 0) o += diff;
  }
  if (under != nullptr) *under = u;
  if (over != nullptr) *over = o;
  return p.under_weight * static_cast<double>(u) + p.over_weight * static_cast<double>(o);
}

std::vector<double> expected_coverage(const Model& m, const std::vector<Pick>& picks) {
  std::vector<double> cov(static_cast<std::size_t>(m.horizon), 0.0);
  for (const Pick& k : picks) {
    for (const Cover& c : m.cover[k.day][k.option]) cov[c.interval] += c.share;
  }
  return cov;
}

// Greedy: repeatedly add the shift (day, option) that most lowers the weighted gap, giving it to
// an eligible agent furthest below their contracted minimum; then top up agents still below it
// with the least harmful shifts.
Result<std::vector<Pick>> greedy(const Model& m) {
  const ScheduleProblem& p = *m.p;
  const std::size_t days = p.days.size(), opts = m.options.size(), agents = p.agents.size();
  std::vector<double> surplus(static_cast<std::size_t>(m.horizon));
  for (std::size_t t = 0; t < surplus.size(); ++t) surplus[t] = -p.required[t];
  std::vector<int> minutes(agents, 0), used_days(agents, 0);
  std::vector<std::vector<char>> busy(agents, std::vector<char>(days, 0));
  // can[a][d * opts + o]
  std::vector<std::vector<char>> can(agents, std::vector<char>(days * opts, 0));
  for (std::size_t a = 0; a < agents; ++a) {
    for (std::size_t d = 0; d < days; ++d) {
      for (int o : m.allowed[a][d]) can[a][d * opts + static_cast<std::size_t>(o)] = 1;
    }
  }
  auto eligible = [&](std::size_t a, std::size_t d, std::size_t o) {
    return can[a][d * opts + o] && !busy[a][d] && used_days[a] < p.agents[a].max_days &&
           minutes[a] + m.options[o].paid <= p.agents[a].max_paid_min;
  };
  auto gain_of = [&](std::size_t d, std::size_t o) {
    double g = 0;
    // The exact change of the piecewise-linear cost when `share` more agent is added.
    for (const Cover& c : m.cover[d][o]) {
      const double before = surplus[c.interval], after = before + c.share;
      const auto cost = [&](double x) { return x < 0 ? -x * p.under_weight : x * p.over_weight; };
      g += cost(before) - cost(after);
    }
    return g;
  };
  std::vector<Pick> picks;
  auto take = [&](std::size_t a, std::size_t d, std::size_t o) {
    picks.push_back({static_cast<int>(a), static_cast<int>(d), static_cast<int>(o)});
    busy[a][d] = 1;
    ++used_days[a];
    minutes[a] += m.options[o].paid;
    for (const Cover& c : m.cover[d][o]) surplus[c.interval] += c.share;
  };
  std::vector<std::pair<double, std::size_t>> ranked(days * opts);
  for (;;) {
    for (std::size_t d = 0; d < days; ++d) {
      for (std::size_t o = 0; o < opts; ++o) ranked[d * opts + o] = {gain_of(d, o), d * opts + o};
    }
    std::sort(ranked.begin(), ranked.end(), [](auto& x, auto& y) { return x.first > y.first; });
    bool placed = false;
    for (const auto& [g, key] : ranked) {
      if (g <= 1e-9) break;
      const std::size_t d = key / opts, o = key % opts;
      std::ptrdiff_t best = -1;
      long best_deficit = 0;
      for (std::size_t a = 0; a < agents; ++a) {
        if (!eligible(a, d, o)) continue;
        const long deficit = p.agents[a].min_paid_min - minutes[a];
        if (best < 0 || deficit > best_deficit)
          best = static_cast<std::ptrdiff_t>(a), best_deficit = deficit;
      }
      if (best >= 0) {
        take(static_cast<std::size_t>(best), d, o);
        placed = true;
        break;
      }
    }
    if (!placed) break;
  }
  for (std::size_t a = 0; a < agents; ++a) {
    while (minutes[a] < p.agents[a].min_paid_min) {
      double best_gain = -1e300;
      std::size_t bd = days, bo = 0;
      for (std::size_t d = 0; d < days; ++d) {
        for (std::size_t o = 0; o < opts; ++o) {
          if (!eligible(a, d, o)) continue;
          // Longer shifts first when the contract is far off, so the day limit is not spent on
          // short ones.
          const double g = gain_of(d, o) + 1e-3 * m.options[o].paid;
          if (g > best_gain) best_gain = g, bd = d, bo = o;
        }
      }
      if (bd == days) {
        return Status::failed_precondition(
            "greedy: could not meet the contracted minimum of "
            "agent '" +
            p.agents[a].id + "'");
      }
      take(a, bd, bo);
    }
  }
  // Local search: move each shift to the best start/template for its agent and day (or drop
  // it when that helps and the contract allows), until a pass changes nothing. The additions
  // above were chosen one at a time; this undoes the early choices later ones made poor.
  auto uncover = [&](const Pick& k) {
    for (const Cover& c : m.cover[k.day][k.option]) surplus[c.interval] -= c.share;
  };
  for (int pass = 0; pass < 50; ++pass) {
    bool changed = false;
    for (std::size_t i = 0; i < picks.size(); ++i) {
      Pick& k = picks[i];
      const auto a = static_cast<std::size_t>(k.agent);
      const auto d = static_cast<std::size_t>(k.day);
      const ScheduleAgent& ag = p.agents[a];
      uncover(k);
      const int base_minutes = minutes[a] - m.options[static_cast<std::size_t>(k.option)].paid;
      double best_gain = gain_of(d, static_cast<std::size_t>(k.option));
      int best = k.option;
      for (int o : m.allowed[a][d]) {
        const int total = base_minutes + m.options[static_cast<std::size_t>(o)].paid;
        if (o == k.option || total > ag.max_paid_min || total < ag.min_paid_min) continue;
        const double g = gain_of(d, static_cast<std::size_t>(o));
        if (g > best_gain + 1e-9) best_gain = g, best = o;
      }
      if (best_gain < -1e-9 && base_minutes >= ag.min_paid_min) {
        // Dropping the shift is cheaper than any version of it.
        minutes[a] = base_minutes;
        busy[a][d] = 0;
        --used_days[a];
        picks.erase(picks.begin() + static_cast<std::ptrdiff_t>(i));
        --i;
        changed = true;
        continue;
      }
      if (best != k.option) changed = true;
      k.option = best;
      minutes[a] = base_minutes + m.options[static_cast<std::size_t>(best)].paid;
      for (const Cover& c : m.cover[d][static_cast<std::size_t>(best)]) {
        surplus[c.interval] += c.share;
      }
    }
    if (!changed) break;
  }
  return picks;
}

struct CbcDeleter {
  void operator()(Cbc_Model* model) const { Cbc_deleteModel(model); }
};

struct IpOutcome {
  std::vector<Pick> picks;
  bool has_solution = false;
  bool optimal = false;
  double bound = 0;
  int variables = 0;
};

IpOutcome solve_ip(const Model& m, const ScheduleOptions& opt) {
  const ScheduleProblem& p = *m.p;
  // Coverage rows only where something is required or some shift can be on the phones.
  std::vector<int> row_of(static_cast<std::size_t>(m.horizon), -1);
  std::vector<char> coverable(static_cast<std::size_t>(m.horizon), 0);
  for (const auto& day : m.cover) {
    for (const auto& c : day) {
      for (const Cover& x : c) coverable[x.interval] = 1;
    }
  }
  int rows = 0;
  std::vector<int> cov_rows;
  for (int t = 0; t < m.horizon; ++t) {
    if (p.required[t] > 0 || coverable[t]) row_of[t] = rows++, cov_rows.push_back(t);
  }
  std::vector<double> row_lb, row_ub;
  for (int t : cov_rows) row_lb.push_back(p.required[t]), row_ub.push_back(p.required[t]);
  const std::size_t agents = p.agents.size(), days = p.days.size();
  // Per agent: one row per day (at most one shift), one for paid minutes, one for days worked.
  std::vector<int> day_row(agents * days), minutes_row(agents), days_row(agents);
  for (std::size_t a = 0; a < agents; ++a) {
    for (std::size_t d = 0; d < days; ++d) {
      day_row[a * days + d] = rows++;
      row_lb.push_back(0), row_ub.push_back(1);
    }
    minutes_row[a] = rows++;
    row_lb.push_back(p.agents[a].min_paid_min), row_ub.push_back(p.agents[a].max_paid_min);
    days_row[a] = rows++;
    row_lb.push_back(0), row_ub.push_back(p.agents[a].max_days);
  }
  std::vector<int> col_start{0};
  std::vector<int> index;
  std::vector<double> value, col_lb, col_ub, obj;
  std::vector<Pick> var_pick;
  for (std::size_t a = 0; a < agents; ++a) {
    for (std::size_t d = 0; d < days; ++d) {
      for (int o : m.allowed[a][d]) {
        for (const Cover& c : m.cover[d][static_cast<std::size_t>(o)]) {
          index.push_back(row_of[c.interval]), value.push_back(c.share);
        }
        index.push_back(day_row[a * days + d]), value.push_back(1);
        index.push_back(minutes_row[a]), value.push_back(m.options[o].paid);
        index.push_back(days_row[a]), value.push_back(1);
        col_start.push_back(static_cast<int>(index.size()));
        col_lb.push_back(0), col_ub.push_back(1), obj.push_back(0);
        var_pick.push_back({static_cast<int>(a), static_cast<int>(d), o});
      }
    }
  }
  const int xs = static_cast<int>(var_pick.size());
  for (std::size_t r = 0; r < cov_rows.size(); ++r) {  // under_t, over_t
    for (double sign : {1.0, -1.0}) {
      index.push_back(static_cast<int>(r)), value.push_back(sign);
      col_start.push_back(static_cast<int>(index.size()));
      col_lb.push_back(0), col_ub.push_back(1e30);
      obj.push_back(sign > 0 ? p.under_weight : p.over_weight);
    }
  }
  IpOutcome out;
  out.variables = static_cast<int>(col_lb.size());
  std::unique_ptr<Cbc_Model, CbcDeleter> model(Cbc_newModel());
  Cbc_loadProblem(model.get(), static_cast<int>(col_lb.size()), rows, col_start.data(),
                  index.data(), value.data(), col_lb.data(), col_ub.data(), obj.data(),
                  row_lb.data(), row_ub.data());
  for (int c = 0; c < xs; ++c) Cbc_setInteger(model.get(), c);
  Cbc_setLogLevel(model.get(), opt.solver_log_level);
  // A wall-clock budget (CBC's default counts CPU time, which on a busy machine can run far past
  // the limit the caller asked for).
  Cbc_setParameter(model.get(), "timeMode", "elapsed");
  Cbc_setMaximumSeconds(model.get(), opt.time_limit_s);
  Cbc_solve(model.get());
  out.bound = Cbc_getBestPossibleObjValue(model.get());
  out.optimal = Cbc_isProvenOptimal(model.get()) != 0;
  if (Cbc_numberSavedSolutions(model.get()) > 0 || out.optimal) {
    const double* x = Cbc_getColSolution(model.get());
    if (x != nullptr) {
      out.has_solution = true;
      for (int c = 0; c < xs; ++c) {
        if (x[c] > 0.5) out.picks.push_back(var_pick[c]);
      }
    }
  }
  return out;
}

// Places every break inside its window where the interval surplus (coverage - required) is the
// largest, lunches (longer breaks) first, and updates coverage as it goes.
void place_breaks(const Model& m, std::vector<Shift>& shifts, const std::vector<Pick>& picks,
                  std::vector<int>& coverage) {
  const ScheduleProblem& p = *m.p;
  const int interval = p.interval_minutes;
  struct Task {
    std::size_t shift;
    std::size_t brk;
    int length;
  };
  std::vector<Task> tasks;
  for (std::size_t s = 0; s < shifts.size(); ++s) {
    const ShiftTemplate& t = p.templates[m.options[picks[s].option].tmpl];
    for (std::size_t b = 0; b < t.breaks.size(); ++b)
      tasks.push_back({s, b, t.breaks[b].length_min});
  }
  std::stable_sort(tasks.begin(), tasks.end(),
                   [](const Task& x, const Task& y) { return x.length > y.length; });
  // Per shift: minutes (from the shift start) already taken by breaks.
  std::vector<std::vector<std::pair<int, int>>> taken(shifts.size());
  std::vector<char> settled(shifts.size(), 0);  // every break placed by the fallback below
  for (const Task& task : tasks) {
    if (settled[task.shift]) continue;
    const Pick& k = picks[task.shift];
    const Option& op = m.options[k.option];
    const BreakRule& b = p.templates[op.tmpl].breaks[task.brk];
    const int base = k.day * m.per_day + op.start / interval;
    int best_at = -1;
    long best_score = 0;
    for (int at = b.earliest_after_min; at <= b.latest_after_min; at += interval) {
      bool clash = false;
      for (auto [from, to] : taken[task.shift]) clash |= at < to && from < at + b.length_min;
      if (clash) continue;
      long score = 0;
      for (int q = 0; q < b.length_min / interval; ++q) {
        const int g = base + at / interval + q;
        // Past the period's end the break costs nothing.
        score += g < m.horizon ? coverage[g] - p.required[g] : 1'000'000;
      }
      if (best_at < 0 || score > best_score) best_at = at, best_score = score;
    }
    // check_template guaranteed a non-overlapping placement exists in the chain order; the
    // longest-first order can still block one, then fall back to the chain places.
    if (best_at < 0) {
      const auto chain = *chain_breaks(p.templates[op.tmpl], interval);
      for (auto& pb : shifts[task.shift].breaks) {
        for (int q = 0; q < pb.length_min / interval; ++q) {
          const int g = k.day * m.per_day + pb.start_min / interval + q;
          if (g < m.horizon) ++coverage[g];
        }
      }
      shifts[task.shift].breaks.clear();
      taken[task.shift].clear();
      const ShiftTemplate& t = p.templates[op.tmpl];
      for (std::size_t bi = 0; bi < t.breaks.size(); ++bi) {
        shifts[task.shift].breaks.push_back(
            {t.breaks[bi].name, op.start + chain[bi], t.breaks[bi].length_min, t.breaks[bi].paid});
        taken[task.shift].push_back({chain[bi], chain[bi] + t.breaks[bi].length_min});
        for (int q = 0; q < t.breaks[bi].length_min / interval; ++q) {
          const int g = base + chain[bi] / interval + q;
          if (g < m.horizon) --coverage[g];
        }
      }
      settled[task.shift] = 1;
      continue;
    }
    taken[task.shift].push_back({best_at, best_at + b.length_min});
    shifts[task.shift].breaks.push_back({b.name, op.start + best_at, b.length_min, b.paid});
    for (int q = 0; q < b.length_min / interval; ++q) {
      const int g = base + best_at / interval + q;
      if (g < m.horizon) --coverage[g];
    }
  }
  for (auto& s : shifts) {
    std::sort(s.breaks.begin(), s.breaks.end(),
              [](const PlacedBreak& x, const PlacedBreak& y) { return x.start_min < y.start_min; });
  }
}

// The shifts of `picks` with their breaks placed, and the coverage and gap they leave.
struct Placed {
  std::vector<Pick> picks;
  std::vector<Shift> shifts;
  std::vector<int> coverage;
  long under = 0, over = 0;
  double objective = 0;
};

Placed place(const Model& m, std::vector<Pick> picks) {
  const ScheduleProblem& p = *m.p;
  std::sort(picks.begin(), picks.end(), [](const Pick& a, const Pick& b) {
    return std::pair(a.agent, a.day) < std::pair(b.agent, b.day);
  });
  Placed out;
  // Coverage with every shift fully on the phones, then breaks taken out where they hurt least.
  out.coverage.assign(static_cast<std::size_t>(m.horizon), 0);
  for (const Pick& k : picks) {
    const Option& op = m.options[k.option];
    Shift s;
    s.agent = p.agents[k.agent].id;
    s.day = p.days[k.day];
    s.template_name = p.templates[op.tmpl].name;
    s.start_min = op.start;
    s.end_min = op.start + op.length;
    s.paid_min = op.paid;
    out.shifts.push_back(std::move(s));
    const int base = k.day * m.per_day + op.start / p.interval_minutes;
    for (int q = 0; q < op.length / p.interval_minutes; ++q) {
      if (base + q < m.horizon) ++out.coverage[base + q];
    }
  }
  place_breaks(m, out.shifts, picks, out.coverage);
  out.objective = objective_of(p, out.coverage, &out.under, &out.over);
  out.picks = std::move(picks);
  return out;
}

}  // namespace

Result<ScheduleResult> make_schedule(const ScheduleProblem& p, const ScheduleOptions& opt) {
  if (!(opt.time_limit_s > 0)) return Status::invalid_argument("time limit must be positive");
  auto model = build_model(p);
  if (!model.ok()) return model.status();
  const Model& m = *model;

  ScheduleResult r;
  std::optional<Placed> best;
  auto start = greedy(m);
  if (start.ok()) {
    r.greedy_objective = expected_objective(p, expected_coverage(m, *start));
    best = place(m, std::move(*start));
    r.solver = "greedy";
  }
  if (opt.use_solver) {
    IpOutcome ip = solve_ip(m, opt);
    r.variables = ip.variables;
    r.ip_bound = ip.bound;
    if (ip.has_solution) {
      // The program counts breaks by expectation; the schedule kept is the one whose placed
      // breaks leave the smaller gap.
      Placed cbc = place(m, std::move(ip.picks));
      if (!best || cbc.objective <= best->objective) {
        best = std::move(cbc);
        r.solver = "cbc";
        r.optimal = ip.optimal;
      }
    }
  }
  if (!best) {
    return Status::failed_precondition(
        "no schedule found: the greedy heuristic could not meet every contracted minimum and the "
        "solver found no solution within the time limit (raise --time-limit-s)");
  }
  if (best->shifts.empty()) {
    return Status::failed_precondition(
        "the schedule is empty: nothing is required in the period and no agent has a contracted "
        "minimum");
  }
  r.ip_objective = expected_objective(p, expected_coverage(m, best->picks));
  if (!opt.use_solver) r.ip_bound = 0;
  r.ip_gap =
      r.ip_objective > 1e-9 ? std::max(0.0, (r.ip_objective - r.ip_bound) / r.ip_objective) : 0.0;
  // Proved optimal when the solver says so or its bound meets the schedule's objective.
  r.optimal = opt.use_solver && ((r.optimal && r.solver == "cbc") || r.ip_gap < 1e-6);
  r.shifts = std::move(best->shifts);
  r.coverage = std::move(best->coverage);
  r.under = best->under;
  r.over = best->over;
  r.objective = best->objective;
  return r;
}

}  // namespace sb::wfm
