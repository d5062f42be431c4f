#include "metrics/stats.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace sb::metrics {
namespace {

// Reference quantiles from published t tables, with extra digits from a 40-digit evaluation of
// the regularized incomplete beta function.
TEST(StudentT, MatchesTableQuantiles) {
  struct Case {
    double p;
    std::int64_t df;
    double t;
  };
  const Case cases[] = {
      {0.975, 1, 12.706204736},  {0.975, 2, 4.302652730},  {0.975, 3, 3.182446305},
      {0.975, 4, 2.776445105},   {0.975, 5, 2.570581836},  {0.975, 9, 2.262157163},
      {0.975, 10, 2.228138852},  {0.975, 29, 2.045229642}, {0.975, 30, 2.042272456},
      {0.975, 100, 1.983971519}, {0.95, 5, 2.015048373},   {0.995, 4, 4.604094871},
      {0.995, 9, 3.249835542},   {0.9, 1, 3.077683537},    {0.999, 2, 22.327124770},
  };
  for (const Case& c : cases) {
    Result<double> t = student_t_quantile(c.p, c.df);
    ASSERT_TRUE(t.ok()) << t.status().to_string();
    EXPECT_NEAR(*t, c.t, 1e-8 * c.t) << "p=" << c.p << " df=" << c.df;
  }
}

TEST(StudentT, LowerTailIsSymmetricAndMedianIsZero) {
  EXPECT_NEAR(*student_t_quantile(0.025, 4), -2.776445105, 1e-8);
  EXPECT_NEAR(*student_t_quantile(0.05, 9), -1.833112933, 1e-8);
  EXPECT_EQ(*student_t_quantile(0.5, 7), 0.0);
}

TEST(StudentT, LargeDegreesOfFreedomApproachTheNormal) {
  // Either side of the switch from the exact series to the Cornish-Fisher expansion; the normal
  // quantile is 1.959963985.
  EXPECT_NEAR(*student_t_quantile(0.975, 1000000), 1.959966357, 1e-8);
  EXPECT_NEAR(*student_t_quantile(0.975, 100000), 1.959987708, 1e-8);
  EXPECT_NEAR(*student_t_quantile(0.975, 100001), 1.959987707, 1e-8);
}

TEST(StudentT, CdfInvertsTheQuantile) {
  EXPECT_NEAR(student_t_cdf(2.776445105, 4), 0.975, 1e-9);
  EXPECT_NEAR(student_t_cdf(-2.262157163, 9), 0.025, 1e-9);
  EXPECT_NEAR(student_t_cdf(1.0, 1), 0.75, 1e-12);  // Cauchy: 1/2 + atan(1)/pi
  EXPECT_NEAR(student_t_cdf(0.0, 3), 0.5, 1e-15);
}

TEST(StudentT, RejectsBadArguments) {
  EXPECT_EQ(student_t_quantile(0.0, 4).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(student_t_quantile(1.0, 4).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(student_t_quantile(0.975, 0).status().code(), StatusCode::kInvalidArgument);
}

TEST(ConfidenceInterval, FiveReplications) {
  // mean 3, s = sqrt(2.5), half-width = 2.776445105 * sqrt(2.5) / sqrt(5) = 1.963243...
  const std::vector<double> x = {1, 2, 3, 4, 5};
  Result<ConfidenceInterval> ci = mean_confidence_interval(x);
  ASSERT_TRUE(ci.ok());
  EXPECT_EQ(ci->n, 5u);
  EXPECT_DOUBLE_EQ(ci->mean, 3.0);
  EXPECT_NEAR(ci->stddev, 1.5811388301, 1e-9);
  EXPECT_NEAR(ci->half_width, 2.776445105 * std::sqrt(2.5) / std::sqrt(5.0), 1e-8);
  EXPECT_NEAR(ci->half_width, 1.9632432, 1e-6);
  EXPECT_NEAR(ci->lower(), 3.0 - 1.9632432, 1e-6);
  EXPECT_NEAR(ci->upper(), 3.0 + 1.9632432, 1e-6);
}

TEST(ConfidenceInterval, TenReplicationsOfServiceLevel) {
  const std::vector<double> sl = {0.81, 0.79, 0.84, 0.80, 0.77, 0.83, 0.82, 0.78, 0.80, 0.86};
  Result<ConfidenceInterval> ci = mean_confidence_interval(sl);
  ASSERT_TRUE(ci.ok());
  // mean 0.81, sample variance = 0.0070 / 9.
  EXPECT_NEAR(ci->mean, 0.81, 1e-12);
  const double s = std::sqrt(0.0070 / 9);
  EXPECT_NEAR(ci->stddev, s, 1e-12);
  EXPECT_NEAR(ci->half_width, 2.262157163 * s / std::sqrt(10.0), 1e-9);
  EXPECT_NEAR(ci->half_width, 0.0199504, 1e-6);
}

TEST(ConfidenceInterval, NinetyPercentLevel) {
  const std::vector<double> x = {10, 12, 14, 16};
  Result<ConfidenceInterval> ci = mean_confidence_interval(x, 0.90);
  ASSERT_TRUE(ci.ok());
  // t_{0.95,3} = 2.353363435, s = sqrt(20/3).
  EXPECT_NEAR(ci->half_width, 2.353363435 * std::sqrt(20.0 / 3.0) / 2.0, 1e-8);
}

TEST(ConfidenceInterval, RunningStatsMatchesTheBatchComputation) {
  RunningStats rs;
  const std::vector<double> x = {1e9 + 1, 1e9 + 2, 1e9 + 3, 1e9 + 4, 1e9 + 5};
  for (double v : x) rs.add(v);
  EXPECT_EQ(rs.count(), 5u);
  EXPECT_DOUBLE_EQ(rs.mean(), 1e9 + 3);
  // Welford keeps the variance exact despite the large offset.
  EXPECT_NEAR(rs.variance(), 2.5, 1e-6);
  Result<ConfidenceInterval> ci = rs.confidence_interval();
  ASSERT_TRUE(ci.ok());
  EXPECT_NEAR(ci->half_width, 1.9632432, 1e-6);
}

TEST(ConfidenceInterval, ConstantSamplesHaveZeroWidth) {
  const std::vector<double> x = {4, 4, 4};
  Result<ConfidenceInterval> ci = mean_confidence_interval(x);
  ASSERT_TRUE(ci.ok());
  EXPECT_EQ(ci->half_width, 0.0);
  EXPECT_EQ(ci->mean, 4.0);
}

TEST(ConfidenceInterval, RejectsTooFewOrBadSamples) {
  const std::vector<double> one = {1.0};
  EXPECT_EQ(mean_confidence_interval(one).status().code(), StatusCode::kInvalidArgument);
  const std::vector<double> nan = {1.0, std::nan("")};
  EXPECT_EQ(mean_confidence_interval(nan).status().code(), StatusCode::kInvalidArgument);
  const std::vector<double> two = {1.0, 2.0};
  EXPECT_EQ(mean_confidence_interval(two, 1.0).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace sb::metrics
