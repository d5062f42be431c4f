#!/usr/bin/env Rscript
# Optional comparison (not part of CI): R's forecast package on the split of
# bench/forecast_bench.cpp and docs/forecasting.md, on ../shared/data/fpp2_calls_5min.csv.
#   week ahead: train on the first 154 days, forecast the next 5 (845 intervals)
#   day ahead:  for each of the last 10 days, train on every earlier day, forecast that day
# The series is taken as R's fpp2 `calls` is: consecutive weekdays (holidays absent) with
# frequency 169 (a day) and, for the weekly methods, 845 (five days).
# Usage: Rscript scripts/compare-r-forecast.R [path/to/fpp2_calls_5min.csv]
suppressMessages(library(forecast))
args <- commandArgs(trailingOnly = TRUE)
path <- if (length(args) > 0) args[1] else "../shared/data/fpp2_calls_5min.csv"
d <- read.csv(path)
y <- d$calls
per_day <- 169
n_days <- length(y) / per_day
train_days <- n_days - 10
mape <- function(a, f) 100 * mean(abs(f - a)[a > 0] / a[a > 0])
wmape <- function(a, f) 100 * sum(abs(f - a)) / sum(a)
# Weekday-aligned means of past same weekdays (uses the weekday column, so holidays do not
# shift the alignment).
weekday_mean <- function(hist_days, target_day, k) {
  wd <- d$weekday[(target_day - 1) * per_day + 1]
  same <- hist_days[d$weekday[(hist_days - 1) * per_day + 1] == wd]
  if (k > 0) same <- tail(same, k)
  rowMeans(sapply(same, function(i) y[((i - 1) * per_day + 1):(i * per_day)]))
}
methods <- list(
  snaive = function(h_y, h) snaive(ts(h_y, frequency = 5 * per_day), h = h)$mean,
  stlf = function(h_y, h) stlf(ts(h_y, frequency = 5 * per_day), h = h)$mean,
  stlf_daily = function(h_y, h) stlf(ts(h_y, frequency = per_day), h = h)$mean,
  mstl_ets = function(h_y, h) {
    forecast(mstl(msts(h_y, seasonal.periods = c(per_day, 5 * per_day))), h = h,
             method = "ets")$mean
  }
)
report <- function(name, a, f, secs) {
  cat(sprintf("  %-20s MAPE %6.2f %%  wMAPE %6.2f %%  fit %7.2f s\n", name, mape(a, f),
              wmape(a, f), secs))
}
cat(sprintf("R %s, forecast %s\n", getRversion(), packageVersion("forecast")))
cat(sprintf("week ahead: train %d days, forecast 845 intervals\n", train_days))
a <- y[(train_days * per_day + 1):((train_days + 5) * per_day)]
h_y <- y[1:(train_days * per_day)]
for (name in names(methods)) {
  t <- system.time(f <- methods[[name]](h_y, 5 * per_day))[["elapsed"]]
  report(name, a, as.numeric(f), t)
}
for (k in c(4, 0)) {
  f <- unlist(lapply(train_days + 1:5, function(t) weekday_mean(1:train_days, t, k)))
  report(sprintf("weekday_mean(%s)", if (k == 0) "all" else k), a, f, 0)
}
cat("day ahead: 10 rolling origins\n")
for (name in c(names(methods), "weekday_mean(4)", "weekday_mean(all)")) {
  fa <- c(); aa <- c(); secs <- 0
  for (origin in train_days:(n_days - 1)) {
    h_y <- y[1:(origin * per_day)]
    if (startsWith(name, "weekday_mean")) {
      k <- if (name == "weekday_mean(4)") 4 else 0
      f <- weekday_mean(1:origin, origin + 1, k)
    } else {
      secs <- secs + system.time(f <- methods[[name]](h_y, per_day))[["elapsed"]]
    }
    fa <- c(fa, as.numeric(f)); aa <- c(aa, y[(origin * per_day + 1):((origin + 1) * per_day)])
  }
  report(name, aa, fa, secs / 10)
}
