#include "metrics/histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "base/random.h"

namespace sb::metrics {
namespace {

// R type 7 / NumPy default, on exact values. Both helpers take `v` sorted.
double exact_percentile(const std::vector<Millis>& v, double q) {
  const double h = static_cast<double>(v.size() - 1) * q;
  const auto k = static_cast<std::size_t>(std::floor(h));
  const double frac = h - static_cast<double>(k);
  if (k + 1 >= v.size()) return static_cast<double>(v[k]);
  return static_cast<double>(v[k]) + frac * static_cast<double>(v[k + 1] - v[k]);
}

// The bound of histogram.h: below max(100 ms, 2.19 %) of the upper neighbouring order statistic.
double bound_for(const std::vector<Millis>& v, double q) {
  const auto k = static_cast<std::size_t>(std::ceil(static_cast<double>(v.size() - 1) * q));
  return Histogram::error_bound(static_cast<double>(v[k]));
}

TEST(Histogram, BucketLayout) {
  EXPECT_EQ(Histogram::kBucketCount, 6000 + 32 * 24);
  EXPECT_EQ(Histogram::bucket_of(0), 0);
  EXPECT_EQ(Histogram::bucket_of(99), 0);
  EXPECT_EQ(Histogram::bucket_of(100), 1);
  EXPECT_EQ(Histogram::bucket_of(599'999), 5999);
  EXPECT_EQ(Histogram::bucket_of(600'000), 6000);
  EXPECT_EQ(Histogram::bucket_lower(6000), 600'000);
  // 600 s * 2^(1/32) = 613.138 s.
  EXPECT_EQ(Histogram::bucket_lower(6001), 613'138);
  EXPECT_EQ(Histogram::bucket_of(613'137), 6000);
  EXPECT_EQ(Histogram::bucket_of(613'138), 6001);
  // 32 buckets per doubling: 20 minutes starts bucket 6032.
  EXPECT_EQ(Histogram::bucket_lower(6032), 1'200'000);
  EXPECT_EQ(Histogram::bucket_of(kNever), Histogram::kBucketCount - 1);
  EXPECT_EQ(Histogram::bucket_upper(Histogram::kBucketCount - 1), kNever);
  EXPECT_EQ(Histogram::bucket_of(-5), 0);
  for (int b = 6000; b + 1 < Histogram::kBucketCount; ++b) {
    const double width =
        static_cast<double>(Histogram::bucket_upper(b) - Histogram::bucket_lower(b));
    ASSERT_LE(width / static_cast<double>(Histogram::bucket_lower(b)), Histogram::kMaxRelativeError)
        << b;
  }
}

TEST(Histogram, EmptyAndSingleValues) {
  Histogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.percentile(0.9), 0.0);
  h.add(12'345);
  EXPECT_EQ(h.percentile(0.0), 12'345.0);
  EXPECT_EQ(h.percentile(0.5), 12'345.0);
  EXPECT_EQ(h.percentile(1.0), 12'345.0);
  EXPECT_EQ(h.min(), 12'345);
  EXPECT_EQ(h.max(), 12'345);
}

TEST(Histogram, AllZeroWaitsAreExact) {
  Histogram h;
  for (int i = 0; i < 1000; ++i) h.add(0);
  EXPECT_EQ(h.percentile(0.5), 0.0);
  EXPECT_EQ(h.percentile(0.95), 0.0);
  EXPECT_EQ(h.mean(), 0.0);
}

TEST(Histogram, SmallCaseWithinBucketBound) {
  // 0, 0, 0, 1000, 2000: exact p50 = 0, p90 = 1000 + 0.6 * 1000 = 1600 (type 7).
  Histogram h;
  for (Millis v : {0, 0, 0, 1000, 2000}) h.add(v);
  // The three zeros are spread over [0, 99] (the first is the exact minimum); 1000 is a lone value
  // estimated at its bucket middle, 1049.5; 2000 is the exact maximum.
  EXPECT_EQ(h.percentile(0.0), 0.0);
  EXPECT_DOUBLE_EQ(h.percentile(0.5), 99.0);
  EXPECT_DOUBLE_EQ(h.percentile(0.9), 1049.5 + 0.6 * (2000 - 1049.5));
  EXPECT_LT(std::fabs(h.percentile(0.5) - 0.0), 100.0);
  EXPECT_LT(std::fabs(h.percentile(0.9) - 1600.0), 100.0);
  EXPECT_EQ(h.percentile(1.0), 2000.0);
  EXPECT_EQ(h.sum(), 3000);
  EXPECT_DOUBLE_EQ(h.mean(), 600.0);
  const auto buckets = h.buckets();
  ASSERT_EQ(buckets.size(), 3u);
  EXPECT_EQ(buckets[0].lower, 0);
  EXPECT_EQ(buckets[0].upper, 100);
  EXPECT_EQ(buckets[0].count, 3u);
  EXPECT_EQ(buckets[1].lower, 1000);
  EXPECT_EQ(buckets[2].count, 1u);
}

TEST(Histogram, PercentilesOfExponentialWaitsWithinBound) {
  Random rng(42);
  std::vector<Millis> values;
  Histogram h;
  for (int i = 0; i < 200'000; ++i) {
    const Millis v = static_cast<Millis>(rng.exponential(30'000.0));
    values.push_back(v);
    h.add(v);
  }
  std::sort(values.begin(), values.end());
  for (double q : {0.01, 0.10, 0.25, 0.50, 0.80, 0.90, 0.95, 0.99, 0.999}) {
    const double exact = exact_percentile(values, q);
    EXPECT_NEAR(h.percentile(q), exact, bound_for(values, q)) << "q=" << q;
    if (q <= 0.95) {
      // Where buckets hold many values the estimate is far tighter than the bound.
      EXPECT_NEAR(h.percentile(q), exact, 10.0) << "q=" << q;
    }
  }
  EXPECT_EQ(h.max(), values.back());
  EXPECT_EQ(h.percentile(1.0), static_cast<double>(h.max()));
}

TEST(Histogram, LongWaitsBeyondTenMinutesWithinRelativeBound) {
  // Lognormal waits with a heavy tail, many of them hours long.
  Random rng(7);
  std::vector<Millis> values;
  Histogram h;
  for (int i = 0; i < 5'000; ++i) {
    const Millis v = static_cast<Millis>(rng.lognormal_mean_sd(900'000.0, 1'500'000.0));
    values.push_back(v);
    h.add(v);
  }
  std::sort(values.begin(), values.end());
  for (double q : {0.5, 0.9, 0.95, 0.99}) {
    const double exact = exact_percentile(values, q);
    ASSERT_GT(exact, 0.0);
    EXPECT_NEAR(h.percentile(q), exact, bound_for(values, q)) << "q=" << q;
    if (exact > 700'000) {
      EXPECT_LT(std::fabs(h.percentile(q) - exact) / exact, 0.0219);
    }
  }
}

TEST(Histogram, SparseSamplesStayWithinBucketBound) {
  // Few samples, so interpolation inside buckets matters: the error stays below one bucket.
  Random rng(3);
  for (int trial = 0; trial < 50; ++trial) {
    std::vector<Millis> values;
    Histogram h;
    const int n = 2 + static_cast<int>(rng.below(40));
    for (int i = 0; i < n; ++i) {
      const Millis v = static_cast<Millis>(rng.below(3'000'000));
      values.push_back(v);
      h.add(v);
    }
    std::sort(values.begin(), values.end());
    for (double q : {0.5, 0.9, 0.95}) {
      EXPECT_LT(std::fabs(h.percentile(q) - exact_percentile(values, q)), bound_for(values, q))
          << "trial " << trial << " q=" << q;
    }
  }
}

TEST(Histogram, AddToEncodedEqualsEncodingTheMerge) {
  Random rng(17);
  for (int round = 0; round < 200; ++round) {
    Histogram stored, delta;
    const int n_stored = round % 7 == 0 ? 0 : static_cast<int>(rng.below(300));
    const int n_delta = round % 5 == 0 ? 0 : static_cast<int>(rng.below(50));
    const Millis scale = round % 3 == 0 ? 100'000'000 : 400'000;
    for (int i = 0; i < n_stored; ++i) stored.add(static_cast<Millis>(rng.below(scale)));
    for (int i = 0; i < n_delta; ++i) delta.add(static_cast<Millis>(rng.below(scale)));
    std::string stored_blob, expected, got;
    stored.encode(stored_blob);
    Histogram merged = stored;
    merged.merge(delta);
    merged.encode(expected);
    ASSERT_TRUE(delta.add_to_encoded(stored_blob, got).ok());
    EXPECT_EQ(got, expected) << "round " << round;
    std::string from_nothing;
    ASSERT_TRUE(delta.add_to_encoded("", from_nothing).ok());
    std::string delta_blob;
    delta.encode(delta_blob);
    EXPECT_EQ(from_nothing, delta_blob);
  }
  Histogram one;
  one.add(5);
  std::string out;
  EXPECT_EQ(one.add_to_encoded(std::string("\x05\x02", 2), out).code(), StatusCode::kCorruption);
  EXPECT_EQ(one.add_to_encoded(std::string("\x01\x02\x02\x02\x01\x02", 6), out).code(),
            StatusCode::kCorruption);  // a bucket count of 2 in a histogram of 1
}

TEST(Histogram, MergeEqualsAddingEverything) {
  Random rng(11);
  Histogram a, b, all;
  for (int i = 0; i < 10'000; ++i) {
    const Millis v = static_cast<Millis>(rng.exponential(60'000.0));
    (i % 3 ? a : b).add(v);
    all.add(v);
  }
  Histogram merged;
  merged.merge(a);
  merged.merge(b);
  EXPECT_EQ(merged.count(), all.count());
  EXPECT_EQ(merged.sum(), all.sum());
  EXPECT_EQ(merged.min(), all.min());
  EXPECT_EQ(merged.max(), all.max());
  for (double q : {0.5, 0.9, 0.95}) EXPECT_EQ(merged.percentile(q), all.percentile(q));
}

}  // namespace
}  // namespace sb::metrics
