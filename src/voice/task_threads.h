#pragma once
// A few threads that run posted tasks, at once or at a time of the injected Clock: the voice
// gateway's flow timers (one thread) and its slow work (HTTP data dips, speech synthesis,
// reading the engine's live state) off the SIP and service threads.

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "base/time.h"

namespace sb::voice {

class TaskThreads {
 public:
  TaskThreads(const Clock& clock, int threads);
  ~TaskThreads();  // stop()
  TaskThreads(const TaskThreads&) = delete;
  TaskThreads& operator=(const TaskThreads&) = delete;

  void post(std::function<void()> fn) { post_at(0, std::move(fn)); }
  // Runs `fn` once the clock reads `at` or later (tasks due at the same time run in post order).
  void post_at(Millis at, std::function<void()> fn);
  // Drops the tasks not yet started and joins the threads. Idempotent.
  void stop();
  const Clock& clock() const { return clock_; }

 private:
  void run();

  const Clock& clock_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::multimap<Millis, std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace sb::voice
