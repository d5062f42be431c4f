#include "runtime/system_clock.h"

#include <gtest/gtest.h>

namespace sb::runtime {
namespace {

TEST(SystemClockTest, ReadsPlausibleWallClockTime) {
  SystemClock clock;
  const Millis a = clock.now();
  const Millis b = clock.now();
  EXPECT_GT(a, 1'700'000'000'000);  // after November 2023
  EXPECT_GE(b, a);
}

TEST(SystemClockTest, EntropySeedsDiffer) { EXPECT_NE(entropy_seed(), entropy_seed()); }

}  // namespace
}  // namespace sb::runtime
