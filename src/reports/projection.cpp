#include "reports/projection.h"

#include <utility>

namespace sb::reports {

Status catch_up(ReportStore& reports, EventStore& log, std::size_t batch) {
  return log.read(
      1, [&](std::span<const Event> events) { return reports.ingest(events); }, batch);
}

Status rebuild(ReportStore& reports, EventStore& log, std::size_t batch) {
  SB_RETURN_IF_ERROR(reports.clear());
  return catch_up(reports, log, batch);
}

Result<std::unique_ptr<LiveProjection>> LiveProjection::start(const std::string& data_dir,
                                                              EventStore& log) {
  auto store = ReportStore::open_data_dir(data_dir);
  if (!store.ok()) return store.status();
  std::unique_ptr<LiveProjection> p(new LiveProjection(std::move(*store), log));
  p->thread_ = std::thread([raw = p.get()] { raw->run(); });
  return p;
}

LiveProjection::LiveProjection(std::unique_ptr<ReportStore> store, EventStore& log)
    : store_(std::move(store)), log_(log) {}

LiveProjection::~LiveProjection() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void LiveProjection::push(std::span<const Event> events) {
  {
    std::lock_guard lock(mu_);
    pending_.insert(pending_.end(), events.begin(), events.end());
    ++pushed_;
  }
  wake_.notify_one();
}

void LiveProjection::flush() {
  std::unique_lock lock(mu_);
  const std::uint64_t target = pushed_;
  idle_.wait(lock, [&] { return (caught_up_ && done_ >= target) || !failed_.ok() || stopping_; });
}

Status LiveProjection::health() const {
  std::lock_guard lock(mu_);
  return failed_;
}

void LiveProjection::run() {
  // Whatever the listener delivers meanwhile waits in pending_; ingest() skips what the catch-up
  // already read.
  Status st = catch_up(*store_, log_);
  {
    std::lock_guard lock(mu_);
    caught_up_ = true;
    failed_ = st;
  }
  idle_.notify_all();
  std::vector<Event> batch;
  while (st.ok()) {
    std::uint64_t upto;
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [&] { return !pending_.empty() || stopping_ || done_ < pushed_; });
      if (pending_.empty() && done_ >= pushed_ && stopping_) break;
      batch.swap(pending_);
      upto = pushed_;
    }
    if (!batch.empty()) st = store_->ingest(batch);
    batch.clear();
    {
      std::lock_guard lock(mu_);
      done_ = upto;
      if (!st.ok()) failed_ = st;
    }
    idle_.notify_all();
  }
}

}  // namespace sb::reports
