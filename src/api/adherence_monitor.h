#pragma once
// The live host of schedule adherence (src/adherence): keeps an adherence Tracker in step with
// the service's durable events and the published schedules, on a thread of its own (like the
// reports projection), so that the engine thread never waits for it.
//
//   durable events ─► listener (service thread: copies, returns) ─► pending
//   tick() (every `period` on the monitor's thread, and before every API answer):
//     reload the schedule when its source changed it → rebuild: a fresh Tracker fed the whole
//     log (read_log), so that figures are always those of the log against the current schedule
//     pending events → Tracker, advance to clock.now(), transitions → deliver()
//
// At start the Tracker catches up from the log (events delivered meanwhile are de-duplicated by
// seq). Live figures may differ from a rebuild by the delivery delay of an event (milliseconds):
// an event that arrives after the tracker was advanced past its time counts from that time.
//
// Thread safety: every public method may be called from any thread; ticks are serialised.

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "adherence/adherence.h"
#include "base/status.h"
#include "base/time.h"
#include "service/center_service.h"

namespace sb::wfmstore {
class ScheduleStore;
}

namespace sb::api {

struct AdherenceOptions {
  Millis grace = 60 * kMillisPerSecond;  // see adherence::Options
  Millis period = 1000;                  // between live ticks; 0: only explicit tick()
  Millis schedule_poll = 5000;           // re-read the schedule source at most this often
  // Where the days of the per-day totals begin: the center's local midnights (ApiApp sets it
  // from ApiOptions::time_zone); empty: UTC days.
  adherence::DayStartFn day_start;
};

// The published schedules (all of them: past days are needed for history). The composition root
// connects the schedule store (src/wfmstore); unset: no agent is scheduled.
using ScheduleSource = std::function<Result<adherence::Schedule>()>;

// The published schedules of the schedule store (src/wfmstore), agents named as in `config`
// (activities of names that are not agents of the center are ignored). `store` must outlive the
// source.
ScheduleSource schedule_source_from(const wfmstore::ScheduleStore& store,
                                    std::function<std::shared_ptr<const CenterConfig>()> config);

class AdherenceMonitor {
 public:
  // Called after a tick with the transitions it found (never those of a rebuild) and the live
  // status of the scheduled agents; on the ticking thread, outside the monitor's lock.
  using Deliver = std::function<void(const std::vector<adherence::Transition>& transitions,
                                     const std::vector<adherence::AgentStatus>& live, Millis now)>;

  AdherenceMonitor(service::CenterService& service, const Clock& clock, AdherenceOptions options,
                   Deliver deliver);
  ~AdherenceMonitor();
  AdherenceMonitor(const AdherenceMonitor&) = delete;
  AdherenceMonitor& operator=(const AdherenceMonitor&) = delete;

  // Catches up from the log and starts the periodic thread (no thread with period 0).
  Status start();
  void stop();

  // Replaces the schedule source; the next tick reads it.
  void set_schedule_source(ScheduleSource source);
  // Makes the next tick re-read the schedule source at once (after a publish).
  void schedule_changed();

  // Ingests what the service delivered, reloads the schedule if due, advances to clock.now()
  // and delivers transitions. Returns the error of the schedule source or of the log, if any
  // (the previous schedule stays in force).
  Status tick();

  struct Snapshot {
    Millis now = 0;
    std::vector<adherence::AgentStatus> agents;  // agents with a published activity only
  };
  // tick(), then the live status of every scheduled agent.
  Result<Snapshot> live();
  // tick(), then the totals per (agent, day start) of every scheduled agent.
  Result<std::map<std::pair<AgentId, Millis>, adherence::DayTotals>> totals();

  Millis grace() const { return options_.grace; }
  // OK, or why the schedule source could not be read (the previous schedule stays in force).
  Status schedule_status();

 private:
  void on_events(std::span<const Event> events);
  Status rebuild_locked(adherence::Schedule schedule);
  Status tick_locked(std::vector<adherence::Transition>& transitions,
                     std::vector<adherence::AgentStatus>& live, Millis& now);
  Status tick_and_deliver(Snapshot& s);
  void run();

  service::CenterService& service_;
  const Clock& clock_;
  AdherenceOptions options_;
  Deliver deliver_;
  service::SubscriptionId subscription_ = 0;

  std::mutex pending_mu_;
  std::vector<Event> pending_;

  std::mutex mu_;  // the tracker, the schedule, ticks
  std::unique_ptr<adherence::Tracker> tracker_;
  std::uint64_t last_seq_ = 0;
  ScheduleSource source_;
  bool reload_ = true;
  Millis last_poll_ = 0;
  Status last_status_;

  // Written under mu_ and status_mu_, read under either: schedule_status() is called from
  // deliveries, which run while mu_ is held, so it must not take mu_.
  mutable std::mutex status_mu_;
  Status source_error_;

  std::mutex thread_mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace sb::api
