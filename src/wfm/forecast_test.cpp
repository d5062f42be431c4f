#include "wfm/forecast.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "base/random.h"
#include "wfm/series.h"

namespace sb::wfm {
namespace {

// Weekdays (Mon-Fri) from Monday 2024-01-01 for `weeks` weeks; 08:00-11:45 in 15-minute
// intervals. Volume = level(day) x weekday factor x intraday shape + noise.
struct Synthetic {
  int weeks = 6;
  double trend_per_day = 0;
  double noise = 0;  // uniform +- noise, deterministic
};

double shape(int slot) { return 10 + 5 * std::sin(slot * 0.4) + slot; }
double weekday_factor(int wd) { return 1.0 + 0.1 * wd; }

IntervalSeries make_series(const Synthetic& spec, std::vector<double>* future = nullptr,
                           int future_days = 0) {
  const Date monday = *parse_date("2024-01-01");
  std::vector<Date> days;
  std::vector<int> slots;
  for (int m = 8 * 60; m < 12 * 60; m += 15) slots.push_back(m);
  std::vector<double> volume;
  std::uint64_t state = 12345;
  auto next_noise = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (static_cast<double>(state >> 11) / 9007199254740992.0 * 2 - 1) * spec.noise;
  };
  int day_index = 0;
  for (Date d = monday; days.size() < static_cast<std::size_t>(spec.weeks * 5) + future_days; ++d) {
    if (weekday_of(d) >= 5) continue;
    const double level = 1 + spec.trend_per_day * day_index++;
    std::vector<double>& out =
        days.size() < static_cast<std::size_t>(spec.weeks * 5) ? volume : *future;
    for (std::size_t s = 0; s < slots.size(); ++s) {
      out.push_back(level * weekday_factor(weekday_of(d)) * shape(static_cast<int>(s)) +
                    next_noise());
    }
    days.push_back(d);
  }
  days.resize(static_cast<std::size_t>(spec.weeks * 5));
  return *IntervalSeries::from_grid(15, days, slots, volume);
}

ForecastOptions with(Method m, int weeks = 4) {
  ForecastOptions o;
  o.method = m;
  o.weekday_mean_weeks = weeks;
  return o;
}

TEST(SeriesTest, ParsesAndInfersTheInterval) {
  std::istringstream in(
      "start,volume,aht_s\n"
      "2024-01-02T09:00,5,200\n"
      "2024-01-02T09:30,7,210\n"
      "2024-01-02 10:00:00,9,\n"  // space separator, seconds, AHT missing
      "2024-01-01T09:00,4,190\n"  // out of order
      "2024-01-01T09:30,6,180\n");
  auto s = read_history_csv(in, "h.csv");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->interval_minutes(), 30);
  ASSERT_EQ(s->num_days(), 2u);
  EXPECT_EQ(format_date(s->days()[0]), "2024-01-01");
  EXPECT_EQ(s->slots(), (std::vector<int>{540, 570, 600}));
  EXPECT_EQ(s->volume(0, 2), 0);  // an interval missing from a present day is zero contacts
  EXPECT_EQ(s->volume(1, 2), 9);
  EXPECT_EQ(s->aht_s(1, 1), 210);
  EXPECT_TRUE(std::isnan(s->aht_s(1, 2)));
  EXPECT_EQ(weekday_of(s->days()[0]), 0);  // 2024-01-01 was a Monday
}

Status read_error(const std::string& text) {
  std::istringstream in(text);
  auto s = read_history_csv(in, "h.csv");
  return s.ok() ? Status{} : s.status();
}

TEST(SeriesTest, BadInputIsAClearError) {
  EXPECT_EQ(read_error("").message(), "h.csv: empty history file");
  EXPECT_EQ(read_error("start,volume\n").message(), "h.csv: empty history: no interval rows");
  EXPECT_EQ(read_error("when,volume\n2024-01-01T09:00,1\n").message(),
            "h.csv:1: the header must name the columns 'start' and 'volume'");
  EXPECT_EQ(read_error("start,volume\n2024-01-01T09:00,1\n2024-01-01T09:15,-3\n").message(),
            "h.csv:3: volume: negative volume -3");
  EXPECT_EQ(read_error("start,volume\n2024-01-01T09:00,abc\n").message(),
            "h.csv:2: volume: expected a number, got 'abc'");
  EXPECT_EQ(read_error("start,volume\n2024-02-30T09:00,1\n").message(),
            "h.csv:2: start: no such date '2024-02-30'");
  EXPECT_EQ(read_error("start,volume\n2024-01-01T09:00,1\n2024-01-01T09:00,2\n").message(),
            "h.csv:3: duplicate interval 2024-01-01T09:00 (also at h.csv:2)");
  EXPECT_EQ(read_error("start,volume\n2024-01-01T09:00,1\n2024-01-01T09:15,1\n"
                       "2024-01-01T09:30,1\n2024-01-01T09:37,1\n")
                .message(),
            "h.csv:5: irregular timestamp 2024-01-01T09:37 is not on the 15-minute grid of the "
            "history");
  EXPECT_EQ(read_error("start,volume\n2024-01-01T09:00:30,1\n").message(),
            "h.csv:2: start: interval starts must be on whole minutes, got '2024-01-01T09:00:30'");
}

TEST(ForecastTest, HorizonSkipsWeekdaysTheHistoryNeverHas) {
  const IntervalSeries h = make_series({.weeks = 3});
  // History ends on Friday 2024-01-19; 7 calendar days ahead hold 5 weekdays.
  auto f = forecast(h, 7, with(Method::kSeasonalNaive));
  ASSERT_TRUE(f.ok()) << f.status().message();
  ASSERT_EQ(f->days.size(), 5u);
  EXPECT_EQ(format_date(f->days.front()), "2024-01-22");
  EXPECT_EQ(format_date(f->days.back()), "2024-01-26");
  EXPECT_EQ(f->slots, h.slots());
  EXPECT_EQ(f->volume.size(), 5 * h.num_slots());
  EXPECT_FALSE(forecast(h, 0).ok());
}

// A noiseless weekly pattern: every method must reproduce it.
TEST(ForecastTest, ExactPatternIsForecastExactly) {
  std::vector<double> future;
  const IntervalSeries h = make_series({.weeks = 6}, &future, 5);
  for (Method m : {Method::kSeasonalNaive, Method::kWeekdayMean, Method::kProfile,
                   Method::kHoltWinters, Method::kAuto}) {
    auto f = forecast(h, 7, with(m));
    ASSERT_TRUE(f.ok()) << method_name(m) << ": " << f.status().message();
    ASSERT_EQ(f->volume.size(), future.size());
    const Accuracy a = accuracy(future, f->volume, naive_scale(h));
    EXPECT_LT(a.wmape, 0.5) << method_name(m);
    EXPECT_EQ(f->outliers_replaced, 0) << method_name(m);
  }
}

// With a trend across weeks, means of past weeks lag; Holt-Winters' level follows it and the
// back-test must notice and prefer it.
TEST(ForecastTest, AutoPrefersTheMethodThatTracksATrend) {
  std::vector<double> future;
  const IntervalSeries h = make_series({.weeks = 8, .trend_per_day = 0.02}, &future, 5);
  auto naive = forecast(h, 7, with(Method::kWeekdayMean, 0));
  auto hw = forecast(h, 7, with(Method::kHoltWinters));
  auto best = forecast(h, 7, with(Method::kAuto));
  ASSERT_TRUE(naive.ok() && hw.ok() && best.ok());
  const double scale = naive_scale(h);
  EXPECT_LT(accuracy(future, hw->volume, scale).wmape,
            accuracy(future, naive->volume, scale).wmape / 2);
  EXPECT_NE(best->method, Method::kWeekdayMean) << best->label;
  EXPECT_NE(best->method, Method::kSeasonalNaive) << best->label;
  EXPECT_EQ(best->backtest_wmape.size(), 5u);
  ASSERT_TRUE(hw->fitted.has_value());
  EXPECT_GT(hw->fitted->alpha, 0.0);
}

// Stationary noisy data: averaging all weeks beats last week's value; auto must see that.
TEST(ForecastTest, AutoPrefersAveragingOnStationaryNoise) {
  std::vector<double> future;
  const IntervalSeries h = make_series({.weeks = 10, .noise = 4}, &future, 5);
  auto best = forecast(h, 7, with(Method::kAuto));
  auto naive = forecast(h, 7, with(Method::kSeasonalNaive));
  ASSERT_TRUE(best.ok() && naive.ok());
  EXPECT_NE(best->method, Method::kSeasonalNaive);
  const double scale = naive_scale(h);
  EXPECT_LT(accuracy(future, best->volume, scale).mase,
            accuracy(future, naive->volume, scale).mase);
}

TEST(ForecastTest, OutliersAndSpecialDaysAreReplacedByTheTypicalDay) {
  const IntervalSeries base = make_series({.weeks = 4, .noise = 1});
  std::vector<double> v = base.volume();
  const std::size_t slots = base.num_slots();
  v[7 * slots + 3] *= 40;                                         // an outage's flood of retries
  for (std::size_t s = 0; s < slots; ++s) v[12 * slots + s] = 0;  // a holiday closure
  const IntervalSeries h = *IntervalSeries::from_grid(15, base.days(), base.slots(), v);
  ForecastOptions o = with(Method::kSeasonalNaive);
  o.special_days.push_back({h.days()[12], 1.0});
  int replaced = 0;
  const IntervalSeries clean = clean_history(h, o, &replaced);
  EXPECT_EQ(replaced, 1);
  EXPECT_NEAR(clean.volume(7, 3), base.volume(7, 3), 3.0);
  for (std::size_t s = 0; s < slots; ++s) EXPECT_NEAR(clean.volume(12, s), base.volume(12, s), 3.0);
  // Ordinary intervals are untouched.
  EXPECT_EQ(clean.volume(8, 3), h.volume(8, 3));

  // A future special day scales its forecast.
  ForecastOptions closed = with(Method::kWeekdayMean);
  closed.special_days.push_back({*parse_date("2024-01-31"), 0.0});
  auto f = forecast(h, 7, closed);
  ASSERT_TRUE(f.ok());
  ASSERT_EQ(format_date(f->days[2]), "2024-01-31");
  for (std::size_t s = 0; s < slots; ++s) EXPECT_EQ(f->volume[2 * slots + s], 0.0);
  EXPECT_GT(f->volume[3 * slots], 0.0);
}

TEST(ForecastTest, AhtIsForecastWhenTheHistoryHasIt) {
  const IntervalSeries base = make_series({.weeks = 2});
  std::vector<double> aht(base.volume().size(), 240.0);
  const IntervalSeries h =
      *IntervalSeries::from_grid(15, base.days(), base.slots(), base.volume(), aht);
  auto f = forecast(h, 3, with(Method::kWeekdayMean));
  ASSERT_TRUE(f.ok());
  ASSERT_EQ(f->aht_s.size(), f->volume.size());
  for (double a : f->aht_s) EXPECT_DOUBLE_EQ(a, 240.0);
}

TEST(ForecastTest, ShortHistoryStillForecastsButHoltWintersSaysWhy) {
  const IntervalSeries h = make_series({.weeks = 1}).head(3);
  auto hw = forecast(h, 1, with(Method::kHoltWinters));
  ASSERT_FALSE(hw.ok());
  EXPECT_EQ(hw.status().message(), "holt_winters needs at least 7 days of history (has 3)");
  auto f = forecast(h, 7, with(Method::kAuto));
  ASSERT_TRUE(f.ok()) << f.status().message();
  EXPECT_EQ(f->days.size(), 3u);  // only Mon-Wed are in the history
}

TEST(AccuracyTest, HandComputedMeasures) {
  // errors +1, -2, 0, +3 on actuals 10, 20, 0, 30
  const Accuracy a = accuracy({10, 20, 0, 30}, {11, 18, 0, 33}, 2.0);
  EXPECT_EQ(a.points, 4);
  EXPECT_NEAR(a.mae, 1.5, 1e-12);
  EXPECT_NEAR(a.mape, 100 * (0.1 + 0.1 + 0.1) / 3, 1e-12);  // the zero actual is skipped
  EXPECT_NEAR(a.wmape, 100 * 6.0 / 60.0, 1e-12);
  EXPECT_NEAR(a.bias, 100 * 2.0 / 60.0, 1e-12);
  EXPECT_NEAR(a.mase, 0.75, 1e-12);
}

TEST(MethodTest, NamesRoundTrip) {
  for (Method m : {Method::kAuto, Method::kSeasonalNaive, Method::kWeekdayMean,
                   Method::kHoltWinters, Method::kProfile}) {
    EXPECT_EQ(*parse_method(method_name(m)), m);
  }
  EXPECT_FALSE(parse_method("arima").ok());
}

// Poisson counts around a fixed weekday x intraday pattern: the intervals must cover held-out
// days at about their nominal rates (80 %, 95 %), and bracket the forecast in order.
TEST(ForecastIntervalsTest, CoverHeldOutPoissonCountsAtTheirNominalRates) {
  const Date monday = *parse_date("2024-01-01");
  std::vector<int> slots;
  for (int m = 8 * 60; m < 12 * 60; m += 15) slots.push_back(m);
  Random rng(42);
  auto poisson = [&](double mean) {  // Knuth: fine for these small means
    const double limit = std::exp(-mean);
    double p = 1;
    int k = -1;
    do {
      ++k;
      p *= rng.uniform();
    } while (p > limit);
    return static_cast<double>(k);
  };
  constexpr int kTrainDays = 150, kTestDays = 20;
  std::vector<Date> days;
  std::vector<double> train, test;
  for (Date d = monday; days.size() < kTrainDays + kTestDays; ++d) {
    if (weekday_of(d) >= 5) continue;
    auto& out = days.size() < kTrainDays ? train : test;
    for (std::size_t s = 0; s < slots.size(); ++s)
      out.push_back(poisson(weekday_factor(weekday_of(d)) * shape(static_cast<int>(s))));
    days.push_back(d);
  }
  days.resize(kTrainDays);
  auto history = IntervalSeries::from_grid(15, days, slots, train);
  ASSERT_TRUE(history.ok());
  ForecastOptions o = with(Method::kWeekdayMean, 0);
  o.intervals = true;
  auto f = forecast(*history, 28, o);
  ASSERT_TRUE(f.ok()) << f.status().to_string();
  ASSERT_EQ(f->volume.size(), test.size());
  EXPECT_EQ(f->interval_basis, "backtest");
  EXPECT_GE(f->interval_errors, 20 * static_cast<int>(slots.size()));
  int in80 = 0, in95 = 0;
  for (std::size_t i = 0; i < test.size(); ++i) {
    EXPECT_LE(f->lo95[i], f->lo80[i]);
    EXPECT_LE(f->lo80[i], f->volume[i]);
    EXPECT_LE(f->volume[i], f->hi80[i]);
    EXPECT_LE(f->hi80[i], f->hi95[i]);
    in80 += test[i] >= f->lo80[i] && test[i] <= f->hi80[i];
    in95 += test[i] >= f->lo95[i] && test[i] <= f->hi95[i];
  }
  const double n = static_cast<double>(test.size());  // 320 points: +-4.5 points is 2 sigma
  EXPECT_NEAR(in80 / n, 0.80, 0.06) << in80 << " of " << n;
  EXPECT_NEAR(in95 / n, 0.95, 0.035) << in95 << " of " << n;

  // Off by default: the forecast alone stays as cheap as before.
  auto plain = forecast(*history, 28, with(Method::kWeekdayMean, 0));
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(plain->lo80.empty());
  EXPECT_EQ(plain->volume, f->volume);
}

// Too short to back-test: counting noise only, and said so.
TEST(ForecastIntervalsTest, ShortHistoryFallsBackToPoissonNoise) {
  auto history = make_series({.weeks = 2, .trend_per_day = 0, .noise = 1});
  ForecastOptions o = with(Method::kSeasonalNaive);
  o.intervals = true;
  auto f = forecast(history, 3, o);
  ASSERT_TRUE(f.ok()) << f.status().to_string();
  EXPECT_EQ(f->interval_basis, "poisson");
  const double v = f->volume[0];
  EXPECT_NEAR(f->hi95[0], v + 1.959964 * std::sqrt(std::max(v, 1.0)), 1e-6);
  EXPECT_NEAR(f->lo80[0], std::max(0.0, v - 1.281552 * std::sqrt(std::max(v, 1.0))), 1e-6);
}

}  // namespace
}  // namespace sb::wfm
