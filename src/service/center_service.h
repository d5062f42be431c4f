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
// seq order, each exactly once, and only durable ones.
//
// Start-up recovers the engine from the store (latest snapshot + replay of the tail), re-arms
// the pending timers, and feeds today's events into the KPI projection. stop() drains the queue,
// writes a snapshot, and joins the thread (graceful shutdown on SIGTERM).

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "base/time.h"
#include "domain/events.h"
#include "metrics/kpi.h"
#include "routing/commands.h"
#include "routing/engine.h"
#include "store/event_store.h"

namespace sb::service {

struct ServiceOptions {
  std::string data_dir;                   // holds events.db and service.db; created if missing
  std::uint64_t snapshot_every = 10'000;  // events between snapshots
  metrics::KpiSettings kpi;               // for the live "today" projection
};

// Read access to the live state, valid only inside read() on the engine thread.
struct LiveView {
  const Engine& engine;
  const metrics::KpiCollector& today;  // events since the start of the current UTC day
  Millis now;
};

struct ServiceStats {
  std::uint64_t commands = 0;
  std::uint64_t rejected = 0;
  std::uint64_t events = 0;
  std::uint64_t timers_fired = 0;
  std::uint64_t queue_depth = 0;  // commands waiting for the engine thread
  std::uint64_t last_seq = 0;
  std::uint64_t snapshots = 0;
  std::uint64_t subscribers = 0;
};

using CommandResult = Result<std::vector<Event>>;
using CommandCallback = std::function<void(CommandResult)>;
// Called on the service's thread, in seq order, after the events are durable. Must not block
// and must not call execute()/read() (submit() is fine).
using EventListener = std::function<void(std::span<const Event>)>;
using SubscriptionId = std::uint64_t;

class CenterService {
 public:
  // Opens the store in options.data_dir, recovers, and starts the engine thread. `clock` must
  // outlive the service (runtime::SystemClock live; ManualClock in tests).
  static Result<std::unique_ptr<CenterService>> start(const ServiceOptions& options,
                                                      const Clock& clock);
  ~CenterService();  // stop() if not yet stopped

  // Runs `command` on the engine thread. `done` gets the events it caused once they are durable,
  // or the engine's refusal (InvalidArgument, NotFound, FailedPrecondition...) with no events, or
  // Unavailable after stop(). Callable from any thread; `done` runs on the service thread.
  void submit(Command command, CommandCallback done);
  // submit() and wait.
  CommandResult execute(Command command);

  // Runs `fn` on the engine thread with the live state and waits for it.
  void read(const std::function<void(const LiveView&)>& fn);

  SubscriptionId subscribe(EventListener listener);
  void unsubscribe(SubscriptionId id);

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

  // Drains queued commands, snapshots, stops the thread. Idempotent.
  void stop();

  ServiceStats stats() const;

 private:
  struct Impl;
  explicit CenterService(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sb::service
