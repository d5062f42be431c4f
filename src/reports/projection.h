#pragma once
// Keeping reports.db in step with the event log: catch-up and rebuild from an EventStore, and the
// live projection the server runs (a thread that ingests durable events in batches, so that
// SQLite work never delays the engine).

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "base/status.h"
#include "reports/report_query.h"
#include "store/event_store.h"

namespace sb::reports {

// Feeds `reports` every event of `log` from seq 1 (events already in reports.db only rebuild the
// in-flight state; the rest are recorded), `batch` events per transaction.
Status catch_up(ReportStore& reports, EventStore& log, std::size_t batch = 8192);

// `switchboard reports rebuild`: drops every aggregate and computes them again from the whole
// log with the definitions and settings stored in reports.db.
Status rebuild(ReportStore& reports, EventStore& log, std::size_t batch = 8192);

class LiveProjection {
 public:
  // Opens `<data_dir>/reports.db` and starts the projection thread, which first catches up from
  // `log` and then ingests what push() hands it. `log` must outlive the projection.
  static Result<std::unique_ptr<LiveProjection>> start(const std::string& data_dir,
                                                       EventStore& log);
  ~LiveProjection();  // ingests what was pushed, then stops
  LiveProjection(const LiveProjection&) = delete;
  LiveProjection& operator=(const LiveProjection&) = delete;

  // Durable events in seq order (an event store subscriber). Copies and returns at once.
  void push(std::span<const Event> events);
  // Waits until everything pushed so far (and the catch-up) is in reports.db.
  void flush();
  // OK, or the error that stopped the projection (reports then lag until a restart).
  Status health() const;
  ReportStore& store() { return *store_; }

 private:
  LiveProjection(std::unique_ptr<ReportStore> store, EventStore& log);
  void run();

  std::unique_ptr<ReportStore> store_;
  EventStore& log_;
  mutable std::mutex mu_;
  std::condition_variable wake_, idle_;
  std::vector<Event> pending_;
  std::uint64_t pushed_ = 0, done_ = 0;  // batches
  bool caught_up_ = false;
  bool stopping_ = false;
  Status failed_;
  std::thread thread_;
};

}  // namespace sb::reports
