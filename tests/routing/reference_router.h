#pragma once
// A naive, independent reference implementation of docs/routing.md, used by the property tests to
// check sb::Engine. It has the engine's command interface and produces the same events, but keeps
// its state in plain containers and recomputes every decision from scratch at every step: load and
// capacity by scanning all contacts, queue order by sorting all waiting contacts, agent order by
// sorting all members. There are no indexes to keep in sync, so there is little to get wrong.
//
// It is written from the documentation, not from the engine. Where the engine is known to deviate
// from the documentation, ReferenceOptions has one switch per deviation (all off by default) so
// that the property tests can keep hunting for further bugs while a known one is being fixed.
// docs/testing.md lists the deviations.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "base/time.h"
#include "domain/events.h"
#include "routing/commands.h"
#include "routing/engine.h"

namespace sb::testing_ref {

// Each switch reproduces one known deviation of sb::Engine from docs/routing.md. Off = the doc.
struct ReferenceOptions {
  // D1. Idle-since moves only when wrap-up ends or a transfer frees the agent, not when an offer
  // fails, is rescinded or is abandoned (doc: "the time the agent's load last dropped to zero").
  bool engine_idle_since = false;
  // D2. A contact that (re)starts waiting first gets a match attempt with its old requirements;
  // relaxation steps already due are applied later by a queue-step timer armed in the past (doc:
  // "Steps due while the contact rang are applied when it returns to the queue").
  bool engine_relax_via_timer = false;
  // D3. Several relaxation steps due together are applied back to back (and before an overflow)
  // with one match attempt at the end (doc: "Each applied step ... is followed by a new match
  // attempt").
  bool engine_batch_relaxation = false;
  // D4. While an overflow is being retried, the only timer is the 5 s retry: relaxation steps due
  // meanwhile wait for it.
  bool engine_overflow_retry_timer = false;
  // D5. Reconfiguring a queue does not reschedule the relaxation/overflow timers of the contacts
  // waiting in it: the old timer fires at the old time and, if nothing is due, nothing is re-armed.
  bool engine_reconfigure_keeps_timers = false;
  // D6. The handle-time estimate is replaced by the first finished contact instead of moving from
  // default_handle_time with weight 1/16.
  bool engine_first_handle_time = false;
  // D7. The wait for a new arrival is 0 when a member merely has a free slot (busy multi-chat
  // agents included), not only when one is idle.
  bool engine_new_arrival_free_slot = false;

  // All known deviations switched on: the reference then behaves like the engine is expected to.
  static ReferenceOptions engine_compatible();
  // "d1,d3" / "all" / "" → options; unknown names are ignored.
  static ReferenceOptions parse(const std::string& spec);
  std::string describe() const;
};

class ReferenceRouter {
 public:
  explicit ReferenceRouter(ReferenceOptions options = {});

  // Same contract as sb::Engine::handle / on_timer.
  Status handle(const Command& command, Millis now, Output& out);
  void on_timer(const TimerKey& key, Millis now, Output& out);

  std::uint64_t last_seq() const { return seq_; }
  Millis last_event_time() const { return last_time_; }

  // Views with the same meaning as sb::Engine's (see routing/engine.h).
  std::optional<ContactView> contact(ContactId id) const;
  std::optional<AgentView> agent(AgentId id) const;
  std::optional<QueueView> queue(QueueId id) const;
  std::vector<ContactId> waiting_contacts(QueueId id) const;  // best first
  std::vector<ContactId> live_contacts() const;               // ascending ids
  std::vector<AgentId> agent_ids() const;                     // configured agents
  std::vector<QueueId> queue_ids() const;                     // configured queues
  Result<Millis> estimated_wait(ContactId contact, Millis now) const;
  Result<Millis> estimated_wait_for_new(QueueId queue, Millis now) const;

  // The five eligibility rules of docs/routing.md for a waiting contact, evaluated from scratch.
  bool eligible(AgentId agent, ContactId contact) const;

  // Configuration as last accepted (nullptr when unknown).
  const QueueConfig* queue_config(QueueId id) const;
  const RoutingProfile* profile(ProfileId id) const;
  const AgentConfig* agent_config(AgentId id) const;

 private:
  // kMoving: arrived but not yet queued, or between a transfer and its next queue or offer.
  enum class Phase { kQueued, kOffered, kConnected, kWrapUp, kMoving };

  struct Contact {
    ContactId id = kNoContact;
    Channel channel = Channel::kVoice;
    QueueId queue = kNoId;
    std::int32_t priority = 0;
    CustomerId customer = 0;
    Requirements requirements;
    Phase phase = Phase::kQueued;
    AgentId agent = kNoId;         // connected / wrap-up agent
    std::vector<AgentId> ringing;  // in offer order
    std::vector<AgentId> excluded;
    Millis offer_expires_at = 0;
    Millis arrived_at = 0;
    bool has_place = false;
    Millis order_time = 0;
    std::uint64_t order_seq = 0;
    Millis entered_at = 0;         // entry into the current queue
    Millis overflow_retry_at = 0;  // earliest next overflow attempt after a failed one
    std::uint32_t steps_done = 0;  // relaxation steps applied in the current queue
    int proficiency_drop = 0;
    bool optional_dropped = false;
    int max_tier = 1;
    bool on_hold = false;
    bool callback = false;
    Millis connected_at = 0;
    Millis wrap_ends_at = kNever;
    std::uint32_t epoch = 0;  // bumped at every phase change; timers carry it
  };

  struct Agent {
    AgentConfig config;
    bool logged_in = false;
    Presence presence = Presence::kOffline;
    ReasonId reason = reason::kNone;
    Millis presence_since = 0;
    Millis idle_since = 0;
    std::uint32_t missed = 0;
    std::vector<ContactId> slots;                 // contacts holding a slot, in order taken
    std::map<QueueId, std::uint64_t> last_offer;  // queue offer counter at the last offer
  };

  struct Queue {
    QueueConfig config;
    std::uint64_t offer_counter = 0;
    Millis handle_estimate = 0;
    std::uint64_t finished = 0;
  };

  // ---- helpers (all recompute from scratch) ----
  Contact* find(ContactId id);
  const Contact* find(ContactId id) const;
  int tier_of(const Agent& a, QueueId q) const;  // 0 = not a member
  int proficiency_of(const Agent& a, SkillId s) const;
  int load(AgentId id) const;
  int load_on(AgentId id, Channel ch) const;
  bool holds_exclusive(AgentId id) const;
  bool has_room_for(AgentId id, Channel ch) const;  // rule 3
  std::vector<SkillRequirement> effective_requirements(const Contact& c) const;
  bool meets(const Agent& a, const Contact& c) const;  // rule 4
  bool eligible_in(AgentId id, const Contact& c) const;
  std::vector<ContactId> queue_order(QueueId q) const;
  std::int64_t effective_priority_micros(const Contact& c) const;
  std::pair<std::int64_t, std::int64_t> rank(AgentId id, const Queue& q) const;
  Millis next_relax_time(const Contact& c) const;
  Millis next_overflow_time(const Contact& c) const;
  Millis next_step_time(const Contact& c) const;
  std::uint64_t staffed_slots(QueueId q, Channel ch) const;

  // ---- emission: each decision records its event, then updates the state right away ----
  void emit(EventPayload payload);
  void request_timer(Millis at, TimerKind kind, const Contact& c, AgentId agent = kNoId);
  void set_idle_if_free(AgentId id);
  void release(AgentId agent, Contact& c);

  // ---- decisions ----
  bool match_contact(ContactId id);  // agent selection; true when offered
  void match_agent(AgentId id);      // contact selection, repeated while it has room
  void match_agents(std::vector<AgentId> ids);
  void offer(Contact& c, AgentId agent);
  void start_waiting(ContactId id);
  enum class MatchMode { kEach, kAtEnd, kNone };
  bool apply_due_relaxation(ContactId id, MatchMode mode);  // true when the contact was offered
  void relax(Contact& c);
  void run_queue_steps(ContactId id);
  void arm_step_timer(const Contact& c);
  void enqueue(ContactId id, QueueId q, bool keep_place);
  void end_conversation(ContactId id, EndedBy by);
  void end_wrap_up(ContactId id, ReasonId disposition);
  enum class FailKind { kRejected, kTimedOut, kRescinded };
  bool fail_offer(ContactId id, AgentId agent, FailKind kind);  // true when it went back waiting
  void erase_contact(ContactId id);  // the contact is gone (blocked, abandoned, finished)

  Status run(const cmd::ConfigureSkill& x);
  Status run(const cmd::ConfigureProfile& x);
  Status run(const cmd::ConfigureQueue& x);
  Status run(const cmd::ConfigureAgent& x);
  Status run(const cmd::ArriveContact& x);
  Status run(const cmd::SelfServe& x);
  Status run(const cmd::CustomerLeft& x);
  Status run(const cmd::RequestCallback& x);
  Status run(const cmd::LoginAgent& x);
  Status run(const cmd::LogoutAgent& x);
  Status run(const cmd::SetAgentState& x);
  Status run(const cmd::SetAgentSkills& x);
  Status run(const cmd::AcceptOffer& x);
  Status run(const cmd::RejectOffer& x);
  Status run(const cmd::Hold& x);
  Status run(const cmd::Unhold& x);
  Status run(const cmd::Transfer& x);
  Status run(const cmd::EndContact& x);
  Status run(const cmd::EndWrapUp& x);
  Status run(const cmd::RecordSurvey& x);
  Status run(const cmd::ImportContact& x);

  ReferenceOptions options_;
  std::map<SkillId, std::string> skills_;
  std::map<ProfileId, RoutingProfile> profiles_;
  std::map<QueueId, Queue> queues_;
  std::map<AgentId, Agent> agents_;
  std::vector<Contact> contacts_;  // live contacts, unordered
  std::uint64_t seq_ = 0;
  Millis last_time_ = 0;
  Millis now_ = 0;
  Output* out_ = nullptr;
};

// ---- diagnostics shared by the property tests and the fuzzer ----

// Field-by-field equality of two events (shared payloads compared by value).
bool same_event(const Event& a, const Event& b);
std::string to_string(const Event& e);
std::string to_string(const Command& c);

}  // namespace sb::testing_ref
