#pragma once
// Random durations for the simulator: handle times, patience, wrap-up, agent answer delays.
// Every draw comes from an sb::Random so that a seed fixes the whole run.

#include <memory>
#include <string>
#include <vector>

#include "base/random.h"
#include "base/time.h"

namespace sb::sim {

enum class DistKind : std::uint8_t {
  kConstant = 0,
  kExponential,  // mean
  kLognormal,    // mean and standard deviation of the duration itself
  kUniform,      // [min, max]
  kEmpirical,    // one of the given values, each equally likely
  kNever,        // never happens: patience "none"
};

// A non-negative random duration in milliseconds. Cheap to copy; sampling never allocates.
class Distribution {
 public:
  Distribution() = default;  // constant 0

  static Distribution constant(Millis value);
  static Distribution exponential(Millis mean);
  static Distribution lognormal(Millis mean, Millis sd);
  static Distribution uniform(Millis min, Millis max);
  // REQUIRES: !values.empty()
  static Distribution empirical(std::vector<Millis> values);
  static Distribution never();

  // A draw, rounded to the millisecond; kNever for never().
  Millis sample(Random& rng) const;
  // The mean in milliseconds (infinity for never()).
  double mean() const;
  DistKind kind() const { return kind_; }
  // "lognormal(mean 240s, sd 120s)"
  std::string describe() const;

 private:
  DistKind kind_ = DistKind::kConstant;
  double a_ = 0;      // constant value, mean, or min
  double b_ = 0;      // sd or max
  double mu_ = 0;     // lognormal: mean of the underlying normal
  double sigma_ = 0;  // lognormal: its standard deviation
  std::shared_ptr<const std::vector<Millis>> values_;
};

// "90s", "1.5m", "250ms", "2h" — the inverse of the scenario's duration syntax.
std::string format_duration(Millis d);

}  // namespace sb::sim
