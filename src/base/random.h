#pragma once
// Deterministic randomness. Every random choice in Switchboard (simulated arrivals, handle times,
// property tests) comes from a seeded Random, never from a hardware random device or the standard
// distributions, whose output differs between standard-library implementations.

#include <cstdint>

namespace sb {

// xoshiro256** seeded through splitmix64: fast, 2^256 period, identical on every platform.
class Random {
 public:
  explicit Random(std::uint64_t seed = 1);

  std::uint64_t next_u64();
  // Uniform in [0, 1) with 53 bits of precision.
  double uniform();
  // Uniform integer in [0, n). REQUIRES: n > 0.
  std::uint64_t below(std::uint64_t n);
  // Exponential with the given mean. REQUIRES: mean >= 0.
  double exponential(double mean);
  // Standard normal via the polar Box-Muller method.
  double normal();
  // Lognormal parameterised by its own mean and standard deviation (not those of the log).
  double lognormal_mean_sd(double mean, double sd);

  // Derives an independent stream (for replications, per-entity streams).
  Random fork(std::uint64_t stream);

 private:
  std::uint64_t s_[4];
  double spare_normal_ = 0;
  bool has_spare_ = false;
};

}  // namespace sb
