#pragma once
// The live host of the routing engine: one engine thread fed by a command queue (single writer),
// the durable event store, real-time timers, the live KPI projection, and fan-out of events to
// subscribers. HTTP/WebSocket handlers, the demo and (later) SIP and chat adapters talk to the
// engine only through this class; they never own routing state.
//
//   submit(command) ─► queue ─► engine thread: Engine::handle(command, clock.now())
//                                   │ events ─► EventStore::append_async (group commit)
//                                   │            └─ once durable: KPI projection, subscribers,
//                                   │               then the submitter's callback
//                                   └ timers ─► timer heap (the engine thread sleeps until the
//                                               earliest one or the next command)
//
// Durability: a submitter's callback runs only after its events are fsync'ed, so an API call that
// changes state answers only after the change would survive a crash. Subscribers see events in
// seq order, each exactly once, and only durable ones — except subscribers that ask for applied
// events (Delivery::kApplied), which see them as soon as the engine has applied them.
//
// Start-up recovers the engine from the store (latest snapshot + replay of the tail), re-arms
// the pending timers, and feeds today's events into the KPI projection. stop() drains the queue,
// writes a snapshot, and joins the thread (graceful shutdown on SIGTERM).

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/time.h"
#include "domain/events.h"
#include "metrics/kpi.h"
#include "routing/commands.h"
#include "routing/engine.h"
#include "store/event_store.h"

namespace sb::reports {
class ReportStore;
}

namespace sb::service {

// How the engine thread sleeps: like cv.wait(lock) until notified, woken spuriously, or until
// `timeout` milliseconds have passed (kNever: no deadline). The service computes the timeout from
// its Clock (time to the earliest timer, capped at kMaxSleep so that a wall clock that steps
// forward is noticed) and re-checks the clock after every wake-up, so a waiter that returns early
// is harmless. The default is runtime::wait_with_timeout (real time); deterministic tests pass one
// that ignores the timeout (cv.wait(lock)) and fire timers with CenterService::poke().
using WaitFn =
    std::function<void(std::condition_variable&, std::unique_lock<std::mutex>&, Millis timeout)>;

struct ServiceOptions {
  std::string data_dir;                   // holds events.db and service.db; created if missing
  std::uint64_t snapshot_every = 10'000;  // events between snapshots
  metrics::KpiSettings kpi;               // for the live "today" projection
  WaitFn wait;                            // empty: runtime::wait_with_timeout
  // Opens the event log at the given path (data_dir/events.db). Empty: SqliteEventStore::open.
  // Tests use it to inject store failures.
  std::function<Result<std::unique_ptr<EventStore>>(const std::string& path)> open_store;
  // Maintain the reports read model (data_dir/reports.db, src/reports) from the durable events,
  // on a thread of its own: it catches up from the log at start, then ingests each delivered batch.
  bool reports = true;
};

// Read access to the live state, valid only inside read() on the engine thread. `engine` may be a
// few events ahead of `today` and of what subscribers have seen: it includes events whose append
// is still in flight (they are durable a moment later, or the service fails).
class LiveView {
 public:
  // `settle` brings the day's KPIs up to `now` and returns them; it runs on the first today() only.
  using Settle = const metrics::KpiCollector& (*)(void* context);
  LiveView(const Engine& engine, Millis now, Settle settle, void* context)
      : engine(engine), now(now), settle_(settle), context_(context) {}

  const Engine& engine;
  Millis now;

  // Events since the start of the current UTC day, agent time settled up to now. Settling walks
  // every agent, so it happens only for readers that ask (most reads look at the engine alone).
  const metrics::KpiCollector& today() const {
    if (today_ == nullptr) today_ = &settle_(context_);
    return *today_;
  }

 private:
  Settle settle_;
  void* context_;
  mutable const metrics::KpiCollector* today_ = nullptr;
};

struct ServiceStats {
  std::uint64_t commands = 0;
  std::uint64_t rejected = 0;
  std::uint64_t events = 0;
  std::uint64_t timers_fired = 0;
  std::uint64_t queue_depth = 0;  // commands waiting for the engine thread
  std::uint64_t last_seq = 0;     // last durable seq delivered to the projection and subscribers
  std::uint64_t snapshots = 0;
  std::uint64_t subscribers = 0;
  std::uint64_t appends_in_flight = 0;  // batches handed to the store, not yet acknowledged
  bool failed = false;                  // the store failed; see CenterService::health()
};

using CommandResult = Result<std::vector<Event>>;
using CommandCallback = std::function<void(CommandResult)>;
// Called on the service's thread, in seq order, after the events are durable. Must not block
// and must not call execute()/read() (submit() is fine).
using EventListener = std::function<void(std::span<const Event>)>;
using SubscriptionId = std::uint64_t;

// When a subscriber hears of events.
enum class Delivery : std::uint8_t {
  // Once durable, on the service thread (read models, the voice gateway, alerts, adherence).
  kDurable,
  // As soon as the engine applied them, on the engine thread, before they are durable. For
  // notifications only (pushing an offer to an agent's desktop need not wait for an fsync):
  // whatever a client does about such an event is a command that runs after it, so its answer
  // waits for this event's durability too. If the store then fails, the service fails and the
  // events were never durable: a listener must not record them anywhere. Must be quick (the
  // engine waits): queue the work for another thread.
  kApplied,
};

class CenterService {
 public:
  // Opens the store in options.data_dir, recovers, and starts the engine thread. `clock` must
  // outlive the service (runtime::SystemClock live; ManualClock in tests).
  static Result<std::unique_ptr<CenterService>> start(const ServiceOptions& options,
                                                      const Clock& clock);
  ~CenterService();  // stop() if not yet stopped

  // Runs `command` on the engine thread. `done` gets the events it caused once they are durable,
  // or the engine's refusal (InvalidArgument, NotFound, FailedPrecondition...) with no events, or
  // Unavailable after stop() or a store failure. Callable from any thread; `done` runs on the
  // service thread, except that a service that is already stopped or failed answers Unavailable
  // at once on the caller's thread. `done` may be empty.
  void submit(Command command, CommandCallback done);
  // submit() and wait. From the service thread itself (a listener or callback) it would deadlock,
  // so there it returns FailedPrecondition.
  CommandResult execute(Command command);

  // A command built from the live state: `decide` runs on the engine thread with the state right
  // before the command is handled and returns the command, or a refusal (NotFound,
  // FailedPrecondition, InvalidArgument...) that `done` gets as is, with no events. For callers
  // that must look at the state to authorise or build a command: one trip through the engine's
  // queue instead of a read() that blocks the caller's thread and then a submit(). Otherwise as
  // submit().
  using Decide = std::function<Result<Command>(const LiveView&)>;
  void submit_decided(Decide decide, CommandCallback done);

  // Runs `fn` on the engine thread with the live state and waits for it. Called from the service
  // thread (inside a listener or callback) it runs `fn` at once.
  void read(const std::function<void(const LiveView&)>& fn);

  // Listeners are called on the service thread with every durable (or applied, see Delivery)
  // event, in seq order, from the next batch on. unsubscribe() is safe from any thread: once it
  // returns (from a thread other than the service thread) the listener is not running and will not
  // be called again; from inside a listener it takes effect from the next call on (removal is
  // deferred).
  SubscriptionId subscribe(EventListener listener, Delivery delivery = Delivery::kDurable);
  void unsubscribe(SubscriptionId id);

  // Delivers the timers due at clock.now() and waits until everything the engine has produced so
  // far (those timers' events included) is durable and delivered to the projection, the
  // subscribers and the callbacks. Live, timers fire on their own; tests with a ManualClock move
  // the clock and call poke() to fire them deterministically. A no-op once stopped.
  void poke();

  // OK while healthy; after a store failure, the error (the service then refuses every command
  // with Unavailable and must be restarted, which recovers from the durable log).
  Status health() const;

  // Fresh ids (never reused, also across restarts).
  ContactId next_contact_id();

  // Idempotent contact creation: the first call with `key` reserves a contact id durably
  // (service.db) before the ArriveContact command runs; a later call with the same key (also
  // after a crash or restart) returns the same id, and `created` tells whether the contact
  // already reached the log (then the caller must not submit it again).
  struct IdempotentId {
    ContactId id = kNoContact;
    bool created = false;
  };
  Result<IdempotentId> reserve_contact_id(std::string_view idempotency_key);

  // Refuses new commands (Unavailable), runs the ones already queued, waits for every append in
  // flight, snapshots, and stops the thread. Idempotent. Must not be called from the service
  // thread (a listener or callback).
  void stop();

  ServiceStats stats() const;

  // The reports read model the service maintains (nullptr when ServiceOptions::reports is off).
  // Its queries are safe from any thread; it may lag the engine by the batches not yet ingested.
  reports::ReportStore* reports();
  // Waits until every event delivered so far is in the read model; its error if it stopped.
  Status flush_reports();

  // Streams the durable log from `from_seq` on (EventStore::read), for read models that keep
  // themselves in memory and catch up at start (adherence). Safe from any thread but the
  // service thread (a listener must not wait for the store).
  Status read_log(std::uint64_t from_seq, const EventStore::ReadCallback& on_batch);

 private:
  struct Impl;
  explicit CenterService(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sb::service
