#include "metrics/stats.h"

#include <cmath>
#include <numbers>
#include <string>

namespace sb::metrics {
namespace {

// P(|T| <= sqrt(df) tan(theta)) for theta in [0, pi/2]: the finite series of Abramowitz and Stegun
// 26.7.3 (odd df) and 26.7.4 (even df). Exact for every integer df, with no gamma functions. The
// terms shrink geometrically with cos^2(theta), so the loop stops early unless |t| << sqrt(df).
double abs_t_probability(double theta, std::int64_t df) {
  const double s = std::sin(theta);
  const double c = std::cos(theta);
  const double c2 = c * c;
  double sum = 1.0;
  double term = 1.0;
  if (df % 2 == 1) {
    if (df == 1) return 2.0 * theta / std::numbers::pi;
    for (std::int64_t k = 1; k <= (df - 3) / 2; ++k) {
      term *= static_cast<double>(2 * k) / static_cast<double>(2 * k + 1) * c2;
      sum += term;
      if (term < 1e-17 * sum) break;
    }
    return 2.0 / std::numbers::pi * (theta + s * c * sum);
  }
  for (std::int64_t k = 1; k <= (df - 2) / 2; ++k) {
    term *= static_cast<double>(2 * k - 1) / static_cast<double>(2 * k) * c2;
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  return s * sum;
}

// Above this the series costs O(df) per step of the search, and the Cornish-Fisher expansion
// around the normal quantile is already exact to double precision (its error is O(df^-5)).
constexpr std::int64_t kAsymptoticDf = 100000;

double normal_quantile(double p) {
  // Bisection on the complementary error function: slow-ish but exact, and only used for huge df.
  double lo = -40.0;
  double hi = 40.0;
  for (int i = 0; i < 200 && hi - lo > 1e-15; ++i) {
    const double mid = (lo + hi) / 2;
    const double cdf = 0.5 * std::erfc(-mid / std::numbers::sqrt2);
    (cdf < p ? lo : hi) = mid;
  }
  return (lo + hi) / 2;
}

// Abramowitz and Stegun 26.7.5.
double cornish_fisher_t(double z, double df) {
  const double z2 = z * z;
  const double g1 = (z2 + 1) * z / 4;
  const double g2 = ((5 * z2 + 16) * z2 + 3) * z / 96;
  const double g3 = (((3 * z2 + 19) * z2 + 17) * z2 - 15) * z / 384;
  const double g4 = ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945) * z / 92160;
  return z + g1 / df + g2 / (df * df) + g3 / (df * df * df) + g4 / (df * df * df * df);
}

}  // namespace

double student_t_cdf(double t, std::int64_t degrees_of_freedom) {
  if (degrees_of_freedom < 1 || std::isnan(t)) return std::nan("");
  const double theta = std::atan(std::fabs(t) / std::sqrt(static_cast<double>(degrees_of_freedom)));
  const double a = abs_t_probability(theta, degrees_of_freedom);
  return t >= 0 ? 0.5 + 0.5 * a : 0.5 - 0.5 * a;
}

Result<double> student_t_quantile(double p, std::int64_t degrees_of_freedom) {
  if (!(p > 0.0 && p < 1.0)) {
    return Status::invalid_argument("t quantile: p must be in (0, 1), got " + std::to_string(p));
  }
  if (degrees_of_freedom < 1) {
    return Status::invalid_argument("t quantile: degrees of freedom must be >= 1, got " +
                                    std::to_string(degrees_of_freedom));
  }
  if (p == 0.5) return 0.0;
  // Symmetry: solve for the upper tail, where the series is evaluated on P(|T| <= t) = 2p - 1.
  const bool upper = p > 0.5;
  const double target = upper ? 2.0 * p - 1.0 : 1.0 - 2.0 * p;
  double t;
  if (degrees_of_freedom > kAsymptoticDf) {
    t = cornish_fisher_t(normal_quantile(0.5 + target / 2),
                         static_cast<double>(degrees_of_freedom));
  } else {
    // Bisect on theta = atan(t / sqrt(df)) in [0, pi/2): bounded, and the probability is monotone
    // in theta, so no bracket search is needed.
    double lo = 0.0;
    double hi = std::numbers::pi / 2;
    for (int i = 0; i < 200; ++i) {
      const double mid = (lo + hi) / 2;
      if (mid == lo || mid == hi) break;
      (abs_t_probability(mid, degrees_of_freedom) < target ? lo : hi) = mid;
    }
    t = std::sqrt(static_cast<double>(degrees_of_freedom)) * std::tan((lo + hi) / 2);
  }
  return upper ? t : -t;
}

namespace {

Result<ConfidenceInterval> make_interval(std::size_t n, double mean, double variance,
                                         double confidence) {
  if (!(confidence > 0.0 && confidence < 1.0)) {
    return Status::invalid_argument("confidence must be in (0, 1)");
  }
  if (n < 2) {
    return Status::invalid_argument("a confidence interval needs at least two samples, got " +
                                    std::to_string(n));
  }
  Result<double> t = student_t_quantile((1.0 + confidence) / 2.0, static_cast<std::int64_t>(n - 1));
  if (!t.ok()) return t.status();
  ConfidenceInterval ci;
  ci.n = n;
  ci.mean = mean;
  ci.stddev = std::sqrt(variance);
  ci.half_width = *t * ci.stddev / std::sqrt(static_cast<double>(n));
  ci.confidence = confidence;
  return ci;
}

}  // namespace

Result<ConfidenceInterval> mean_confidence_interval(std::span<const double> samples,
                                                    double confidence) {
  RunningStats stats;
  for (double x : samples) stats.add(x);
  return stats.confidence_interval(confidence);
}

void RunningStats::add(double x) {
  if (!std::isfinite(x)) finite_ = false;
  ++n_;
  const double delta = x - mean_;
  mean_ += delta / static_cast<double>(n_);
  m2_ += delta * (x - mean_);
}

double RunningStats::variance() const { return n_ < 2 ? 0.0 : m2_ / static_cast<double>(n_ - 1); }

double RunningStats::stddev() const { return std::sqrt(variance()); }

Result<ConfidenceInterval> RunningStats::confidence_interval(double confidence) const {
  if (!finite_) return Status::invalid_argument("a sample is not a finite number");
  return make_interval(n_, mean_, variance(), confidence);
}

}  // namespace sb::metrics
