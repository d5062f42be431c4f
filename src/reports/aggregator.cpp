#include "reports/aggregator.h"

#include <algorithm>
#include <string>
#include <utility>

#include "base/overloaded.h"

namespace sb::reports {
namespace {

Millis cell_of(Millis t) {
  Millis q = t / kCellWidth;
  if (t % kCellWidth < 0) --q;
  return q * kCellWidth;
}

bool is_async(Channel c) {
  return c == Channel::kChat || c == Channel::kEmail || c == Channel::kSms ||
         c == Channel::kWhatsapp || c == Channel::kSocial;
}

std::int64_t id_key(std::uint32_t id) {
  return id == kNoId ? kNone : static_cast<std::int64_t>(id);
}

}  // namespace

// ---------------------------------------------------------------------------------------------

void DefinitionTable::set(std::vector<QueueDefinition> defs) {
  std::stable_sort(defs.begin(), defs.end(), [](const auto& a, const auto& b) {
    return std::tie(a.queue, a.effective_from, a.version) <
           std::tie(b.queue, b.effective_from, b.version);
  });
  defs_ = std::move(defs);
}

const QueueDefinition* DefinitionTable::find(std::int64_t key, const std::string& name,
                                             Millis start) const {
  auto latest = [&](const std::string& queue) -> const QueueDefinition* {
    const QueueDefinition* found = nullptr;
    for (const QueueDefinition& d : defs_)
      if (d.queue == queue && d.effective_from <= start) found = &d;
    return found;
  };
  if (!name.empty())
    if (const QueueDefinition* d = latest(name)) return d;
  if (key >= 0 && key < kSyntheticKeyBase)
    if (const QueueDefinition* d = latest(std::to_string(key))) return d;
  return latest("*");
}

// ---------------------------------------------------------------------------------------------

struct Aggregator::State {
  const DefinitionTable& defs;
  const CenterSettings& settings;
  Deltas& deltas;
  std::vector<DimensionName>& dims_changed;
  bool record = true;

  State(const DefinitionTable& d, const CenterSettings& s, Deltas& out,
        std::vector<DimensionName>& dims)
      : defs(d), settings(s), deltas(out), dims_changed(dims) {}

  enum class Stage : std::uint8_t { kPending, kWaiting, kInService, kGone };

  struct Leg {
    AgentId agent = kNoId;
    std::int64_t queue = kNone;
    Millis interval = 0;
    std::int64_t version = 0;
    Millis connected = 0;
    Millis hold_since = -1;
    Millis hold_ms = 0;
    Millis longest_hold = 0;
    Millis ended = -1;
  };

  struct Contact {
    Channel channel = Channel::kVoice;
    std::string customer;
    Stage stage = Stage::kPending;
    std::int64_t queue = kNone;
    Millis start = 0;
    Millis interval = 0;
    std::int64_t version = 0;
    Millis threshold = 0;
    Millis short_abandon = 0;
    bool answered = false;
    bool callback = false;
    std::vector<Leg> legs;
  };

  struct AgentTrack {
    bool seen = false;
    Presence presence = Presence::kOffline;
    int busy = 0;
    Millis since = 0;
  };

  struct CustomerLast {
    Millis last = 0;
    ContactId contact = kNoContact;
    bool fcr_pending = false;  // the latest contact was handled and counts as resolved so far
    CellKey fcr_cell;
  };

  struct Definition {
    std::int64_t version = 0;
    Millis threshold = 20 * kMillisPerSecond;
    Millis short_abandon = 0;
  };

  std::unordered_map<ContactId, Contact> contacts;
  std::unordered_map<AgentId, AgentTrack> agents;
  std::unordered_map<std::string, CustomerLast> customers;
  std::unordered_map<std::int64_t, Millis> live_thresholds;
  std::map<std::int64_t, std::string> queue_names, agent_names;
  std::unordered_map<std::string, std::int64_t> queue_by_name, agent_by_name;
  std::int64_t next_synthetic_queue = kSyntheticKeyBase;
  std::int64_t next_synthetic_agent = kSyntheticKeyBase;

  // ---- output ----

  CellValues& cell(const CellKey& k) { return deltas[k]; }
  void add(const CellKey& k, int field, std::int64_t x) {
    if (record) cell(k).add(field, x);
  }

  void name(char kind, std::int64_t key, const std::string& n) {
    auto& names = kind == 'q' ? queue_names : agent_names;
    auto& by_name = kind == 'q' ? queue_by_name : agent_by_name;
    auto it = names.find(key);
    if (it != names.end() && it->second == n) return;
    names[key] = n;
    by_name[n] = key;
    dims_changed.push_back({kind, key, n});
  }

  std::int64_t key_for_name(char kind, const std::string& n) {
    auto& by_name = kind == 'q' ? queue_by_name : agent_by_name;
    if (auto it = by_name.find(n); it != by_name.end()) return it->second;
    std::int64_t& next = kind == 'q' ? next_synthetic_queue : next_synthetic_agent;
    const std::int64_t key = next++;
    name(kind, key, n);
    return key;
  }

  Definition definition(std::int64_t queue, Millis start) const {
    Definition d;
    if (auto it = live_thresholds.find(queue); it != live_thresholds.end())
      d.threshold = it->second;
    auto n = queue_names.find(queue);
    const QueueDefinition* q =
        defs.find(queue, n == queue_names.end() ? std::string() : n->second, start);
    if (q) {
      d.version = q->version;
      d.threshold = q->sl_threshold;
      d.short_abandon = q->short_abandon;
    }
    return d;
  }

  CellKey offer_cell(const Contact& c, std::int64_t agent = kNone) const {
    return {c.interval, c.queue, static_cast<std::int64_t>(c.channel), agent, c.version};
  }

  // ---- customers: repeat contacts and first contact resolution ----

  void customer_contact(const std::string& customer, ContactId id, Millis t, const CellKey& k) {
    if (customer.empty()) return;
    add(k, kCustomerContacts, 1);
    auto [it, fresh] = customers.try_emplace(customer);
    CustomerLast& last = it->second;
    if (!fresh && t >= last.last && t - last.last <= settings.repeat_window) {
      add(k, kRepeatContacts, 1);
      if (last.fcr_pending) add(last.fcr_cell, kFcrResolved, -1);
    }
    last.last = t;
    last.contact = id;
    last.fcr_pending = false;
  }

  void customer_handled(const std::string& customer, ContactId id, const CellKey& k) {
    if (customer.empty()) return;
    add(k, kFcrEligible, 1);
    add(k, kFcrResolved, 1);
    auto it = customers.find(customer);
    if (it != customers.end() && it->second.contact == id) {
      it->second.fcr_pending = true;
      it->second.fcr_cell = k;
    }
  }

  // ---- agents ----

  void settle(AgentId id, Millis t) {
    AgentTrack& a = agents[id];
    if (!a.seen) {
      a.seen = true;
      a.since = t;
      return;
    }
    if (t <= a.since) return;
    const bool staffed = a.presence != Presence::kOffline;
    const bool available = a.presence == Presence::kAvailable || a.busy > 0;
    const bool occupied = a.busy > 0;
    if (record && (staffed || available || occupied)) {
      Millis from = a.since;
      while (from < t) {
        const Millis start = cell_of(from);
        const Millis to = std::min(t, start + kCellWidth);
        const CellKey k{start, kNone, kNone, static_cast<std::int64_t>(id), 0};
        CellValues& v = cell(k);
        if (staffed) v.add(kStaffedMs, to - from);
        if (available) v.add(kAvailableMs, to - from);
        if (occupied) v.add(kOccupiedMs, to - from);
        from = to;
      }
    }
    a.since = t;
  }

  void busy(AgentId id, Millis t, int delta) {
    if (id == kNoId) return;
    settle(id, t);
    agents[id].busy = std::max(0, agents[id].busy + delta);
  }

  // ---- contacts ----

  Contact* find(ContactId id) {
    auto it = contacts.find(id);
    return it == contacts.end() ? nullptr : &it->second;
  }

  void forget_if_done(ContactId id, Contact& c) {
    if (c.stage == Stage::kGone && c.legs.empty()) contacts.erase(id);
  }

  void start_offer(Contact& c, std::int64_t queue, Millis t) {
    c.queue = queue;
    c.start = t;
    c.interval = cell_of(t);
    const Definition d = definition(queue, t);
    c.version = d.version;
    c.threshold = d.threshold;
    c.short_abandon = d.short_abandon;
    c.stage = Stage::kWaiting;
    c.answered = false;
    c.callback = false;
    add(offer_cell(c), kOffered, 1);
  }

  void ensure_offer(Contact& c) {
    if (c.stage == Stage::kPending) start_offer(c, c.queue, c.start);
  }

  Leg* leg_of(Contact& c, AgentId agent) {
    for (Leg& l : c.legs)
      if (l.agent == agent) return &l;
    return nullptr;
  }

  void close_hold(Leg& l, Millis t) {
    if (l.hold_since < 0) return;
    const Millis h = std::max<Millis>(0, t - l.hold_since);
    l.hold_ms += h;
    l.longest_hold = std::max(l.longest_hold, h);
    l.hold_since = -1;
  }

  // A leg is over: its talk, hold and wrap go to the cell of the offer it served.
  void complete_leg(Contact& c, AgentId agent, Millis t, ReasonId disposition, bool wrapped) {
    auto it =
        std::find_if(c.legs.begin(), c.legs.end(), [&](const Leg& l) { return l.agent == agent; });
    if (it == c.legs.end()) return;
    Leg& l = *it;
    if (l.ended < 0) {
      close_hold(l, t);
      l.ended = t;
    }
    const Millis talk = std::max<Millis>(0, l.ended - l.connected - l.hold_ms);
    const Millis wrap = wrapped ? std::max<Millis>(0, t - l.ended) : 0;
    const CellKey k{l.interval, l.queue, static_cast<std::int64_t>(c.channel),
                    static_cast<std::int64_t>(agent), l.version};
    if (record) {
      CellValues& v = cell(k);
      v.add(kLegs, 1);
      v.add(kTalkMs, talk);
      v.add(kHoldMs, l.hold_ms);
      v.add(kWrapMs, wrap);
      v.add(kHoldMaxMs, l.longest_hold);
      v.handles.add(talk + l.hold_ms + wrap);
      if (wrapped && disposition != 0) {
        v.add(kDispositioned, 1);
        const auto& conv = settings.conversion_dispositions;
        if (std::find(conv.begin(), conv.end(), disposition) != conv.end()) v.add(kConversions, 1);
      }
    }
    c.legs.erase(it);
    busy(agent, t, -1);
  }

  void answered(ContactId id, Contact& c, AgentId agent, Millis t) {
    const Millis wait = std::max<Millis>(0, t - c.start);
    const CellKey k = offer_cell(c, id_key(agent));
    if (record) {
      CellValues& v = cell(k);
      v.add(kHandled, 1);
      v.add(kWaitHandledMs, wait);
      v.add(kWaitMaxMs, wait);
      v.waits.add(wait);
      if (wait <= c.threshold) {
        v.add(kAnsweredWithinSl, 1);
        if (!c.callback) v.add(kRemovedWithinSl, 1);
      }
      if (c.callback) v.add(kCallbacksCompleted, 1);
      if (is_async(c.channel)) {
        v.add(kFirstResponses, 1);
        v.add(kFirstResponseMs, wait);
      }
    }
    customer_handled(c.customer, id, k);
    c.answered = true;
    c.stage = Stage::kInService;
  }

  // ---- events ----

  void on(const ev::ContactArrived& x, const Event& e) {
    Contact c;
    c.channel = x.channel;
    c.customer = x.customer == 0 ? std::string() : std::to_string(x.customer);
    c.queue = id_key(x.queue);
    c.start = e.at;
    c.interval = cell_of(e.at);
    c.version = definition(c.queue, e.at).version;
    customer_contact(c.customer, x.contact, e.at, offer_cell(c));
    contacts[x.contact] = std::move(c);
  }

  void on(const ev::ContactQueued& x, const Event& e) {
    Contact* c = find(x.contact);
    if (!c || c->stage != Stage::kPending) return;
    start_offer(*c, id_key(x.queue), e.at);
  }

  void on(const ev::ContactOffered& x, const Event&) {
    if (Contact* c = find(x.contact)) ensure_offer(*c);
  }

  void on(const ev::ContactConnected& x, const Event& e) {
    Contact* c = find(x.contact);
    if (!c) return;
    ensure_offer(*c);
    if (c->stage == Stage::kWaiting && !c->answered) answered(x.contact, *c, x.agent, e.at);
    if (c->stage != Stage::kInService) return;
    Leg l;
    l.agent = x.agent;
    l.queue = c->queue;
    l.interval = c->interval;
    l.version = c->version;
    l.connected = e.at;
    c->legs.push_back(l);
    busy(x.agent, e.at, +1);
  }

  void on(const ev::HoldStarted& x, const Event& e) {
    Contact* c = find(x.contact);
    if (Leg* l = c ? leg_of(*c, x.agent) : nullptr; l && l->hold_since < 0) l->hold_since = e.at;
  }

  void on(const ev::HoldEnded& x, const Event& e) {
    Contact* c = find(x.contact);
    if (Leg* l = c ? leg_of(*c, x.agent) : nullptr) close_hold(*l, e.at);
  }

  void on(const ev::ContactTransferred& x, const Event& e) {
    Contact* c = find(x.contact);
    if (!c) return;
    if (x.reason == TransferReason::kOverflow) {
      if (c->stage == Stage::kWaiting) {
        add(offer_cell(*c), kFlowedOut, 1);
        if (e.at - c->start <= c->threshold) add(offer_cell(*c), kRemovedWithinSl, 1);
        // The offer moves on with its start and interval (docs/kpis-core.md, "Attribution").
        c->queue = id_key(x.to_queue);
        const Definition d = definition(c->queue, c->start);
        c->version = d.version;
        c->threshold = d.threshold;
        c->short_abandon = d.short_abandon;
      } else if (c->stage == Stage::kPending) {
        c->queue = id_key(x.to_queue);
      }
      return;
    }
    ensure_offer(*c);
    add(offer_cell(*c, id_key(x.from_agent)), kTransferred, 1);
    if (x.from_agent != kNoId) {
      Leg* l = leg_of(*c, x.from_agent);
      if (l && l->ended < 0) complete_leg(*c, x.from_agent, e.at, 0, false);
    }
    if (x.to_queue != kNoId) {
      c->stage = Stage::kPending;
      c->queue = id_key(x.to_queue);
      c->start = e.at;
      c->answered = false;
    }
  }

  void on(const ev::ContactEnded& x, const Event& e) {
    Contact* c = find(x.contact);
    if (!c) return;
    if (x.agent != kNoId) {
      if (Leg* l = leg_of(*c, x.agent); l && l->ended < 0) {
        close_hold(*l, e.at);
        l->ended = e.at;
      }
    }
    c->stage = Stage::kGone;
    forget_if_done(x.contact, *c);
  }

  void on(const ev::WrapUpEnded& x, const Event& e) {
    Contact* c = find(x.contact);
    if (!c) return;
    complete_leg(*c, x.agent, e.at, x.disposition, true);
    forget_if_done(x.contact, *c);
  }

  void abandoned(Contact& c, Millis wait) {
    if (!record) return;
    CellValues& v = cell(offer_cell(c));
    v.add(kAbandoned, 1);
    v.add(kWaitAbandonedMs, wait);
    v.add(kWaitMaxMs, wait);
    const bool is_short = wait < c.short_abandon;
    if (is_short) v.add(kShortAbandoned, 1);
    if (!is_short && wait <= c.threshold) v.add(kAbandonedWithinSl, 1);
    if (wait <= c.threshold) v.add(kRemovedWithinSl, 1);
  }

  void on(const ev::ContactAbandoned& x, const Event& e) {
    Contact* c = find(x.contact);
    if (!c) return;
    ensure_offer(*c);
    if (c->stage == Stage::kWaiting && !c->answered)
      abandoned(*c, std::max<Millis>(0, e.at - c->start));
    c->stage = Stage::kGone;
    forget_if_done(x.contact, *c);
  }

  void on(const ev::ContactBlocked& x, const Event& e) {
    Contact* c = find(x.contact);
    const std::int64_t q = id_key(x.queue);
    const Channel ch = c ? c->channel : Channel::kVoice;
    add({cell_of(e.at), q, static_cast<std::int64_t>(ch), kNone, definition(q, e.at).version},
        kBlocked, 1);
    if (c) contacts.erase(x.contact);
  }

  void on(const ev::CallbackRequested& x, const Event& e) {
    Contact* c = find(x.contact);
    if (!c) return;
    ensure_offer(*c);
    add(offer_cell(*c), kCallbacksRequested, 1);
    if (c->stage == Stage::kWaiting && e.at - c->start <= c->threshold)
      add(offer_cell(*c), kRemovedWithinSl, 1);
    c->callback = true;
  }

  void on(const ev::SelfServed& x, const Event& e) {
    const CellKey k{cell_of(e.at), kNone, static_cast<std::int64_t>(x.channel), kNone, 0};
    add(k, kSelfServed, 1);
    customer_contact(x.customer == 0 ? std::string() : std::to_string(x.customer), x.contact, e.at,
                     k);
    contacts.erase(x.contact);
  }

  void on(const ev::AgentLoggedIn& x, const Event& e) {
    settle(x.agent, e.at);
    agents[x.agent].presence = Presence::kAvailable;
  }

  void on(const ev::AgentLoggedOut& x, const Event& e) {
    settle(x.agent, e.at);
    agents[x.agent].presence = Presence::kOffline;
  }

  void on(const ev::AgentStateChanged& x, const Event& e) {
    settle(x.agent, e.at);
    agents[x.agent].presence = x.presence;
  }

  void on(const ev::AgentConfigured& x, const Event&) {
    if (!x.agent) return;
    const std::int64_t key = x.agent->id;
    name('a', key, x.agent->name.empty() ? "agent " + std::to_string(key) : x.agent->name);
  }

  void on(const ev::QueueConfigured& x, const Event&) {
    if (!x.queue) return;
    const std::int64_t key = x.queue->id;
    live_thresholds[key] = x.queue->service_level_threshold;
    name('q', key, x.queue->name.empty() ? "queue " + std::to_string(key) : x.queue->name);
  }

  void on(const ev::SurveyAnswered& x, const Event& e) {
    if (!record) return;
    CellValues& v = cell({cell_of(e.at), id_key(x.queue), kNone, id_key(x.agent), 0});
    switch (x.kind) {
      case SurveyKind::kCsat:
        v.add(kCsatResponses, 1);
        v.add(kCsatSum, x.score);
        if (x.score >= 4) v.add(kCsatGood, 1);
        break;
      case SurveyKind::kNps:
        v.add(kNpsResponses, 1);
        if (x.score >= 9) v.add(kNpsPromoters, 1);
        if (x.score <= 6) v.add(kNpsDetractors, 1);
        break;
      case SurveyKind::kCes:
        v.add(kCesResponses, 1);
        v.add(kCesSum, x.score);
        break;
    }
  }

  void on(const ev::ContactImported& x, const Event&) {
    if (!x.record) return;
    const ImportedContact& r = *x.record;
    Contact c;
    c.channel = r.channel;
    c.customer = r.customer;
    c.queue = key_for_name('q', r.queue);
    c.start = r.arrived_at;
    c.interval = cell_of(r.arrived_at);
    const Definition d = definition(c.queue, c.start);
    c.version = d.version;
    c.threshold = d.threshold;
    c.short_abandon = d.short_abandon;
    // Imported contacts have no engine id; customers' last contacts point at none.
    customer_contact(c.customer, kNoContact, c.start, offer_cell(c));
    if (r.outcome == ImportOutcome::kBlocked) {
      add(offer_cell(c), kBlocked, 1);
      return;
    }
    add(offer_cell(c), kOffered, 1);
    add(offer_cell(c), kImported, 1);
    switch (r.outcome) {
      case ImportOutcome::kAnswered: {
        const std::int64_t agent = r.agent.empty() ? kNone : key_for_name('a', r.agent);
        const CellKey k = offer_cell(c, agent);
        if (record) {
          CellValues& v = cell(k);
          v.add(kHandled, 1);
          v.add(kWaitHandledMs, r.wait);
          v.add(kWaitMaxMs, r.wait);
          v.waits.add(r.wait);
          if (r.wait <= c.threshold) {
            v.add(kAnsweredWithinSl, 1);
            v.add(kRemovedWithinSl, 1);
          }
          if (is_async(c.channel)) {
            v.add(kFirstResponses, 1);
            v.add(kFirstResponseMs, r.wait);
          }
          v.add(kLegs, 1);
          v.add(kTalkMs, r.talk);
          v.add(kHoldMs, r.hold);
          v.add(kWrapMs, r.wrap);
          v.add(kHoldMaxMs, r.hold);  // one hold per contact is all an import can know
          v.handles.add(r.talk + r.hold + r.wrap);
          if (r.transferred) v.add(kTransferred, 1);
        }
        if (!c.customer.empty()) {
          add(k, kFcrEligible, 1);
          add(k, kFcrResolved, 1);
          CustomerLast& last = customers[c.customer];
          last.fcr_pending = true;
          last.fcr_cell = k;
        }
        break;
      }
      case ImportOutcome::kAbandoned:
        abandoned(c, r.wait);
        break;
      case ImportOutcome::kTimedOut:
        if (record) {
          CellValues& v = cell(offer_cell(c));
          v.add(kTimedOut, 1);
          v.add(kWaitTimedOutMs, r.wait);
          v.add(kWaitMaxMs, r.wait);
          if (r.wait <= c.threshold) v.add(kRemovedWithinSl, 1);
        }
        break;
      case ImportOutcome::kBlocked:
        break;
    }
  }

  // Events that carry nothing for reports: offers declined, relaxation, deferrals, skills,
  // profiles.
  template <class T>
  void on(const T&, const Event&) {}
};

Aggregator::Aggregator(const DefinitionTable& definitions, const CenterSettings& settings)
    : s_(std::make_unique<State>(definitions, settings, deltas_, dims_changed_)) {}

Aggregator::~Aggregator() = default;

void Aggregator::on_event(const Event& e, bool record) {
  s_->record = record;
  std::visit([&](const auto& x) { s_->on(x, e); }, e.payload);
  last_seq_ = e.seq;
}

void Aggregator::settle_agents(Millis t, bool record) {
  s_->record = record;
  for (auto& [id, a] : s_->agents)
    if (a.seen) s_->settle(id, t);
}

std::string Aggregator::queue_name(std::int64_t key) const {
  if (key == kNone) return "";
  auto it = s_->queue_names.find(key);
  return it == s_->queue_names.end() ? "queue " + std::to_string(key) : it->second;
}

std::string Aggregator::agent_name(std::int64_t key) const {
  if (key == kNone) return "";
  auto it = s_->agent_names.find(key);
  return it == s_->agent_names.end() ? "agent " + std::to_string(key) : it->second;
}

std::size_t Aggregator::open_contacts() const { return s_->contacts.size(); }

}  // namespace sb::reports
