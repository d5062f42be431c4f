#pragma once
// The routing engine: a single-threaded, deterministic state machine (a functional core).
//
// Hosts (the live server, the simulator, crash recovery) feed it commands and timers together with
// the current time; it answers with the events those caused and the timers it wants delivered
// back. It never reads a clock, a random source, the network or the disk. Its state is a pure
// function of the events it has applied, so `apply()` over a log rebuilds exactly the state that
// `handle()` produced live.
//
// Thread safety: none. One thread owns an Engine.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/time.h"
#include "domain/events.h"
#include "routing/commands.h"

namespace sb {

enum class ContactPhase : std::uint8_t {
  kQueued = 0,  // waiting in a queue (possibly as a callback)
  kOffered,     // ringing at one agent (or several, for ring-all)
  kConnected,   // in conversation
  kWrapUp,      // conversation over, the agent does after-contact work
};

struct ContactView {
  ContactId id = kNoContact;
  Channel channel = Channel::kVoice;
  ContactPhase phase = ContactPhase::kQueued;
  QueueId queue = kNoId;
  AgentId agent = kNoId;  // connected / wrap-up agent; kNoId while queued or offered
  std::int32_t priority = 0;
  CustomerId customer = 0;
  Millis arrived_at = 0;
  Millis enqueued_at = 0;  // entry into the current queue (overflow keeps the original)
  bool on_hold = false;
  bool callback = false;
  std::uint8_t relaxation_step = 0;  // number of relaxation steps applied
  std::vector<AgentId> offered_to;
};

struct AgentView {
  AgentId id = kNoId;
  bool logged_in = false;
  Presence presence = Presence::kOffline;
  ReasonId reason = reason::kNone;
  Millis presence_since = 0;
  Millis idle_since = 0;  // last time the agent's load dropped to zero or it became available
  std::uint32_t missed_in_a_row = 0;
  std::uint32_t offered = 0;        // offers ringing
  std::uint32_t connected = 0;      // contacts in conversation
  std::uint32_t wrap_up = 0;        // contacts in after-contact work
  std::vector<ContactId> contacts;  // every contact holding one of the agent's slots
};

struct QueueView {
  QueueId id = kNoId;
  std::uint32_t waiting = 0;
  Millis oldest_enqueued_at = kNever;  // kNever when nobody waits
  std::uint32_t agents_logged_in = 0;  // members logged in (any presence but offline)
  std::uint32_t agents_available = 0;  // members with presence available (idle or busy)
  std::uint32_t agents_idle = 0;       // available members holding no contact at all
};

// Ranks the available members of a queue. Lower ranks are offered first. Implementations must be
// pure functions of the arguments: the engine re-ranks an agent whenever these inputs change.
struct RankInputs {
  Millis idle_since = 0;
  std::uint32_t load = 0;      // slots in use (offered + connected + wrap-up)
  std::uint32_t capacity = 1;  // profile max_total
  std::uint64_t last_offered_by_queue =
      0;  // queue-local offer counter when last offered; 0 = never
  AgentId agent = kNoId;
};

class SelectionStrategy {
 public:
  virtual ~SelectionStrategy() = default;
  virtual std::string_view name() const = 0;
  // Primary and secondary rank of an available member; ties fall to the agent id.
  virtual std::pair<std::int64_t, std::int64_t> rank(const RankInputs& in) const = 0;
  // Strategies whose choice depends on the contact (most proficient) score each eligible agent of
  // the lowest eligible tier; the highest score wins, ties go to the best rank.
  virtual bool scores_contact() const { return false; }
  virtual std::int64_t score(const std::vector<SkillLevel>& /*agent_skills*/,
                             const Requirements& /*effective*/) const {
    return 0;
  }
  // Offer to every eligible agent at once; the first to accept wins.
  virtual bool rings_all() const { return false; }
};

// The built-in strategies, and a registry so that a new one can be added, simulated and compared.
const SelectionStrategy& selection_strategy(AgentSelection s);

struct EngineStats {
  std::uint64_t commands = 0;
  std::uint64_t rejected_commands = 0;
  std::uint64_t events = 0;
  std::uint64_t offers = 0;
  std::uint64_t timers_fired = 0;
  std::uint64_t stale_timers = 0;
};

// The hash of snapshot bytes (64-bit FNV-1a), so a host that already holds snapshot() need not
// serialise the state a second time to hash it.
std::uint64_t snapshot_hash(std::string_view snapshot_bytes);

class Engine {
 public:
  Engine();
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;
  Engine(Engine&&) noexcept;
  Engine& operator=(Engine&&) noexcept;

  // Executes `command` at `now`. On success the caused events and timer requests are appended to
  // `out`; on failure nothing changes and nothing is appended.
  // REQUIRES: now >= the time of the last applied event.
  Status handle(const Command& command, Millis now, Output& out);

  // Delivers a timer requested earlier. Stale timers are ignored.
  void on_timer(const TimerKey& key, Millis now, Output& out);

  // Replays one event from the log. REQUIRES: event.seq == last_seq() + 1.
  Status apply(const Event& event);

  // The timers a host must arm after replay or restore (one per pending deadline).
  void pending_timers(std::vector<TimerRequest>& out) const;

  std::uint64_t last_seq() const;
  Millis last_event_time() const;

  // Read-only views for hosts, APIs and tests.
  Result<ContactView> contact(ContactId id) const;
  Result<AgentView> agent(AgentId id) const;
  Result<QueueView> queue(QueueId id) const;
  std::size_t agent_count() const;
  std::size_t queue_count() const;
  std::size_t live_contact_count() const;
  // Contacts waiting in the queue, best first.
  std::vector<ContactId> waiting_contacts(QueueId id) const;

  // Estimated time until `contact` is offered, from its position in line and the agents actually
  // staffed on its queue (see docs/routing.md). kNever when nobody staffs the queue.
  Result<Millis> estimated_wait(ContactId contact, Millis now) const;
  // The wait a new arrival to `queue` would face now.
  Result<Millis> estimated_wait_for_new(QueueId queue, Millis now) const;

  // Canonical binary snapshot of the whole state, and its restoration.
  std::string snapshot() const;
  Status restore(std::string_view snapshot);
  // FNV-1a over the canonical snapshot: equal states have equal hashes.
  // state_hash() == snapshot_hash(snapshot()).
  std::uint64_t state_hash() const;

  const EngineStats& stats() const;

  // The configuration in force (skills, profiles, queues and agents configured so far), for
  // hosts that show or edit it. Skill names are indexed by SkillId; undefined skills are empty.
  CenterConfig configuration() const;

 private:
  struct State;
  std::unique_ptr<State> s_;
};

}  // namespace sb
