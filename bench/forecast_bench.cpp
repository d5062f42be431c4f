// Forecast accuracy and fit time on the fpp2 bank call series (five-minute arrivals, 164
// weekdays); the split is the one in ../shared/data/README.md and docs/forecasting.md:
//   week ahead: train on the first 154 days, forecast the next 5 (845 intervals);
//   day ahead:  for each of the last 10 days, train on every day before it, forecast that day.
// Then the empirical coverage of the 80 % and 95 % prediction intervals on the same held-out
// intervals (ForecastOptions::intervals), with their mean width and the time they add.
// Usage: forecast_bench [path/to/fpp2_calls_5min.csv]

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "wfm/forecast.h"
#include "wfm/series.h"

namespace {

using namespace sb::wfm;

sb::Result<IntervalSeries> load_fpp2(const std::string& path) {
  std::ifstream in(path);
  if (!in) return sb::Status::io_error("cannot open " + path);
  std::string line;
  std::getline(in, line);  // date,weekday,interval,start_time,calls
  std::map<Date, std::map<int, double>> grid;
  int line_no = 1;
  while (std::getline(in, line)) {
    ++line_no;
    const auto f = split_csv_line(line);
    if (f.size() < 5) return sb::Status::invalid_argument(path + ":" + std::to_string(line_no));
    auto t = parse_local(f[0] + "T" + f[3]);
    auto calls = parse_number(f[4]);
    if (!t.ok() || !calls) {
      return sb::Status::invalid_argument(path + ":" + std::to_string(line_no) + ": bad row");
    }
    grid[t->day][t->minute] = *calls;
  }
  std::vector<Date> days;
  std::vector<int> slots;
  for (const auto& [m, v] : grid.begin()->second) slots.push_back(m);
  std::vector<double> volume;
  for (const auto& [d, row] : grid) {
    days.push_back(d);
    for (int m : slots) volume.push_back(row.count(m) ? row.at(m) : 0.0);
  }
  return IntervalSeries::from_grid(5, days, slots, volume);
}

struct Run {
  std::string name;
  ForecastOptions options;
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  std::string path;
  if (argc > 1) {
    path = argv[1];
  } else if (const char* dir = std::getenv("SWITCHBOARD_SHARED_DATA")) {
    path = std::string(dir) + "/fpp2_calls_5min.csv";
  } else {
    path = std::string(SB_SOURCE_DIR) + "/../shared/data/fpp2_calls_5min.csv";
  }
  auto series = load_fpp2(path);
  if (!series.ok()) {
    std::cerr << "forecast_bench: " << series.status().message() << '\n';
    return 1;
  }
  const std::size_t n = series->num_days();
  const std::size_t slots = series->num_slots();
  const std::size_t held_out = 10;
  std::printf(
      "fpp2 bank calls: %zu days x %zu five-minute intervals (%s .. %s); last %zu held out\n", n,
      slots, format_date(series->days().front()).c_str(),
      format_date(series->days().back()).c_str(), held_out);

  std::vector<Run> runs;
  auto add = [&](std::string name, Method m, int weeks = 4) {
    ForecastOptions o;
    o.method = m;
    o.weekday_mean_weeks = weeks;
    runs.push_back({std::move(name), o});
  };
  add("seasonal_naive", Method::kSeasonalNaive);
  add("weekday_mean(4)", Method::kWeekdayMean, 4);
  add("weekday_mean(all)", Method::kWeekdayMean, 0);
  add("holt_winters", Method::kHoltWinters);
  add("profile", Method::kProfile);
  add("auto", Method::kAuto);

  const std::size_t train = n - held_out;
  std::printf("\nweek ahead: train %zu days, forecast %s .. %s (%zu intervals)\n", train,
              format_date(series->days()[train]).c_str(),
              format_date(series->days()[train + 4]).c_str(), 5 * slots);
  std::printf("  %-18s %8s %8s %7s %8s %9s  %s\n", "method", "MAPE%", "wMAPE%", "MASE", "bias%",
              "fit s", "chosen");
  for (const auto& run : runs) {
    const IntervalSeries history = series->head(train);
    const std::vector<Date> days(series->days().begin() + static_cast<long>(train),
                                 series->days().begin() + static_cast<long>(train + 5));
    const auto t0 = std::chrono::steady_clock::now();
    auto fc = forecast_days(history, days, run.options);
    const double secs = seconds_since(t0);
    if (!fc.ok()) {
      std::printf("  %-18s error: %s\n", run.name.c_str(), fc.status().message().c_str());
      continue;
    }
    const std::vector<double> actual(
        series->volume().begin() + static_cast<long>(train * slots),
        series->volume().begin() + static_cast<long>((train + 5) * slots));
    const Accuracy a = accuracy(actual, fc->volume, naive_scale(history));
    std::printf("  %-18s %8.2f %8.2f %7.3f %8.2f %9.3f  %s\n", run.name.c_str(), a.mape, a.wmape,
                a.mase, a.bias, secs, fc->label.c_str());
  }

  std::printf("\nday ahead: 10 rolling origins (%s .. %s), each trained on every earlier day\n",
              format_date(series->days()[train]).c_str(),
              format_date(series->days()[n - 1]).c_str());
  std::printf("  %-18s %8s %8s %7s %8s %9s  %s\n", "method", "MAPE%", "wMAPE%", "MASE", "bias%",
              "fit s/day", "chosen");
  for (const auto& run : runs) {
    std::vector<double> actual, predicted;
    double scale = 0, secs = 0;
    std::map<std::string, int> chosen;
    bool failed = false;
    for (std::size_t origin = train; origin < n; ++origin) {
      const IntervalSeries history = series->head(origin);
      const auto t0 = std::chrono::steady_clock::now();
      auto fc = forecast_days(history, {series->days()[origin]}, run.options);
      secs += seconds_since(t0);
      if (!fc.ok()) {
        std::printf("  %-18s error: %s\n", run.name.c_str(), fc.status().message().c_str());
        failed = true;
        break;
      }
      ++chosen[fc->label];
      predicted.insert(predicted.end(), fc->volume.begin(), fc->volume.end());
      actual.insert(actual.end(), series->volume().begin() + static_cast<long>(origin * slots),
                    series->volume().begin() + static_cast<long>((origin + 1) * slots));
      scale += naive_scale(history);
    }
    if (failed) continue;
    // MASE pools the origins' errors over the mean of their in-sample scales.
    const Accuracy a = accuracy(actual, predicted, scale / static_cast<double>(held_out));
    std::string picks;
    for (const auto& [label, count] : chosen) {
      picks += (picks.empty() ? "" : ", ") + label + " x" + std::to_string(count);
    }
    std::printf("  %-18s %8.2f %8.2f %7.3f %8.2f %9.3f  %s\n", run.name.c_str(), a.mape, a.wmape,
                a.mase, a.bias, secs / static_cast<double>(held_out), picks.c_str());
  }

  // Prediction intervals: share of held-out actuals inside each interval, and the mean width
  // relative to the mean actual volume.
  std::printf(
      "\nprediction intervals on the held-out intervals (coverage; mean width / mean actual)\n");
  std::printf("  %-18s %-10s %8s %8s %9s %9s %10s\n", "method", "split", "cov80%", "cov95%",
              "width80", "width95", "fit s");
  for (const auto& base : runs) {
    Run run = base;
    run.options.intervals = true;
    for (const bool week : {true, false}) {
      std::size_t in80 = 0, in95 = 0, points = 0;
      double w80 = 0, w95 = 0, total = 0, secs = 0;
      bool failed = false;
      const std::size_t origins = week ? 1 : held_out;
      for (std::size_t k = 0; k < origins; ++k) {
        const std::size_t origin = train + k;
        const std::size_t len = week ? 5 : 1;
        const IntervalSeries history = series->head(origin);
        const std::vector<Date> days(series->days().begin() + static_cast<long>(origin),
                                     series->days().begin() + static_cast<long>(origin + len));
        const auto t0 = std::chrono::steady_clock::now();
        auto fc = forecast_days(history, days, run.options);
        secs += seconds_since(t0);
        if (!fc.ok()) {
          failed = true;
          break;
        }
        for (std::size_t i = 0; i < fc->volume.size(); ++i) {
          const double y = series->volume()[origin * slots + i];
          in80 += y >= fc->lo80[i] && y <= fc->hi80[i];
          in95 += y >= fc->lo95[i] && y <= fc->hi95[i];
          w80 += fc->hi80[i] - fc->lo80[i];
          w95 += fc->hi95[i] - fc->lo95[i];
          total += y;
          ++points;
        }
      }
      if (failed || points == 0) continue;
      const double p = static_cast<double>(points);
      std::printf("  %-18s %-10s %8.1f %8.1f %9.2f %9.2f %10.3f\n", run.name.c_str(),
                  week ? "week" : "day", 100.0 * in80 / p, 100.0 * in95 / p, w80 / total,
                  w95 / total, secs / static_cast<double>(origins));
    }
  }
  return 0;
}
