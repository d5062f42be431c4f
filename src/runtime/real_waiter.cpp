#include "runtime/real_waiter.h"

#include <chrono>

namespace sb::runtime {

void wait_with_timeout(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                       Millis timeout) {
  if (timeout <= 0) return;
  if (timeout == kNever) {
    cv.wait(lock);
    return;
  }
  // wait_for measures on steady_clock, so a wall-clock step does not stretch or cut the sleep.
  cv.wait_for(lock, std::chrono::milliseconds(timeout));
}

}  // namespace sb::runtime
