#include "runtime/real_waiter.h"

#include <gtest/gtest.h>

#include <thread>

#include "runtime/system_clock.h"

namespace sb::runtime {
namespace {

TEST(RealWaiterTest, TimesOutAfterRoughlyTheTimeout) {
  std::mutex mu;
  std::condition_variable cv;
  SystemClock clock;
  std::unique_lock lock(mu);
  const Millis start = clock.now();
  // Spurious wake-ups may end a wait early; loop like a real caller.
  while (clock.now() - start < 30) wait_with_timeout(cv, lock, 30 - (clock.now() - start));
  EXPECT_GE(clock.now() - start, 30);
}

TEST(RealWaiterTest, ZeroTimeoutReturnsAtOnce) {
  std::mutex mu;
  std::condition_variable cv;
  std::unique_lock lock(mu);
  wait_with_timeout(cv, lock, 0);
  wait_with_timeout(cv, lock, -5);
  EXPECT_TRUE(lock.owns_lock());
}

TEST(RealWaiterTest, NotifyWakesAnUnboundedWait) {
  std::mutex mu;
  std::condition_variable cv;
  bool ready = false;
  std::thread t([&] {
    std::lock_guard lock(mu);
    ready = true;
    cv.notify_all();
  });
  {
    std::unique_lock lock(mu);
    while (!ready) wait_with_timeout(cv, lock, kNever);
  }
  t.join();
  EXPECT_TRUE(ready);
}

}  // namespace
}  // namespace sb::runtime
