#pragma once
// Published forecasts (`wfm.db` in the data directory, beside the schedules): per queue and
// channel, the method that made them, when, and the forecast volume and handle time of every
// interval (UTC instants). Accuracy against what actually happened is computed on request from
// actual volumes (planning.h reads them from the reports read model): MAPE, wMAPE, MASE and bias
// per horizon, the horizon being the number of local days between the forecast's creation and
// the interval (1 = the next day).
//
// Thread safety: every method may be called from any thread (one connection under a mutex).

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "base/time.h"

namespace sb::sqlite {
class Database;
}

namespace sb::wfmstore {

struct ForecastInterval {
  Millis start = 0;  // UTC epoch ms
  double volume = 0;
  std::optional<double> aht_s;
  int horizon_days = 0;  // local days after the creation day
  // Prediction intervals (absent in forecasts published without them, and in those stored
  // before wfm.db had the columns).
  std::optional<double> lo80, hi80, lo95, hi95;
};

struct StoredForecast {
  std::int64_t id = 0;
  std::string queue;
  std::string channel;  // "" = every channel
  std::string method;   // the method used, with its settings: "weekday_mean(4)"
  std::string time_zone = "UTC";
  std::string source;  // "reports" or "csv"
  Millis created_at = 0;
  int interval_minutes = 15;
  Millis history_from = 0;  // the history the forecast was fitted on (UTC)
  Millis history_to = 0;
  // In-sample MAE of the seasonal-naive forecast on that history: MASE's denominator.
  double mase_scale = 0;
  std::string details;  // JSON text: back-test scores, outliers replaced, fitted parameters
  std::vector<ForecastInterval> intervals;  // ascending start
};

struct AccuracyFigures {
  double mape = 0;   // percent, over intervals with actual > 0
  double wmape = 0;  // percent
  double mase = 0;   // MAE / mase_scale (pooled over forecasts: mean of |e| / scale)
  double bias = 0;   // percent: (Σforecast − Σactual) / Σactual
  double actual_total = 0;
  double forecast_total = 0;
  int intervals = 0;  // intervals scored
};

struct AccuracyReport {
  std::string queue;
  std::vector<std::int64_t> forecasts;        // the forecasts scored
  std::map<int, AccuracyFigures> by_horizon;  // horizon_days -> figures
  AccuracyFigures overall;
  int intervals_pending = 0;  // forecast intervals not over yet at `now`
};

// Accumulates scored intervals; finish() turns the sums into figures.
class AccuracyAccumulator {
 public:
  void add(int horizon, double forecast, double actual, double mase_scale);
  AccuracyReport finish(std::string queue, std::vector<std::int64_t> forecasts, int pending) const;

 private:
  struct Sums {
    double abs_err = 0, actual = 0, forecast = 0, ape = 0, scaled = 0;
    int n = 0, n_positive = 0, n_scaled = 0;
  };
  static AccuracyFigures figures(const Sums& s);
  std::map<int, Sums> by_horizon_;
  Sums overall_;
};

class ForecastStore {
 public:
  static Result<std::unique_ptr<ForecastStore>> open_data_dir(const std::string& data_dir);
  static Result<std::unique_ptr<ForecastStore>> open(const std::string& path);
  ~ForecastStore();
  ForecastStore(const ForecastStore&) = delete;
  ForecastStore& operator=(const ForecastStore&) = delete;

  // Stores (publishes) a forecast; the id and created_at are assigned.
  Result<StoredForecast> publish(StoredForecast f, Millis now);
  Result<StoredForecast> get(std::int64_t id) const;
  // Newest first, without intervals; `queue` empty = every queue.
  Result<std::vector<StoredForecast>> list(const std::string& queue) const;

 private:
  explicit ForecastStore(std::unique_ptr<sqlite::Database> db);
  mutable std::mutex mu_;
  std::unique_ptr<sqlite::Database> db_;
};

}  // namespace sb::wfmstore
