#include "sim/distribution.h"

#include <cmath>
#include <limits>
#include <numeric>

namespace sb::sim {

Distribution Distribution::constant(Millis value) {
  Distribution d;
  d.kind_ = DistKind::kConstant;
  d.a_ = static_cast<double>(value);
  return d;
}

Distribution Distribution::exponential(Millis mean) {
  Distribution d;
  d.kind_ = DistKind::kExponential;
  d.a_ = static_cast<double>(mean);
  return d;
}

Distribution Distribution::lognormal(Millis mean, Millis sd) {
  // A lognormal without spread is a constant; Random::lognormal_mean_sd needs mean > 0.
  if (sd == 0 || mean == 0) return constant(mean);
  Distribution d;
  d.kind_ = DistKind::kLognormal;
  d.a_ = static_cast<double>(mean);
  d.b_ = static_cast<double>(sd);
  // The parameters of the underlying normal, computed once instead of on every draw, exactly as
  // Random::lognormal_mean_sd computes them (so a draw is bit-for-bit the same).
  const double variance_ratio = (d.b_ * d.b_) / (d.a_ * d.a_);
  const double sigma2 = std::log1p(variance_ratio);
  d.mu_ = std::log(d.a_) - sigma2 / 2.0;
  d.sigma_ = std::sqrt(sigma2);
  return d;
}

Distribution Distribution::uniform(Millis min, Millis max) {
  Distribution d;
  d.kind_ = DistKind::kUniform;
  d.a_ = static_cast<double>(min);
  d.b_ = static_cast<double>(max);
  return d;
}

Distribution Distribution::empirical(std::vector<Millis> values) {
  Distribution d;
  d.kind_ = DistKind::kEmpirical;
  d.a_ = values.empty() ? 0.0
                        : static_cast<double>(std::accumulate(values.begin(), values.end(),
                                                              static_cast<Millis>(0))) /
                              static_cast<double>(values.size());
  d.values_ = std::make_shared<const std::vector<Millis>>(std::move(values));
  return d;
}

Distribution Distribution::never() {
  Distribution d;
  d.kind_ = DistKind::kNever;
  return d;
}

Millis Distribution::sample(Random& rng) const {
  switch (kind_) {
    case DistKind::kConstant:
      return static_cast<Millis>(a_);
    case DistKind::kExponential:
      return std::llround(rng.exponential(a_));
    case DistKind::kLognormal:
      return std::llround(std::exp(mu_ + sigma_ * rng.normal()));
    case DistKind::kUniform:
      return std::llround(a_ + (b_ - a_) * rng.uniform());
    case DistKind::kEmpirical:
      return (*values_)[rng.below(values_->size())];
    case DistKind::kNever:
      return kNever;
  }
  return 0;
}

double Distribution::mean() const {
  switch (kind_) {
    case DistKind::kUniform:
      return (a_ + b_) / 2.0;
    case DistKind::kNever:
      return std::numeric_limits<double>::infinity();
    default:
      return a_;
  }
}

std::string format_duration(Millis d) {
  auto trim = [](double v) {
    std::string s = std::to_string(v);
    s.erase(s.find_last_not_of('0') + 1);
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
  };
  if (d == kNever) return "never";
  if (d % kMillisPerSecond != 0) return std::to_string(d) + "ms";
  if (d >= kMillisPerDay && d % kMillisPerDay == 0) return std::to_string(d / kMillisPerDay) + "d";
  if (d >= kMillisPerHour && d % (kMillisPerMinute * 6) == 0)
    return trim(static_cast<double>(d) / kMillisPerHour) + "h";
  if (d >= kMillisPerMinute && d % (kMillisPerSecond * 6) == 0)
    return trim(static_cast<double>(d) / kMillisPerMinute) + "m";
  return std::to_string(d / kMillisPerSecond) + "s";
}

std::string Distribution::describe() const {
  const auto ms = [](double v) { return format_duration(std::llround(v)); };
  switch (kind_) {
    case DistKind::kConstant:
      return ms(a_);
    case DistKind::kExponential:
      return "exponential(mean " + ms(a_) + ")";
    case DistKind::kLognormal:
      return "lognormal(mean " + ms(a_) + ", sd " + ms(b_) + ")";
    case DistKind::kUniform:
      return "uniform(" + ms(a_) + ".." + ms(b_) + ")";
    case DistKind::kEmpirical:
      return "empirical(" + std::to_string(values_->size()) + " values, mean " + ms(a_) + ")";
    case DistKind::kNever:
      return "none";
  }
  return "?";
}

}  // namespace sb::sim
