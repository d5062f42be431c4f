// The reference router: docs/routing.md transcribed as directly as possible. Every decision scans
// all agents and all contacts; nothing is cached between decisions except the raw facts (who holds
// which contact, what was configured). Section names in the comments refer to docs/routing.md.

#include "tests/routing/reference_router.h"

#include <algorithm>
#include <sstream>
#include <tuple>

#include "base/overloaded.h"

namespace sb::testing_ref {
namespace {

// "How long a contact whose overflow target is closed or full waits before trying again."
constexpr Millis kOverflowRetry = 5 * kMillisPerSecond;

template <class T>
bool contains(const std::vector<T>& v, const T& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

template <class T>
void erase_value(std::vector<T>& v, const T& x) {
  v.erase(std::remove(v.begin(), v.end(), x), v.end());
}

Millis ewt(std::uint64_t ahead, std::uint64_t servers, Millis handle_time) {
  if (servers == 0) return kNever;
  return static_cast<Millis>((ahead + 1) * static_cast<std::uint64_t>(handle_time) / servers);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Options.

ReferenceOptions ReferenceOptions::engine_compatible() { return parse("all"); }

ReferenceOptions ReferenceOptions::parse(const std::string& spec) {
  ReferenceOptions o;
  std::stringstream in(spec);
  std::string item;
  while (std::getline(in, item, ',')) {
    const bool all = item == "all";
    if (all || item == "d1") o.engine_idle_since = true;
    if (all || item == "d2") o.engine_relax_via_timer = true;
    if (all || item == "d3") o.engine_batch_relaxation = true;
    if (all || item == "d4") o.engine_overflow_retry_timer = true;
    if (all || item == "d5") o.engine_reconfigure_keeps_timers = true;
    if (all || item == "d6") o.engine_first_handle_time = true;
    if (all || item == "d7") o.engine_new_arrival_free_slot = true;
  }
  return o;
}

std::string ReferenceOptions::describe() const {
  std::string s;
  auto add = [&](bool on, const char* name) {
    if (!on) return;
    if (!s.empty()) s += ",";
    s += name;
  };
  add(engine_idle_since, "d1");
  add(engine_relax_via_timer, "d2");
  add(engine_batch_relaxation, "d3");
  add(engine_overflow_retry_timer, "d4");
  add(engine_reconfigure_keeps_timers, "d5");
  add(engine_first_handle_time, "d6");
  add(engine_new_arrival_free_slot, "d7");
  return s.empty() ? "doc" : s;
}

ReferenceRouter::ReferenceRouter(ReferenceOptions options) : options_(options) {}

// ---------------------------------------------------------------------------------------------
// Facts recomputed from scratch.

ReferenceRouter::Contact* ReferenceRouter::find(ContactId id) {
  for (auto& c : contacts_)
    if (c.id == id) return &c;
  return nullptr;
}

const ReferenceRouter::Contact* ReferenceRouter::find(ContactId id) const {
  for (const auto& c : contacts_)
    if (c.id == id) return &c;
  return nullptr;
}

int ReferenceRouter::tier_of(const Agent& a, QueueId q) const {
  for (const auto& m : a.config.queues)
    if (m.queue == q) return m.tier;
  return 0;
}

int ReferenceRouter::proficiency_of(const Agent& a, SkillId s) const {
  for (const auto& k : a.config.skills)
    if (k.skill == s) return k.proficiency;
  return 0;
}

// "A slot is in use from the offer until the end of wrap-up."
namespace {
bool holds_slot_of(AgentId id, bool offered, const std::vector<AgentId>& ringing, bool working,
                   AgentId agent) {
  return (offered && contains(ringing, id)) || (working && agent == id);
}
}  // namespace

int ReferenceRouter::load(AgentId id) const {
  int n = 0;
  for (const auto& c : contacts_)
    n += holds_slot_of(id, c.phase == Phase::kOffered, c.ringing,
                       c.phase == Phase::kConnected || c.phase == Phase::kWrapUp, c.agent);
  return n;
}

int ReferenceRouter::load_on(AgentId id, Channel ch) const {
  int n = 0;
  for (const auto& c : contacts_)
    if (c.channel == ch)
      n += holds_slot_of(id, c.phase == Phase::kOffered, c.ringing,
                         c.phase == Phase::kConnected || c.phase == Phase::kWrapUp, c.agent);
  return n;
}

bool ReferenceRouter::holds_exclusive(AgentId id) const {
  const RoutingProfile* p = profile(agents_.at(id).config.profile);
  if (!p) return false;
  for (const auto& c : contacts_)
    if (p->is_exclusive(c.channel) &&
        holds_slot_of(id, c.phase == Phase::kOffered, c.ringing,
                      c.phase == Phase::kConnected || c.phase == Phase::kWrapUp, c.agent))
      return true;
  return false;
}

// Eligibility rule 3.
bool ReferenceRouter::has_room_for(AgentId id, Channel ch) const {
  const RoutingProfile* p = profile(agents_.at(id).config.profile);
  if (!p) return false;
  const int total = load(id);
  if (load_on(id, ch) >= p->capacity[static_cast<int>(ch)]) return false;
  if (total >= p->max_total) return false;
  if (holds_exclusive(id)) return false;
  if (p->is_exclusive(ch) && total > 0) return false;
  return true;
}

std::vector<SkillRequirement> ReferenceRouter::effective_requirements(const Contact& c) const {
  std::vector<SkillRequirement> out;
  for (const auto& r : c.requirements) {
    if (r.optional && c.optional_dropped) continue;
    SkillRequirement e = r;
    e.min_proficiency = static_cast<std::uint8_t>(
        std::max(1, static_cast<int>(r.min_proficiency) - c.proficiency_drop));
    out.push_back(e);
  }
  return out;
}

// Eligibility rule 4.
bool ReferenceRouter::meets(const Agent& a, const Contact& c) const {
  for (const auto& r : effective_requirements(c))
    if (proficiency_of(a, r.skill) < r.min_proficiency) return false;
  return true;
}

// Eligibility rules 1-5 for a waiting contact.
bool ReferenceRouter::eligible_in(AgentId id, const Contact& c) const {
  auto it = agents_.find(id);
  if (it == agents_.end()) return false;
  const Agent& a = it->second;
  if (!a.logged_in || a.presence != Presence::kAvailable) return false;  // 1
  const int tier = tier_of(a, c.queue);                                  // 2
  if (tier == 0 || tier > c.max_tier) return false;
  if (!has_room_for(id, c.channel)) return false;  // 3
  if (!meets(a, c)) return false;                  // 4
  return !contains(c.excluded, id);                // 5
}

bool ReferenceRouter::eligible(AgentId agent, ContactId contact) const {
  const Contact* c = find(contact);
  return c && c->phase == Phase::kQueued && eligible_in(agent, *c);
}

// "Order of waiting contacts in a queue".
std::vector<ContactId> ReferenceRouter::queue_order(QueueId q) const {
  const QueueConfig& cfg = queues_.at(q).config;
  std::vector<const Contact*> waiting;
  for (const auto& c : contacts_)
    if (c.phase == Phase::kQueued && c.queue == q) waiting.push_back(&c);
  std::sort(waiting.begin(), waiting.end(), [&](const Contact* a, const Contact* b) {
    if (cfg.aging_interval > 0) {
      const std::int64_t ka = a->order_time - std::int64_t{a->priority} * cfg.aging_interval;
      const std::int64_t kb = b->order_time - std::int64_t{b->priority} * cfg.aging_interval;
      return std::tie(ka, a->order_seq) < std::tie(kb, b->order_seq);
    }
    return std::make_tuple(-std::int64_t{a->priority}, a->order_time, a->order_seq) <
           std::make_tuple(-std::int64_t{b->priority}, b->order_time, b->order_seq);
  });
  std::vector<ContactId> out;
  for (const Contact* c : waiting) out.push_back(c->id);
  return out;
}

// "priority + waited / aging_interval, in millionths of a level".
std::int64_t ReferenceRouter::effective_priority_micros(const Contact& c) const {
  const QueueConfig& cfg = queues_.at(c.queue).config;
  std::int64_t p = std::int64_t{c.priority} * 1000000;
  if (cfg.aging_interval > 0)
    p += std::max<Millis>(0, now_ - c.order_time) * 1000000 / cfg.aging_interval;
  return p;
}

// The strategy rank table of "Agent selection".
std::pair<std::int64_t, std::int64_t> ReferenceRouter::rank(AgentId id, const Queue& q) const {
  const Agent& a = agents_.at(id);
  const std::int64_t l = load(id);
  switch (q.config.selection) {
    case AgentSelection::kRoundRobinMemory: {
      auto it = a.last_offer.find(q.config.id);
      return {it == a.last_offer.end() ? 0 : static_cast<std::int64_t>(it->second), 0};
    }
    case AgentSelection::kLeastOccupied: {
      const RoutingProfile* p = profile(a.config.profile);
      const std::int64_t cap = p && p->max_total > 0 ? p->max_total : 1;
      return {l * 1000 / cap, a.idle_since};
    }
    default:
      return {l, a.idle_since};
  }
}

Millis ReferenceRouter::next_relax_time(const Contact& c) const {
  const QueueConfig& cfg = queues_.at(c.queue).config;
  if (c.steps_done >= cfg.relaxation.size()) return kNever;
  return c.entered_at + cfg.relaxation[c.steps_done].after;
}

Millis ReferenceRouter::next_overflow_time(const Contact& c) const {
  const QueueConfig& cfg = queues_.at(c.queue).config;
  if (cfg.overflow_after <= 0 || cfg.overflow_queue == kNoId) return kNever;
  Millis t = c.entered_at + cfg.overflow_after;
  if (!options_.engine_overflow_retry_timer) t = std::max(t, c.overflow_retry_at);
  return t;
}

Millis ReferenceRouter::next_step_time(const Contact& c) const {
  if (c.phase != Phase::kQueued) return kNever;
  return std::min(next_relax_time(c), next_overflow_time(c));
}

std::uint64_t ReferenceRouter::staffed_slots(QueueId q, Channel ch) const {
  std::uint64_t s = 0;
  for (const auto& [id, a] : agents_) {
    if (tier_of(a, q) == 0 || !a.logged_in || a.presence != Presence::kAvailable) continue;
    const RoutingProfile* p = profile(a.config.profile);
    if (!p) continue;
    s += std::min<std::uint64_t>(p->capacity[static_cast<int>(ch)], p->max_total);
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Emission.

void ReferenceRouter::emit(EventPayload payload) {
  out_->events.push_back(Event{++seq_, now_, std::move(payload)});
  last_time_ = now_;
}

void ReferenceRouter::request_timer(Millis at, TimerKind kind, const Contact& c, AgentId agent) {
  out_->timers.push_back(TimerRequest{at, TimerKey{kind, c.id, agent, c.epoch}});
}

// "Idle since is the time the agent's load last dropped to zero".
void ReferenceRouter::set_idle_if_free(AgentId id) {
  if (load(id) == 0) agents_.at(id).idle_since = now_;
}

// Removes `c` from the agent's slot list (the contact's own state must already be updated).
void ReferenceRouter::release(AgentId agent, Contact& c) {
  erase_value(agents_.at(agent).slots, c.id);
}

// ---------------------------------------------------------------------------------------------
// Matching.

void ReferenceRouter::offer(Contact& c, AgentId agent) {
  Queue& q = queues_.at(c.queue);
  const Millis expires = now_ + q.config.offer_timeout;
  emit(ev::ContactOffered{c.id, agent, c.queue, expires});
  if (c.phase != Phase::kOffered) c.epoch++;
  c.phase = Phase::kOffered;
  c.ringing.push_back(agent);
  c.offer_expires_at = expires;
  Agent& a = agents_.at(agent);
  a.slots.push_back(c.id);
  q.offer_counter++;
  if (tier_of(a, c.queue) > 0) a.last_offer[c.queue] = q.offer_counter;
  request_timer(expires, TimerKind::kOfferExpiry, c, agent);
}

// "Agent selection (when a contact needs an agent)".
bool ReferenceRouter::match_contact(ContactId id) {
  Contact* c = find(id);
  if (!c || c->phase != Phase::kQueued) return false;
  const Queue& q = queues_.at(c->queue);
  struct Candidate {
    int tier;
    std::pair<std::int64_t, std::int64_t> rank;
    AgentId agent;
  };
  std::vector<Candidate> members;
  for (const auto& [aid, a] : agents_) {
    const int tier = tier_of(a, c->queue);
    if (tier == 0 || !a.logged_in || a.presence != Presence::kAvailable) continue;
    members.push_back({tier, rank(aid, q), aid});
  }
  std::sort(members.begin(), members.end(), [](const Candidate& x, const Candidate& y) {
    return std::tie(x.tier, x.rank, x.agent) < std::tie(y.tier, y.rank, y.agent);
  });
  std::vector<Candidate> eligible;
  for (const auto& m : members)
    if (m.tier <= c->max_tier && eligible_in(m.agent, *c)) eligible.push_back(m);
  if (eligible.empty()) return false;

  switch (q.config.selection) {
    case AgentSelection::kRingAll:
      for (const auto& m : eligible) offer(*find(id), m.agent);
      return true;
    case AgentSelection::kMostProficient: {
      const int lowest = eligible.front().tier;
      const auto reqs = effective_requirements(*c);
      std::int64_t best_score = -1;
      AgentId best = kNoId;
      for (const auto& m : eligible) {
        if (m.tier != lowest) break;
        std::int64_t score = 0;
        for (const auto& r : reqs) score += proficiency_of(agents_.at(m.agent), r.skill);
        if (score > best_score) {
          best_score = score;
          best = m.agent;
        }
      }
      offer(*c, best);
      return true;
    }
    default:
      offer(*c, eligible.front().agent);
      return true;
  }
}

// "Contact selection (when an agent can take work)".
void ReferenceRouter::match_agent(AgentId id) {
  for (;;) {
    auto it = agents_.find(id);
    if (it == agents_.end()) return;
    const Agent& a = it->second;
    if (!a.logged_in || a.presence != Presence::kAvailable) return;
    const Contact* best = nullptr;
    int best_tier = 0;
    std::int64_t best_priority = 0;
    for (const auto& [qid, q] : queues_) {  // queue-id order
      const int tier = tier_of(a, qid);
      if (tier == 0) continue;
      for (ContactId cid : queue_order(qid)) {
        const Contact* c = find(cid);
        if (!eligible_in(id, *c)) continue;
        const std::int64_t p = effective_priority_micros(*c);
        const bool better = !best || std::make_tuple(tier, -p, c->order_time, c->order_seq) <
                                         std::make_tuple(best_tier, -best_priority,
                                                         best->order_time, best->order_seq);
        if (better) {
          best = c;
          best_tier = tier;
          best_priority = p;
        }
        break;  // the first eligible contact is this queue's candidate
      }
    }
    if (!best) return;
    const ContactId cid = best->id;
    if (queues_.at(best->queue).config.selection == AgentSelection::kRingAll) {
      match_contact(cid);  // rings every eligible agent, this one included
    } else {
      offer(*find(cid), id);
    }
  }
}

void ReferenceRouter::match_agents(std::vector<AgentId> ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  for (AgentId id : ids) match_agent(id);
}

void ReferenceRouter::relax(Contact& c) {
  const QueueConfig& cfg = queues_.at(c.queue).config;
  const RelaxationStep& step = cfg.relaxation.at(c.steps_done);
  emit(ev::ContactRelaxed{c.id, static_cast<std::uint8_t>(c.steps_done)});
  switch (step.action) {
    case RelaxationAction::kLowerProficiency:
      c.proficiency_drop = std::min(kMaxProficiency, c.proficiency_drop + step.amount);
      break;
    case RelaxationAction::kDropOptional:
      c.optional_dropped = true;
      break;
    case RelaxationAction::kWidenTier:
      c.max_tier = std::min(255, c.max_tier + step.amount);
      break;
  }
  c.steps_done++;
}

// Applies the relaxation steps due now. Each is followed by a match attempt (or, with D3, one
// attempt after all of them, or with kNone none). Returns true when the contact got offered.
bool ReferenceRouter::apply_due_relaxation(ContactId id, MatchMode mode) {
  int applied = 0;
  for (;;) {
    Contact* c = find(id);
    if (!c || c->phase != Phase::kQueued || next_relax_time(*c) > now_) break;
    relax(*c);
    ++applied;
    if (mode == MatchMode::kEach && match_contact(id)) return true;
  }
  if (mode == MatchMode::kAtEnd && applied > 0) return match_contact(id);
  return false;
}

void ReferenceRouter::arm_step_timer(const Contact& c) {
  const Millis t = next_step_time(c);
  if (t != kNever) request_timer(t, TimerKind::kQueueStep, c);
}

// A contact starts (or restarts) waiting: arrival, return after a failed offer, overflow,
// transfer to a queue. Due relaxation steps are applied first, then it is matched; if nobody takes
// it, its next relaxation/overflow step is scheduled.
void ReferenceRouter::start_waiting(ContactId id) {
  if (!options_.engine_relax_via_timer) {
    Contact* c = find(id);
    const bool steps_due = next_relax_time(*c) <= now_;
    if (steps_due) {
      if (apply_due_relaxation(
              id, options_.engine_batch_relaxation ? MatchMode::kAtEnd : MatchMode::kEach))
        return;
    } else if (match_contact(id)) {
      return;
    }
  } else if (match_contact(id)) {
    return;
  }
  arm_step_timer(*find(id));
}

void ReferenceRouter::enqueue(ContactId id, QueueId q, bool keep_place) {
  emit(ev::ContactQueued{id, q});
  Contact& c = *find(id);
  c.queue = q;
  c.entered_at = now_;
  if (!keep_place || !c.has_place) {
    c.order_time = now_;
    c.order_seq = seq_;
    c.has_place = true;
  }
  c.steps_done = 0;
  c.proficiency_drop = 0;
  c.optional_dropped = false;
  c.max_tier = 1;
  c.overflow_retry_at = 0;
  c.phase = Phase::kQueued;
  c.epoch++;
  start_waiting(id);
}

// "Relaxation and overflow": a queue-step timer.
void ReferenceRouter::run_queue_steps(ContactId id) {
  Contact* c = find(id);
  if (!c || c->phase != Phase::kQueued || next_step_time(*c) > now_) return;
  const bool batch = options_.engine_batch_relaxation;
  // D3 applies every due step first and matches once at the end (after a failed overflow).
  if (apply_due_relaxation(id, batch ? MatchMode::kNone : MatchMode::kEach)) return;
  c = find(id);
  if (next_overflow_time(*c) <= now_) {
    const QueueId target = queues_.at(c->queue).config.overflow_queue;
    auto t = queues_.find(target);
    const bool can_take = t != queues_.end() && t->second.config.hours.is_open(now_) &&
                          (t->second.config.max_waiting == 0 ||
                           queue_order(target).size() < t->second.config.max_waiting);
    if (can_take) {
      emit(ev::ContactTransferred{id, kNoId, c->queue, target, kNoId, TransferReason::kOverflow});
      c->phase = Phase::kMoving;
      c->excluded.clear();
      c->on_hold = false;
      c->epoch++;
      enqueue(id, target, /*keep_place=*/true);
      return;
    }
    // "the contact stays and the overflow is retried every 5 s" (an OverflowDeferred event).
    c->overflow_retry_at = now_ + kOverflowRetry;
    if (!options_.engine_overflow_retry_timer)
      emit(ev::OverflowDeferred{id, target, c->overflow_retry_at});
  }
  if (match_contact(id)) return;
  c = find(id);
  const Millis next = next_step_time(*c);
  if (options_.engine_overflow_retry_timer && next <= now_) {
    request_timer(now_ + kOverflowRetry, TimerKind::kQueueStep, *c);
  } else {
    arm_step_timer(*c);
  }
}

void ReferenceRouter::end_wrap_up(ContactId id, ReasonId disposition) {
  Contact& c = *find(id);
  const AgentId agent = c.agent;
  emit(ev::WrapUpEnded{id, agent, disposition});
  // "H ... follows each finished contact (connected to end of wrap-up) as an integer moving
  // average with weight 1/16", starting at default_handle_time.
  Queue& q = queues_.at(c.queue);
  const Millis handled = now_ - c.connected_at;
  if (options_.engine_first_handle_time && q.finished == 0)
    q.handle_estimate = handled;
  else
    q.handle_estimate += (handled - q.handle_estimate) / 16;
  q.finished++;
  release(agent, c);
  erase_contact(id);
  set_idle_if_free(agent);
  match_agent(agent);
}

void ReferenceRouter::end_conversation(ContactId id, EndedBy by) {
  Contact& c = *find(id);
  emit(ev::ContactEnded{id, c.agent, by});
  c.phase = Phase::kWrapUp;
  c.on_hold = false;
  c.epoch++;
  const Millis wrap = queues_.at(c.queue).config.wrap_up;
  if (wrap == 0) {
    c.wrap_ends_at = kNever;
    end_wrap_up(id, 0);
    return;
  }
  c.wrap_ends_at = now_ + wrap;
  request_timer(c.wrap_ends_at, TimerKind::kWrapUpEnd, c);
}

// A reject, a time-out or a rescind. Returns whether the contact went back to waiting.
bool ReferenceRouter::fail_offer(ContactId id, AgentId agent, FailKind kind) {
  Contact& c = *find(id);
  switch (kind) {
    case FailKind::kRejected:
      emit(ev::OfferRejected{id, agent});
      break;
    case FailKind::kTimedOut:
      emit(ev::OfferTimedOut{id, agent});
      break;
    case FailKind::kRescinded:
      emit(ev::OfferRescinded{id, agent});
      break;
  }
  erase_value(c.ringing, agent);
  if (kind != FailKind::kRescinded) c.excluded.push_back(agent);
  if (kind == FailKind::kTimedOut) agents_.at(agent).missed++;
  const bool returned = c.ringing.empty() && c.phase == Phase::kOffered;
  if (returned) {
    c.phase = Phase::kQueued;
    c.epoch++;
  }
  release(agent, c);
  if (!options_.engine_idle_since) set_idle_if_free(agent);
  return returned;
}

void ReferenceRouter::erase_contact(ContactId id) {
  contacts_.erase(std::remove_if(contacts_.begin(), contacts_.end(),
                                 [&](const Contact& c) { return c.id == id; }),
                  contacts_.end());
}

// ---------------------------------------------------------------------------------------------
// Commands.

Status ReferenceRouter::handle(const Command& command, Millis now, Output& out) {
  if (now < last_time_) return Status::invalid_argument("time went backwards");
  now_ = now;
  out_ = &out;
  Status st = std::visit([&](const auto& c) { return run(c); }, command);
  out_ = nullptr;
  return st;
}

Status ReferenceRouter::run(const cmd::ConfigureSkill& x) {
  if (x.skill == kNoId || x.skill > 100000) return Status::invalid_argument("bad skill id");
  emit(ev::SkillConfigured{x.skill, std::make_shared<const std::string>(x.name)});
  skills_[x.skill] = x.name;
  return {};
}

Status ReferenceRouter::run(const cmd::ConfigureProfile& x) {
  if (x.profile.id == kNoId || x.profile.id > 100000)
    return Status::invalid_argument("bad profile id");
  if (x.profile.max_total == 0) return Status::invalid_argument("max_total must be positive");
  emit(ev::ProfileConfigured{std::make_shared<const RoutingProfile>(x.profile)});
  profiles_[x.profile.id] = x.profile;
  std::vector<AgentId> affected;
  for (const auto& [id, a] : agents_)
    if (a.config.profile == x.profile.id) affected.push_back(id);
  match_agents(affected);
  return {};
}

Status ReferenceRouter::run(const cmd::ConfigureQueue& x) {
  const QueueConfig& q = x.queue;
  if (q.id == kNoId || q.id > 100000) return Status::invalid_argument("bad queue id");
  if (q.offer_timeout <= 0) return Status::invalid_argument("offer_timeout must be positive");
  if (q.overflow_queue == q.id) return Status::invalid_argument("overflows to itself");
  if (q.relaxation.size() > 255) return Status::invalid_argument("too many relaxation steps");
  for (std::size_t i = 1; i < q.relaxation.size(); ++i)
    if (q.relaxation[i].after < q.relaxation[i - 1].after)
      return Status::invalid_argument("relaxation steps must be sorted");
  if (q.aging_interval < 0 || q.wrap_up < 0 || q.overflow_after < 0)
    return Status::invalid_argument("negative duration");
  for (const auto& c : contacts_)
    if (c.queue == q.id && c.phase == Phase::kQueued && c.steps_done > q.relaxation.size())
      return Status::failed_precondition("relaxation steps in use");
  emit(ev::QueueConfigured{std::make_shared<const QueueConfig>(q)});
  auto [it, inserted] = queues_.try_emplace(q.id);
  if (inserted) it->second.handle_estimate = q.default_handle_time;
  it->second.config = q;
  // Reconfiguring a queue voids its waiting contacts' step timers (docs/routing.md); new ones
  // follow the new configuration.
  if (!options_.engine_reconfigure_keeps_timers)
    for (auto& c : contacts_)
      if (c.queue == q.id && c.phase == Phase::kQueued) c.epoch++;
  // "queue reconfiguration": every waiting contact is matched again, best first.
  for (ContactId id : queue_order(q.id)) {
    const Contact* c = find(id);
    if (!c || c->phase != Phase::kQueued) continue;
    if (match_contact(id)) continue;
    // Its relaxation and overflow schedule follows the new configuration.
    if (!options_.engine_reconfigure_keeps_timers) arm_step_timer(*find(id));
  }
  return {};
}

Status ReferenceRouter::run(const cmd::ConfigureAgent& x) {
  const AgentConfig& a = x.agent;
  if (a.id == kNoId || a.id > 1000000) return Status::invalid_argument("bad agent id");
  if (!profile(a.profile)) return Status::invalid_argument("unknown profile");
  for (const auto& m : a.queues) {
    if (!queues_.count(m.queue)) return Status::invalid_argument("unknown queue");
    if (m.tier == 0) return Status::invalid_argument("tiers start at 1");
    // One tier per queue (docs/routing.md, eligibility rule 2).
    if (std::count_if(a.queues.begin(), a.queues.end(),
                      [&](const QueueMembership& o) { return o.queue == m.queue; }) > 1)
      return Status::invalid_argument("queue listed twice");
  }
  for (const auto& s : a.skills)
    if (std::count_if(a.skills.begin(), a.skills.end(),
                      [&](const SkillLevel& o) { return o.skill == s.skill; }) > 1)
      return Status::invalid_argument("skill listed twice");
  for (const auto& s : a.skills) {
    if (!skills_.count(s.skill)) return Status::invalid_argument("unknown skill");
    if (s.proficiency < kMinProficiency || s.proficiency > kMaxProficiency)
      return Status::invalid_argument("bad proficiency");
  }
  auto existing = agents_.find(a.id);
  if (existing != agents_.end() && load(a.id) > 0 && existing->second.config.profile != a.profile)
    return Status::failed_precondition("agent holds contacts");
  emit(ev::AgentConfigured{std::make_shared<const AgentConfig>(a)});
  Agent& rec = agents_[a.id];
  rec.config = a;
  for (auto it = rec.last_offer.begin(); it != rec.last_offer.end();)
    it = tier_of(rec, it->first) == 0 ? rec.last_offer.erase(it) : std::next(it);
  match_agent(a.id);
  return {};
}

Status ReferenceRouter::run(const cmd::ArriveContact& x) {
  if (x.contact == kNoContact) return Status::invalid_argument("contact id 0");
  if (find(x.contact)) return Status::already_exists("live");
  auto q = queues_.find(x.queue);
  if (q == queues_.end()) return Status::not_found("queue");
  for (const auto& r : x.requirements) {
    if (!skills_.count(r.skill)) return Status::invalid_argument("unknown skill");
    if (r.min_proficiency < kMinProficiency || r.min_proficiency > kMaxProficiency)
      return Status::invalid_argument("bad proficiency");
  }
  emit(ev::ContactArrived{x.contact, x.channel, x.queue, x.priority, x.requirements, x.customer});
  Contact c;
  c.id = x.contact;
  c.channel = x.channel;
  c.queue = x.queue;
  c.priority = x.priority;
  c.customer = x.customer;
  c.requirements = x.requirements;
  c.phase = Phase::kMoving;
  c.arrived_at = now_;
  contacts_.push_back(c);
  const QueueConfig& cfg = q->second.config;
  if (!cfg.hours.is_open(now_)) {
    emit(ev::ContactBlocked{x.contact, x.queue, BlockReason::kClosed});
    erase_contact(x.contact);
  } else if (cfg.max_waiting > 0 && queue_order(x.queue).size() >= cfg.max_waiting) {
    emit(ev::ContactBlocked{x.contact, x.queue, BlockReason::kFull});
    erase_contact(x.contact);
  } else {
    enqueue(x.contact, x.queue, false);
  }
  return {};
}

Status ReferenceRouter::run(const cmd::RecordSurvey& x) {
  if (x.contact == kNoContact) return Status::invalid_argument("contact id 0");
  if (Status st = check_survey_score(x.kind, x.score); !st.ok()) return st;
  emit(ev::SurveyAnswered{x.contact, x.agent, x.queue, x.kind, x.score});
  return {};
}

Status ReferenceRouter::run(const cmd::ImportContact& x) {
  if (Status st = check_imported_contact(x.record); !st.ok()) return st;
  emit(ev::ContactImported{std::make_shared<const ImportedContact>(x.record)});
  return {};
}

Status ReferenceRouter::run(const cmd::SelfServe& x) {
  if (x.contact == kNoContact) return Status::invalid_argument("contact id 0");
  if (find(x.contact)) return Status::already_exists("live");
  emit(ev::SelfServed{x.contact, x.channel, x.customer});
  return {};
}

Status ReferenceRouter::run(const cmd::CustomerLeft& x) {
  Contact* c = find(x.contact);
  if (!c) return Status::not_found("contact");
  if (c->phase == Phase::kQueued || c->phase == Phase::kOffered) {
    const std::vector<AgentId> ringing = c->ringing;
    emit(ev::ContactAbandoned{x.contact, c->queue});
    for (AgentId a : ringing) release(a, *c);
    erase_contact(x.contact);
    if (!options_.engine_idle_since)
      for (AgentId a : ringing) set_idle_if_free(a);
    match_agents(ringing);
    return {};
  }
  if (c->phase == Phase::kConnected) {
    end_conversation(x.contact, EndedBy::kCustomer);
    return {};
  }
  return Status::failed_precondition("already ended");
}

Status ReferenceRouter::run(const cmd::RequestCallback& x) {
  Contact* c = find(x.contact);
  if (!c) return Status::not_found("contact");
  if (c->phase != Phase::kQueued) return Status::failed_precondition("not waiting");
  if (c->callback) return Status::failed_precondition("already a callback");
  emit(ev::CallbackRequested{x.contact, c->queue});
  c->channel = Channel::kCallback;
  c->callback = true;
  match_contact(x.contact);
  return {};
}

Status ReferenceRouter::run(const cmd::LoginAgent& x) {
  auto it = agents_.find(x.agent);
  if (it == agents_.end()) return Status::not_found("agent");
  if (it->second.logged_in) return Status::failed_precondition("already logged in");
  emit(ev::AgentLoggedIn{x.agent});
  Agent& a = it->second;
  a.logged_in = true;
  a.presence = Presence::kAvailable;
  a.reason = reason::kNone;
  a.presence_since = now_;
  a.idle_since = now_;
  a.missed = 0;
  match_agent(x.agent);
  return {};
}

Status ReferenceRouter::run(const cmd::LogoutAgent& x) {
  auto it = agents_.find(x.agent);
  if (it == agents_.end()) return Status::not_found("agent");
  if (!it->second.logged_in) return Status::failed_precondition("not logged in");
  for (const auto& c : contacts_)
    if ((c.phase == Phase::kConnected || c.phase == Phase::kWrapUp) && c.agent == x.agent)
      return Status::failed_precondition("still handles contacts");
  // "An agent logging out rescinds its ringing offers (without exclusion)."
  const std::vector<ContactId> ringing = it->second.slots;
  std::vector<ContactId> returned;
  for (ContactId id : ringing)
    if (fail_offer(id, x.agent, FailKind::kRescinded)) returned.push_back(id);
  emit(ev::AgentLoggedOut{x.agent});
  Agent& a = agents_.at(x.agent);
  a.logged_in = false;
  a.presence = Presence::kOffline;
  a.reason = reason::kNone;
  a.presence_since = now_;
  for (ContactId id : returned) {
    const Contact* c = find(id);
    if (c && c->phase == Phase::kQueued) start_waiting(id);
  }
  return {};
}

Status ReferenceRouter::run(const cmd::SetAgentState& x) {
  auto it = agents_.find(x.agent);
  if (it == agents_.end()) return Status::not_found("agent");
  Agent& a = it->second;
  if (!a.logged_in) return Status::failed_precondition("not logged in");
  if (x.presence == Presence::kOffline) return Status::invalid_argument("use logout");
  if (x.presence == Presence::kAvailable && x.reason != reason::kNone)
    return Status::invalid_argument("available takes no reason");
  if (a.presence == x.presence && a.reason == x.reason) return {};
  emit(ev::AgentStateChanged{x.agent, x.presence, x.reason});
  const bool becomes_available =
      x.presence == Presence::kAvailable && a.presence != Presence::kAvailable;
  a.presence = x.presence;
  a.reason = x.reason;
  a.presence_since = now_;
  if (becomes_available) {
    a.missed = 0;  // "as does becoming available"
    set_idle_if_free(x.agent);
  }
  match_agent(x.agent);
  return {};
}

Status ReferenceRouter::run(const cmd::SetAgentSkills& x) {
  auto it = agents_.find(x.agent);
  if (it == agents_.end()) return Status::not_found("agent");
  for (const auto& s : x.skills) {
    if (!skills_.count(s.skill)) return Status::invalid_argument("unknown skill");
    if (s.proficiency < kMinProficiency || s.proficiency > kMaxProficiency)
      return Status::invalid_argument("bad proficiency");
  }
  emit(ev::AgentSkillsChanged{x.agent, std::make_shared<const std::vector<SkillLevel>>(x.skills)});
  it->second.config.skills = x.skills;
  match_agent(x.agent);
  return {};
}

Status ReferenceRouter::run(const cmd::AcceptOffer& x) {
  Contact* c = find(x.contact);
  if (!c) return Status::not_found("contact");
  if (c->phase != Phase::kOffered) return Status::failed_precondition("not ringing");
  if (!contains(c->ringing, x.agent)) return Status::failed_precondition("not offered to agent");
  std::vector<AgentId> others;
  for (AgentId a : c->ringing)
    if (a != x.agent) others.push_back(a);
  for (AgentId a : others) fail_offer(x.contact, a, FailKind::kRescinded);
  emit(ev::OfferAccepted{x.contact, x.agent});
  agents_.at(x.agent).missed = 0;  // "An accept resets the count"
  emit(ev::ContactConnected{x.contact, x.agent});
  c = find(x.contact);
  c->phase = Phase::kConnected;
  c->agent = x.agent;
  c->connected_at = now_;
  c->ringing.clear();
  c->epoch++;
  match_agents(others);
  return {};
}

Status ReferenceRouter::run(const cmd::RejectOffer& x) {
  Contact* c = find(x.contact);
  if (!c) return Status::not_found("contact");
  if (c->phase != Phase::kOffered) return Status::failed_precondition("not ringing");
  if (!contains(c->ringing, x.agent)) return Status::failed_precondition("not offered to agent");
  if (fail_offer(x.contact, x.agent, FailKind::kRejected)) start_waiting(x.contact);
  match_agent(x.agent);
  return {};
}

Status ReferenceRouter::run(const cmd::Hold& x) {
  Contact* c = find(x.contact);
  if (!c) return Status::not_found("contact");
  if (c->phase != Phase::kConnected) return Status::failed_precondition("not connected");
  if (c->on_hold) return Status::failed_precondition("already on hold");
  emit(ev::HoldStarted{x.contact, c->agent});
  c->on_hold = true;
  return {};
}

Status ReferenceRouter::run(const cmd::Unhold& x) {
  Contact* c = find(x.contact);
  if (!c) return Status::not_found("contact");
  if (c->phase != Phase::kConnected) return Status::failed_precondition("not connected");
  if (!c->on_hold) return Status::failed_precondition("not on hold");
  emit(ev::HoldEnded{x.contact, c->agent});
  c->on_hold = false;
  return {};
}

Status ReferenceRouter::run(const cmd::Transfer& x) {
  Contact* c = find(x.contact);
  if (!c) return Status::not_found("contact");
  if (c->phase != Phase::kConnected) return Status::failed_precondition("not connected");
  if ((x.to_queue == kNoId) == (x.to_agent == kNoId))
    return Status::invalid_argument("exactly one target");
  const AgentId from = c->agent;
  const QueueId from_queue = c->queue;
  if (x.to_queue != kNoId) {
    auto q = queues_.find(x.to_queue);
    if (q == queues_.end()) return Status::not_found("queue");
    if (!q->second.config.hours.is_open(now_)) return Status::failed_precondition("closed");
    if (q->second.config.max_waiting > 0 &&
        queue_order(x.to_queue).size() >= q->second.config.max_waiting)
      return Status::resource_exhausted("full");
  } else {
    if (x.to_agent == from) return Status::invalid_argument("same agent");
    auto t = agents_.find(x.to_agent);
    if (t == agents_.end()) return Status::not_found("agent");
    if (!t->second.logged_in) return Status::failed_precondition("not logged in");
    if (t->second.presence != Presence::kAvailable)
      return Status::failed_precondition("not available");
    if (!has_room_for(x.to_agent, c->channel)) return Status::failed_precondition("no capacity");
  }
  emit(ev::ContactTransferred{x.contact, from, from_queue, x.to_queue, x.to_agent,
                              TransferReason::kAgentRequest});
  // "the agent's slot frees at once (no wrap-up)"; "exclusions are cleared by a transfer".
  c->phase = Phase::kMoving;
  c->agent = kNoId;
  c->on_hold = false;
  c->excluded.clear();
  c->epoch++;
  release(from, *c);
  set_idle_if_free(from);
  if (x.to_queue != kNoId) {
    enqueue(x.contact, x.to_queue, /*keep_place=*/false);  // "fresh place"
  } else {
    offer(*find(x.contact), x.to_agent);
  }
  match_agent(from);
  return {};
}

Status ReferenceRouter::run(const cmd::EndContact& x) {
  Contact* c = find(x.contact);
  if (!c) return Status::not_found("contact");
  if (c->phase != Phase::kConnected) return Status::failed_precondition("not connected");
  end_conversation(x.contact, EndedBy::kAgent);
  return {};
}

Status ReferenceRouter::run(const cmd::EndWrapUp& x) {
  Contact* c = find(x.contact);
  if (!c) return Status::not_found("contact");
  if (c->phase != Phase::kWrapUp) return Status::failed_precondition("not in wrap-up");
  end_wrap_up(x.contact, x.disposition);
  return {};
}

// ---------------------------------------------------------------------------------------------
// Timers.

void ReferenceRouter::on_timer(const TimerKey& key, Millis now, Output& out) {
  now_ = std::max(now, last_time_);
  out_ = &out;
  Contact* c = find(key.contact);
  if (c && c->epoch == key.generation) {
    switch (key.kind) {
      case TimerKind::kOfferExpiry:
        if (c->phase == Phase::kOffered && contains(c->ringing, key.agent) &&
            now_ >= c->offer_expires_at) {
          const QueueConfig& cfg = queues_.at(c->queue).config;
          const bool returned = fail_offer(key.contact, key.agent, FailKind::kTimedOut);
          Agent& a = agents_.at(key.agent);
          if (cfg.max_missed_offers > 0 && a.missed >= cfg.max_missed_offers && a.logged_in &&
              a.presence == Presence::kAvailable) {
            emit(ev::AgentStateChanged{key.agent, Presence::kNotReady, reason::kMissed});
            a.presence = Presence::kNotReady;
            a.reason = reason::kMissed;
            a.presence_since = now_;
          }
          if (returned) start_waiting(key.contact);
          match_agent(key.agent);
        }
        break;
      case TimerKind::kWrapUpEnd:
        if (c->phase == Phase::kWrapUp && now_ >= c->wrap_ends_at) end_wrap_up(key.contact, 0);
        break;
      case TimerKind::kQueueStep:
        run_queue_steps(key.contact);
        break;
    }
  }
  out_ = nullptr;
}

// ---------------------------------------------------------------------------------------------
// Views.

std::optional<ContactView> ReferenceRouter::contact(ContactId id) const {
  const Contact* c = find(id);
  if (!c) return std::nullopt;
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
  v.agent = (c->phase == Phase::kConnected || c->phase == Phase::kWrapUp) ? c->agent : kNoId;
  v.priority = c->priority;
  v.customer = c->customer;
  v.arrived_at = c->arrived_at;
  v.enqueued_at = c->order_time;
  v.on_hold = c->on_hold;
  v.callback = c->callback;
  v.relaxation_step = static_cast<std::uint8_t>(c->steps_done);
  v.offered_to = c->ringing;
  return v;
}

std::optional<AgentView> ReferenceRouter::agent(AgentId id) const {
  auto it = agents_.find(id);
  if (it == agents_.end()) return std::nullopt;
  const Agent& a = it->second;
  AgentView v;
  v.id = id;
  v.logged_in = a.logged_in;
  v.presence = a.presence;
  v.reason = a.reason;
  v.presence_since = a.presence_since;
  v.idle_since = a.idle_since;
  v.missed_in_a_row = a.missed;
  for (const auto& c : contacts_) {
    if (c.phase == Phase::kOffered && contains(c.ringing, id)) v.offered++;
    if (c.phase == Phase::kConnected && c.agent == id) v.connected++;
    if (c.phase == Phase::kWrapUp && c.agent == id) v.wrap_up++;
  }
  v.contacts = a.slots;
  return v;
}

std::optional<QueueView> ReferenceRouter::queue(QueueId id) const {
  if (!queues_.count(id)) return std::nullopt;
  QueueView v;
  v.id = id;
  for (ContactId c : queue_order(id)) {
    v.waiting++;
    v.oldest_enqueued_at = std::min(v.oldest_enqueued_at, find(c)->order_time);
  }
  for (const auto& [aid, a] : agents_) {
    if (tier_of(a, id) == 0 || !a.logged_in) continue;
    v.agents_logged_in++;
    if (a.presence == Presence::kAvailable) {
      v.agents_available++;
      if (load(aid) == 0) v.agents_idle++;
    }
  }
  return v;
}

std::vector<ContactId> ReferenceRouter::waiting_contacts(QueueId id) const {
  if (!queues_.count(id)) return {};
  return queue_order(id);
}

std::vector<ContactId> ReferenceRouter::live_contacts() const {
  std::vector<ContactId> out;
  for (const auto& c : contacts_) out.push_back(c.id);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<AgentId> ReferenceRouter::agent_ids() const {
  std::vector<AgentId> out;
  for (const auto& [id, a] : agents_) out.push_back(id);
  return out;
}

std::vector<QueueId> ReferenceRouter::queue_ids() const {
  std::vector<QueueId> out;
  for (const auto& [id, q] : queues_) out.push_back(id);
  return out;
}

// "Estimated wait time".
Result<Millis> ReferenceRouter::estimated_wait(ContactId id, Millis /*now*/) const {
  const Contact* c = find(id);
  if (!c) return Status::not_found("contact");
  if (c->phase != Phase::kQueued) return Millis{0};
  const auto order = queue_order(c->queue);
  const auto k =
      static_cast<std::uint64_t>(std::find(order.begin(), order.end(), id) - order.begin());
  return ewt(k, staffed_slots(c->queue, c->channel), queues_.at(c->queue).handle_estimate);
}

Result<Millis> ReferenceRouter::estimated_wait_for_new(QueueId id, Millis /*now*/) const {
  auto q = queues_.find(id);
  if (q == queues_.end()) return Status::not_found("queue");
  // The doc does not say which channel a new arrival has: like the engine, voice, else the first
  // channel the members carry.
  std::uint64_t slots = staffed_slots(id, Channel::kVoice);
  for (int ch = 1; ch < kChannelCount && slots == 0; ++ch)
    slots = staffed_slots(id, static_cast<Channel>(ch));
  const auto waiting = queue_order(id).size();
  if (waiting == 0) {
    for (const auto& [aid, a] : agents_) {
      if (tier_of(a, id) == 0 || !a.logged_in || a.presence != Presence::kAvailable) continue;
      bool free = load(aid) == 0;  // "an agent is idle"
      if (options_.engine_new_arrival_free_slot) {
        const RoutingProfile* p = profile(a.config.profile);
        free = p && load(aid) < p->max_total && !holds_exclusive(aid);
      }
      if (free) return Millis{0};
    }
  }
  return ewt(waiting, slots, q->second.handle_estimate);
}

const QueueConfig* ReferenceRouter::queue_config(QueueId id) const {
  auto it = queues_.find(id);
  return it == queues_.end() ? nullptr : &it->second.config;
}

const RoutingProfile* ReferenceRouter::profile(ProfileId id) const {
  auto it = profiles_.find(id);
  return it == profiles_.end() ? nullptr : &it->second;
}

const AgentConfig* ReferenceRouter::agent_config(AgentId id) const {
  auto it = agents_.find(id);
  return it == agents_.end() ? nullptr : &it->second.config;
}

// ---------------------------------------------------------------------------------------------
// Diagnostics.

namespace {

std::string str(const Requirements& r) {
  std::string s = "[";
  for (const auto& x : r) {
    if (s.size() > 1) s += " ";
    s += std::to_string(x.skill) + ">=" + std::to_string(x.min_proficiency) +
         (x.optional ? "?" : "");
  }
  return s + "]";
}

std::string str(const std::vector<SkillLevel>& v) {
  std::string s = "[";
  for (const auto& x : v) {
    if (s.size() > 1) s += " ";
    s += std::to_string(x.skill) + ":" + std::to_string(x.proficiency);
  }
  return s + "]";
}

std::string str(const RoutingProfile& p) {
  std::string s = "{id=" + std::to_string(p.id) + " name=" + p.name + " cap=";
  for (int i = 0; i < kChannelCount; ++i)
    s += std::to_string(p.capacity[i]) + (i + 1 < kChannelCount ? "/" : "");
  return s + " max=" + std::to_string(p.max_total) + " excl=" + std::to_string(p.exclusive_mask) +
         "}";
}

std::string str(const QueueConfig& q) {
  std::ostringstream s;
  s << "{id=" << q.id << " name=" << q.name << " sel=" << agent_selection_name(q.selection)
    << " sl=" << q.service_level_threshold << "/" << q.service_level_target
    << " max_waiting=" << q.max_waiting << " hours=" << (q.hours.always_open ? "always" : "");
  if (!q.hours.always_open) {
    s << "utc" << q.hours.utc_offset_minutes;
    for (const auto& w : q.hours.windows)
      s << ":" << int{w.weekday} << "@" << w.open_minute << "-" << w.close_minute;
  }
  s << " overflow=" << q.overflow_after << "->"
    << static_cast<std::int64_t>(q.overflow_queue == kNoId ? -1 : q.overflow_queue)
    << " aging=" << q.aging_interval << " relax=[";
  for (const auto& r : q.relaxation)
    s << r.after << ":" << static_cast<int>(r.action) << "x" << int{r.amount} << " ";
  s << "] timeout=" << q.offer_timeout << " max_missed=" << q.max_missed_offers
    << " wrap=" << q.wrap_up << " aht=" << q.default_handle_time << "}";
  return s.str();
}

std::string str(const AgentConfig& a) {
  std::string s = "{id=" + std::to_string(a.id) + " name=" + a.name +
                  " profile=" + std::to_string(a.profile) + " skills=" + str(a.skills) +
                  " queues=[";
  for (const auto& m : a.queues) s += std::to_string(m.queue) + "/t" + std::to_string(m.tier) + " ";
  return s + "]}";
}

std::string id(std::uint32_t v) { return v == kNoId ? std::string("-") : std::to_string(v); }

}  // namespace

std::string to_string(const Event& e) {
  std::ostringstream s;
  s << "#" << e.seq << " @" << e.at << " " << event_type_name(e.type()) << " ";
  std::visit(
      Overloaded{
          [&](const ev::ContactArrived& x) {
            s << "c" << x.contact << " ch=" << channel_name(x.channel) << " q" << x.queue
              << " prio=" << x.priority << " req=" << str(x.requirements) << " cust=" << x.customer;
          },
          [&](const ev::ContactQueued& x) { s << "c" << x.contact << " q" << x.queue; },
          [&](const ev::ContactOffered& x) {
            s << "c" << x.contact << " a" << x.agent << " q" << x.queue
              << " expires=" << x.expires_at;
          },
          [&](const ev::OfferAccepted& x) { s << "c" << x.contact << " a" << x.agent; },
          [&](const ev::OfferRejected& x) { s << "c" << x.contact << " a" << x.agent; },
          [&](const ev::OfferTimedOut& x) { s << "c" << x.contact << " a" << x.agent; },
          [&](const ev::OfferRescinded& x) { s << "c" << x.contact << " a" << x.agent; },
          [&](const ev::ContactConnected& x) { s << "c" << x.contact << " a" << x.agent; },
          [&](const ev::HoldStarted& x) { s << "c" << x.contact << " a" << x.agent; },
          [&](const ev::HoldEnded& x) { s << "c" << x.contact << " a" << x.agent; },
          [&](const ev::ContactTransferred& x) {
            s << "c" << x.contact << " from a" << id(x.from_agent) << "/q" << id(x.from_queue)
              << " to q" << id(x.to_queue) << "/a" << id(x.to_agent)
              << (x.reason == TransferReason::kOverflow ? " overflow" : " request");
          },
          [&](const ev::ContactEnded& x) {
            s << "c" << x.contact << " a" << x.agent << " by=" << static_cast<int>(x.by);
          },
          [&](const ev::WrapUpEnded& x) {
            s << "c" << x.contact << " a" << x.agent << " disp=" << x.disposition;
          },
          [&](const ev::ContactAbandoned& x) { s << "c" << x.contact << " q" << x.queue; },
          [&](const ev::ContactBlocked& x) {
            s << "c" << x.contact << " q" << x.queue << " reason=" << static_cast<int>(x.reason);
          },
          [&](const ev::CallbackRequested& x) { s << "c" << x.contact << " q" << x.queue; },
          [&](const ev::SelfServed& x) {
            s << "c" << x.contact << " ch=" << channel_name(x.channel) << " cust=" << x.customer;
          },
          [&](const ev::ContactRelaxed& x) { s << "c" << x.contact << " step=" << int{x.step}; },
          [&](const ev::OverflowDeferred& x) {
            s << "c" << x.contact << " to q" << x.to_queue << " retry_at=" << x.retry_at;
          },
          [&](const ev::SurveyAnswered& x) {
            s << "c" << x.contact << " a" << x.agent << " q" << x.queue
              << " kind=" << static_cast<int>(x.kind) << " score=" << x.score;
          },
          [&](const ev::ContactImported& x) {
            s << (x.record ? x.record->source + " " + x.record->external_id : "null");
          },
          [&](const ev::AgentLoggedIn& x) { s << "a" << x.agent; },
          [&](const ev::AgentLoggedOut& x) { s << "a" << x.agent; },
          [&](const ev::AgentStateChanged& x) {
            s << "a" << x.agent << " " << presence_name(x.presence) << " reason=" << x.reason;
          },
          [&](const ev::AgentSkillsChanged& x) {
            s << "a" << x.agent << " " << (x.skills ? str(*x.skills) : "null");
          },
          [&](const ev::SkillConfigured& x) {
            s << "skill" << x.skill << " " << (x.name ? *x.name : "null");
          },
          [&](const ev::ProfileConfigured& x) { s << (x.profile ? str(*x.profile) : "null"); },
          [&](const ev::QueueConfigured& x) { s << (x.queue ? str(*x.queue) : "null"); },
          [&](const ev::AgentConfigured& x) { s << (x.agent ? str(*x.agent) : "null"); },
      },
      e.payload);
  return s.str();
}

namespace {

bool same_payload(const ev::ContactArrived& a, const ev::ContactArrived& b) {
  return a.contact == b.contact && a.channel == b.channel && a.queue == b.queue &&
         a.priority == b.priority && a.requirements == b.requirements && a.customer == b.customer;
}
bool same_payload(const ev::ContactQueued& a, const ev::ContactQueued& b) {
  return a.contact == b.contact && a.queue == b.queue;
}
bool same_payload(const ev::ContactOffered& a, const ev::ContactOffered& b) {
  return a.contact == b.contact && a.agent == b.agent && a.queue == b.queue &&
         a.expires_at == b.expires_at;
}
bool same_payload(const ev::ContactTransferred& a, const ev::ContactTransferred& b) {
  return a.contact == b.contact && a.from_agent == b.from_agent && a.from_queue == b.from_queue &&
         a.to_queue == b.to_queue && a.to_agent == b.to_agent && a.reason == b.reason;
}
bool same_payload(const ev::ContactEnded& a, const ev::ContactEnded& b) {
  return a.contact == b.contact && a.agent == b.agent && a.by == b.by;
}
bool same_payload(const ev::WrapUpEnded& a, const ev::WrapUpEnded& b) {
  return a.contact == b.contact && a.agent == b.agent && a.disposition == b.disposition;
}
bool same_payload(const ev::ContactAbandoned& a, const ev::ContactAbandoned& b) {
  return a.contact == b.contact && a.queue == b.queue;
}
bool same_payload(const ev::ContactBlocked& a, const ev::ContactBlocked& b) {
  return a.contact == b.contact && a.queue == b.queue && a.reason == b.reason;
}
bool same_payload(const ev::CallbackRequested& a, const ev::CallbackRequested& b) {
  return a.contact == b.contact && a.queue == b.queue;
}
bool same_payload(const ev::SelfServed& a, const ev::SelfServed& b) {
  return a.contact == b.contact && a.channel == b.channel && a.customer == b.customer;
}
bool same_payload(const ev::ContactRelaxed& a, const ev::ContactRelaxed& b) {
  return a.contact == b.contact && a.step == b.step;
}
bool same_payload(const ev::OverflowDeferred& a, const ev::OverflowDeferred& b) {
  return a.contact == b.contact && a.to_queue == b.to_queue && a.retry_at == b.retry_at;
}
bool same_payload(const ev::SurveyAnswered& a, const ev::SurveyAnswered& b) {
  return a.contact == b.contact && a.agent == b.agent && a.queue == b.queue && a.kind == b.kind &&
         a.score == b.score;
}
bool same_payload(const ev::ContactImported& a, const ev::ContactImported& b) {
  if (!a.record || !b.record) return a.record == b.record;
  const ImportedContact& x = *a.record;
  const ImportedContact& y = *b.record;
  return x.source == y.source && x.external_id == y.external_id && x.arrived_at == y.arrived_at &&
         x.channel == y.channel && x.queue == y.queue && x.agent == y.agent &&
         x.customer == y.customer && x.outcome == y.outcome && x.wait == y.wait &&
         x.talk == y.talk && x.hold == y.hold && x.wrap == y.wrap && x.transferred == y.transferred;
}
bool same_payload(const ev::AgentLoggedIn& a, const ev::AgentLoggedIn& b) {
  return a.agent == b.agent;
}
bool same_payload(const ev::AgentLoggedOut& a, const ev::AgentLoggedOut& b) {
  return a.agent == b.agent;
}
bool same_payload(const ev::AgentStateChanged& a, const ev::AgentStateChanged& b) {
  return a.agent == b.agent && a.presence == b.presence && a.reason == b.reason;
}
template <class T>
bool same_shared(const std::shared_ptr<const T>& a, const std::shared_ptr<const T>& b) {
  return a && b ? *a == *b : a == b;
}
bool same_payload(const ev::AgentSkillsChanged& a, const ev::AgentSkillsChanged& b) {
  return a.agent == b.agent && same_shared(a.skills, b.skills);
}
bool same_payload(const ev::SkillConfigured& a, const ev::SkillConfigured& b) {
  return a.skill == b.skill && same_shared(a.name, b.name);
}
bool same_payload(const ev::ProfileConfigured& a, const ev::ProfileConfigured& b) {
  return same_shared(a.profile, b.profile);
}
bool same_payload(const ev::QueueConfigured& a, const ev::QueueConfigured& b) {
  return same_shared(a.queue, b.queue);
}
bool same_payload(const ev::AgentConfigured& a, const ev::AgentConfigured& b) {
  return same_shared(a.agent, b.agent);
}
// (contact, agent) payloads: accepted, rejected, timed out, rescinded, connected, hold.
template <class T>
auto same_payload(const T& a, const T& b)
    -> decltype(a.agent == b.agent && a.contact == b.contact) {
  return a.contact == b.contact && a.agent == b.agent;
}

}  // namespace

bool same_event(const Event& a, const Event& b) {
  if (a.seq != b.seq || a.at != b.at || a.payload.index() != b.payload.index()) return false;
  return std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        return same_payload(x, std::get<T>(b.payload));
      },
      a.payload);
}

std::string to_string(const Command& c) {
  std::ostringstream s;
  std::visit(
      Overloaded{
          [&](const cmd::ConfigureSkill& x) { s << "ConfigureSkill " << x.skill << " " << x.name; },
          [&](const cmd::ConfigureProfile& x) { s << "ConfigureProfile " << str(x.profile); },
          [&](const cmd::ConfigureQueue& x) { s << "ConfigureQueue " << str(x.queue); },
          [&](const cmd::ConfigureAgent& x) { s << "ConfigureAgent " << str(x.agent); },
          [&](const cmd::ArriveContact& x) {
            s << "ArriveContact c" << x.contact << " ch=" << channel_name(x.channel) << " q"
              << id(x.queue) << " prio=" << x.priority << " req=" << str(x.requirements)
              << " cust=" << x.customer;
          },
          [&](const cmd::SelfServe& x) { s << "SelfServe c" << x.contact; },
          [&](const cmd::CustomerLeft& x) { s << "CustomerLeft c" << x.contact; },
          [&](const cmd::RequestCallback& x) { s << "RequestCallback c" << x.contact; },
          [&](const cmd::LoginAgent& x) { s << "LoginAgent a" << id(x.agent); },
          [&](const cmd::LogoutAgent& x) { s << "LogoutAgent a" << id(x.agent); },
          [&](const cmd::SetAgentState& x) {
            s << "SetAgentState a" << id(x.agent) << " " << presence_name(x.presence)
              << " reason=" << x.reason;
          },
          [&](const cmd::SetAgentSkills& x) {
            s << "SetAgentSkills a" << id(x.agent) << " " << str(x.skills);
          },
          [&](const cmd::AcceptOffer& x) {
            s << "AcceptOffer c" << x.contact << " a" << id(x.agent);
          },
          [&](const cmd::RejectOffer& x) {
            s << "RejectOffer c" << x.contact << " a" << id(x.agent);
          },
          [&](const cmd::Hold& x) { s << "Hold c" << x.contact; },
          [&](const cmd::Unhold& x) { s << "Unhold c" << x.contact; },
          [&](const cmd::Transfer& x) {
            s << "Transfer c" << x.contact << " to q" << id(x.to_queue) << " a" << id(x.to_agent);
          },
          [&](const cmd::EndContact& x) { s << "EndContact c" << x.contact; },
          [&](const cmd::EndWrapUp& x) {
            s << "EndWrapUp c" << x.contact << " disp=" << x.disposition;
          },
          [&](const cmd::RecordSurvey& x) {
            s << "RecordSurvey c" << x.contact << " score=" << x.score;
          },
          [&](const cmd::ImportContact& x) { s << "ImportContact " << x.record.external_id; },
      },
      c);
  return s.str();
}

}  // namespace sb::testing_ref
