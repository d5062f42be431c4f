// The decision half of the engine: commands and timers → events. Every event is applied to the
// state the moment it is decided (emit), so later decisions in the same step see its effect.

#include "routing/engine.h"

#include <algorithm>
#include <optional>

#include "routing/engine_state.h"

namespace sb {

using routing_internal::AgentKey;
using routing_internal::AgentRec;
using routing_internal::ContactRec;
using routing_internal::EngineState;
using routing_internal::Phase;
using routing_internal::QueueRec;
using routing_internal::WaitKey;

namespace {

std::string cid(ContactId id) { return "contact " + std::to_string(id); }
std::string aid(AgentId id) { return "agent " + std::to_string(id); }
std::string qid(QueueId id) { return "queue " + std::to_string(id); }

// How long a contact whose overflow target is closed or full waits before trying again.
constexpr Millis kOverflowRetry = 5 * kMillisPerSecond;

template <class V>
bool contains(const V& v, AgentId x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

struct Engine::State : EngineState {
  Output* out = nullptr;
  Millis now = 0;

  // Converts to the Event; emplace_back() constructs from the returned prvalue, so the payload is
  // built directly in the output vector instead of being moved there variant and all.
  template <class Payload>
  struct MakeEvent {
    std::uint64_t seq;
    Millis at;
    Payload& payload;
    operator Event() const {  // NOLINT(google-explicit-constructor)
      return Event{seq, at, EventPayload(std::in_place_type<Payload>, std::move(payload))};
    }
  };

  // Builds the event in place in the output, then applies it.
  template <class Payload>
  void emit(Payload p) {
    const Event& e = out->events.emplace_back(MakeEvent<Payload>{last_seq + 1, now, p});
    apply_event(e);
  }

  void timer(Millis at, TimerKind kind, const ContactRec& c, AgentId agent = kNoId) {
    out->timers.push_back(TimerRequest{at, TimerKey{kind, c.id, agent, c.generation}});
  }

  // ---- validation helpers ----
  Result<AgentRec*> logged_in_agent(AgentId id) {
    if (id >= agents.size() || !agents[id].configured) return Status::not_found(aid(id));
    if (!agents[id].logged_in) return Status::failed_precondition(aid(id) + " is not logged in");
    return &agents[id];
  }
  Result<ContactRec*> contact_in(ContactId id, Phase phase, const char* what) {
    ContactRec* c = find_contact(id);
    if (!c) return Status::not_found(cid(id));
    if (c->phase != phase) return Status::failed_precondition(cid(id) + " is not " + what);
    return c;
  }
  bool queue_exists(QueueId id) const { return id < queues.size() && queues[id].configured; }

  // ---- matching ----

  bool eligible(const AgentRec& a, AgentId id, const ContactRec& c, std::uint8_t tier) const {
    return tier <= c.max_tier && agent_can_take_channel(a, c.channel) && agent_meets(a, c) &&
           !contains(c.excluded, id);
  }

  void offer(ContactRec& c, AgentId agent) {
    const Millis expires = now + queues[c.queue].config.offer_timeout;
    emit(ev::ContactOffered{c.id, agent, c.queue, expires});
    stats.offers++;
  }

  void arm_offer_timers(const ContactRec& c) {
    for (AgentId a : c.offered_to) timer(c.offer_expires_at, TimerKind::kOfferExpiry, c, a);
  }

  void arm_step_timer(const ContactRec& c) {
    const Millis t = next_step_time(c);
    if (t != kNever) timer(t, TimerKind::kQueueStep, c);
  }

  // A waiting contact looks for the best eligible available member of its queue.
  // Returns true when it was offered.
  bool try_match_contact(ContactRec& c) {
    QueueRec& q = queues[c.queue];
    const SelectionStrategy& strategy = *q.strategy;
    if (strategy.rings_all()) {
      std::vector<AgentId> chosen;
      for (auto k = q.available.cursor(index_nodes); k; k.next()) {
        if (k->tier > c.max_tier) break;
        if (eligible(agents[k->agent], k->agent, c, k->tier)) chosen.push_back(k->agent);
      }
      if (chosen.empty()) return false;
      // Iterating the set while offers re-rank agents would be unsafe: collect first.
      for (AgentId a : chosen) offer(c, a);
      arm_offer_timers(c);
      return true;
    }
    AgentId best = kNoId;
    std::uint8_t best_tier = 0;
    std::int64_t best_score = 0;
    // Only a scoring strategy needs the effective requirements (an idle Requirements costs a
    // 70-byte clear on every match attempt).
    std::optional<Requirements> effective;
    if (strategy.scores_contact()) effective.emplace(effective_requirements(c));
    for (auto cur = q.available.cursor(index_nodes); cur; cur.next()) {
      const AgentKey& k = *cur;
      if (k.tier > c.max_tier) break;
      if (best != kNoId && k.tier != best_tier) break;
      const AgentRec& a = agents[k.agent];
      if (!eligible(a, k.agent, c, k.tier)) continue;
      if (!strategy.scores_contact()) {
        best = k.agent;
        break;
      }
      const std::int64_t score = strategy.score(a.config.skills, *effective);
      if (best == kNoId || score > best_score) {
        best = k.agent;
        best_tier = k.tier;
        best_score = score;
      }
    }
    if (best == kNoId) return false;
    offer(c, best);
    arm_offer_timers(c);
    return true;
  }

  // An agent with free capacity looks for the best waiting contact across its queues: lowest
  // tier first, then highest effective priority, then longest in line. Repeats while it has room.
  // The best waiting contact across the agent's queues for agent `id` (which has free capacity):
  // lowest tier first, then highest effective priority, then longest in line. nullptr if none.
  ContactRec* best_waiting_for(AgentId id, const AgentRec& a) {
    ContactRec* best = nullptr;
    std::uint8_t best_tier = 0;
    std::int64_t best_priority = 0;
    for (const auto& m : a.memberships) {
      QueueRec& q = queues[m.queue];
      if (!q.configured || q.waiting.empty()) continue;
      if (best && m.tier > best_tier) continue;
      for (const WaitKey& k : q.waiting) {
        ContactRec& c = *k.rec;
        if (!eligible(a, id, c, m.tier)) continue;
        const std::int64_t p = effective_priority_micros(c, now);
        if (!best || m.tier < best_tier ||
            (m.tier == best_tier &&
             (p > best_priority || (p == best_priority && (c.order_time < best->order_time ||
                                                           (c.order_time == best->order_time &&
                                                            c.order_seq < best->order_seq)))))) {
          best = &c;
          best_tier = m.tier;
          best_priority = p;
        }
        break;  // the first eligible contact is this queue's best
      }
    }
    return best;
  }

  // An agent with free capacity looks for the best waiting contact across its queues. Repeats
  // while it has room.
  void try_match_agent(AgentId id) {
    for (;;) {
      AgentRec& a = agents[id];
      if (!a.configured || !a.logged_in || a.presence != Presence::kAvailable) return;
      if (!a.indexed) return;  // not indexed means no free slot
      ContactRec* best = best_waiting_for(id, a);
      if (!best) return;
      if (queues[best->queue].strategy->rings_all()) {
        // The contact rings every eligible agent, this one included.
        try_match_contact(*best);
      } else {
        offer(*best, id);
        arm_offer_timers(*best);
      }
    }
  }

  void match_agents(std::vector<AgentId> ids) {
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    for (AgentId id : ids) try_match_agent(id);
  }

  // A contact (re)entered the waiting line. Relaxation steps that fell due meanwhile (while it
  // rang) apply first, each followed by a match attempt; otherwise it is matched once. If nobody
  // takes it, its next relaxation or overflow step is armed.
  void on_waiting(ContactRec& c) {
    const ContactId id = c.id;
    if (next_relax_time(c) <= now) {
      if (apply_due_steps(id)) return;
    } else if (try_match_contact(c)) {
      return;
    }
    arm_step_timer(*find_contact(id));
  }

  // Applies the relaxation steps due now, each followed by a match attempt. True once offered.
  bool apply_due_steps(ContactId id) {
    for (;;) {
      ContactRec* c = find_contact(id);
      if (!c || c->phase != Phase::kQueued || next_relax_time(*c) > now) return false;
      emit(ev::ContactRelaxed{id, c->relax_step});
      if (try_match_contact(*find_contact(id))) return true;
    }
  }

  // After a queue's reconfiguration: every waiting contact, best first, is matched again or gets
  // a step timer for its new schedule.
  void rematch_queue(QueueId id) {
    std::vector<ContactId> waiting;
    for (const WaitKey& k : queues[id].waiting) waiting.push_back(k.contact);
    for (ContactId c : waiting) {
      ContactRec* rec = find_contact(c);
      if (!rec || rec->phase != Phase::kQueued) continue;
      if (!try_match_contact(*rec)) arm_step_timer(*find_contact(c));
    }
  }

  void enqueue(ContactRec& c, QueueId q) {
    emit(ev::ContactQueued{c.id, q});
    on_waiting(*find_contact(c.id));
  }

  // The wrap-up ends and the agent looks for work. When a contact waits for it, re-entering the
  // agent into its queues' indexes only to take it out again at the offer is wasted work (half
  // of the index maintenance under load), so the agent stays out until it is known whether it
  // takes a contact at once. The events, and the state after them, are the same either way.
  void end_wrap_up(ContactRec& c, ReasonId disposition) {
    const AgentId agent = c.agent;
    defer_reindex = true;
    emit(ev::WrapUpEnded{c.id, agent, disposition});
    defer_reindex = false;
    AgentRec& a = agents[agent];
    ContactRec* best = indexable(a) ? best_waiting_for(agent, a) : nullptr;
    if (best && !queues[best->queue].strategy->rings_all()) {
      offer(*best, agent);  // ContactOffered re-indexes the agent if it still has room
      arm_offer_timers(*best);
    } else {
      // Nothing for it (or a ring-all contact, which must see the agent in the index).
      reindex_agent(agent);
      if (!best) return;
    }
    try_match_agent(agent);
  }

  void end_conversation(ContactRec& c, EndedBy by) {
    const AgentId agent = c.agent;
    const ContactId id = c.id;
    emit(ev::ContactEnded{id, agent, by});
    ContactRec& rec = *find_contact(id);
    if (rec.wrap_ends_at == kNever) {
      if (queues[rec.queue].config.wrap_up == 0) end_wrap_up(rec, 0);
    } else {
      timer(rec.wrap_ends_at, TimerKind::kWrapUpEnd, rec);
    }
  }

  // After an offer failed (rejected, timed out, rescinded): re-place the contact, free the agent.
  void after_offer_failed(ContactId id, AgentId agent) {
    ContactRec* c = find_contact(id);
    if (c && c->phase == Phase::kQueued) on_waiting(*c);
    try_match_agent(agent);
  }

  // ---- commands ----

  Status run(const cmd::ConfigureSkill& x) {
    if (x.skill == kNoId || x.skill > 100000) return Status::invalid_argument("bad skill id");
    emit(ev::SkillConfigured{x.skill, std::make_shared<const std::string>(x.name)});
    return {};
  }

  Status run(const cmd::ConfigureProfile& x) {
    const RoutingProfile& p = x.profile;
    if (p.id == kNoId || p.id > 100000) return Status::invalid_argument("bad profile id");
    if (p.max_total == 0) return Status::invalid_argument("profile max_total must be positive");
    std::vector<AgentId> affected;
    for (AgentId a = 0; a < agents.size(); ++a)
      if (agents[a].configured && agents[a].config.profile == p.id) affected.push_back(a);
    emit(ev::ProfileConfigured{std::make_shared<const RoutingProfile>(p)});
    match_agents(affected);
    return {};
  }

  Status run(const cmd::ConfigureQueue& x) {
    const QueueConfig& q = x.queue;
    if (q.id == kNoId || q.id > 100000) return Status::invalid_argument("bad queue id");
    if (q.offer_timeout <= 0) return Status::invalid_argument("offer_timeout must be positive");
    if (q.overflow_queue == q.id)
      return Status::invalid_argument(qid(q.id) + " overflows to itself");
    if (q.relaxation.size() > 255) return Status::invalid_argument("too many relaxation steps");
    for (std::size_t i = 1; i < q.relaxation.size(); ++i)
      if (q.relaxation[i].after < q.relaxation[i - 1].after)
        return Status::invalid_argument("relaxation steps must be sorted by 'after'");
    if (q.aging_interval < 0 || q.wrap_up < 0 || q.overflow_after < 0)
      return Status::invalid_argument("durations must not be negative");
    const bool existed = queue_exists(q.id);
    if (existed) {
      // Relaxation indexes of waiting contacts refer to the old step list.
      bool blocked = false;
      contacts.for_each([&](ContactId, const ContactRec& c) {
        blocked |=
            c.queue == q.id && c.phase == Phase::kQueued && c.relax_step > q.relaxation.size();
      });
      if (blocked)
        return Status::failed_precondition("cannot remove relaxation steps of " + qid(q.id) +
                                           " while contacts wait in it");
    }
    emit(ev::QueueConfigured{std::make_shared<const QueueConfig>(q)});
    rematch_queue(q.id);
    return {};
  }

  Status run(const cmd::ConfigureAgent& x) {
    const AgentConfig& a = x.agent;
    if (a.id == kNoId || a.id > 1000000) return Status::invalid_argument("bad agent id");
    if (a.profile >= profiles.size() || !profile_defined[a.profile])
      return Status::invalid_argument(aid(a.id) + " uses unknown routing profile " +
                                      std::to_string(a.profile));
    for (std::size_t i = 0; i < a.queues.size(); ++i) {
      const QueueMembership& m = a.queues[i];
      if (!queue_exists(m.queue))
        return Status::invalid_argument(aid(a.id) + " is a member of unknown " + qid(m.queue));
      if (m.tier == 0) return Status::invalid_argument("tiers start at 1");
      for (std::size_t j = 0; j < i; ++j)
        if (a.queues[j].queue == m.queue)
          return Status::invalid_argument(aid(a.id) + " lists " + qid(m.queue) + " twice");
    }
    for (std::size_t i = 0; i < a.skills.size(); ++i)
      for (std::size_t j = 0; j < i; ++j)
        if (a.skills[j].skill == a.skills[i].skill)
          return Status::invalid_argument(aid(a.id) + " lists skill " +
                                          std::to_string(a.skills[i].skill) + " twice");
    for (const auto& s : a.skills) {
      if (s.skill >= skill_defined.size() || !skill_defined[s.skill])
        return Status::invalid_argument(aid(a.id) + " has unknown skill " +
                                        std::to_string(s.skill));
      if (s.proficiency < kMinProficiency || s.proficiency > kMaxProficiency)
        return Status::invalid_argument("proficiency must be within 1..10");
    }
    if (a.id < agents.size() && agents[a.id].configured && agents[a.id].load > 0 &&
        agents[a.id].config.profile != a.profile)
      return Status::failed_precondition(aid(a.id) +
                                         " holds contacts; change its profile when it is free");
    emit(ev::AgentConfigured{std::make_shared<const AgentConfig>(a)});
    try_match_agent(a.id);
    return {};
  }

  Status check_requirements(const Requirements& r) const {
    for (const auto& req : r) {
      if (req.skill >= skill_defined.size() || !skill_defined[req.skill])
        return Status::invalid_argument("unknown skill " + std::to_string(req.skill));
      if (req.min_proficiency < kMinProficiency || req.min_proficiency > kMaxProficiency)
        return Status::invalid_argument("min proficiency must be within 1..10");
    }
    return {};
  }

  Status run(const cmd::ArriveContact& x) {
    if (x.contact == kNoContact) return Status::invalid_argument("contact id 0 is reserved");
    if (find_contact(x.contact)) return Status::already_exists(cid(x.contact) + " is already live");
    if (!queue_exists(x.queue)) return Status::not_found(qid(x.queue));
    SB_RETURN_IF_ERROR(check_requirements(x.requirements));
    emit(ev::ContactArrived{x.contact, x.channel, x.queue, x.priority, x.requirements, x.customer});
    const QueueConfig& q = queues[x.queue].config;
    if (!q.hours.is_open(now)) {
      emit(ev::ContactBlocked{x.contact, x.queue, BlockReason::kClosed});
    } else if (q.max_waiting > 0 && queues[x.queue].waiting.size() >= q.max_waiting) {
      emit(ev::ContactBlocked{x.contact, x.queue, BlockReason::kFull});
    } else {
      enqueue(*find_contact(x.contact), x.queue);
    }
    return {};
  }

  Status run(const cmd::SelfServe& x) {
    if (x.contact == kNoContact) return Status::invalid_argument("contact id 0 is reserved");
    if (find_contact(x.contact)) return Status::already_exists(cid(x.contact) + " is already live");
    emit(ev::SelfServed{x.contact, x.channel, x.customer});
    return {};
  }

  Status run(const cmd::CustomerLeft& x) {
    ContactRec* c = find_contact(x.contact);
    if (!c) return Status::not_found(cid(x.contact));
    switch (c->phase) {
      case Phase::kQueued:
      case Phase::kOffered: {
        std::vector<AgentId> ringing(c->offered_to.begin(), c->offered_to.end());
        emit(ev::ContactAbandoned{x.contact, c->queue});
        match_agents(ringing);
        return {};
      }
      case Phase::kConnected:
        end_conversation(*c, EndedBy::kCustomer);
        return {};
      default:
        return Status::failed_precondition(cid(x.contact) + " has already ended");
    }
  }

  Status run(const cmd::RequestCallback& x) {
    auto c = contact_in(x.contact, Phase::kQueued, "waiting in a queue");
    if (!c.ok()) return c.status();
    if ((*c)->callback)
      return Status::failed_precondition(cid(x.contact) + " is already a callback");
    emit(ev::CallbackRequested{x.contact, (*c)->queue});
    // The channel changed, so other agents may now be able to take it.
    ContactRec& rec = *find_contact(x.contact);
    try_match_contact(rec);
    return {};
  }

  Status run(const cmd::LoginAgent& x) {
    if (x.agent >= agents.size() || !agents[x.agent].configured)
      return Status::not_found(aid(x.agent));
    if (agents[x.agent].logged_in)
      return Status::failed_precondition(aid(x.agent) + " is already logged in");
    emit(ev::AgentLoggedIn{x.agent});
    try_match_agent(x.agent);
    return {};
  }

  Status run(const cmd::LogoutAgent& x) {
    auto a = logged_in_agent(x.agent);
    if (!a.ok()) return a.status();
    if ((*a)->connected + (*a)->wrap_up > 0)
      return Status::failed_precondition(aid(x.agent) + " still handles " +
                                         std::to_string((*a)->connected + (*a)->wrap_up) +
                                         " contact(s)");
    const std::vector<ContactId> ringing((*a)->contacts.begin(), (*a)->contacts.end());
    for (ContactId c : ringing) emit(ev::OfferRescinded{c, x.agent});
    emit(ev::AgentLoggedOut{x.agent});
    for (ContactId c : ringing) {
      ContactRec* rec = find_contact(c);
      if (rec && rec->phase == Phase::kQueued) on_waiting(*rec);
    }
    return {};
  }

  Status run(const cmd::SetAgentState& x) {
    auto a = logged_in_agent(x.agent);
    if (!a.ok()) return a.status();
    if (x.presence == Presence::kOffline)
      return Status::invalid_argument("use logout to go offline");
    if (x.presence == Presence::kAvailable && x.reason != reason::kNone)
      return Status::invalid_argument("available takes no reason code");
    if ((*a)->presence == x.presence && (*a)->reason == x.reason) return {};
    emit(ev::AgentStateChanged{x.agent, x.presence, x.reason});
    try_match_agent(x.agent);
    return {};
  }

  Status run(const cmd::SetAgentSkills& x) {
    if (x.agent >= agents.size() || !agents[x.agent].configured)
      return Status::not_found(aid(x.agent));
    for (const auto& s : x.skills) {
      if (s.skill >= skill_defined.size() || !skill_defined[s.skill])
        return Status::invalid_argument("unknown skill " + std::to_string(s.skill));
      if (s.proficiency < kMinProficiency || s.proficiency > kMaxProficiency)
        return Status::invalid_argument("proficiency must be within 1..10");
    }
    emit(
        ev::AgentSkillsChanged{x.agent, std::make_shared<const std::vector<SkillLevel>>(x.skills)});
    try_match_agent(x.agent);
    return {};
  }

  Status run(const cmd::AcceptOffer& x) {
    auto c = contact_in(x.contact, Phase::kOffered, "ringing");
    if (!c.ok()) return c.status();
    if (!contains((*c)->offered_to, x.agent))
      return Status::failed_precondition(cid(x.contact) + " is not offered to " + aid(x.agent));
    std::vector<AgentId> others;
    for (AgentId a : (*c)->offered_to)
      if (a != x.agent) others.push_back(a);
    for (AgentId a : others) emit(ev::OfferRescinded{x.contact, a});
    emit(ev::OfferAccepted{x.contact, x.agent});
    emit(ev::ContactConnected{x.contact, x.agent});
    match_agents(others);
    return {};
  }

  Status run(const cmd::RejectOffer& x) {
    auto c = contact_in(x.contact, Phase::kOffered, "ringing");
    if (!c.ok()) return c.status();
    if (!contains((*c)->offered_to, x.agent))
      return Status::failed_precondition(cid(x.contact) + " is not offered to " + aid(x.agent));
    emit(ev::OfferRejected{x.contact, x.agent});
    after_offer_failed(x.contact, x.agent);
    return {};
  }

  Status run(const cmd::Hold& x) {
    auto c = contact_in(x.contact, Phase::kConnected, "connected");
    if (!c.ok()) return c.status();
    if ((*c)->on_hold) return Status::failed_precondition(cid(x.contact) + " is already on hold");
    emit(ev::HoldStarted{x.contact, (*c)->agent});
    return {};
  }

  Status run(const cmd::Unhold& x) {
    auto c = contact_in(x.contact, Phase::kConnected, "connected");
    if (!c.ok()) return c.status();
    if (!(*c)->on_hold) return Status::failed_precondition(cid(x.contact) + " is not on hold");
    emit(ev::HoldEnded{x.contact, (*c)->agent});
    return {};
  }

  Status run(const cmd::Transfer& x) {
    auto c = contact_in(x.contact, Phase::kConnected, "connected");
    if (!c.ok()) return c.status();
    ContactRec& rec = **c;
    const AgentId from = rec.agent;
    const QueueId from_queue = rec.queue;
    if ((x.to_queue == kNoId) == (x.to_agent == kNoId))
      return Status::invalid_argument("transfer needs exactly one of a queue or an agent");
    if (x.to_queue != kNoId) {
      if (!queue_exists(x.to_queue)) return Status::not_found(qid(x.to_queue));
      const QueueConfig& q = queues[x.to_queue].config;
      if (!q.hours.is_open(now)) return Status::failed_precondition(qid(x.to_queue) + " is closed");
      if (q.max_waiting > 0 && queues[x.to_queue].waiting.size() >= q.max_waiting)
        return Status::resource_exhausted(qid(x.to_queue) + " is full");
      emit(ev::ContactTransferred{x.contact, from, from_queue, x.to_queue, kNoId,
                                  TransferReason::kAgentRequest});
      enqueue(*find_contact(x.contact), x.to_queue);
    } else {
      if (x.to_agent == from) return Status::invalid_argument("cannot transfer to the same agent");
      auto target = logged_in_agent(x.to_agent);
      if (!target.ok()) return target.status();
      if ((*target)->presence != Presence::kAvailable)
        return Status::failed_precondition(aid(x.to_agent) + " is not available");
      if (!agent_can_take_channel(**target, rec.channel))
        return Status::failed_precondition(aid(x.to_agent) + " has no free capacity for " +
                                           std::string(channel_name(rec.channel)));
      emit(ev::ContactTransferred{x.contact, from, from_queue, kNoId, x.to_agent,
                                  TransferReason::kAgentRequest});
      ContactRec& moved = *find_contact(x.contact);
      offer(moved, x.to_agent);
      arm_offer_timers(moved);
    }
    try_match_agent(from);
    return {};
  }

  Status run(const cmd::EndContact& x) {
    auto c = contact_in(x.contact, Phase::kConnected, "connected");
    if (!c.ok()) return c.status();
    end_conversation(**c, EndedBy::kAgent);
    return {};
  }

  Status run(const cmd::EndWrapUp& x) {
    auto c = contact_in(x.contact, Phase::kWrapUp, "in wrap-up");
    if (!c.ok()) return c.status();
    end_wrap_up(**c, x.disposition);
    return {};
  }

  // Surveys and imported history are facts for reports; routing state does not change.
  Status run(const cmd::RecordSurvey& x) {
    if (x.contact == kNoContact) return Status::invalid_argument("contact id 0 is reserved");
    SB_RETURN_IF_ERROR(check_survey_score(x.kind, x.score));
    emit(ev::SurveyAnswered{x.contact, x.agent, x.queue, x.kind, x.score});
    return {};
  }

  Status run(const cmd::ImportContact& x) {
    SB_RETURN_IF_ERROR(check_imported_contact(x.record));
    emit(ev::ContactImported{std::make_shared<const ImportedContact>(x.record)});
    return {};
  }

  // Runs the command's alternative through a table of functions, one per alternative. Unlike
  // std::visit, which moved each returned Status (and its string) once more, the result of run()
  // is returned as is.
  Status run_command(const Command& c) {
    Status st = run_indexed(c, std::make_index_sequence<std::variant_size_v<Command>>{});
    if (!st.ok()) stats.rejected_commands++;
    return st;  // the only return: constructed in the caller's slot
  }
  template <std::size_t... I>
  Status run_indexed(const Command& c, std::index_sequence<I...>) {
    using Fn = Status (*)(State&, const Command&);
    static constexpr Fn kTable[] = {
        [](State& s, const Command& cmd) -> Status { return s.run(*std::get_if<I>(&cmd)); }...};
    return kTable[c.index()](*this, c);
  }

  // ---- timers ----

  void fire(const TimerKey& key) {
    ContactRec* c = find_contact(key.contact);
    if (!c || c->generation != key.generation) {
      stats.stale_timers++;
      return;
    }
    switch (key.kind) {
      case TimerKind::kOfferExpiry: {
        if (c->phase != Phase::kOffered || !contains(c->offered_to, key.agent) ||
            now < c->offer_expires_at) {
          stats.stale_timers++;
          return;
        }
        const QueueId q = c->queue;
        emit(ev::OfferTimedOut{key.contact, key.agent});
        const AgentRec& a = agents[key.agent];
        if (a.logged_in && a.presence == Presence::kAvailable &&
            a.missed_in_a_row >= queues[q].config.max_missed_offers &&
            queues[q].config.max_missed_offers > 0)
          emit(ev::AgentStateChanged{key.agent, Presence::kNotReady, reason::kMissed});
        after_offer_failed(key.contact, key.agent);
        return;
      }
      case TimerKind::kWrapUpEnd:
        if (c->phase != Phase::kWrapUp || now < c->wrap_ends_at) {
          stats.stale_timers++;
          return;
        }
        end_wrap_up(*c, 0);
        return;
      case TimerKind::kQueueStep:
        run_queue_steps(*c);
        return;
    }
  }

  // A queue-step timer: relaxation steps due now (each followed by a match attempt), then the
  // overflow if it is due. An overflow the target cannot take now is deferred by kOverflowRetry.
  void run_queue_steps(ContactRec& c) {
    if (c.phase != Phase::kQueued || next_step_time(c) > now) {
      stats.stale_timers++;
      return;
    }
    const ContactId id = c.id;
    if (apply_due_steps(id)) return;
    ContactRec* rec = find_contact(id);
    if (next_overflow_time(*rec) <= now) {
      const QueueId target = queues[rec->queue].config.overflow_queue;
      const bool can_take = queue_exists(target) && queues[target].config.hours.is_open(now) &&
                            (queues[target].config.max_waiting == 0 ||
                             queues[target].waiting.size() < queues[target].config.max_waiting);
      if (can_take) {
        emit(ev::ContactTransferred{id, kNoId, rec->queue, target, kNoId,
                                    TransferReason::kOverflow});
        enqueue(*find_contact(id), target);
        return;
      }
      emit(ev::OverflowDeferred{id, target, now + kOverflowRetry});
      rec = find_contact(id);
    }
    if (try_match_contact(*rec)) return;
    arm_step_timer(*find_contact(id));
  }
};

// ---------------------------------------------------------------------------------------------

Engine::Engine() : s_(std::make_unique<State>()) {}
Engine::~Engine() = default;
Engine::Engine(Engine&&) noexcept = default;
Engine& Engine::operator=(Engine&&) noexcept = default;

Status Engine::handle(const Command& command, Millis now, Output& out) {
  if (now < s_->last_time)
    return Status::invalid_argument("time went backwards: " + std::to_string(now) + " < " +
                                    std::to_string(s_->last_time));
  s_->out = &out;
  s_->now = now;
  s_->stats.commands++;
  // Returning run_command()'s result directly (rather than through a local next to the early
  // return above) spares a move of the Status; the output is detached once it is built.
  struct Detach {
    State* s;
    ~Detach() { s->out = nullptr; }
  } detach{s_.get()};
  return s_->run_command(command);
}

void Engine::on_timer(const TimerKey& key, Millis now, Output& out) {
  s_->out = &out;
  s_->now = std::max(now, s_->last_time);
  s_->stats.timers_fired++;
  s_->fire(key);
  s_->out = nullptr;
}

Status Engine::apply(const Event& event) {
  if (event.seq != s_->last_seq + 1)
    return Status::corruption("event seq " + std::to_string(event.seq) + " does not follow " +
                              std::to_string(s_->last_seq));
  if (event.at < s_->last_time)
    return Status::corruption("event " + std::to_string(event.seq) + " goes back in time");
  SB_RETURN_IF_ERROR(s_->check_event(event));
  try {
    s_->apply_event(event);
  } catch (const std::out_of_range&) {
    return Status::corruption("event " + std::to_string(event.seq) + " (" +
                              std::string(event_type_name(event.type())) +
                              ") refers to something that does not exist");
  }
  return {};
}

void Engine::pending_timers(std::vector<TimerRequest>& out) const {
  std::vector<const ContactRec*> live;
  live.reserve(s_->contacts.size());
  s_->contacts.for_each([&](ContactId, const ContactRec& c) { live.push_back(&c); });
  std::sort(live.begin(), live.end(), [](auto* a, auto* b) { return a->id < b->id; });
  for (const ContactRec* c : live) {
    switch (c->phase) {
      case Phase::kOffered:
        for (AgentId a : c->offered_to)
          out.push_back({c->offer_expires_at, {TimerKind::kOfferExpiry, c->id, a, c->generation}});
        break;
      case Phase::kWrapUp:
        if (c->wrap_ends_at != kNever)
          out.push_back({c->wrap_ends_at, {TimerKind::kWrapUpEnd, c->id, kNoId, c->generation}});
        break;
      case Phase::kQueued: {
        const Millis t = s_->next_step_time(*c);
        if (t != kNever) out.push_back({t, {TimerKind::kQueueStep, c->id, kNoId, c->generation}});
        break;
      }
      default:
        break;
    }
  }
}

std::string Engine::snapshot() const { return routing_internal::write_snapshot(*s_); }

Status Engine::restore(std::string_view snapshot) {
  auto fresh = std::make_unique<State>();
  SB_RETURN_IF_ERROR(routing_internal::read_snapshot(snapshot, *fresh));
  fresh->stats = s_->stats;
  s_ = std::move(fresh);
  return {};
}

std::uint64_t snapshot_hash(std::string_view bytes) {
  std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a, 64 bit
  for (unsigned char ch : bytes) {
    h ^= ch;
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::uint64_t Engine::state_hash() const { return snapshot_hash(snapshot()); }

std::uint64_t Engine::last_seq() const { return s_->last_seq; }
Millis Engine::last_event_time() const { return s_->last_time; }
std::size_t Engine::agent_count() const { return s_->agents.size(); }
std::size_t Engine::queue_count() const { return s_->queues.size(); }
std::size_t Engine::live_contact_count() const { return s_->contacts.size(); }
const EngineStats& Engine::stats() const { return s_->stats; }

Result<ContactView> Engine::contact(ContactId id) const {
  const ContactRec* c = s_->find_contact(id);
  if (!c) return Status::not_found(cid(id));
  ContactView v;
  v.id = c->id;
  v.channel = c->channel;
  switch (c->phase) {
    case Phase::kOffered:
      v.phase = ContactPhase::kOffered;
      break;
    case Phase::kConnected:
      v.phase = ContactPhase::kConnected;
      break;
    case Phase::kWrapUp:
      v.phase = ContactPhase::kWrapUp;
      break;
    default:
      v.phase = ContactPhase::kQueued;
      break;
  }
  v.queue = c->queue;
  v.agent = c->agent;
  v.priority = c->priority;
  v.customer = c->customer;
  v.arrived_at = c->arrived_at;
  v.enqueued_at = c->order_time;
  v.on_hold = c->on_hold;
  v.callback = c->callback;
  v.relaxation_step = c->relax_step;
  v.offered_to.assign(c->offered_to.begin(), c->offered_to.end());
  return v;
}

Result<AgentView> Engine::agent(AgentId id) const {
  if (id >= s_->agents.size() || !s_->agents[id].configured) return Status::not_found(aid(id));
  const AgentRec& a = s_->agents[id];
  AgentView v;
  v.id = id;
  v.logged_in = a.logged_in;
  v.presence = a.presence;
  v.reason = a.reason;
  v.presence_since = a.presence_since;
  v.idle_since = a.idle_since;
  v.missed_in_a_row = a.missed_in_a_row;
  v.offered = a.offered;
  v.connected = a.connected;
  v.wrap_up = a.wrap_up;
  v.contacts.assign(a.contacts.begin(), a.contacts.end());
  return v;
}

Result<QueueView> Engine::queue(QueueId id) const {
  if (!s_->queue_exists(id)) return Status::not_found(qid(id));
  const QueueRec& q = s_->queues[id];
  QueueView v;
  v.id = id;
  v.waiting = static_cast<std::uint32_t>(q.waiting.size());
  for (const WaitKey& k : q.waiting)
    v.oldest_enqueued_at = std::min(v.oldest_enqueued_at, k.rec->order_time);
  for (AgentId m : q.members) {
    const AgentRec& a = s_->agents[m];
    if (!a.logged_in) continue;
    v.agents_logged_in++;
    if (a.presence == Presence::kAvailable) {
      v.agents_available++;
      if (a.load == 0) v.agents_idle++;
    }
  }
  return v;
}

std::vector<ContactId> Engine::waiting_contacts(QueueId id) const {
  std::vector<ContactId> out;
  if (!s_->queue_exists(id)) return out;
  for (const WaitKey& k : s_->queues[id].waiting) out.push_back(k.contact);
  return out;
}

namespace {

// Expected time for `ahead + 1` departures when `servers` slots work in parallel, each taking
// `handle_time` on average: (ahead + 1) * handle_time / servers.
Millis ewt(std::size_t ahead, std::uint64_t servers, Millis handle_time) {
  if (servers == 0) return kNever;
  return static_cast<Millis>((ahead + 1) * static_cast<std::uint64_t>(handle_time) / servers);
}

std::uint64_t staffed_slots(const EngineState& s, const QueueRec& q, Channel ch) {
  std::uint64_t slots = 0;
  for (AgentId m : q.members) {
    const AgentRec& a = s.agents[m];
    if (!a.logged_in || a.presence != Presence::kAvailable) continue;
    if (a.config.profile >= s.profiles.size()) continue;
    const RoutingProfile& p = s.profiles[a.config.profile];
    slots += std::min<std::uint64_t>(p.capacity[static_cast<int>(ch)], p.max_total);
  }
  return slots;
}

}  // namespace

Result<Millis> Engine::estimated_wait(ContactId id, Millis /*now*/) const {
  const ContactRec* c = s_->find_contact(id);
  if (!c) return Status::not_found(cid(id));
  if (c->phase != Phase::kQueued) return Millis{0};
  const QueueRec& q = s_->queues[c->queue];
  auto it = q.waiting.find(s_->wait_key(*c));
  const std::size_t ahead = static_cast<std::size_t>(std::distance(q.waiting.begin(), it));
  return ewt(ahead, staffed_slots(*s_, q, c->channel), q.handle_time_estimate);
}

Result<Millis> Engine::estimated_wait_for_new(QueueId id, Millis /*now*/) const {
  if (!s_->queue_exists(id)) return Status::not_found(qid(id));
  const QueueRec& q = s_->queues[id];
  std::uint64_t slots = staffed_slots(*s_, q, Channel::kVoice);
  // A queue that takes no voice is estimated for the channel its members carry most of.
  if (slots == 0)
    for (int ch = 1; ch < kChannelCount && slots == 0; ++ch)
      slots = staffed_slots(*s_, q, static_cast<Channel>(ch));
  if (q.waiting.empty()) {
    for (AgentId m : q.members) {
      const AgentRec& a = s_->agents[m];
      if (a.logged_in && a.presence == Presence::kAvailable && a.load == 0) return Millis{0};
    }
  }
  return ewt(q.waiting.size(), slots, q.handle_time_estimate);
}

}  // namespace sb

namespace sb {

CenterConfig Engine::configuration() const {
  CenterConfig c;
  c.skills.resize(s_->skill_names.size());
  for (std::size_t i = 0; i < s_->skill_names.size(); ++i)
    if (i < s_->skill_defined.size() && s_->skill_defined[i]) c.skills[i] = s_->skill_names[i];
  for (std::size_t i = 0; i < s_->profiles.size(); ++i)
    if (i < s_->profile_defined.size() && s_->profile_defined[i])
      c.profiles.push_back(s_->profiles[i]);
  for (const auto& q : s_->queues)
    if (q.configured) c.queues.push_back(q.config);
  for (const auto& a : s_->agents)
    if (a.configured) c.agents.push_back(a.config);
  return c;
}

}  // namespace sb
