#include "alerts/webhook.h"

#include <curl/curl.h>

#include <chrono>
#include <cstdio>

#include "alerts/evaluator.h"

namespace sb::alerts {

namespace {
size_t discard(char*, size_t size, size_t n, void*) { return size * n; }

struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};
}  // namespace

Status WebhookNotifier::post_once(const std::string& url, const std::string& body, Millis timeout) {
  static CurlGlobal global;  // once per process, before the first handle (thread-safe static)
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return Status::internal("curl_easy_init failed");
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Content-Type: application/json");
  headers = curl_slist_append(headers, "User-Agent: switchboard-alerts/1");
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
  const CURLcode rc = curl_easy_perform(curl);
  long code = 0;
  if (rc == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK) return Status::unavailable("webhook " + url + ": " + curl_easy_strerror(rc));
  if (code >= 200 && code < 300) return Status::ok_status();
  const std::string what = "webhook " + url + ": HTTP " + std::to_string(code);
  if (code >= 500 || code == 429 || code == 408) return Status::unavailable(what);
  return Status::failed_precondition(what);
}

Result<std::unique_ptr<WebhookNotifier>> WebhookNotifier::start(WebhookOptions options) {
  if (options.url.rfind("http://", 0) != 0 && options.url.rfind("https://", 0) != 0)
    return Status::invalid_argument("webhook URL must start with http:// or https://, got '" +
                                    options.url + "'");
  if (options.max_attempts < 1) return Status::invalid_argument("max_attempts must be >= 1");
  std::unique_ptr<WebhookNotifier> n(new WebhookNotifier(std::move(options)));
  n->thread_ = std::thread([p = n.get()] { p->run(); });
  return n;
}

WebhookNotifier::WebhookNotifier(WebhookOptions options) : options_(std::move(options)) {}

WebhookNotifier::~WebhookNotifier() { stop(); }

void WebhookNotifier::log(const std::string& line) {
  if (options_.log) {
    options_.log(line);
  } else {
    std::fprintf(stderr, "switchboard: %s\n", line.c_str());
  }
}

void WebhookNotifier::notify(std::string json_body) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) {
      ++stats_.dropped;
      return;
    }
    if (queue_.size() >= options_.max_queued) {
      queue_.pop_front();
      ++stats_.dropped;
    }
    queue_.push_back(std::move(json_body));
    ++stats_.queued;
  }
  cv_.notify_all();
}

void WebhookNotifier::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mu_);
  stats_.dropped += queue_.size();
  queue_.clear();
  idle_cv_.notify_all();
}

bool WebhookNotifier::drain(Millis timeout) {
  std::unique_lock lock(mu_);
  return idle_cv_.wait_for(lock, std::chrono::milliseconds(timeout),
                           [&] { return queue_.empty() && !busy_; });
}

WebhookStats WebhookNotifier::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void WebhookNotifier::run() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    std::string body = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    bool done = false;
    for (int attempt = 1; attempt <= options_.max_attempts && !done; ++attempt) {
      // The backoff wait ends early only on stop(); new notifications queue behind this one.
      const Millis delay = retry_backoff(attempt, options_.initial_backoff, options_.max_backoff);
      if (delay > 0) {
        if (cv_.wait_for(lock, std::chrono::milliseconds(delay), [&] { return stopping_; })) {
          ++stats_.dropped;
          busy_ = false;
          return;
        }
      }
      ++stats_.attempts;
      lock.unlock();
      Status st = post_once(options_.url, body, options_.timeout);
      lock.lock();
      if (st.ok()) {
        ++stats_.delivered;
        done = true;
      } else if (st.code() != StatusCode::kUnavailable || attempt == options_.max_attempts) {
        ++stats_.failed;
        lock.unlock();
        log("alert webhook gave up after " + std::to_string(attempt) +
            " attempt(s): " + st.message());
        lock.lock();
        done = true;
      }
    }
    busy_ = false;
    if (queue_.empty()) idle_cv_.notify_all();
  }
}

}  // namespace sb::alerts
