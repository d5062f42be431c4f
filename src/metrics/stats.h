#pragma once
// Statistics over independent replications: a KPI measured in n simulation runs is reported as
// mean ± half-width of its confidence interval, mean ± t_{(1+c)/2, n-1} · s / √n, where s is the
// sample standard deviation (divisor n - 1) and t the Student t quantile with n - 1 degrees of
// freedom. The t quantile is computed, not looked up, so every n and confidence level is exact
// (t_{0.975,4} = 2.7764, t_{0.975,9} = 2.2622, ...).

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/status.h"

namespace sb::metrics {

// P(T <= t) for Student's t with `degrees_of_freedom` >= 1 (exact finite series, Abramowitz and
// Stegun 26.7.3-4).
double student_t_cdf(double t, std::int64_t degrees_of_freedom);

// The p-quantile of Student's t: the t with P(T <= t) = p. InvalidArgument unless 0 < p < 1 and
// degrees_of_freedom >= 1. Accurate to about 1e-12 relative.
Result<double> student_t_quantile(double p, std::int64_t degrees_of_freedom);

struct ConfidenceInterval {
  std::size_t n = 0;
  double mean = 0;
  double stddev = 0;      // sample standard deviation (divisor n - 1)
  double half_width = 0;  // t_{(1+confidence)/2, n-1} · stddev / √n
  double confidence = 0.95;
  double lower() const { return mean - half_width; }
  double upper() const { return mean + half_width; }
};

// The two-sided confidence interval for the mean of `samples`. InvalidArgument with fewer than two
// samples, a non-finite sample, or a confidence outside (0, 1).
Result<ConfidenceInterval> mean_confidence_interval(std::span<const double> samples,
                                                    double confidence = 0.95);

// Incremental mean and variance (Welford's method, numerically stable), for collecting one KPI
// across replications without keeping the samples.
class RunningStats {
 public:
  void add(double x);
  std::size_t count() const { return n_; }
  double mean() const { return mean_; }
  // Sample variance (divisor n - 1); 0 with fewer than two samples.
  double variance() const;
  double stddev() const;
  // As mean_confidence_interval() over the samples added so far.
  Result<ConfidenceInterval> confidence_interval(double confidence = 0.95) const;

 private:
  std::size_t n_ = 0;
  double mean_ = 0;
  double m2_ = 0;
  bool finite_ = true;
};

}  // namespace sb::metrics
