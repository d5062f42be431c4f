#include "voice/task_threads.h"

#include "runtime/real_waiter.h"

namespace sb::voice {

TaskThreads::TaskThreads(const Clock& clock, int threads) : clock_(clock) {
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { run(); });
}

TaskThreads::~TaskThreads() { stop(); }

void TaskThreads::post_at(Millis at, std::function<void()> fn) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    tasks_.emplace(at, std::move(fn));
  }
  cv_.notify_one();
}

void TaskThreads::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    tasks_.clear();
  }
  cv_.notify_all();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

void TaskThreads::run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (tasks_.empty()) {
      cv_.wait(lock);
      continue;
    }
    auto it = tasks_.begin();
    const Millis now = clock_.now();
    if (it->first > now) {
      runtime::wait_with_timeout(cv_, lock, it->first - now);
      continue;
    }
    std::function<void()> fn = std::move(it->second);
    tasks_.erase(it);
    lock.unlock();
    fn();
    lock.lock();
  }
}

}  // namespace sb::voice
