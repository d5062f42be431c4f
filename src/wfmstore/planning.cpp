#include "wfmstore/planning.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "domain/model.h"

namespace sb::wfmstore {

Millis local_to_utc(const reports::TimeZone& tz, wfm::Date day, int minute) {
  const Millis wall = static_cast<Millis>(day) * kMillisPerDay + minute * kMillisPerMinute;
  // The offset in force at the instant itself, found in two steps (as report ranges do).
  return wall - tz.offset_at(wall - tz.offset_at(wall));
}

wfm::LocalDateTime utc_to_local(const reports::TimeZone& tz, Millis utc) {
  const Millis local = utc + tz.offset_at(utc);
  Millis day = local / kMillisPerDay;
  if (local % kMillisPerDay < 0) --day;
  wfm::LocalDateTime t;
  t.day = static_cast<wfm::Date>(day);
  t.minute = static_cast<int>((local - day * kMillisPerDay) / kMillisPerMinute);
  return t;
}

Result<PlanningGrid> PlanningGrid::make(const reports::TimeZone& tz, wfm::Date first_day, int days,
                                        int interval_minutes) {
  if (interval_minutes <= 0 || 1440 % interval_minutes != 0)
    return Status::invalid_argument("interval length must divide a day");
  if (days <= 0) return Status::invalid_argument("empty planning period");
  PlanningGrid g;
  g.interval_minutes_ = interval_minutes;
  const Millis width = static_cast<Millis>(interval_minutes) * kMillisPerMinute;
  const auto slots = static_cast<std::size_t>(1440 / interval_minutes);
  for (int d = 0; d <= days; ++d) g.day_starts_.push_back(local_to_utc(tz, first_day + d, 0));
  for (int d = 0; d < days; ++d) {
    const Millis length = g.day_starts_[d + 1] - g.day_starts_[d];
    if (length <= 0 || length % width != 0) {
      return Status::invalid_argument("the " + std::to_string(length / kMillisPerMinute) +
                                      "-minute local day " + wfm::format_date(first_day + d) +
                                      " in " + tz.name() + " is not a whole number of " +
                                      std::to_string(interval_minutes) + "-minute intervals");
    }
    for (Millis t = g.day_starts_[d]; t < g.day_starts_[d + 1]; t += width) {
      const wfm::LocalDateTime local = utc_to_local(tz, t);
      // A repeated hour's second pass reads as the same wall time; both stay on day d.
      const std::size_t day = static_cast<std::size_t>(
          std::clamp<wfm::Date>(local.day - first_day, 0, static_cast<wfm::Date>(days - 1)));
      g.slot_of_.push_back(day * slots + static_cast<std::size_t>(local.minute / interval_minutes));
    }
  }
  return g;
}

Millis PlanningGrid::interval_start(std::size_t i) const {
  return start() + static_cast<Millis>(i) * interval_minutes_ * kMillisPerMinute;
}

std::vector<double> PlanningGrid::from_wall(const std::vector<int>& wall) const {
  std::vector<double> out(size(), 0.0);
  for (std::size_t i = 0; i < size(); ++i)
    if (slot_of_[i] < wall.size()) out[i] = wall[slot_of_[i]];
  return out;
}

std::vector<int> PlanningGrid::to_wall(const std::vector<double>& per_interval) const {
  std::vector<int> wall(wall_size(), 0);
  for (std::size_t i = 0; i < size() && i < per_interval.size(); ++i) {
    const int need = static_cast<int>(std::ceil(per_interval[i] - 1e-9));
    wall[slot_of_[i]] = std::max(wall[slot_of_[i]], need);
  }
  return wall;
}

Result<wfm::IntervalSeries> history_from_reports(const reports::ReportStore& reports,
                                                 const HistoryQuery& q) {
  auto tz = reports::TimeZone::parse(q.time_zone);
  if (!tz.ok()) return tz.status();
  reports::ReportRequest r;
  r.from = q.from;
  r.to = q.to;
  r.interval_minutes = q.interval_minutes;
  r.time_zone = q.time_zone;
  r.queues = {q.queue};
  if (!q.channel.empty()) {
    auto c = parse_channel(q.channel);
    if (!c.ok()) return c.status();
    r.channels = {*c};
  }
  r.group_by = {reports::Dimension::kInterval};
  r.include_histograms = false;
  SB_RETURN_IF_ERROR(reports::validate(r));
  auto result = reports.query(r);
  if (!result.ok() && result.status().code() == StatusCode::kNotFound)
    return Status::invalid_argument("empty history: " + result.status().message());
  if (!result.ok()) return result.status();

  std::map<std::pair<wfm::Date, int>, std::pair<double, double>> cells;  // volume, aht
  double total = 0;
  for (const reports::ReportRow& row : result->rows) {
    const wfm::LocalDateTime t = utc_to_local(*tz, row.start);
    const double v = static_cast<double>(row.kpis.offered);
    const double aht =
        row.kpis.handle_samples > 0 ? row.kpis.aht_s : std::numeric_limits<double>::quiet_NaN();
    auto& cell = cells[{t.day, t.minute - t.minute % q.interval_minutes}];
    cell.first += v;
    cell.second = aht;
    total += v;
  }
  if (cells.empty() || total <= 0)
    return Status::invalid_argument("empty history: queue '" + q.queue +
                                    "' has no offered contacts in the requested range");
  std::set<wfm::Date> day_set;
  int lo = 1440, hi = 0;
  bool any_aht = false;
  for (const auto& [key, value] : cells) {
    day_set.insert(key.first);
    lo = std::min(lo, key.second);
    hi = std::max(hi, key.second);
    any_aht = any_aht || !std::isnan(value.second);
  }
  std::vector<wfm::Date> days(day_set.begin(), day_set.end());
  std::vector<int> slots;
  for (int m = lo; m <= hi; m += q.interval_minutes) slots.push_back(m);
  std::vector<double> volume(days.size() * slots.size(), 0.0);
  std::vector<double> aht;
  if (any_aht) aht.assign(volume.size(), std::numeric_limits<double>::quiet_NaN());
  for (const auto& [key, value] : cells) {
    const std::size_t d = static_cast<std::size_t>(
        std::lower_bound(days.begin(), days.end(), key.first) - days.begin());
    const std::size_t s = static_cast<std::size_t>((key.second - lo) / q.interval_minutes);
    volume[d * slots.size() + s] = value.first;
    if (any_aht) aht[d * slots.size() + s] = value.second;
  }
  return wfm::IntervalSeries::from_grid(q.interval_minutes, std::move(days), std::move(slots),
                                        std::move(volume), std::move(aht));
}

Result<wfm::PatienceEstimate> patience_from_reports(const reports::ReportStore& reports,
                                                    const std::string& queue,
                                                    const std::string& channel, Millis from,
                                                    Millis to) {
  reports::ReportRequest r;
  r.from = from;
  r.to = to;
  r.queues = {queue};
  if (!channel.empty()) {
    auto c = parse_channel(channel);
    if (!c.ok()) return c.status();
    r.channels = {*c};
  }
  r.group_by = {};
  r.include_histograms = false;
  SB_RETURN_IF_ERROR(reports::validate(r));
  auto result = reports.query(r);
  if (!result.ok() && result.status().code() == StatusCode::kNotFound)
    return Status::invalid_argument("cannot estimate patience: " + result.status().message() +
                                    "; give patience_s");
  if (!result.ok()) return result.status();
  const reports::Kpis& k = result->total;
  const std::uint64_t waited = k.handled + k.abandoned + k.timed_out;
  if (k.abandoned == 0)
    return Status::invalid_argument("no abandoned contacts in queue '" + queue +
                                    "' over the history: patience cannot be estimated; give "
                                    "patience_s");
  wfm::PatienceEstimate e;
  e.abandons = static_cast<long>(k.abandoned);
  e.calls = static_cast<long>(waited);
  e.total_wait_s = k.avg_wait_s * static_cast<double>(waited);
  e.mean_patience_s = e.total_wait_s / static_cast<double>(k.abandoned);
  return e;
}

StoredForecast to_stored(const wfm::Forecast& f, const wfm::IntervalSeries& history,
                         const reports::TimeZone& tz, Millis now) {
  StoredForecast s;
  s.method = f.label.empty() ? std::string(wfm::method_name(f.method)) : f.label;
  s.time_zone = tz.name();
  s.interval_minutes = f.interval_minutes;
  s.mase_scale = wfm::naive_scale(history);
  if (!history.days().empty()) {
    s.history_from = local_to_utc(tz, history.days().front(), 0);
    s.history_to = local_to_utc(tz, history.days().back() + 1, 0);
  }
  const wfm::Date today = utc_to_local(tz, now).day;
  for (std::size_t d = 0; d < f.days.size(); ++d) {
    for (std::size_t k = 0; k < f.slots.size(); ++k) {
      ForecastInterval i;
      i.start = local_to_utc(tz, f.days[d], f.slots[k]);
      i.volume = f.volume[d * f.slots.size() + k];
      if (!f.aht_s.empty()) {
        const double a = f.aht_s[d * f.slots.size() + k];
        if (std::isfinite(a)) i.aht_s = a;
      }
      i.horizon_days = f.days[d] - today;
      if (!f.lo80.empty()) {
        const std::size_t at = d * f.slots.size() + k;
        i.lo80 = f.lo80[at];
        i.hi80 = f.hi80[at];
        i.lo95 = f.lo95[at];
        i.hi95 = f.hi95[at];
      }
      s.intervals.push_back(i);
    }
  }
  std::sort(s.intervals.begin(), s.intervals.end(),
            [](const ForecastInterval& a, const ForecastInterval& b) { return a.start < b.start; });
  nlohmann::json details;
  details["outliers_replaced"] = f.outliers_replaced;
  details["history_days"] = history.num_days();
  nlohmann::json backtest = nlohmann::json::array();
  for (const auto& [name, wmape] : f.backtest_wmape)
    backtest.push_back({{"method", name}, {"wmape", wmape}});
  details["backtest_wmape"] = backtest;
  if (!f.interval_basis.empty()) {
    details["interval_basis"] = f.interval_basis;
    details["interval_errors"] = f.interval_errors;
  }
  if (f.fitted)
    details["holt_winters"] = {{"alpha", f.fitted->alpha},
                               {"delta", f.fitted->delta},
                               {"omega", f.fitted->omega},
                               {"phi", f.fitted->phi}};
  s.details = details.dump();
  return s;
}

Result<AccuracyReport> forecast_accuracy(const reports::ReportStore& reports,
                                         const std::vector<StoredForecast>& forecasts, Millis now) {
  AccuracyAccumulator acc;
  std::vector<std::int64_t> ids;
  int pending = 0;
  std::string queue;
  for (const StoredForecast& f : forecasts) {
    ids.push_back(f.id);
    if (queue.empty()) queue = f.queue;
    if (queue != f.queue) queue = "*";
    const int len = f.interval_minutes;
    if (!(len % 15 == 0 || 15 % len == 0))
      return Status::invalid_argument("forecast " + std::to_string(f.id) + " has " +
                                      std::to_string(len) +
                                      "-minute intervals; accuracy needs a multiple or divisor "
                                      "of the read model's 15 minutes");
    const Millis unit = static_cast<Millis>(std::max(len, 15)) * kMillisPerMinute;
    auto tz = reports::TimeZone::parse(f.time_zone);
    if (!tz.ok()) return tz.status();
    // Forecast volume per scoring unit, with the unit's horizon.
    std::map<Millis, std::pair<double, int>> units;
    for (const ForecastInterval& i : f.intervals) {
      const Millis end = i.start + static_cast<Millis>(len) * kMillisPerMinute;
      if (end > now) {
        ++pending;
        continue;
      }
      auto& u = units[tz->interval_start(i.start, unit)];
      u.first += i.volume;
      u.second = i.horizon_days;
    }
    if (units.empty()) continue;
    reports::ReportRequest r;
    r.from = units.begin()->first;
    r.to = std::min(now, units.rbegin()->first + unit);
    r.interval_minutes = 15;
    r.time_zone = f.time_zone;
    r.queues = {f.queue};
    if (!f.channel.empty()) {
      auto c = parse_channel(f.channel);
      if (!c.ok()) return c.status();
      r.channels = {*c};
    }
    r.group_by = {reports::Dimension::kInterval};
    r.include_histograms = false;
    if (r.to <= r.from) continue;
    auto result = reports.query(r);
    if (!result.ok()) return result.status();
    std::map<Millis, double> actual;
    for (const reports::ReportRow& row : result->rows)
      actual[tz->interval_start(row.start, unit)] += static_cast<double>(row.kpis.offered);
    for (const auto& [start, u] : units) {
      // A unit only partly covered by the forecast (a 5-minute forecast starting mid-quarter)
      // is still scored against the whole quarter's actuals: forecasts start on local midnight
      // grids, so this does not happen for forecasts made by this server.
      const auto it = actual.find(start);
      acc.add(u.second, u.first, it == actual.end() ? 0.0 : it->second, f.mase_scale);
    }
  }
  return acc.finish(queue, std::move(ids), pending);
}

void add_time_off(const std::vector<TimeOff>& time_off, wfm::Date first_day, int days,
                  std::vector<wfm::ScheduleAgent>& agents) {
  for (wfm::ScheduleAgent& a : agents) {
    std::set<wfm::Date> off(a.time_off.begin(), a.time_off.end());
    for (const TimeOff& t : time_off) {
      if (t.agent != a.id) continue;
      for (wfm::Date d = std::max(t.first_day, first_day);
           d <= std::min(t.last_day, first_day + days - 1); ++d)
        off.insert(d);
    }
    a.time_off.assign(off.begin(), off.end());
  }
}

Schedule schedule_from_result(const wfm::ScheduleProblem& problem,
                              const wfm::ScheduleResult& result, const reports::TimeZone& tz,
                              const PlanningGrid& grid, std::vector<double> required) {
  Schedule s;
  ScheduleHeader& h = s.header;
  h.interval_minutes = grid.interval_minutes();
  h.time_zone = tz.name();
  h.start = grid.start();
  h.required =
      required.size() == grid.size() ? std::move(required) : grid.from_wall(problem.required);
  const Millis period_end = h.end();
  for (const wfm::ScheduleAgent& a : problem.agents) s.agents.push_back(a.id);
  auto add = [&](const std::string& agent, ActivityKind kind, Millis from, Millis to,
                 const std::string& label) {
    from = std::max(from, h.start);
    to = std::min(to, period_end);
    if (to <= from) return;
    s.activities.push_back(Activity{.id = 0,
                                    .schedule_id = 0,
                                    .agent = agent,
                                    .kind = kind,
                                    .start = from,
                                    .end = to,
                                    .label = label});
  };
  for (const wfm::Shift& shift : result.shifts) {
    std::vector<wfm::PlacedBreak> breaks = shift.breaks;
    std::sort(breaks.begin(), breaks.end(),
              [](const wfm::PlacedBreak& a, const wfm::PlacedBreak& b) {
                return a.start_min < b.start_min;
              });
    auto at = [&](int minute) {
      // Minutes past midnight (a shift running into the next day) stay on the same wall clock.
      return local_to_utc(tz, shift.day + minute / 1440, minute % 1440);
    };
    int cursor = shift.start_min;
    for (const wfm::PlacedBreak& b : breaks) {
      if (b.start_min > cursor)
        add(shift.agent, ActivityKind::kWork, at(cursor), at(b.start_min), shift.template_name);
      const bool lunch = b.name.find("lunch") != std::string::npos;
      add(shift.agent, lunch ? ActivityKind::kLunch : ActivityKind::kBreak, at(b.start_min),
          at(b.start_min + b.length_min), b.name);
      cursor = b.start_min + b.length_min;
    }
    if (shift.end_min > cursor)
      add(shift.agent, ActivityKind::kWork, at(cursor), at(shift.end_min), shift.template_name);
  }
  nlohmann::json summary = {{"solver", result.solver},
                            {"optimal", result.optimal},
                            {"objective", result.objective},
                            {"under", result.under},
                            {"over", result.over},
                            {"ip_objective", result.ip_objective},
                            {"ip_bound", result.ip_bound},
                            {"ip_gap", result.ip_gap},
                            {"greedy_objective", result.greedy_objective},
                            {"variables", result.variables},
                            {"shifts", result.shifts.size()}};
  h.solver_summary = summary.dump();
  return s;
}

}  // namespace sb::wfmstore
