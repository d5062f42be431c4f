#pragma once
// Webhook delivery of alert transitions: each notification is one JSON POST to the configured URL,
// retried with exponential backoff (retry_backoff) on a connection error, a timeout or a 5xx/429
// answer, and given up after max_attempts (counted, and logged through `log`). Another 4xx is
// the receiver refusing the payload: retrying would not help, so it counts as failed at once.
//
// Runs on its own thread, outside the deterministic core: evaluation never waits for a receiver.
// Notifications are delivered one at a time, in order.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "base/status.h"
#include "base/time.h"

namespace sb::alerts {

struct WebhookOptions {
  std::string url;  // http:// or https://
  int max_attempts = 5;
  Millis initial_backoff = 1000;
  Millis max_backoff = 60'000;
  Millis timeout = 5000;          // per attempt, connect and transfer
  std::size_t max_queued = 1000;  // older notifications are dropped (and counted) beyond this
  std::function<void(const std::string&)> log;  // delivery problems; empty: stderr
};

struct WebhookStats {
  std::uint64_t queued = 0;
  std::uint64_t delivered = 0;
  std::uint64_t failed = 0;   // gave up (attempts exhausted or refused with a 4xx)
  std::uint64_t dropped = 0;  // queue full
  std::uint64_t attempts = 0;
};

class WebhookNotifier {
 public:
  // InvalidArgument for a URL that is not http(s).
  static Result<std::unique_ptr<WebhookNotifier>> start(WebhookOptions options);
  ~WebhookNotifier();  // stop()

  void notify(std::string json_body);
  // Stops retrying and joins the thread; notifications not yet delivered are counted as dropped.
  void stop();
  // Waits until the queue is empty and nothing is in flight, or `timeout` ms of real time passed.
  bool drain(Millis timeout);
  WebhookStats stats() const;

  // One POST; OK for a 2xx answer. Unavailable for errors worth retrying, FailedPrecondition for
  // a refusal (another 4xx).
  static Status post_once(const std::string& url, const std::string& body, Millis timeout);

 private:
  explicit WebhookNotifier(WebhookOptions options);
  void run();
  void log(const std::string& line);

  WebhookOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable idle_cv_;
  std::deque<std::string> queue_;
  bool busy_ = false;
  bool stopping_ = false;
  WebhookStats stats_;
  std::thread thread_;
};

}  // namespace sb::alerts
