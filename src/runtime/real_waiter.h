#pragma once
// Real-time waiting on a condition variable, for hosts (the live service) whose threads sleep
// until a deadline on an injected Clock. Only runtime/ may measure real time (scripts/lint), so
// the host computes the remaining time with its Clock and this function does the real wait.

#include <condition_variable>
#include <mutex>

#include "base/time.h"

namespace sb::runtime {

// Blocks on `cv` like cv.wait(lock) until notified, woken spuriously, or `timeout` milliseconds
// of real (monotonic) time have passed. `lock` must be held; it is held again on return.
// A timeout <= 0 returns at once; kNever waits without a deadline.
void wait_with_timeout(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                       Millis timeout);

}  // namespace sb::runtime
