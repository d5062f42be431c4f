#pragma once
// The engine's internal state and the event-application half of the engine (apply: event → state).
// Private to src/routing. Everything here is a function of the applied events; the indexes (the
// per-queue ordered sets) are derived and rebuilt on restore.

#include <cstdint>
#include <memory_resource>
#include <set>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "routing/agent_index.h"
#include "routing/contact_table.h"
#include "routing/engine.h"
#include "routing/free_list_resource.h"
#include "routing/small_vector.h"

namespace sb::routing_internal {

struct ContactRec;

// Position of a waiting contact in its queue; the smallest key is served first.
struct WaitKey {
  std::int64_t major = 0;  // -priority without aging; 0 with aging
  std::int64_t minor = 0;  // order time without aging; order time - priority * aging with aging
  std::uint64_t seq = 0;   // sequence number of the event that first queued the contact
  ContactId contact = kNoContact;
  // Records live in an unordered_map, whose element addresses are stable until erased; a contact
  // leaves the waiting set before its record is erased.
  ContactRec* rec = nullptr;
  friend auto operator<=>(const WaitKey& a, const WaitKey& b) {
    return std::tie(a.major, a.minor, a.seq) <=> std::tie(b.major, b.minor, b.seq);
  }
  friend bool operator==(const WaitKey& a, const WaitKey& b) {
    return a.major == b.major && a.minor == b.minor && a.seq == b.seq;
  }
};

enum class Phase : std::uint8_t { kNew = 0, kQueued, kOffered, kConnected, kWrapUp, kInTransfer };

struct ContactRec {
  ContactId id = kNoContact;
  Channel channel = Channel::kVoice;
  Phase phase = Phase::kNew;
  QueueId queue = kNoId;
  AgentId agent = kNoId;
  std::int32_t priority = 0;
  CustomerId customer = 0;
  Requirements requirements;
  Millis arrived_at = 0;
  Millis order_time = 0;        // position-in-line time; kept across overflow and callback
  Millis entered_queue_at = 0;  // entry into the current queue; relaxation/overflow clock
  Millis offer_expires_at = 0;
  Millis connected_at = 0;
  Millis wrap_ends_at = kNever;
  Millis overflow_retry_at = 0;  // set by OverflowDeferred; 0 = no deferral
  std::uint64_t order_seq = 0;
  bool has_place = false;   // order_time/order_seq are set
  bool keep_place = false;  // the next ContactQueued keeps the position (overflow)
  bool on_hold = false;
  bool callback = false;
  std::uint8_t relax_step = 0;        // relaxation steps applied in the current queue
  std::uint8_t proficiency_drop = 0;  // by how much min proficiencies are lowered
  bool optional_dropped = false;
  std::uint8_t max_tier = 1;
  std::uint32_t generation = 0;  // bumped on every phase change; stale timers carry an old one
  // Derived: the contact's entry in its queue's waiting set while queued (erase without a search).
  std::pmr::set<WaitKey>::iterator wait_it{};
  SmallVector<AgentId, 2> offered_to;
  std::vector<AgentId> excluded;  // agents that rejected or missed this contact
};

struct Membership {
  QueueId queue = kNoId;
  std::uint8_t tier = 1;
  std::uint64_t last_offered = 0;  // queue's offer counter at this member's last offer
  // Derived: this membership's node in the queue's agent index (EngineState::index_nodes),
  // allocated when the agent is first indexed; kNoNode before.
  std::uint32_t node = kNoNode;
};

// Fields are ordered hot first: a routing decision reads the agent's state, load and memberships,
// and those should share as few cache lines as possible.
struct AgentRec {
  bool configured = false;
  bool logged_in = false;
  Presence presence = Presence::kOffline;
  bool indexed = false;    // derived: the agent sits in at least one queue's agent index
  std::uint32_t load = 0;  // slots in use: offered + connected + wrap-up
  std::array<std::uint8_t, kChannelCount> load_by_channel{};
  std::uint32_t offered = 0;
  std::uint32_t connected = 0;
  std::uint32_t wrap_up = 0;
  std::uint32_t missed_in_a_row = 0;
  Millis idle_since = 0;
  std::vector<Membership> memberships;  // sorted by queue id
  // Derived copies of config.profile and (when they fit) config.skills, next to the state that
  // eligibility checks read, so that checking a candidate does not also touch the configuration
  // and a separate skills array. Kept by refresh_hot_config().
  ProfileId profile = kNoId;
  std::uint8_t hot_skill_count = 0;
  bool skills_hot = false;                 // hot_skills holds all of config.skills
  std::array<SkillLevel, 7> hot_skills{};  // with the three fields above: one cache line
  SmallVector<ContactId, 2> contacts;  // inline: no separate line to touch per offer and release
  AgentConfig config;                  // skills kept sorted by skill id
  ReasonId reason = reason::kNone;
  Millis presence_since = 0;
};

struct QueueRec {
  explicit QueueRec(std::pmr::memory_resource* pool) : waiting(pool), available(pool) {}
  // Hot fields first (see AgentRec).
  bool configured = false;
  const SelectionStrategy* strategy = nullptr;
  std::uint64_t offer_counter = 0;
  // Derived indexes.
  // Node containers draw from the engine's pool (see EngineState::pool): routing churns through
  // set nodes on every offer and release, and malloc/free dominated the profile.
  std::pmr::set<WaitKey> waiting;
  AgentIndex available;  // nodes in EngineState::index_nodes
  QueueConfig config;
  Millis handle_time_estimate = 0;  // integer moving average of handle times, for the EWT
  std::uint64_t handled = 0;
  std::vector<AgentId> members;  // sorted
};

struct EngineState {
  // Declared first so that it outlives every container that allocates from it.
  std::unique_ptr<FreeListResource> pool = std::make_unique<FreeListResource>();
  std::vector<std::string> skill_names;
  std::vector<bool> skill_defined;
  std::vector<RoutingProfile> profiles;
  std::vector<bool> profile_defined;
  std::vector<QueueRec> queues;
  std::vector<AgentRec> agents;
  ContactTable<ContactRec> contacts{pool.get()};
  // Nodes of the queues' agent indexes (see agent_index.h); free ones are listed in free_nodes.
  std::vector<IndexNode> index_nodes;
  std::vector<std::uint32_t> free_nodes;
  std::uint64_t last_seq = 0;
  Millis last_time = 0;
  EngineStats stats;

  // ---- application of events (state transitions) ----
  void apply_event(const Event& e);
  // Checks that a replayed event refers only to things that exist and fits the current state,
  // so that a damaged but well-formed log is reported as corruption instead of crashing replay.
  // Events decided by the engine itself satisfy this by construction.
  Status check_event(const Event& e) const;

  // ---- queries shared by decisions and views ----
  ContactRec* find_contact(ContactId id);
  // The live contact `id`; throws std::out_of_range when there is none (a corrupt log).
  ContactRec& rec(ContactId id);
  void forget_contact(ContactId id);
  const ContactRec* find_contact(ContactId id) const;
  bool agent_can_take_channel(const AgentRec& a, Channel c) const;
  // Contacts the agent holds on channels its current profile marks exclusive.
  std::uint32_t exclusive_load(const AgentRec& a) const;
  bool agent_meets(const AgentRec& a, const ContactRec& c) const;
  Requirements effective_requirements(const ContactRec& c) const;
  std::uint8_t tier_in(const AgentRec& a, QueueId q) const;  // 0 = not a member
  WaitKey wait_key(const ContactRec& c) const;
  Millis next_step_time(const ContactRec& c) const;  // kNever when no step is pending
  Millis next_relax_time(const ContactRec& c) const;
  Millis next_overflow_time(const ContactRec& c) const;
  // Effective priority scaled by 1e6 (aging adds one level per aging interval).
  std::int64_t effective_priority_micros(const ContactRec& c, Millis now) const;

  // ---- derived indexes ----
  void reindex_agent(AgentId id);
  void unindex_agent(AgentRec& a);
  // Computes the agent's keys and inserts it into its queues' indexes, or (with `deferred`) only
  // lists the nodes to insert. REQUIRES: the agent is in no index.
  void index_agent(AgentId id, std::vector<std::uint32_t>* deferred = nullptr);
  // Whether index_agent() would put the agent into at least one queue's index (it is available,
  // has a free slot and a configured queue).
  bool indexable(const AgentRec& a) const;
  // Set by the decision path around a WrapUpEnded it emits: the event then takes the agent out of
  // the indexes without putting it back, and the decision path re-indexes it (see end_wrap_up).
  bool defer_reindex = false;
  void rebuild_indexes();
  // Updates AgentRec's copies of its configuration (profile, skills).
  static void refresh_hot_config(AgentRec& a);
  QueueRec& queue_slot(QueueId id);  // grows `queues` so that `id` exists

 private:
  // apply_event, one event type each (see engine_state.cpp).
  void apply_one(const ev::ContactArrived& x, const Event& e, Millis now);
  void apply_one(const ev::ContactQueued& x, const Event& e, Millis now);
  void apply_one(const ev::ContactOffered& x, const Event& e, Millis now);
  void apply_one(const ev::OfferAccepted& x, const Event& e, Millis now);
  void apply_one(const ev::OfferRejected& x, const Event& e, Millis now);
  void apply_one(const ev::OfferTimedOut& x, const Event& e, Millis now);
  void apply_one(const ev::OfferRescinded& x, const Event& e, Millis now);
  template <class T>
  void apply_offer_gone(const T& x, Millis now);
  void apply_one(const ev::ContactConnected& x, const Event& e, Millis now);
  void apply_one(const ev::HoldStarted& x, const Event& e, Millis now);
  void apply_one(const ev::HoldEnded& x, const Event& e, Millis now);
  void apply_one(const ev::ContactTransferred& x, const Event& e, Millis now);
  void apply_one(const ev::ContactEnded& x, const Event& e, Millis now);
  void apply_one(const ev::WrapUpEnded& x, const Event& e, Millis now);
  void apply_one(const ev::ContactAbandoned& x, const Event& e, Millis now);
  void apply_one(const ev::ContactBlocked& x, const Event& e, Millis now);
  void apply_one(const ev::CallbackRequested& x, const Event& e, Millis now);
  void apply_one(const ev::SelfServed& x, const Event& e, Millis now);
  void apply_one(const ev::OverflowDeferred& x, const Event& e, Millis now);
  void apply_one(const ev::SurveyAnswered& x, const Event& e, Millis now);
  void apply_one(const ev::ContactImported& x, const Event& e, Millis now);
  void apply_one(const ev::ContactRelaxed& x, const Event& e, Millis now);
  void apply_one(const ev::AgentLoggedIn& x, const Event& e, Millis now);
  void apply_one(const ev::AgentLoggedOut& x, const Event& e, Millis now);
  void apply_one(const ev::AgentStateChanged& x, const Event& e, Millis now);
  void apply_one(const ev::AgentSkillsChanged& x, const Event& e, Millis now);
  void apply_one(const ev::SkillConfigured& x, const Event& e, Millis now);
  void apply_one(const ev::ProfileConfigured& x, const Event& e, Millis now);
  void apply_one(const ev::QueueConfigured& x, const Event& e, Millis now);
  void apply_one(const ev::AgentConfigured& x, const Event& e, Millis now);

  ContactId cached_id_ = kNoContact;
  ContactRec* cached_rec_ = nullptr;

  // Puts a queued contact into its queue's waiting set / takes it out.
  void enter_line(ContactRec& c);
  void leave_line(ContactRec& c);
  void release_slot(AgentRec& a, ContactRec& c);
  void take_slot(AgentRec& a, ContactRec& c);
  void requeue(ContactRec& c);
  void erase_contact(ContactRec& c);
  void set_members(AgentId id, const std::vector<QueueMembership>& next);
};

// Canonical snapshot bytes of a state, and their reading into an empty state.
std::string write_snapshot(const EngineState& s);
Status read_snapshot(std::string_view bytes, EngineState& s);

}  // namespace sb::routing_internal
