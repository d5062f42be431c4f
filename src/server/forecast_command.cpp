// `switchboard forecast --history FILE --horizon-days D [--method ...] --csv`: interval volume
// forecasts for batch use. The CSV output (`start,volume` with a header, one row per interval of
// each forecast day) is a contract scripts rely on; see docs/forecasting.md. Exit codes: 0
// success, 2 bad input or usage, 1 anything else.

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "server/commands.h"
#include "wfm/forecast.h"
#include "wfm/series.h"

namespace sb::cli {
namespace {

struct ForecastParams {
  std::string history;
  int horizon_days = 0;
  std::string method = "auto";
  int weeks = 4;
  double outlier_z = 6.0;
  std::vector<std::string> special_days;
  bool csv = false;
  bool aht = false;
  bool intervals = false;
  std::string actuals;
};

// Scores the forecast of the horizon against actual volumes: every method, per day ahead and
// overall, so a center can see which method to trust at which horizon on its own data.
Status evaluate(const ForecastParams& p, const wfm::IntervalSeries& history,
                const wfm::ForecastOptions& base) {
  std::ifstream in(p.actuals);
  if (!in) return Status::invalid_argument("cannot open actuals file " + p.actuals);
  auto actuals = wfm::read_history_csv(in, p.actuals);
  if (!actuals.ok()) return actuals.status();
  if (actuals->interval_minutes() != history.interval_minutes()) {
    return Status::invalid_argument(p.actuals + ": " + std::to_string(actuals->interval_minutes()) +
                                    "-minute intervals, the history has " +
                                    std::to_string(history.interval_minutes()));
  }
  const auto present = history.weekdays_present();
  const wfm::Date last = history.days().back();
  std::vector<wfm::Date> days;
  std::vector<std::size_t> rows;  // the actuals' row of each day scored
  for (std::size_t i = 0; i < actuals->num_days(); ++i) {
    const wfm::Date d = actuals->days()[i];
    if (d > last && d <= last + p.horizon_days && present[wfm::weekday_of(d)]) {
      days.push_back(d);
      rows.push_back(i);
    }
  }
  if (days.empty()) {
    return Status::invalid_argument(
        p.actuals + ": no day within " + std::to_string(p.horizon_days) +
        " days after the history's last day (" + wfm::format_date(last) + ") to score");
  }
  // Actual volume of each forecast interval; intervals the actuals lack count as zero contacts.
  const std::size_t slots = history.num_slots();
  std::vector<double> actual(days.size() * slots, 0.0);
  for (std::size_t j = 0; j < days.size(); ++j) {
    for (std::size_t s = 0; s < slots; ++s) {
      const auto& as = actuals->slots();
      const auto it = std::find(as.begin(), as.end(), history.slots()[s]);
      if (it != as.end()) {
        actual[j * slots + s] = actuals->volume(rows[j], static_cast<std::size_t>(it - as.begin()));
      }
    }
  }
  const double scale = wfm::naive_scale(history);
  std::printf("scored %zu days (%s .. %s) against %s; MASE against the in-sample seasonal naive\n",
              days.size(), wfm::format_date(days.front()).c_str(),
              wfm::format_date(days.back()).c_str(), p.actuals.c_str());
  std::printf("  %-18s %-8s %8s %8s %7s %8s\n", "method", "day", "MAPE%", "wMAPE%", "MASE",
              "bias%");
  for (wfm::Method m : {wfm::Method::kSeasonalNaive, wfm::Method::kWeekdayMean,
                        wfm::Method::kHoltWinters, wfm::Method::kProfile, wfm::Method::kAuto}) {
    wfm::ForecastOptions o = base;
    o.method = m;
    auto f = wfm::forecast_days(history, days, o);
    if (!f.ok()) {
      std::printf("  %-18s %s\n", std::string(wfm::method_name(m)).c_str(),
                  f.status().message().c_str());
      continue;
    }
    const std::string label = m == wfm::Method::kAuto ? "auto: " + f->label : f->label;
    for (std::size_t j = 0; j <= days.size(); ++j) {
      const bool all = j == days.size();
      const auto from = static_cast<std::ptrdiff_t>(all ? 0 : j * slots);
      const auto to = static_cast<std::ptrdiff_t>(all ? days.size() * slots : (j + 1) * slots);
      const wfm::Accuracy a = wfm::accuracy(
          std::vector<double>(actual.begin() + from, actual.begin() + to),
          std::vector<double>(f->volume.begin() + from, f->volume.begin() + to), scale);
      const std::string day = all ? "all" : "+" + std::to_string(days[j] - last);
      std::printf("  %-18s %-8s %8.2f %8.2f %7.3f %8.2f\n", all || j == 0 ? label.c_str() : "",
                  day.c_str(), a.mape, a.wmape, a.mase, a.bias);
    }
  }
  std::cout << std::flush;
  return {};
}

// "2024-12-25" (closed) or "2024-12-24=0.6".
Result<wfm::SpecialDay> parse_special_day(const std::string& text) {
  const auto eq = text.find('=');
  auto day = wfm::parse_date(text.substr(0, eq));
  if (!day.ok()) return Status::invalid_argument("--special-day: " + day.status().message());
  wfm::SpecialDay sd{*day, 0.0};
  if (eq != std::string::npos) {
    auto factor = wfm::parse_number(text.substr(eq + 1));
    if (!factor || *factor < 0) {
      return Status::invalid_argument("--special-day " + text +
                                      ": the factor after '=' must be a non-negative number");
    }
    sd.factor = *factor;
  }
  return sd;
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

Status run_forecast(const ForecastParams& p) {
  std::ifstream in(p.history);
  if (!in) return Status::invalid_argument("cannot open history file " + p.history);
  auto history = wfm::read_history_csv(in, p.history);
  if (!history.ok()) return history.status();
  auto method = wfm::parse_method(p.method);
  if (!method.ok()) return method.status();
  wfm::ForecastOptions o;
  o.method = *method;
  o.weekday_mean_weeks = p.weeks;
  o.outlier_z = p.outlier_z;
  for (const auto& text : p.special_days) {
    auto sd = parse_special_day(text);
    if (!sd.ok()) return sd.status();
    o.special_days.push_back(*sd);
  }
  if (p.aht && !history->has_aht()) {
    return Status::invalid_argument("--aht: the history has no aht_s column");
  }
  if (!p.actuals.empty()) {
    if (p.horizon_days < 1 || p.horizon_days > 366) {
      return Status::invalid_argument("horizon must be 1..366 days");
    }
    return evaluate(p, *history, o);
  }
  o.intervals = p.intervals;
  auto f = wfm::forecast(*history, p.horizon_days, o);
  if (!f.ok()) return f.status();
  const std::size_t slots = f->slots.size();
  if (p.csv) {
    std::cout << "start,volume" << (p.aht ? ",aht_s" : "")
              << (p.intervals ? ",lo80,hi80,lo95,hi95" : "") << '\n';
    for (std::size_t d = 0; d < f->days.size(); ++d) {
      for (std::size_t s = 0; s < slots; ++s) {
        const std::size_t i = d * slots + s;
        std::cout << wfm::format_local(f->days[d], f->slots[s]) << ',' << number(f->volume[i]);
        if (p.aht) std::cout << ',' << number(f->aht_s[i]);
        if (p.intervals)
          std::cout << ',' << number(f->lo80[i]) << ',' << number(f->hi80[i]) << ','
                    << number(f->lo95[i]) << ',' << number(f->hi95[i]);
        std::cout << '\n';
      }
    }
    std::cout << std::flush;
    return {};
  }
  std::printf("history     %zu days x %zu intervals of %d min (%s .. %s)\n", history->num_days(),
              history->num_slots(), history->interval_minutes(),
              wfm::format_date(history->days().front()).c_str(),
              wfm::format_date(history->days().back()).c_str());
  std::printf("method      %s%s\n", f->label.c_str(),
              *method == wfm::Method::kAuto ? " (auto)" : "");
  for (const auto& [label, wmape] : f->backtest_wmape) {
    std::printf("  back-test %-18s wMAPE %6.2f %%\n", label.c_str(), wmape);
  }
  if (f->fitted) {
    std::printf("parameters  alpha %.4f  delta %.4f  omega %.4f  phi %.4f\n", f->fitted->alpha,
                f->fitted->delta, f->fitted->omega, f->fitted->phi);
  }
  std::printf("outliers    %d intervals replaced\n", f->outliers_replaced);
  if (p.intervals)
    std::printf("intervals   80 %% and 95 %%, %s (%d errors at one day ahead)\n",
                f->interval_basis.c_str(), f->interval_errors);
  for (std::size_t d = 0; d < f->days.size(); ++d) {
    double total = 0, lo = 0, hi = 0;
    for (std::size_t s = 0; s < slots; ++s) total += f->volume[d * slots + s];
    std::printf("  %s %-9s %10.1f contacts", wfm::format_date(f->days[d]).c_str(),
                wfm::weekday_name(wfm::weekday_of(f->days[d])), total);
    if (p.intervals) {
      // Per-interval bounds do not add up to a daily interval; show the peak interval's.
      std::size_t peak = d * slots;
      for (std::size_t s = 0; s < slots; ++s)
        if (f->volume[d * slots + s] > f->volume[peak]) peak = d * slots + s;
      lo = f->lo80[peak];
      hi = f->hi80[peak];
      std::printf("   peak interval %.1f (80 %%: %.1f .. %.1f)", f->volume[peak], lo, hi);
    }
    std::printf("\n");
  }
  std::cout << "(--csv prints the intervals)" << std::endl;
  return {};
}

}  // namespace

void register_forecast_command(CLI::App& root, int& exit_code) {
  auto p = std::make_shared<ForecastParams>();
  CLI::App* cmd = root.add_subcommand(
      "forecast", "Forecast interval volumes from a start,volume[,aht_s] history CSV");
  cmd->add_option("--history", p->history, "History CSV: start (ISO local date-time), volume")
      ->required();
  cmd->add_option("--horizon-days", p->horizon_days,
                  "Calendar days after the history's last day to forecast")
      ->required();
  cmd->add_option("--method", p->method,
                  "auto, seasonal_naive, weekday_mean, holt_winters or profile")
      ->capture_default_str();
  cmd->add_option("--weeks", p->weeks, "weekday_mean: average the last K same weekdays (0 = all)")
      ->capture_default_str();
  cmd->add_option("--outlier-z", p->outlier_z,
                  "Robust z-score above which an interval is replaced before fitting (0 = off)")
      ->capture_default_str();
  cmd->add_option("--special-day", p->special_days,
                  "DATE[=FACTOR]: a past day to ignore, or a future day whose forecast is scaled "
                  "(no factor = closed)");
  cmd->add_flag("--csv", p->csv, "Print start,volume rows (with a header)");
  cmd->add_flag("--aht", p->aht, "With --csv: add an aht_s column (needs aht_s in the history)");
  cmd->add_flag("--intervals", p->intervals,
                "80 % and 95 % prediction intervals (with --csv: lo80,hi80,lo95,hi95 columns)");
  cmd->add_option("--actuals", p->actuals,
                  "Instead of forecasting: score every method's forecast of the horizon against "
                  "this start,volume CSV of what happened (per day ahead and overall)")
      ->excludes("--csv");
  cmd->callback([p, &exit_code] {
    const Status s = run_forecast(*p);
    if (!s.ok()) {
      std::cerr << "switchboard forecast: " << s.message() << '\n';
      exit_code = s.code() == StatusCode::kInvalidArgument ? 2 : 1;
    }
  });
}

}  // namespace sb::cli
