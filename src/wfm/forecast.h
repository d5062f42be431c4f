#pragma once
// Interval volume forecasting for staffing: which contacts arrive in each interval of the coming
// days. Methods (docs/forecasting.md has the formulas and the benchmark):
//   seasonal_naive  the same interval on the last same weekday (the baseline every other method
//                   must beat; MASE is measured against it)
//   weekday_mean    mean of the same interval over the last k same weekdays (k = 0: all of them)
//   holt_winters    Taylor's double-seasonal exponential smoothing (intraday and weekly seasonal
//                   terms, AR(1) residual adjustment), parameters fitted by minimising the
//                   in-sample one-step squared error with a bounded search
//   profile         daily total (weekday factors x exponentially smoothed level) x the weekday's
//                   intraday profile
//   auto            the method with the lowest wMAPE in a rolling-origin back-test on the history
// Before fitting, marked special days are replaced by the typical day for their weekday and
// outliers (robust z-score of the residual from that typical day) are replaced likewise.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "wfm/series.h"

namespace sb::wfm {

enum class Method { kAuto, kSeasonalNaive, kWeekdayMean, kHoltWinters, kProfile };

// "seasonal_naive", "weekday_mean", "holt_winters", "profile", "auto".
std::string_view method_name(Method m);
Result<Method> parse_method(std::string_view name);

struct HoltWintersParams {
  double alpha = 0.1;  // level
  double delta = 0.1;  // intraday seasonal
  double omega = 0.1;  // weekly (interval x weekday) seasonal
  double phi = 0.0;    // AR(1) coefficient of the one-step errors
};

struct SpecialDay {
  Date day = 0;
  // For a day inside the horizon: the forecast is multiplied by this (0 = closed, 1.3 = 30 %
  // busier). For a day in the history: the day is excluded from fitting whatever the factor.
  double factor = 1.0;
};

struct ForecastOptions {
  Method method = Method::kAuto;
  int weekday_mean_weeks = 4;  // k of weekday_mean; 0 = all past weeks
  // Robust z-score above which an interval is an outlier; 0 disables outlier replacement.
  double outlier_z = 6.0;
  std::vector<SpecialDay> special_days;
  // Back-test for `auto`: this many rolling origins, one day apart, ending at the last day.
  int backtest_origins = 10;
  // Fixed Holt-Winters parameters instead of fitting them.
  std::optional<HoltWintersParams> holt_winters;
  // 80 % and 95 % prediction intervals by empirical quantiles of rolling-origin errors: the
  // method chosen (same settings; Holt-Winters parameters fitted once) forecasts up to 10 days
  // ahead from each of the last `interval_origins` origins of the history; each error is scaled
  // by the square root of its forecast (counts are roughly Poisson: the spread grows with the
  // level), and per horizon (1st, 2nd, ... forecast day; beyond the 10th the 10th) the
  // 2.5/10/90/97.5 % quantiles of the scaled errors give the bounds f + q·sqrt(max(f, 1)),
  // never below 0.
  bool intervals = false;
  // Rolling origins whose errors set the intervals (each forecasts up to 10 days ahead).
  int interval_origins = 20;
};

struct Forecast {
  int interval_minutes = 0;
  std::vector<Date> days;
  std::vector<int> slots;
  std::vector<double> volume;  // days.size() x slots.size()
  std::vector<double> aht_s;   // same shape when the history has handle times, else empty
  Method method = Method::kSeasonalNaive;   // the method used (never kAuto)
  std::string label;                        // the method with its settings: "weekday_mean(4)"
  std::optional<HoltWintersParams> fitted;  // when holt_winters was used
  int outliers_replaced = 0;
  // For `auto`: the back-test wMAPE of each candidate, in the order tried.
  std::vector<std::pair<std::string, double>> backtest_wmape;
  // Prediction intervals (ForecastOptions::intervals): same shape as `volume`, empty otherwise.
  std::vector<double> lo80, hi80, lo95, hi95;
  // How they were made: "backtest" (empirical error quantiles) or "poisson" (history too short
  // to back-test: counting noise only, an understatement); and from how many errors per horizon.
  std::string interval_basis;
  int interval_errors = 0;  // errors at the first horizon
};

// Forecast for the `horizon_days` calendar days after the history's last day, skipping weekdays
// the history never has; every interval of the day the history has.
Result<Forecast> forecast(const IntervalSeries& history, int horizon_days,
                          const ForecastOptions& options = {});

// Forecast for the given future days (each after the history's last day, on a weekday the history
// has). The building block of `forecast` and of back-tests.
Result<Forecast> forecast_days(const IntervalSeries& history, const std::vector<Date>& days,
                               const ForecastOptions& options);

// The history with special days and outliers replaced by the typical day for their weekday
// (per-interval medians); `replaced` counts replaced intervals (outliers only).
IntervalSeries clean_history(const IntervalSeries& history, const ForecastOptions& options,
                             int* replaced = nullptr);

// Holt-Winters parameters minimising the one-step in-sample squared error (for benchmarks).
HoltWintersParams fit_holt_winters(const IntervalSeries& history);

struct Accuracy {
  double mape = 0;   // mean |e| / y over intervals with y > 0, in percent
  double wmape = 0;  // sum |e| / sum y, in percent
  double mase = 0;   // MAE / in-sample MAE of the seasonal-naive (same weekday) forecast
  double bias = 0;   // (sum forecast - sum actual) / sum actual, in percent
  double mae = 0;
  int points = 0;
};

// `mase_scale` is the in-sample seasonal-naive MAE of the training history (naive_scale()).
Accuracy accuracy(const std::vector<double>& actual, const std::vector<double>& forecast,
                  double mase_scale);
double naive_scale(const IntervalSeries& history);

}  // namespace sb::wfm
