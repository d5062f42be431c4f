#include "routing/engine_state.h"

#include <algorithm>

#include "base/overloaded.h"

namespace sb::routing_internal {
namespace {

template <class V, class T>
void erase_value(V& v, T x) {
  v.erase(std::remove(v.begin(), v.end(), x), v.end());
}

template <class T>
void grow_to(std::vector<T>& v, std::size_t index) {
  if (v.size() <= index) v.resize(index + 1);
}

}  // namespace

ContactRec* EngineState::find_contact(ContactId id) {
  // Consecutive lookups are nearly always for the same contact (a command and its events).
  if (id == cached_id_ && cached_rec_) return cached_rec_;
  ContactRec* c = contacts.find(id);
  if (!c) return nullptr;
  cached_id_ = id;
  cached_rec_ = c;
  return c;
}

ContactRec& EngineState::rec(ContactId id) {
  ContactRec* c = find_contact(id);
  if (!c) throw std::out_of_range("no live contact " + std::to_string(id));
  return *c;
}

void EngineState::forget_contact(ContactId id) {
  if (id == cached_id_) cached_rec_ = nullptr;
  contacts.erase(id);
}

const ContactRec* EngineState::find_contact(ContactId id) const { return contacts.find(id); }

bool EngineState::agent_can_take_channel(const AgentRec& a, Channel c) const {
  if (a.profile >= profiles.size()) return false;
  const RoutingProfile& p = profiles[a.profile];
  const int ch = static_cast<int>(c);
  if (p.capacity[ch] <= a.load_by_channel[ch]) return false;
  if (a.load >= p.max_total) return false;
  // An exclusive contact (voice by default) blocks everything else and needs an empty desk.
  if (exclusive_load(a) > 0) return false;
  if (p.is_exclusive(c) && a.load > 0) return false;
  return true;
}

std::uint32_t EngineState::exclusive_load(const AgentRec& a) const {
  if (a.load == 0 || a.profile >= profiles.size()) return 0;
  const RoutingProfile& p = profiles[a.profile];
  std::uint32_t n = 0;
  for (int ch = 0; ch < kChannelCount; ++ch)
    if (p.is_exclusive(static_cast<Channel>(ch))) n += a.load_by_channel[ch];
  return n;
}

Requirements EngineState::effective_requirements(const ContactRec& c) const {
  Requirements out;
  for (const auto& r : c.requirements) {
    if (r.optional && c.optional_dropped) continue;
    SkillRequirement e = r;
    const int lowered = static_cast<int>(r.min_proficiency) - c.proficiency_drop;
    e.min_proficiency = static_cast<std::uint8_t>(std::max(kMinProficiency, lowered));
    out.push(e);
  }
  return out;
}

bool EngineState::agent_meets(const AgentRec& a, const ContactRec& c) const {
  for (const auto& r : c.requirements) {
    if (r.optional && c.optional_dropped) continue;
    const int needed = std::max(kMinProficiency, static_cast<int>(r.min_proficiency) -
                                                     static_cast<int>(c.proficiency_drop));
    if (a.skills_hot) {
      const SkillLevel* end = a.hot_skills.data() + a.hot_skill_count;
      const SkillLevel* it = a.hot_skills.data();
      while (it != end && it->skill != r.skill) ++it;
      if (it == end || it->proficiency < needed) return false;
      continue;
    }
    // Skills are sorted by id: binary search.
    auto it = std::lower_bound(a.config.skills.begin(), a.config.skills.end(), r.skill,
                               [](const SkillLevel& s, SkillId id) { return s.skill < id; });
    if (it == a.config.skills.end() || it->skill != r.skill || it->proficiency < needed)
      return false;
  }
  return true;
}

void EngineState::refresh_hot_config(AgentRec& a) {
  a.profile = a.config.profile;
  a.skills_hot = a.config.skills.size() <= a.hot_skills.size();
  a.hot_skill_count = 0;
  if (!a.skills_hot) return;
  for (const SkillLevel& sk : a.config.skills) a.hot_skills[a.hot_skill_count++] = sk;
}

std::uint8_t EngineState::tier_in(const AgentRec& a, QueueId q) const {
  auto it = std::lower_bound(a.memberships.begin(), a.memberships.end(), q,
                             [](const Membership& m, QueueId id) { return m.queue < id; });
  return (it != a.memberships.end() && it->queue == q) ? it->tier : 0;
}

WaitKey EngineState::wait_key(const ContactRec& c) const {
  const QueueConfig& q = queues[c.queue].config;
  WaitKey k;
  k.seq = c.order_seq;
  k.contact = c.id;
  k.rec = const_cast<ContactRec*>(&c);
  if (q.aging_interval > 0) {
    // Linear aging: p + (now - t)/A orders contacts exactly like t - p*A, for every `now`,
    // so the key never needs updating while the contact waits.
    k.major = 0;
    k.minor = c.order_time - static_cast<std::int64_t>(c.priority) * q.aging_interval;
  } else {
    k.major = -static_cast<std::int64_t>(c.priority);
    k.minor = c.order_time;
  }
  return k;
}

std::int64_t EngineState::effective_priority_micros(const ContactRec& c, Millis now) const {
  const QueueConfig& q = queues[c.queue].config;
  std::int64_t p = static_cast<std::int64_t>(c.priority) * 1000000;
  if (q.aging_interval > 0) {
    const Millis waited = std::max<Millis>(0, now - c.order_time);
    p += waited * 1000000 / q.aging_interval;
  }
  return p;
}

Millis EngineState::next_relax_time(const ContactRec& c) const {
  const QueueConfig& q = queues[c.queue].config;
  if (c.relax_step >= q.relaxation.size()) return kNever;
  return c.entered_queue_at + q.relaxation[c.relax_step].after;
}

Millis EngineState::next_overflow_time(const ContactRec& c) const {
  const QueueConfig& q = queues[c.queue].config;
  if (q.overflow_after <= 0 || q.overflow_queue == kNoId) return kNever;
  return std::max(c.entered_queue_at + q.overflow_after, c.overflow_retry_at);
}

Millis EngineState::next_step_time(const ContactRec& c) const {
  if (c.phase != Phase::kQueued) return kNever;
  return std::min(next_relax_time(c), next_overflow_time(c));
}

// ---------------------------------------------------------------------------------------------
// Agent index maintenance. An agent sits in a queue's index while it is logged in, available,
// has a free slot and holds no exclusive contact.

void EngineState::unindex_agent(AgentRec& a) {
  if (!a.indexed) return;
  for (const Membership& m : a.memberships) {
    if (m.node == kNoNode) continue;
    IndexNode& node = index_nodes[m.node];
    if (node.where != IndexNode::Where::kNone)
      queues[node.queue].available.erase(index_nodes, m.node);
  }
  a.indexed = false;
}

void EngineState::reindex_agent(AgentId id) {
  unindex_agent(agents[id]);
  index_agent(id);
}

bool EngineState::indexable(const AgentRec& a) const {
  if (!a.configured || !a.logged_in || a.presence != Presence::kAvailable) return false;
  if (a.profile >= profiles.size()) return false;
  const RoutingProfile& p = profiles[a.profile];
  if (a.load >= p.max_total || exclusive_load(a) > 0) return false;
  for (const Membership& m : a.memberships)
    if (queues[m.queue].configured) return true;
  return false;
}

void EngineState::index_agent(AgentId id, std::vector<std::uint32_t>* deferred) {
  AgentRec& a = agents[id];
  if (!a.configured || !a.logged_in || a.presence != Presence::kAvailable) return;
  if (a.profile >= profiles.size()) return;
  const RoutingProfile& p = profiles[a.profile];
  if (a.load >= p.max_total || exclusive_load(a) > 0) return;
  for (Membership& m : a.memberships) {
    QueueRec& q = queues[m.queue];
    if (!q.configured) continue;
    RankInputs in{a.idle_since, a.load, p.max_total, m.last_offered, id};
    auto [r1, r2] = q.strategy->rank(in);
    if (m.node == kNoNode) {
      if (free_nodes.empty()) {
        m.node = static_cast<std::uint32_t>(index_nodes.size());
        index_nodes.emplace_back();
      } else {
        m.node = free_nodes.back();
        free_nodes.pop_back();
      }
    }
    IndexNode& node = index_nodes[m.node];
    node.key = AgentKey{r1, r2, id, m.tier};
    node.queue = m.queue;
    if (deferred)
      deferred->push_back(m.node);
    else
      q.available.insert(index_nodes, m.node);
    a.indexed = true;
  }
}

void EngineState::rebuild_indexes() {
  for (auto& q : queues) {
    q.waiting.clear();
    q.available.clear();
  }
  for (IndexNode& n : index_nodes) n = IndexNode{};
  for (auto& a : agents) {
    a.indexed = false;
    refresh_hot_config(a);
  }
  contacts.for_each([&](ContactId, ContactRec& c) {
    if (c.phase == Phase::kQueued) enter_line(c);
  });
  // Inserting in key order makes every insertion an append at its tier's tail.
  std::vector<std::uint32_t> nodes;
  for (AgentId id = 0; id < agents.size(); ++id) index_agent(id, &nodes);
  std::sort(nodes.begin(), nodes.end(), [&](std::uint32_t x, std::uint32_t y) {
    return index_nodes[x].key < index_nodes[y].key;
  });
  for (const std::uint32_t n : nodes) queues[index_nodes[n].queue].available.insert(index_nodes, n);
}

QueueRec& EngineState::queue_slot(QueueId id) {
  while (queues.size() <= id) queues.emplace_back(pool.get());
  return queues[id];
}

void EngineState::set_members(AgentId id, const std::vector<QueueMembership>& next) {
  AgentRec& a = agents[id];
  for (const auto& m : a.memberships) {
    erase_value(queues[m.queue].members, id);
    if (m.node != kNoNode) free_nodes.push_back(m.node);  // REQUIRES: the agent is unindexed
  }
  std::vector<Membership> out;
  for (const auto& m : next) {
    Membership nm{m.queue, m.tier, 0};
    for (const auto& old : a.memberships)
      if (old.queue == m.queue) nm.last_offered = old.last_offered;
    out.push_back(nm);
    queue_slot(m.queue);
    auto& members = queues[m.queue].members;
    members.insert(std::lower_bound(members.begin(), members.end(), id), id);
  }
  std::sort(out.begin(), out.end(),
            [](const Membership& x, const Membership& y) { return x.queue < y.queue; });
  a.memberships = std::move(out);
}

// ---------------------------------------------------------------------------------------------
// Slots.

void EngineState::take_slot(AgentRec& a, ContactRec& c) {
  a.load++;
  a.load_by_channel[static_cast<int>(c.channel)]++;
  a.contacts.push_back(c.id);
}

void EngineState::release_slot(AgentRec& a, ContactRec& c) {
  a.load--;
  a.load_by_channel[static_cast<int>(c.channel)]--;
  erase_value(a.contacts, c.id);
}

void EngineState::requeue(ContactRec& c) {
  c.phase = Phase::kQueued;
  c.agent = kNoId;
  c.generation++;
  enter_line(c);
}

void EngineState::enter_line(ContactRec& c) {
  auto& w = queues[c.queue].waiting;
  // Most contacts join at the back (first queued now, in a queue without priorities): the hint
  // makes that insertion O(1); any other position is found by the usual search.
  c.wait_it = w.emplace_hint(w.end(), wait_key(c));
}

void EngineState::leave_line(ContactRec& c) { queues[c.queue].waiting.erase(c.wait_it); }

void EngineState::erase_contact(ContactRec& c) {
  if (c.phase == Phase::kQueued) leave_line(c);
  forget_contact(c.id);
}

// ---------------------------------------------------------------------------------------------
// check_event: referential integrity of a replayed event.

namespace {

// Upper bounds on configuration ids, so a corrupt id cannot make the engine allocate gigabytes.
constexpr std::uint32_t kMaxSkills = 100000;
constexpr std::uint32_t kMaxProfiles = 100000;
constexpr std::uint32_t kMaxQueues = 100000;
constexpr std::uint32_t kMaxAgents = 1000000;

}  // namespace

Status EngineState::check_event(const Event& e) const {
  auto bad = [&](const std::string& why) {
    return Status::corruption("event " + std::to_string(e.seq) + " (" +
                              std::string(event_type_name(e.type())) + "): " + why);
  };
  auto agent_ok = [&](AgentId a) { return a < agents.size() && agents[a].configured; };
  auto queue_ok = [&](QueueId q) { return q < queues.size() && queues[q].configured; };
  auto contact = [&](ContactId c) { return find_contact(c); };
  auto offered_to = [&](const ContactRec* c, AgentId a) {
    return c && c->phase == Phase::kOffered &&
           std::find(c->offered_to.begin(), c->offered_to.end(), a) != c->offered_to.end();
  };
  return std::visit(
      Overloaded{
          [&](const ev::ContactArrived& x) -> Status {
    if (x.contact == kNoContact || contact(x.contact)) return bad("duplicate contact id");
    if (!queue_ok(x.queue)) return bad("unknown queue");
    if (static_cast<int>(x.channel) >= kChannelCount) return bad("unknown channel");
    return {};
          },
          [&](const ev::ContactQueued& x) -> Status {
    const ContactRec* c = contact(x.contact);
    if (!c || !(c->phase == Phase::kNew || c->phase == Phase::kInTransfer))
      return bad("contact is not arriving or in transfer");
    return queue_ok(x.queue) ? Status{} : bad("unknown queue");
          },
          [&](const ev::ContactOffered& x) -> Status {
    const ContactRec* c = contact(x.contact);
    if (!c || c->phase == Phase::kConnected || c->phase == Phase::kWrapUp ||
        c->phase == Phase::kNew)
      return bad("contact cannot be offered");
    if (!agent_ok(x.agent) || !queue_ok(x.queue)) return bad("unknown agent or queue");
    if (offered_to(c, x.agent)) return bad("offered twice to the same agent");
    return {};
          },
          [&](const ev::OfferAccepted& x) -> Status {
    return offered_to(contact(x.contact), x.agent) ? Status{} : bad("no such offer");
          },
          [&](const auto& x) -> Status
            requires(std::is_same_v<std::decay_t<decltype(x)>, ev::OfferRejected> ||
                     std::is_same_v<std::decay_t<decltype(x)>, ev::OfferTimedOut> ||
                     std::is_same_v<std::decay_t<decltype(x)>, ev::OfferRescinded>) {
              return offered_to(contact(x.contact), x.agent) ? Status{} : bad("no such offer");
}
,
    [&](const ev::ContactConnected& x) -> Status {
      const ContactRec* c = contact(x.contact);
      if (!offered_to(c, x.agent) || c->agent != x.agent) return bad("offer not accepted");
      return {};
    },
    [&](const auto& x) -> Status
    requires(std::is_same_v<std::decay_t<decltype(x)>, ev::HoldStarted> ||
             std::is_same_v<std::decay_t<decltype(x)>, ev::HoldEnded>) {
  const ContactRec* c = contact(x.contact);
  return c && c->phase == Phase::kConnected ? Status{} : bad("contact not connected");
}
,
    [&](const ev::ContactTransferred& x) -> Status {
      const ContactRec* c = contact(x.contact);
      if (!c) return bad("unknown contact");
      if (x.from_agent != kNoId) {
        if (c->phase != Phase::kConnected || c->agent != x.from_agent)
          return bad("contact is not connected to the transferring agent");
      } else if (c->phase != Phase::kQueued) {
        return bad("overflow of a contact that is not waiting");
      }
      if (x.to_queue != kNoId && !queue_ok(x.to_queue)) return bad("unknown target queue");
      if (x.to_agent != kNoId && !agent_ok(x.to_agent)) return bad("unknown target agent");
      return {};
    },
    [&](const ev::ContactEnded& x) -> Status {
      const ContactRec* c = contact(x.contact);
      return c && c->phase == Phase::kConnected && c->agent == x.agent
                 ? Status{}
                 : bad("contact not connected to this agent");
    },
    [&](const ev::WrapUpEnded& x) -> Status {
      const ContactRec* c = contact(x.contact);
      return c && c->phase == Phase::kWrapUp && c->agent == x.agent
                 ? Status{}
                 : bad("contact not in wrap-up with this agent");
    },
    [&](const ev::ContactAbandoned& x) -> Status {
      const ContactRec* c = contact(x.contact);
      return c && (c->phase == Phase::kQueued || c->phase == Phase::kOffered)
                 ? Status{}
                 : bad("contact not waiting");
    },
    [&](const ev::ContactBlocked& x) -> Status {
      const ContactRec* c = contact(x.contact);
      return c && c->phase == Phase::kNew ? Status{} : bad("contact not arriving");
    },
    [&](const ev::CallbackRequested& x) -> Status {
      const ContactRec* c = contact(x.contact);
      return c && c->phase == Phase::kQueued ? Status{} : bad("contact not waiting");
    },
    [&](const ev::SelfServed&) -> Status { return {}; },
    [&](const ev::SurveyAnswered&) -> Status { return {}; },
    [&](const ev::ContactImported& x) -> Status {
      return x.record ? Status{} : bad("no imported record");
    },
    [&](const ev::OverflowDeferred& x) -> Status {
      const ContactRec* c = contact(x.contact);
      return c && c->phase == Phase::kQueued ? Status{} : bad("contact not waiting");
    },
    [&](const ev::ContactRelaxed& x) -> Status {
      const ContactRec* c = contact(x.contact);
      if (!c || c->phase != Phase::kQueued) return bad("contact not waiting");
      if (x.step >= queues[c->queue].config.relaxation.size()) return bad("unknown step");
      return {};
    },
    [&](const auto& x) -> Status
    requires(std::is_same_v<std::decay_t<decltype(x)>, ev::AgentLoggedIn> ||
             std::is_same_v<std::decay_t<decltype(x)>, ev::AgentLoggedOut> ||
             std::is_same_v<std::decay_t<decltype(x)>, ev::AgentStateChanged>) {
  return agent_ok(x.agent) ? Status{} : bad("unknown agent");
}
,
    [&](const ev::AgentSkillsChanged& x) -> Status {
      return agent_ok(x.agent) && x.skills ? Status{} : bad("unknown agent or no skills");
    },
    [&](const ev::SkillConfigured& x) -> Status {
      return x.skill < kMaxSkills && x.name ? Status{} : bad("bad skill");
    },
    [&](const ev::ProfileConfigured& x) -> Status {
      return x.profile && x.profile->id < kMaxProfiles ? Status{} : bad("bad profile");
    },
    [&](const ev::QueueConfigured& x) -> Status {
      if (!x.queue || x.queue->id >= kMaxQueues) return bad("bad queue");
      for (const auto& step : x.queue->relaxation)
        if (static_cast<int>(step.action) > 2) return bad("unknown relaxation action");
      if (static_cast<int>(x.queue->selection) > 4) return bad("unknown selection");
      return {};
    },
    [&](const ev::AgentConfigured& x) -> Status {
      if (!x.agent || x.agent->id >= kMaxAgents) return bad("bad agent");
      if (x.agent->profile >= profiles.size() || !profile_defined[x.agent->profile])
        return bad("unknown routing profile");
      for (std::size_t i = 0; i < x.agent->queues.size(); ++i) {
        if (!queue_ok(x.agent->queues[i].queue)) return bad("membership of unknown queue");
        for (std::size_t j = 0; j < i; ++j)
          if (x.agent->queues[j].queue == x.agent->queues[i].queue)
            return bad("duplicate queue membership");
      }
      return {};
    },
}  // namespace sb::routing_internal
,
      e.payload);
}

// ---------------------------------------------------------------------------------------------
// apply: one event → the next state. Preconditions were checked when the event was decided;
// replayed logs come from the same decisions, so violations here mean a corrupt log.

void EngineState::apply_one([[maybe_unused]] const ev::ContactArrived& x,
                            [[maybe_unused]] const Event& e, [[maybe_unused]] Millis now) {
  ContactRec& c = contacts.emplace(x.contact);  // built in place: no temporary record
  c.id = x.contact;
  c.channel = x.channel;
  c.queue = x.queue;
  c.priority = x.priority;
  c.customer = x.customer;
  c.requirements = x.requirements;
  c.arrived_at = now;
}

void EngineState::apply_one([[maybe_unused]] const ev::ContactQueued& x,
                            [[maybe_unused]] const Event& e, [[maybe_unused]] Millis now) {
  ContactRec& c = rec(x.contact);
  c.queue = x.queue;
  c.entered_queue_at = now;
  if (!c.keep_place || !c.has_place) {
    c.order_time = now;
    c.order_seq = e.seq;
    c.has_place = true;
  }
  c.keep_place = false;
  c.overflow_retry_at = 0;
  c.relax_step = 0;
  c.proficiency_drop = 0;
  c.optional_dropped = false;
  c.max_tier = 1;
  c.phase = Phase::kQueued;
  c.generation++;
  enter_line(c);
}

void EngineState::apply_one([[maybe_unused]] const ev::ContactOffered& x,
                            [[maybe_unused]] const Event& e, [[maybe_unused]] Millis now) {
  ContactRec& c = rec(x.contact);
  if (c.phase == Phase::kQueued) leave_line(c);
  if (c.phase != Phase::kOffered) c.generation++;
  c.phase = Phase::kOffered;
  c.offer_expires_at = x.expires_at;
  c.offered_to.push_back(x.agent);
  AgentRec& a = agents[x.agent];
  take_slot(a, c);
  a.offered++;
  QueueRec& q = queues[x.queue];
  q.offer_counter++;
  for (auto& m : a.memberships)
    if (m.queue == x.queue) m.last_offered = q.offer_counter;
  reindex_agent(x.agent);
}

void EngineState::apply_one([[maybe_unused]] const ev::OfferAccepted& x,
                            [[maybe_unused]] const Event& e, [[maybe_unused]] Millis now) {
  ContactRec& c = rec(x.contact);
  c.agent = x.agent;
  agents[x.agent].missed_in_a_row = 0;
}

// An offer that is over without an answer: rejected, timed out or rescinded.
template <class T>
void EngineState::apply_offer_gone(const T& x, Millis now) {
  ContactRec& c = rec(x.contact);
  AgentRec& a = agents[x.agent];
  erase_value(c.offered_to, x.agent);
  release_slot(a, c);
  a.offered--;
  if constexpr (!std::is_same_v<T, ev::OfferRescinded>) c.excluded.push_back(x.agent);
  if constexpr (std::is_same_v<T, ev::OfferTimedOut>) a.missed_in_a_row++;
  if (a.load == 0) a.idle_since = now;
  if (c.offered_to.empty() && c.agent == kNoId) requeue(c);
  reindex_agent(x.agent);
}

void EngineState::apply_one(const ev::OfferRejected& x, const Event&, Millis now) {
  apply_offer_gone(x, now);
}
void EngineState::apply_one(const ev::OfferTimedOut& x, const Event&, Millis now) {
  apply_offer_gone(x, now);
}
void EngineState::apply_one(const ev::OfferRescinded& x, const Event&, Millis now) {
  apply_offer_gone(x, now);
}

void EngineState::apply_one([[maybe_unused]] const ev::ContactConnected& x,
                            [[maybe_unused]] const Event& e, [[maybe_unused]] Millis now) {
  ContactRec& c = rec(x.contact);
  AgentRec& a = agents[x.agent];
  c.phase = Phase::kConnected;
  c.agent = x.agent;
  c.connected_at = now;
  c.offered_to.clear();
  c.generation++;
  a.offered--;
  a.connected++;
}

void EngineState::apply_one([[maybe_unused]] const ev::HoldStarted& x,
                            [[maybe_unused]] const Event& e, [[maybe_unused]] Millis now) {
  rec(x.contact).on_hold = true;
}

void EngineState::apply_one([[maybe_unused]] const ev::HoldEnded& x,
                            [[maybe_unused]] const Event& e, [[maybe_unused]] Millis now) {
  rec(x.contact).on_hold = false;
}

void EngineState::apply_one([[maybe_unused]] const ev::ContactTransferred& x,
                            [[maybe_unused]] const Event& e, [[maybe_unused]] Millis now) {
  ContactRec& c = rec(x.contact);
  if (x.from_agent != kNoId) {
    AgentRec& a = agents[x.from_agent];
    release_slot(a, c);
    a.connected--;
    if (a.load == 0) a.idle_since = now;
    reindex_agent(x.from_agent);
  } else if (c.phase == Phase::kQueued) {
    leave_line(c);
  }
  c.keep_place = x.reason == TransferReason::kOverflow;
  c.phase = Phase::kInTransfer;
  c.agent = kNoId;
  c.on_hold = false;
  c.excluded.clear();
  c.generation++;
}

void EngineState::apply_one([[maybe_unused]] const ev::ContactEnded& x,
                            [[maybe_unused]] const Event& e, [[maybe_unused]] Millis now) {
  ContactRec& c = rec(x.contact);
  AgentRec& a = agents[x.agent];
  c.phase = Phase::kWrapUp;
  c.on_hold = false;
  c.generation++;
  const Millis wrap = queues[c.queue].config.wrap_up;
  c.wrap_ends_at = wrap > 0 ? now + wrap : kNever;
  a.connected--;
  a.wrap_up++;
}

void EngineState::apply_one([[maybe_unused]] const ev::WrapUpEnded& x,
                            [[maybe_unused]] const Event& e, [[maybe_unused]] Millis now) {
  ContactRec& c = rec(x.contact);
  AgentRec& a = agents[x.agent];
  QueueRec& q = queues[c.queue];
  // Integer moving average (weight 1/16) keeps replay bit-exact on every platform.
  const Millis handled = now - c.connected_at;
  q.handle_time_estimate += (handled - q.handle_time_estimate) / 16;
  q.handled++;
  release_slot(a, c);
  a.wrap_up--;
  if (a.load == 0) a.idle_since = now;
  forget_contact(x.contact);
  if (defer_reindex)
    unindex_agent(a);  // the decision path re-indexes it (see Engine's end_wrap_up)
  else
    reindex_agent(x.agent);
}

void EngineState::apply_one([[maybe_unused]] const ev::ContactAbandoned& x,
                            [[maybe_unused]] const Event& e, [[maybe_unused]] Millis now) {
  ContactRec& c = rec(x.contact);
  const std::vector<AgentId> ringing(c.offered_to.begin(), c.offered_to.end());
  for (AgentId id : ringing) {
    AgentRec& a = agents[id];
    release_slot(a, c);
    a.offered--;
    if (a.load == 0) a.idle_since = now;
  }
  erase_contact(c);
  for (AgentId id : ringing) reindex_agent(id);
}

void EngineState::apply_one([[maybe_unused]] const ev::ContactBlocked& x,
                            [[maybe_unused]] const Event& e, [[maybe_unused]] Millis now) {
  erase_contact(rec(x.contact));
}

void EngineState::apply_one([[maybe_unused]] const ev::CallbackRequested& x,
                            [[maybe_unused]] const Event& e, [[maybe_unused]] Millis now) {
  ContactRec& c = rec(x.contact);
  // Same key: the callback keeps the caller's place in line.
  c.channel = Channel::kCallback;
  c.callback = true;
}

void EngineState::apply_one([[maybe_unused]] const ev::SelfServed& x,
                            [[maybe_unused]] const Event& e, [[maybe_unused]] Millis now) {}

void EngineState::apply_one([[maybe_unused]] const ev::SurveyAnswered& x,
                            [[maybe_unused]] const Event& e, [[maybe_unused]] Millis now) {}

void EngineState::apply_one([[maybe_unused]] const ev::ContactImported& x,
                            [[maybe_unused]] const Event& e, [[maybe_unused]] Millis now) {}

void EngineState::apply_one([[maybe_unused]] const ev::OverflowDeferred& x,
                            [[maybe_unused]] const Event& e, [[maybe_unused]] Millis now) {
  rec(x.contact).overflow_retry_at = x.retry_at;
}

void EngineState::apply_one([[maybe_unused]] const ev::ContactRelaxed& x,
                            [[maybe_unused]] const Event& e, [[maybe_unused]] Millis now) {
  ContactRec& c = rec(x.contact);
  const RelaxationStep& step = queues[c.queue].config.relaxation.at(x.step);
  switch (step.action) {
    case RelaxationAction::kLowerProficiency:
      c.proficiency_drop =
          static_cast<std::uint8_t>(std::min(kMaxProficiency, c.proficiency_drop + step.amount));
      break;
    case RelaxationAction::kDropOptional:
      c.optional_dropped = true;
      break;
    case RelaxationAction::kWidenTier:
      c.max_tier = static_cast<std::uint8_t>(std::min(255, c.max_tier + step.amount));
      break;
  }
  c.relax_step = static_cast<std::uint8_t>(x.step + 1);
}

void EngineState::apply_one([[maybe_unused]] const ev::AgentLoggedIn& x,
                            [[maybe_unused]] const Event& e, [[maybe_unused]] Millis now) {
  AgentRec& a = agents[x.agent];
  a.logged_in = true;
  a.presence = Presence::kAvailable;
  a.reason = reason::kNone;
  a.presence_since = now;
  a.idle_since = now;
  a.missed_in_a_row = 0;
  reindex_agent(x.agent);
}

void EngineState::apply_one([[maybe_unused]] const ev::AgentLoggedOut& x,
                            [[maybe_unused]] const Event& e, [[maybe_unused]] Millis now) {
  AgentRec& a = agents[x.agent];
  a.logged_in = false;
  a.presence = Presence::kOffline;
  a.reason = reason::kNone;
  a.presence_since = now;
  reindex_agent(x.agent);
}

void EngineState::apply_one([[maybe_unused]] const ev::AgentStateChanged& x,
                            [[maybe_unused]] const Event& e, [[maybe_unused]] Millis now) {
  AgentRec& a = agents[x.agent];
  const bool becomes_available =
      x.presence == Presence::kAvailable && a.presence != Presence::kAvailable;
  a.presence = x.presence;
  a.reason = x.reason;
  a.presence_since = now;
  if (becomes_available) {
    a.missed_in_a_row = 0;
    if (a.load == 0) a.idle_since = now;
  }
  reindex_agent(x.agent);
}

void EngineState::apply_one([[maybe_unused]] const ev::AgentSkillsChanged& x,
                            [[maybe_unused]] const Event& e, [[maybe_unused]] Millis now) {
  AgentRec& a = agents[x.agent];
  a.config.skills = *x.skills;
  std::sort(a.config.skills.begin(), a.config.skills.end(),
            [](const SkillLevel& p, const SkillLevel& q) { return p.skill < q.skill; });
  refresh_hot_config(a);
}

void EngineState::apply_one([[maybe_unused]] const ev::SkillConfigured& x,
                            [[maybe_unused]] const Event& e, [[maybe_unused]] Millis now) {
  grow_to(skill_names, x.skill);
  grow_to(skill_defined, x.skill);
  skill_names[x.skill] = *x.name;
  skill_defined[x.skill] = true;
}

void EngineState::apply_one([[maybe_unused]] const ev::ProfileConfigured& x,
                            [[maybe_unused]] const Event& e, [[maybe_unused]] Millis now) {
  const ProfileId id = x.profile->id;
  grow_to(profiles, id);
  grow_to(profile_defined, id);
  profiles[id] = *x.profile;
  profile_defined[id] = true;
  for (AgentId a = 0; a < agents.size(); ++a)
    if (agents[a].configured && agents[a].config.profile == id) reindex_agent(a);
}

void EngineState::apply_one([[maybe_unused]] const ev::QueueConfigured& x,
                            [[maybe_unused]] const Event& e, [[maybe_unused]] Millis now) {
  const QueueId id = x.queue->id;
  QueueRec& q = queue_slot(id);
  const bool first = !q.configured;
  q.config = *x.queue;
  q.configured = true;
  q.strategy = &selection_strategy(q.config.selection);
  if (first) q.handle_time_estimate = q.config.default_handle_time;
  // Aging or strategy may have changed: rebuild this queue's keys.
  q.waiting.clear();
  // Their relaxation and overflow schedule follows the new configuration: the host gets new
  // step timers, and the generation bump retires the old ones.
  contacts.for_each([&](ContactId, ContactRec& c) {
    if (c.phase != Phase::kQueued || c.queue != id) return;
    c.generation++;
    enter_line(c);
  });
  for (AgentId a : std::vector<AgentId>(q.members)) reindex_agent(a);
}

void EngineState::apply_one([[maybe_unused]] const ev::AgentConfigured& x,
                            [[maybe_unused]] const Event& e, [[maybe_unused]] Millis now) {
  const AgentId id = x.agent->id;
  grow_to(agents, id);
  AgentRec& a = agents[id];
  unindex_agent(a);
  a.configured = true;
  set_members(id, x.agent->queues);
  a.config = *x.agent;
  std::sort(a.config.skills.begin(), a.config.skills.end(),
            [](const SkillLevel& p, const SkillLevel& q) { return p.skill < q.skill; });
  refresh_hot_config(a);
  reindex_agent(id);
}

void EngineState::apply_event(const Event& e) {
  last_seq = e.seq;
  last_time = e.at;
  stats.events++;
  // One member function per event type: a visitor built from two dozen capturing lambdas cost
  // dozens of stores per event just to construct.
  std::visit([&](const auto& x) { apply_one(x, e, e.at); }, e.payload);
}

}  // namespace sb::routing_internal
