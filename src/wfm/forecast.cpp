#include "wfm/forecast.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <utility>

namespace sb::wfm {
namespace {

constexpr int kProfileWeeks = 4;  // intraday profile: the last 4 same weekdays
constexpr int kFactorWeeks = 8;   // weekday factors of the profile model
constexpr std::size_t kMinHoltWintersDays = 7;

using Grid = std::vector<double>;

double median_of(std::vector<double>& v) {
  if (v.empty()) return 0;
  const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  double m = *mid;
  if (v.size() % 2 == 0) m = (m + *std::max_element(v.begin(), mid)) / 2;
  return m;
}

bool is_special(const ForecastOptions& o, Date d) {
  return std::any_of(o.special_days.begin(), o.special_days.end(),
                     [d](const SpecialDay& s) { return s.day == d; });
}

// Indices of history days per weekday, ascending.
std::array<std::vector<std::size_t>, 7> days_by_weekday(const IntervalSeries& h) {
  std::array<std::vector<std::size_t>, 7> out;
  for (std::size_t i = 0; i < h.num_days(); ++i) out[weekday_of(h.days()[i])].push_back(i);
  return out;
}

// ---- seasonal naive and weekday means ----------------------------------------------------

Grid predict_weekday_mean(const IntervalSeries& h, const std::vector<Date>& days, int weeks) {
  const auto by_wd = days_by_weekday(h);
  const std::size_t slots = h.num_slots();
  Grid out(days.size() * slots, 0.0);
  for (std::size_t j = 0; j < days.size(); ++j) {
    const auto& idx = by_wd[weekday_of(days[j])];
    const std::size_t take =
        weeks <= 0 ? idx.size()
                   : std::min<std::size_t>(idx.size(), static_cast<std::size_t>(weeks));
    for (std::size_t k = idx.size() - take; k < idx.size(); ++k) {
      for (std::size_t s = 0; s < slots; ++s) out[j * slots + s] += h.volume(idx[k], s);
    }
    for (std::size_t s = 0; s < slots; ++s) out[j * slots + s] /= static_cast<double>(take);
  }
  return out;
}

// ---- Taylor's double-seasonal Holt-Winters -------------------------------------------------

struct HwState {
  double level = 0;
  Grid daily;   // per interval of the day
  Grid weekly;  // per weekday x interval of the day
  double last_residual = 0;
};

HwState hw_initial(const IntervalSeries& h) {
  const std::size_t slots = h.num_slots();
  // The first three weeks (or what there is) set the starting level and seasonal terms.
  std::size_t init = 0;
  while (init < h.num_days() && h.days()[init] < h.days()[0] + 21) ++init;
  HwState st;
  st.daily.assign(slots, 0.0);
  st.weekly.assign(7 * slots, 0.0);
  double sum = 0;
  for (std::size_t i = 0; i < init; ++i) {
    for (std::size_t s = 0; s < slots; ++s) sum += h.volume(i, s);
  }
  st.level = sum / static_cast<double>(init * slots);
  for (std::size_t s = 0; s < slots; ++s) {
    double m = 0;
    for (std::size_t i = 0; i < init; ++i) m += h.volume(i, s);
    st.daily[s] = m / static_cast<double>(init) - st.level;
  }
  std::array<int, 7> count{};
  for (std::size_t i = 0; i < init; ++i) {
    const int wd = weekday_of(h.days()[i]);
    ++count[wd];
    for (std::size_t s = 0; s < slots; ++s) {
      st.weekly[wd * slots + s] += h.volume(i, s) - st.level - st.daily[s];
    }
  }
  for (int wd = 0; wd < 7; ++wd) {
    if (count[wd] == 0) continue;
    for (std::size_t s = 0; s < slots; ++s) st.weekly[wd * slots + s] /= count[wd];
  }
  return st;
}

// Runs the filter over the history; returns the one-step squared error after the first week.
double hw_run(const IntervalSeries& h, const HoltWintersParams& p, HwState& st) {
  const std::size_t slots = h.num_slots();
  double sse = 0;
  const Date burn_in = h.days()[0] + 7;
  const double* y = h.volume().data();
  for (std::size_t i = 0; i < h.num_days(); ++i) {
    double* w = &st.weekly[static_cast<std::size_t>(weekday_of(h.days()[i])) * slots];
    const bool scored = h.days()[i] >= burn_in;
    for (std::size_t s = 0; s < slots; ++s) {
      const double base = st.level + st.daily[s] + w[s];
      const double err = y[i * slots + s] - (base + p.phi * st.last_residual);
      if (scored) sse += err * err;
      st.level += p.alpha * err;
      st.daily[s] += p.delta * err;
      w[s] += p.omega * err;
      st.last_residual = y[i * slots + s] - base;
    }
  }
  return sse;
}

double hw_sse(const IntervalSeries& h, const HoltWintersParams& p) {
  HwState st = hw_initial(h);
  return hw_run(h, p, st);
}

Grid predict_holt_winters(const IntervalSeries& h, const std::vector<Date>& days,
                          const HoltWintersParams& p) {
  HwState st = hw_initial(h);
  hw_run(h, p, st);
  const std::size_t slots = h.num_slots();
  Grid out(days.size() * slots);
  double ar = st.last_residual;
  for (std::size_t j = 0; j < days.size(); ++j) {
    const double* w = &st.weekly[static_cast<std::size_t>(weekday_of(days[j])) * slots];
    for (std::size_t s = 0; s < slots; ++s) {
      ar *= p.phi;
      out[j * slots + s] = std::max(0.0, st.level + st.daily[s] + w[s] + ar);
    }
  }
  return out;
}

// ---- daily total x intraday profile -------------------------------------------------------

Grid predict_profile(const IntervalSeries& h, const std::vector<Date>& days) {
  const std::size_t n = h.num_days();
  const std::size_t slots = h.num_slots();
  std::vector<double> total(n, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t s = 0; s < slots; ++s) total[i] += h.volume(i, s);
  }
  // Weekday factors over the recent weeks (all weeks for a weekday missing from them).
  const Date recent_from = h.days().back() - 7 * kFactorWeeks + 1;
  std::array<double, 7> sum{}, count{}, all_sum{}, all_count{};
  double recent_total = 0, recent_days = 0, all_total = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const int wd = weekday_of(h.days()[i]);
    all_sum[wd] += total[i];
    all_count[wd] += 1;
    all_total += total[i];
    if (h.days()[i] >= recent_from) {
      sum[wd] += total[i];
      count[wd] += 1;
      recent_total += total[i];
      recent_days += 1;
    }
  }
  std::array<double, 7> factor{};
  const double recent_mean = recent_total / recent_days;
  const double all_mean = all_total / static_cast<double>(n);
  for (int wd = 0; wd < 7; ++wd) {
    if (count[wd] > 0 && recent_mean > 0) {
      factor[wd] = sum[wd] / count[wd] / recent_mean;
    } else if (all_count[wd] > 0 && all_mean > 0) {
      factor[wd] = all_sum[wd] / all_count[wd] / all_mean;
    } else {
      factor[wd] = 1;
    }
    if (factor[wd] <= 0) factor[wd] = 1;
  }
  // Simple exponential smoothing of the weekday-adjusted totals, alpha by one-step error.
  std::vector<double> z(n);
  for (std::size_t i = 0; i < n; ++i) z[i] = total[i] / factor[weekday_of(h.days()[i])];
  double best_sse = std::numeric_limits<double>::infinity(), level = z[0];
  for (double a = 0.02; a <= 0.8001; a += 0.02) {
    double l = z[0], sse = 0;
    for (std::size_t i = 1; i < n; ++i) {
      sse += (z[i] - l) * (z[i] - l);
      l += a * (z[i] - l);
    }
    if (sse < best_sse) best_sse = sse, level = l;
  }
  const auto by_wd = days_by_weekday(h);
  Grid out(days.size() * slots, 0.0);
  for (std::size_t j = 0; j < days.size(); ++j) {
    const int wd = weekday_of(days[j]);
    const auto& idx = by_wd[wd];
    const std::size_t take = std::min<std::size_t>(idx.size(), kProfileWeeks);
    double denom = 0;
    std::vector<double> share(slots, 0.0);
    for (std::size_t k = idx.size() - take; k < idx.size(); ++k) {
      for (std::size_t s = 0; s < slots; ++s) share[s] += h.volume(idx[k], s);
      denom += total[idx[k]];
    }
    for (std::size_t s = 0; s < slots; ++s) {
      const double p = denom > 0 ? share[s] / denom : 1.0 / static_cast<double>(slots);
      out[j * slots + s] = level * factor[wd] * p;
    }
  }
  return out;
}

// ---- handle time ------------------------------------------------------------------------

Grid predict_aht(const IntervalSeries& h, const std::vector<Date>& days) {
  const std::size_t slots = h.num_slots();
  const auto by_wd = days_by_weekday(h);
  // Volume-weighted AHT of an interval over the last same weekdays; the interval over all days;
  // then the whole history, so every forecast interval gets a value.
  double all_w = 0, all_v = 0;
  std::vector<double> slot_w(slots, 0.0), slot_v(slots, 0.0);
  for (std::size_t i = 0; i < h.num_days(); ++i) {
    for (std::size_t s = 0; s < slots; ++s) {
      const double a = h.aht_s(i, s), v = h.volume(i, s);
      if (std::isnan(a)) continue;
      const double wt = std::max(v, 1e-9);
      slot_w[s] += wt * a, slot_v[s] += wt, all_w += wt * a, all_v += wt;
    }
  }
  Grid out(days.size() * slots, all_v > 0 ? all_w / all_v : 0.0);
  for (std::size_t j = 0; j < days.size(); ++j) {
    const auto& idx = by_wd[weekday_of(days[j])];
    const std::size_t take = std::min<std::size_t>(idx.size(), kProfileWeeks);
    for (std::size_t s = 0; s < slots; ++s) {
      double w = 0, v = 0;
      for (std::size_t k = idx.size() - take; k < idx.size(); ++k) {
        const double a = h.aht_s(idx[k], s);
        if (std::isnan(a)) continue;
        const double wt = std::max(h.volume(idx[k], s), 1e-9);
        w += wt * a, v += wt;
      }
      if (v > 0) {
        out[j * slots + s] = w / v;
      } else if (slot_v[s] > 0) {
        out[j * slots + s] = slot_w[s] / slot_v[s];
      }
    }
  }
  return out;
}

struct Candidate {
  Method method;
  int weeks;  // weekday_mean only
};

std::string candidate_label(const Candidate& c) {
  if (c.method != Method::kWeekdayMean) return std::string(method_name(c.method));
  return c.weeks <= 0 ? "weekday_mean(all)" : "weekday_mean(" + std::to_string(c.weeks) + ")";
}

Result<Grid> predict(const IntervalSeries& clean, const std::vector<Date>& days, const Candidate& c,
                     const ForecastOptions& o, std::optional<HoltWintersParams>* fitted) {
  switch (c.method) {
    case Method::kSeasonalNaive:
      return predict_weekday_mean(clean, days, 1);
    case Method::kWeekdayMean:
      return predict_weekday_mean(clean, days, c.weeks);
    case Method::kProfile:
      return predict_profile(clean, days);
    case Method::kHoltWinters: {
      if (clean.num_days() < kMinHoltWintersDays) {
        return Status::invalid_argument("holt_winters needs at least 7 days of history (has " +
                                        std::to_string(clean.num_days()) + ")");
      }
      const HoltWintersParams p = o.holt_winters ? *o.holt_winters : fit_holt_winters(clean);
      if (fitted != nullptr) *fitted = p;
      return predict_holt_winters(clean, days, p);
    }
    case Method::kAuto:
      break;
  }
  return Status::internal("predict: auto is resolved before predicting");
}

// Rolling-origin back-test: each candidate forecasts `horizon` days from each of the last
// origins; the lowest pooled wMAPE wins. Holt-Winters parameters are fitted once, at the first
// origin, and reused (refitting at every origin costs much and changes little).
Candidate select_method(const IntervalSeries& history, std::size_t horizon,
                        const ForecastOptions& o,
                        std::vector<std::pair<std::string, double>>& scores) {
  const std::vector<Candidate> candidates = {{Method::kSeasonalNaive, 1},
                                             {Method::kWeekdayMean, o.weekday_mean_weeks},
                                             {Method::kWeekdayMean, 0},
                                             {Method::kHoltWinters, 0},
                                             {Method::kProfile, 0}};
  const std::size_t n = history.num_days();
  // Training windows of at least two weeks of days.
  std::size_t min_train = 0;
  while (min_train < n && history.days()[min_train] < history.days()[0] + 14) ++min_train;
  const std::size_t origins = static_cast<std::size_t>(std::max(1, o.backtest_origins));
  if (n < min_train + horizon || n - horizon < min_train) {
    return {Method::kWeekdayMean, 0};  // too short to back-test: the robust default
  }
  const std::size_t last_origin = n - horizon;
  const std::size_t first_origin =
      last_origin + 1 > origins ? std::max(min_train, last_origin + 1 - origins) : min_train;

  ForecastOptions fixed = o;
  if (!fixed.holt_winters) {
    fixed.holt_winters = fit_holt_winters(clean_history(history.head(first_origin), o));
  }
  std::vector<double> abs_err(candidates.size(), 0.0);
  double actual_sum = 0;
  std::vector<bool> usable(candidates.size(), true);
  for (std::size_t origin = first_origin; origin <= last_origin; ++origin) {
    const IntervalSeries clean = clean_history(history.head(origin), o);
    const std::vector<Date> target(
        history.days().begin() + static_cast<std::ptrdiff_t>(origin),
        history.days().begin() + static_cast<std::ptrdiff_t>(origin + horizon));
    const std::size_t slots = history.num_slots();
    for (std::size_t i = origin * slots; i < (origin + horizon) * slots; ++i) {
      actual_sum += history.volume()[i];
    }
    for (std::size_t c = 0; c < candidates.size(); ++c) {
      if (!usable[c]) continue;
      auto fc = predict(clean, target, candidates[c], fixed, nullptr);
      if (!fc.ok()) {
        usable[c] = false;
        continue;
      }
      for (std::size_t k = 0; k < fc->size(); ++k) {
        abs_err[c] += std::abs((*fc)[k] - history.volume()[origin * slots + k]);
      }
    }
  }
  std::size_t best = 2;
  double best_score = std::numeric_limits<double>::infinity();
  for (std::size_t c = 0; c < candidates.size(); ++c) {
    if (!usable[c]) continue;
    const double score = actual_sum > 0 ? 100 * abs_err[c] / actual_sum : abs_err[c];
    scores.emplace_back(candidate_label(candidates[c]), score);
    if (score < best_score) best_score = score, best = c;
  }
  return candidates[best];
}

// ---- prediction intervals ----------------------------------------------------------------

constexpr std::size_t kIntervalHorizons = 10;
constexpr std::size_t kMinIntervalErrors = 50;

// Linear interpolation between order statistics (R's type 7). REQUIRES: v sorted, non-empty.
double quantile(const std::vector<double>& v, double p) {
  const double pos = p * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (pos - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

struct ErrorQuantiles {
  double q025 = -1.959964, q10 = -1.281552, q90 = 1.281552, q975 = 1.959964;  // N(0, 1)
};

ErrorQuantiles quantiles_of(std::vector<double>& e) {
  std::sort(e.begin(), e.end());
  return {quantile(e, 0.025), quantile(e, 0.10), quantile(e, 0.90), quantile(e, 0.975)};
}

// Errors of the candidate in a rolling-origin back-test, per horizon, each scaled by the square
// root of its forecast. The actuals are the raw history (outliers included: they happen again),
// except marked special days, which are not representative.
std::array<std::vector<double>, kIntervalHorizons> scaled_errors(const IntervalSeries& history,
                                                                 const Candidate& c,
                                                                 const ForecastOptions& o) {
  std::array<std::vector<double>, kIntervalHorizons> err;
  const std::size_t n = history.num_days();
  const std::size_t slots = history.num_slots();
  std::size_t min_train = 0;
  while (min_train < n && history.days()[min_train] < history.days()[0] + 14) ++min_train;
  if (min_train >= n) return err;
  const std::size_t span =
      static_cast<std::size_t>(std::max(1, o.interval_origins)) + kIntervalHorizons - 1;
  const std::size_t first = std::max(min_train, n > span ? n - span : 0);
  ForecastOptions fixed = o;
  fixed.weekday_mean_weeks = c.weeks;
  if (c.method == Method::kHoltWinters && !fixed.holt_winters) {
    if (first < kMinHoltWintersDays) return err;
    fixed.holt_winters = fit_holt_winters(clean_history(history.head(first), o));
  }
  for (std::size_t origin = first; origin < n; ++origin) {
    const std::size_t horizons = std::min(kIntervalHorizons, n - origin);
    const std::vector<Date> target(
        history.days().begin() + static_cast<std::ptrdiff_t>(origin),
        history.days().begin() + static_cast<std::ptrdiff_t>(origin + horizons));
    auto fc = predict(clean_history(history.head(origin), o), target, c, fixed, nullptr);
    if (!fc.ok()) continue;
    for (std::size_t j = 0; j < horizons; ++j) {
      if (is_special(o, target[j])) continue;
      for (std::size_t s = 0; s < slots; ++s) {
        const double f = (*fc)[j * slots + s];
        if (!std::isfinite(f)) continue;
        err[j].push_back((history.volume(origin + j, s) - f) / std::sqrt(std::max(f, 1.0)));
      }
    }
  }
  return err;
}

void add_intervals(const IntervalSeries& history, const Candidate& c, const ForecastOptions& o,
                   Forecast& f) {
  auto err = scaled_errors(history, c, o);
  std::vector<double> pooled;
  for (const auto& e : err) pooled.insert(pooled.end(), e.begin(), e.end());
  const bool backtest = pooled.size() >= kMinIntervalErrors;
  f.interval_basis = backtest ? "backtest" : "poisson";
  f.interval_errors = static_cast<int>(err[0].size());
  const ErrorQuantiles all = backtest ? quantiles_of(pooled) : ErrorQuantiles{};
  std::array<ErrorQuantiles, kIntervalHorizons> by_h;
  for (std::size_t h = 0; h < kIntervalHorizons; ++h)
    by_h[h] = err[h].size() >= kMinIntervalErrors ? quantiles_of(err[h]) : all;
  const std::size_t slots = f.slots.size();
  for (auto* v : {&f.lo80, &f.hi80, &f.lo95, &f.hi95}) v->assign(f.volume.size(), 0.0);
  for (std::size_t j = 0; j < f.days.size(); ++j) {
    const ErrorQuantiles& q = by_h[std::min(j, kIntervalHorizons - 1)];
    for (std::size_t s = 0; s < slots; ++s) {
      const std::size_t i = j * slots + s;
      const double v = f.volume[i], scale = std::sqrt(std::max(v, 1.0));
      f.lo95[i] = std::max(0.0, v + q.q025 * scale);
      f.lo80[i] = std::max(0.0, v + q.q10 * scale);
      f.hi80[i] = std::max(0.0, v + q.q90 * scale);
      f.hi95[i] = std::max(0.0, v + q.q975 * scale);
    }
  }
}

}  // namespace

std::string_view method_name(Method m) {
  switch (m) {
    case Method::kAuto:
      return "auto";
    case Method::kSeasonalNaive:
      return "seasonal_naive";
    case Method::kWeekdayMean:
      return "weekday_mean";
    case Method::kHoltWinters:
      return "holt_winters";
    case Method::kProfile:
      return "profile";
  }
  return "?";
}

Result<Method> parse_method(std::string_view name) {
  for (Method m : {Method::kAuto, Method::kSeasonalNaive, Method::kWeekdayMean,
                   Method::kHoltWinters, Method::kProfile}) {
    if (method_name(m) == name) return m;
  }
  return Status::invalid_argument("unknown forecast method '" + std::string(name) +
                                  "' (auto, seasonal_naive, weekday_mean, holt_winters, profile)");
}

IntervalSeries clean_history(const IntervalSeries& history, const ForecastOptions& o,
                             int* replaced) {
  const std::size_t slots = history.num_slots();
  const auto by_wd = days_by_weekday(history);
  // Typical day per weekday: per-interval median and MAD over that weekday's ordinary days.
  std::vector<double> med(7 * slots, 0.0), scale(7 * slots, 1.0);
  std::vector<double> buf;
  for (int wd = 0; wd < 7; ++wd) {
    for (std::size_t s = 0; s < slots; ++s) {
      buf.clear();
      for (std::size_t i : by_wd[wd]) {
        if (!is_special(o, history.days()[i])) buf.push_back(history.volume(i, s));
      }
      if (buf.empty()) {
        for (std::size_t i : by_wd[wd]) buf.push_back(history.volume(i, s));
      }
      if (buf.empty()) continue;
      const double m = median_of(buf);
      for (double& v : buf) v = std::abs(v - m);
      // Counts are at least Poisson-noisy: never let a tiny MAD flag ordinary variation.
      scale[wd * slots + s] = std::max({1.4826 * median_of(buf), std::sqrt(m), 1.0});
      med[wd * slots + s] = m;
    }
  }
  std::vector<double> volume = history.volume();
  int count = 0;
  for (std::size_t i = 0; i < history.num_days(); ++i) {
    const std::size_t wd = static_cast<std::size_t>(weekday_of(history.days()[i]));
    const bool special = is_special(o, history.days()[i]);
    for (std::size_t s = 0; s < slots; ++s) {
      double& v = volume[i * slots + s];
      const double m = med[wd * slots + s];
      if (special) {
        v = m;
      } else if (o.outlier_z > 0 && std::abs(v - m) / scale[wd * slots + s] > o.outlier_z) {
        v = m;
        ++count;
      }
    }
  }
  if (replaced != nullptr) *replaced = count;
  auto out = IntervalSeries::from_grid(history.interval_minutes(), history.days(), history.slots(),
                                       std::move(volume), history.aht_s());
  return std::move(out).value();  // same shape as a valid series, only values replaced
}

HoltWintersParams fit_holt_winters(const IntervalSeries& h) {
  // Coarse grid over the unit box, then a pattern search with shrinking steps; every parameter
  // stays in its bounds (smoothing in [0, 1], phi in [0, 0.98]) so the filter is stable.
  static constexpr double kGrid[] = {0.0, 0.02, 0.06, 0.15, 0.35};
  static constexpr double kPhi[] = {0.0, 0.4, 0.8};
  HoltWintersParams best;
  double best_sse = std::numeric_limits<double>::infinity();
  for (double a : kGrid) {
    for (double d : kGrid) {
      for (double w : kGrid) {
        for (double f : kPhi) {
          const HoltWintersParams p{a, d, w, f};
          const double sse = hw_sse(h, p);
          if (sse < best_sse) best_sse = sse, best = p;
        }
      }
    }
  }
  for (double step = 0.04; step >= 0.0025; step /= 2) {
    bool improved = true;
    while (improved) {
      improved = false;
      for (int k = 0; k < 4; ++k) {
        for (double sign : {-1.0, 1.0}) {
          HoltWintersParams p = best;
          double* field = k == 0 ? &p.alpha : k == 1 ? &p.delta : k == 2 ? &p.omega : &p.phi;
          *field = std::clamp(*field + sign * step, 0.0, k == 3 ? 0.98 : 1.0);
          const double sse = hw_sse(h, p);
          if (sse < best_sse - 1e-9 * best_sse) best_sse = sse, best = p, improved = true;
        }
      }
    }
  }
  return best;
}

Result<Forecast> forecast_days(const IntervalSeries& history, const std::vector<Date>& days,
                               const ForecastOptions& o) {
  if (history.num_days() == 0) return Status::invalid_argument("empty history");
  if (o.weekday_mean_weeks < 0) {
    return Status::invalid_argument("weekday_mean weeks must be >= 0 (0 = all weeks)");
  }
  for (const auto& sd : o.special_days) {
    if (!std::isfinite(sd.factor) || sd.factor < 0) {
      return Status::invalid_argument("special day " + format_date(sd.day) +
                                      ": factor must be a non-negative number");
    }
  }
  const auto present = history.weekdays_present();
  for (std::size_t j = 0; j < days.size(); ++j) {
    if (days[j] <= history.days().back() || (j > 0 && days[j] <= days[j - 1])) {
      return Status::invalid_argument("forecast days must be ascending and after the history");
    }
    if (!present[weekday_of(days[j])]) {
      return Status::invalid_argument("the history has no " +
                                      std::string(weekday_name(weekday_of(days[j]))) +
                                      " to forecast " + format_date(days[j]) + " from");
    }
  }
  Forecast f;
  f.interval_minutes = history.interval_minutes();
  f.days = days;
  f.slots = history.slots();
  Candidate c{o.method, o.weekday_mean_weeks};
  if (o.method == Method::kAuto) {
    c = select_method(history, std::min<std::size_t>(std::max<std::size_t>(days.size(), 1), 10), o,
                      f.backtest_wmape);
  }
  const IntervalSeries clean = clean_history(history, o, &f.outliers_replaced);
  ForecastOptions use = o;
  use.weekday_mean_weeks = c.weeks;
  auto grid = predict(clean, days, c, use, &f.fitted);
  if (!grid.ok()) return grid.status();
  f.volume = std::move(*grid);
  f.method = c.method;
  f.label = candidate_label(c);
  // Holt-Winters parameters for the interval back-test are fitted on the history before its
  // first origin (as in select_method), so no origin is scored with parameters that saw it.
  if (o.intervals) add_intervals(history, c, o, f);
  const std::size_t slots = f.slots.size();
  for (const auto& sd : o.special_days) {
    const auto it = std::find(days.begin(), days.end(), sd.day);
    if (it == days.end()) continue;
    const auto j = static_cast<std::size_t>(it - days.begin());
    for (auto* v : {&f.volume, &f.lo80, &f.hi80, &f.lo95, &f.hi95}) {
      if (v->empty()) continue;
      for (std::size_t s = 0; s < slots; ++s) (*v)[j * slots + s] *= sd.factor;
    }
  }
  if (history.has_aht()) f.aht_s = predict_aht(history, days);
  return f;
}

Result<Forecast> forecast(const IntervalSeries& history, int horizon_days,
                          const ForecastOptions& o) {
  if (horizon_days < 1 || horizon_days > 366) {
    return Status::invalid_argument("horizon must be 1..366 days, got " +
                                    std::to_string(horizon_days));
  }
  if (history.num_days() == 0) return Status::invalid_argument("empty history");
  const auto present = history.weekdays_present();
  std::vector<Date> days;
  for (Date d = history.days().back() + 1; d <= history.days().back() + horizon_days; ++d) {
    if (present[weekday_of(d)]) days.push_back(d);
  }
  return forecast_days(history, days, o);
}

double naive_scale(const IntervalSeries& h) {
  const std::size_t slots = h.num_slots();
  std::array<std::ptrdiff_t, 7> last;
  last.fill(-1);
  double sum = 0;
  std::size_t count = 0;
  for (std::size_t i = 0; i < h.num_days(); ++i) {
    const int wd = weekday_of(h.days()[i]);
    if (last[wd] >= 0) {
      for (std::size_t s = 0; s < slots; ++s) {
        sum += std::abs(h.volume(i, s) - h.volume(static_cast<std::size_t>(last[wd]), s));
      }
      count += slots;
    }
    last[wd] = static_cast<std::ptrdiff_t>(i);
  }
  return count > 0 ? sum / static_cast<double>(count) : 0;
}

Accuracy accuracy(const std::vector<double>& actual, const std::vector<double>& fc,
                  double mase_scale) {
  Accuracy a;
  const std::size_t n = std::min(actual.size(), fc.size());
  double abs_sum = 0, actual_sum = 0, fc_sum = 0, ape = 0;
  int ape_n = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double e = std::abs(fc[i] - actual[i]);
    abs_sum += e, actual_sum += actual[i], fc_sum += fc[i];
    if (actual[i] > 0) ape += e / actual[i], ++ape_n;
  }
  a.points = static_cast<int>(n);
  if (n == 0) return a;
  a.mae = abs_sum / static_cast<double>(n);
  a.mape = ape_n > 0 ? 100 * ape / ape_n : 0;
  a.wmape = actual_sum > 0 ? 100 * abs_sum / actual_sum : 0;
  a.bias = actual_sum > 0 ? 100 * (fc_sum - actual_sum) / actual_sum : 0;
  a.mase = mase_scale > 0 ? a.mae / mase_scale : 0;
  return a;
}

}  // namespace sb::wfm
