#include "sim/simulator.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <variant>

#include "routing/engine.h"
#include "sim/calendar.h"

namespace sb::sim {
namespace {

// Index of payload type T in EventPayload, for switch statements over event types.
template <class T, std::size_t I = 0>
constexpr std::size_t payload_index() {
  if constexpr (std::is_same_v<std::variant_alternative_t<I, EventPayload>, T>)
    return I;
  else
    return payload_index<T, I + 1>();
}

ContactId contact_of(const Event& e) {
  return std::visit(
      [](const auto& x) -> ContactId {
        if constexpr (requires { x.contact; })
          return x.contact;
        else
          return kNoContact;
      },
      e.payload);
}

// Random wrap-up is ended by the simulator; the engine's own wrap-up timer is set this far out so
// that it never fires first (draws are capped to it).
constexpr Millis kRandomWrapUpCap = kMillisPerDay;

// Contact ids carry the index of the simulator's slot in their low 32 bits, and a serial number
// above it so that an id is never reused.
constexpr int kSlotBits = 32;
constexpr ContactId kSlotMask = (ContactId{1} << kSlotBits) - 1;

enum class ActionKind : std::uint8_t { kLogin = 0, kLogout, kBreakStart, kBreakEnd };

struct Action {
  Millis offset = 0;  // from the midnight of the day the shift starts
  ActionKind kind = ActionKind::kLogin;
  ReasonId reason = reason::kNone;
};

enum class SlotPhase : std::uint8_t { kFree = 0, kWaiting, kConnected, kEnded };

struct Slot {
  ContactId id = kNoContact;
  Millis handle = 0;
  Millis abandon_at = kNever;  // when the customer's patience runs out
  QueueId queue = kNoId;
  SlotPhase phase = SlotPhase::kFree;
  bool counted = false;         // arrived after the warm-up: its events feed the KPIs
  bool offered = false;         // an offer was made
  bool delayed = false;         // found nobody to offer it to on arrival
  bool patience_armed = false;  // a kPatience entry is in the calendar
};

}  // namespace

// Per-scenario tables shared by every replication.
struct Simulator::Plan {
  // plans[agent][weekday]: the actions of shifts that start on that weekday, by offset.
  std::vector<std::array<std::vector<Action>, 7>> plans;
  std::vector<bool> has_shifts;
  int first_weekday = 0;  // weekday of the first simulated day, Monday = 0
};

// The state of one replication.
struct Simulator::Run {
  struct Source {
    Random arrivals{1};
    Random service{1};
    double t = 0;  // exact time of the last arrival, ms from the start of the run
    std::size_t segment = 0;
    std::int64_t cycle_n = 0;
    std::uint32_t remaining = 0;  // counts: arrivals left in the current interval
    std::size_t index = 0;        // counts: interval; calls: next call
  };
  struct AgentRt {
    std::int64_t day = 0;
    std::size_t next = 0;
    bool logged_in = false;
    bool pending_logout = false;  // the shift ended while the agent still held a contact
  };

  const Scenario& sc;
  const Plan& plan;
  const RunOptions& options;
  Engine engine;
  Output out;
  Calendar calendar;
  metrics::KpiCollector kpi;
  Random agent_rng{1};
  std::vector<Source> sources;
  std::vector<AgentRt> agents;
  std::vector<Slot> slots;
  std::vector<std::uint32_t> free_slots;
  std::vector<AgentId> logout_retry;
  // Offers made by the engine call being absorbed, with the time of their scheduled answer.
  struct PendingAnswer {
    ContactId contact;
    AgentId agent;
    Millis at;
  };
  std::vector<PendingAnswer> answers;
  std::uint64_t serial = 0;
  Millis now = 0;
  Millis end = 0;
  Millis warmup_at = 0;
  std::uint64_t uncounted_live = 0;  // warm-up contacts still in the system
  std::uint64_t arrivals = 0;
  std::uint64_t entries = 0;
  std::size_t peak_calendar = 0;
  std::vector<std::uint64_t> outcomes, delayed;  // per queue, counted contacts only

  Run(const Scenario& s, const Plan& p, const RunOptions& o)
      : sc(s), plan(p), options(o), kpi(settings(s)) {}

  static metrics::KpiSettings settings(const Scenario& s) {
    metrics::KpiSettings k;
    k.interval = s.interval;
    return k;
  }

  Status fail(std::string_view what, const Status& st) const {
    return Status::internal(sc.source + ": the engine refused " + std::string(what) + ": " +
                            st.to_string());
  }

  // ---- the agents' weekly plans ----

  int weekday(std::int64_t day) const {
    return static_cast<int>(((plan.first_weekday + day) % 7 + 7) % 7);
  }
  // The time of the agent's next planned action, or kNever.
  Millis next_action_time(AgentId id) {
    AgentRt& a = agents[id];
    if (!plan.has_shifts[id]) return kNever;
    // Every agent with shifts works on at least one weekday, so this ends within a week.
    while (a.next >= plan.plans[id][weekday(a.day)].size()) {
      ++a.day;
      a.next = 0;
    }
    return sc.start + a.day * kMillisPerDay + plan.plans[id][weekday(a.day)][a.next].offset;
  }
  const Action& next_action(AgentId id) const {
    return plan.plans[id][weekday(agents[id].day)][agents[id].next];
  }

  // ---- scheduling helpers ----

  void push(EntryKind kind, Millis at, ContactId contact = kNoContact, std::uint32_t index = 0) {
    Entry e;
    e.at = at;
    e.kind = kind;
    e.contact = contact;
    e.index = index;
    calendar.push(e, kind == EntryKind::kSchedule ? Lane::kQuiet : Lane::kBusy);
  }

  // Patience entries are armed lazily: a contact offered on arrival and answered before its
  // patience runs out never needs one. Arming happens when the contact has to wait after all.
  void arm_patience(Slot& s) {
    if (s.patience_armed || s.abandon_at == kNever) return;
    s.patience_armed = true;
    push(EntryKind::kPatience, std::max(now, s.abandon_at), s.id);
  }

  Slot* slot_of(ContactId id) {
    const auto i = static_cast<std::size_t>(id & kSlotMask);
    if (i >= slots.size() || slots[i].id != id) return nullptr;
    return &slots[i];
  }

  void release(Slot& s) {
    if (!s.counted) --uncounted_live;
    s.id = kNoContact;
    s.phase = SlotPhase::kFree;
    free_slots.push_back(static_cast<std::uint32_t>(&s - slots.data()));
  }

  // Draws the next arrival of queue `q` after the previous one; kNever when there is none.
  Millis next_arrival(QueueId q) {
    Source& src = sources[q];
    const ArrivalSpec& spec = sc.queues[q].arrivals;
    const double horizon = static_cast<double>(sc.duration);
    switch (spec.kind) {
      case ArrivalSpec::Kind::kNone:
        return kNever;
      case ArrivalSpec::Kind::kPoisson: {
        // Inversion of the integrated piecewise-constant rate: walk the segments consuming one
        // unit-mean exponential of "rate mass".
        double mass = src.arrivals.exponential(1.0);
        for (;;) {
          if (src.segment >= spec.segments.size()) {
            if (spec.cycle <= 0) return kNever;
            ++src.cycle_n;
            src.segment = 0;
          }
          const double base = static_cast<double>(src.cycle_n * spec.cycle);
          if (base >= horizon) return kNever;
          const RateSegment& seg = spec.segments[src.segment];
          const double b = base + static_cast<double>(seg.begin);
          const double e = seg.end == kNever ? std::numeric_limits<double>::infinity()
                                             : base + static_cast<double>(seg.end);
          if (src.t < b) src.t = b;
          if (src.t >= e || seg.per_ms <= 0) {
            ++src.segment;
            continue;
          }
          const double room = (e - src.t) * seg.per_ms;
          if (mass <= room) {
            src.t += mass / seg.per_ms;
            break;
          }
          mass -= room;
          src.t = e;
          ++src.segment;
        }
        break;
      }
      case ArrivalSpec::Kind::kCounts: {
        while (src.remaining == 0) {
          if (src.index >= spec.counts.size()) return kNever;
          const CountInterval& c = spec.counts[src.index++];
          src.remaining = c.count;
          src.t = static_cast<double>(c.begin);
          src.segment = src.index - 1;
        }
        // The next of k uniform points in (t, end): the minimum of k uniforms.
        const CountInterval& c = spec.counts[src.segment];
        const double k = static_cast<double>(src.remaining--);
        const double u = src.arrivals.uniform();
        src.t += (static_cast<double>(c.end) - src.t) * (1.0 - std::pow(1.0 - u, 1.0 / k));
        break;
      }
      case ArrivalSpec::Kind::kCalls: {
        if (src.index >= spec.calls.size()) return kNever;
        src.t = static_cast<double>(spec.calls[src.index].arrival);
        break;
      }
    }
    if (src.t >= horizon) return kNever;
    return sc.start + static_cast<Millis>(src.t);
  }

  // ---- engine interaction ----

  Status command(const Command& c, std::string_view what) {
    out.clear();
    Status st = engine.handle(c, now, out);
    if (!st.ok()) return fail(what, st);
    absorb();
    return {};
  }

  // Commands that may legitimately lose a race (an answer after the offer timed out, a break
  // for an agent already gone): a refusal changes nothing and is not an error.
  void try_command(const Command& c) {
    out.clear();
    if (engine.handle(c, now, out).ok()) absorb();
  }

  bool feeds_kpi(const Event& e) {
    if (uncounted_live == 0) return true;
    const ContactId id = contact_of(e);
    if (id == kNoContact) return true;
    const Slot* s = slot_of(id);
    return s == nullptr || s->counted;
  }

  void outcome(Slot& s) {
    if (!s.counted) return;
    ++outcomes[s.queue];
    if (s.delayed) ++delayed[s.queue];
  }

  // Reacts to everything the last engine call produced.
  void absorb() {
    answers.clear();
    for (const Event& e : out.events) {
      if (options.on_event) options.on_event(e);
      if (feeds_kpi(e)) kpi.on_event(e);
      switch (e.payload.index()) {
        case payload_index<ev::ContactOffered>(): {
          const auto& x = std::get<ev::ContactOffered>(e.payload);
          const Millis at = now + sc.agents[x.agent].accept_delay.sample(agent_rng);
          if (Slot* s = slot_of(x.contact)) {
            s->offered = true;
            // Hanging up while it rings: the patience entry is needed after all.
            if (s->abandon_at < at) arm_patience(*s);
          }
          push(EntryKind::kAccept, at, x.contact, x.agent);
          answers.push_back({x.contact, x.agent, at});
          break;
        }
        case payload_index<ev::OfferRejected>():
        case payload_index<ev::OfferTimedOut>():
        case payload_index<ev::OfferRescinded>(): {
          // The contact may be back in line, waiting with its patience running.
          const ContactId id = contact_of(e);
          if (Slot* s = slot_of(id); s && s->phase == SlotPhase::kWaiting) arm_patience(*s);
          break;
        }
        case payload_index<ev::ContactConnected>(): {
          const auto& x = std::get<ev::ContactConnected>(e.payload);
          if (Slot* s = slot_of(x.contact); s && s->phase == SlotPhase::kWaiting) {
            s->phase = SlotPhase::kConnected;
            outcome(*s);
            push(EntryKind::kEndHandle, now + s->handle, x.contact);
          }
          break;
        }
        case payload_index<ev::ContactTransferred>(): {
          const auto& x = std::get<ev::ContactTransferred>(e.payload);
          if (Slot* s = slot_of(x.contact); s && x.to_queue != kNoId) s->queue = x.to_queue;
          break;
        }
        case payload_index<ev::ContactEnded>(): {
          const auto& x = std::get<ev::ContactEnded>(e.payload);
          if (Slot* s = slot_of(x.contact)) {
            s->phase = SlotPhase::kEnded;
            const QueueSpec& q = sc.queues[s->queue];
            if (q.random_wrap_up) {
              const Millis w =
                  std::min(q.wrap_up.sample(sources[s->queue].service), kRandomWrapUpCap - 1);
              push(EntryKind::kEndWrapUp, now + w, x.contact);
            }
          }
          break;
        }
        case payload_index<ev::WrapUpEnded>(): {
          const auto& x = std::get<ev::WrapUpEnded>(e.payload);
          if (Slot* s = slot_of(x.contact)) release(*s);
          if (agents[x.agent].pending_logout) logout_retry.push_back(x.agent);
          break;
        }
        case payload_index<ev::ContactAbandoned>(): {
          const auto& x = std::get<ev::ContactAbandoned>(e.payload);
          if (Slot* s = slot_of(x.contact)) {
            outcome(*s);
            release(*s);
          }
          break;
        }
        case payload_index<ev::ContactBlocked>(): {
          const auto& x = std::get<ev::ContactBlocked>(e.payload);
          if (Slot* s = slot_of(x.contact)) release(*s);
          break;
        }
        default:
          break;
      }
    }
    for (const TimerRequest& t : out.timers) {
      if (t.key.kind == TimerKind::kWrapUpEnd) {
        const Slot* s = slot_of(t.key.contact);
        if (s && sc.queues[s->queue].random_wrap_up) continue;  // the simulator ends it
      } else if (t.key.kind == TimerKind::kOfferExpiry) {
        // An offer the agent answers before it expires: by the time the timer fired the offer
        // would be gone (answered, rescinded or abandoned) and the engine would drop the timer
        // as stale, so it need not be scheduled at all.
        bool answered_first = false;
        for (const PendingAnswer& a : answers)
          if (a.contact == t.key.contact && a.agent == t.key.agent && a.at <= t.at)
            answered_first = true;
        if (answered_first) continue;
      }
      Entry e;
      e.at = t.at;
      e.kind = EntryKind::kEngineTimer;
      e.contact = t.key.contact;
      e.index = t.key.agent;
      e.generation = t.key.generation;
      e.timer = t.key.kind;
      calendar.push(e);
    }
  }

  void retry_logouts() {
    while (!logout_retry.empty()) {
      const AgentId id = logout_retry.back();
      logout_retry.pop_back();
      AgentRt& a = agents[id];
      if (!a.pending_logout) continue;
      out.clear();
      if (engine.handle(cmd::LogoutAgent{id}, now, out).ok()) {
        a.pending_logout = false;
        a.logged_in = false;
        absorb();
      }
    }
  }

  // ---- calendar entries ----

  Status arrive(QueueId q) {
    const QueueSpec& spec = sc.queues[q];
    Source& src = sources[q];
    std::uint32_t index;
    if (!free_slots.empty()) {
      index = free_slots.back();
      free_slots.pop_back();
    } else {
      index = static_cast<std::uint32_t>(slots.size());
      slots.emplace_back();
    }
    const ContactId id = (++serial << kSlotBits) | index;
    Slot& s = slots[index];
    s.id = id;
    s.queue = q;
    s.phase = SlotPhase::kWaiting;
    s.counted = now >= warmup_at;
    s.offered = false;
    s.delayed = false;
    s.patience_armed = false;
    if (!s.counted) ++uncounted_live;
    Millis patience = kDraw;
    s.handle = kDraw;
    if (spec.arrivals.kind == ArrivalSpec::Kind::kCalls) {
      const CallRecord& call = spec.arrivals.calls[src.index++];
      s.handle = call.handle;
      patience = call.patience;
    }
    if (s.handle == kDraw) s.handle = spec.handle_time.sample(src.service);
    if (patience == kDraw) patience = spec.patience.sample(src.service);
    s.abandon_at = patience == kNever ? kNever : now + patience;
    ++arrivals;

    // Built inside the Command variant (passing an ArriveContact would copy it into one).
    Command c(std::in_place_type<cmd::ArriveContact>);
    cmd::ArriveContact& a = *std::get_if<cmd::ArriveContact>(&c);
    a.contact = id;
    a.channel = spec.channel;
    a.queue = q;
    a.priority = spec.priority;
    a.requirements = spec.requirements;
    SB_RETURN_IF_ERROR(command(c, "an arrival"));
    // `slots` does not grow inside absorb(), so the reference stays valid.
    if (s.id == id && s.phase == SlotPhase::kWaiting) {
      s.delayed = !s.offered;
      if (!s.offered) arm_patience(s);
    }
    const Millis next = next_arrival(q);
    if (next != kNever) push(EntryKind::kArrival, next, kNoContact, q);
    return {};
  }

  Status agent_action(AgentId id) {
    const Action act = next_action(id);
    ++agents[id].next;
    AgentRt& a = agents[id];
    switch (act.kind) {
      case ActionKind::kLogin:
        if (a.pending_logout) {
          // The next shift began before the last contact of the previous one ended.
          a.pending_logout = false;
          try_command(cmd::SetAgentState{id, Presence::kAvailable, reason::kNone});
        } else if (!a.logged_in) {
          SB_RETURN_IF_ERROR(command(cmd::LoginAgent{id}, "a login"));
          a.logged_in = true;
        }
        break;
      case ActionKind::kLogout:
        if (a.logged_in && !a.pending_logout) {
          out.clear();
          if (engine.handle(cmd::LogoutAgent{id}, now, out).ok()) {
            a.logged_in = false;
            absorb();
          } else {
            // Still in a conversation or wrap-up: stop new offers, log out when it is over.
            a.pending_logout = true;
            try_command(cmd::SetAgentState{id, Presence::kNotReady, reason::kNone});
          }
        }
        break;
      case ActionKind::kBreakStart:
        if (a.logged_in && !a.pending_logout)
          try_command(cmd::SetAgentState{id, Presence::kNotReady, act.reason});
        break;
      case ActionKind::kBreakEnd:
        if (a.logged_in && !a.pending_logout)
          try_command(cmd::SetAgentState{id, Presence::kAvailable, reason::kNone});
        break;
    }
    const Millis next = next_action_time(id);
    if (next != kNever) push(EntryKind::kSchedule, next, kNoContact, id);
    return {};
  }

  Status dispatch(const Entry& e) {
    switch (e.kind) {
      case EntryKind::kArrival:
        return arrive(e.index);
      case EntryKind::kPatience: {
        const Slot* s = slot_of(e.contact);
        if (s && s->phase == SlotPhase::kWaiting) try_command(cmd::CustomerLeft{e.contact});
        return {};
      }
      case EntryKind::kAccept: {
        const Slot* s = slot_of(e.contact);
        if (s && s->phase == SlotPhase::kWaiting) try_command(cmd::AcceptOffer{e.contact, e.index});
        return {};
      }
      case EntryKind::kEndHandle: {
        const Slot* s = slot_of(e.contact);
        if (s && s->phase == SlotPhase::kConnected) try_command(cmd::EndContact{e.contact});
        return {};
      }
      case EntryKind::kEndWrapUp: {
        if (slot_of(e.contact)) try_command(cmd::EndWrapUp{e.contact, 0});
        return {};
      }
      case EntryKind::kEngineTimer: {
        out.clear();
        engine.on_timer(TimerKey{e.timer, e.contact, e.index, e.generation}, now, out);
        absorb();
        return {};
      }
      case EntryKind::kSchedule:
        return agent_action(e.index);
    }
    return {};
  }

  // ---- the run ----

  Status configure() {
    now = sc.start;
    const CenterConfig& c = sc.center;
    for (SkillId i = 0; i < c.skills.size(); ++i)
      SB_RETURN_IF_ERROR(command(cmd::ConfigureSkill{i, c.skills[i]}, "a skill"));
    for (const auto& p : c.profiles)
      SB_RETURN_IF_ERROR(command(cmd::ConfigureProfile{p}, "routing profile " + p.name));
    for (std::size_t i = 0; i < c.queues.size(); ++i) {
      QueueConfig q = c.queues[i];
      if (sc.queues[i].random_wrap_up) q.wrap_up = kRandomWrapUpCap;
      SB_RETURN_IF_ERROR(command(cmd::ConfigureQueue{q}, "queue " + q.name));
    }
    for (const auto& a : c.agents)
      SB_RETURN_IF_ERROR(command(cmd::ConfigureAgent{a}, "agent " + a.name));
    return {};
  }

  // Agents start in the state their plan gives them at the start of the run (a night shift that
  // began the evening before is already logged in).
  Status start_agents() {
    for (AgentId id = 0; id < agents.size(); ++id) {
      AgentRt& a = agents[id];
      bool in_shift = !plan.has_shifts[id];
      ReasonId on_break = reason::kNone;
      if (plan.has_shifts[id]) {
        a.day = -1;
        a.next = 0;
        while (next_action_time(id) < sc.start) {
          const Action& act = next_action(id);
          if (act.kind == ActionKind::kLogin) in_shift = true;
          if (act.kind == ActionKind::kLogout) in_shift = false;
          if (act.kind == ActionKind::kBreakStart) on_break = act.reason;
          if (act.kind == ActionKind::kBreakEnd || act.kind == ActionKind::kLogout)
            on_break = reason::kNone;
          ++a.next;
        }
      }
      if (in_shift) {
        SB_RETURN_IF_ERROR(command(cmd::LoginAgent{id}, "a login"));
        a.logged_in = true;
        if (on_break != reason::kNone)
          SB_RETURN_IF_ERROR(
              command(cmd::SetAgentState{id, Presence::kNotReady, on_break}, "a break"));
      }
      const Millis next = next_action_time(id);
      if (next != kNever) push(EntryKind::kSchedule, next, kNoContact, id);
    }
    return {};
  }

  Result<ReplicationResult> go(Random& rng) {
    ReplicationResult r;
    agent_rng = rng.fork(1);
    const std::size_t nq = sc.queues.size();
    sources.resize(nq);
    for (std::size_t q = 0; q < nq; ++q) {
      sources[q].arrivals = rng.fork(1000 + q);
      sources[q].service = rng.fork(2000 + q);
    }
    agents.assign(sc.agents.size(), AgentRt{});
    outcomes.assign(nq, 0);
    delayed.assign(nq, 0);
    end = sc.start + sc.duration;
    warmup_at = sc.start + sc.warmup;
    calendar.reserve(4096);
    slots.reserve(4096);

    SB_RETURN_IF_ERROR(configure());
    SB_RETURN_IF_ERROR(start_agents());
    for (QueueId q = 0; q < nq; ++q) {
      const Millis first = next_arrival(q);
      if (first != kNever) push(EntryKind::kArrival, first, kNoContact, q);
    }

    // Agent time during the warm-up is left out by differencing the collector's totals.
    bool warm = sc.warmup == 0;
    metrics::KpiSummary warm_total;
    std::vector<metrics::KpiSummary> warm_queues(nq);
    Entry e;
    while (calendar.pop_before(end, e)) {
      if (!warm && e.at >= warmup_at) {
        warm = true;
        kpi.finish(warmup_at);
        warm_total = kpi.total();
        for (QueueId q = 0; q < nq; ++q) warm_queues[q] = kpi.queue(q);
      }
      now = e.at;
      ++entries;
      peak_calendar = std::max(peak_calendar, calendar.size());
      SB_RETURN_IF_ERROR(dispatch(e));
      if (!logout_retry.empty()) retry_logouts();
    }
    if (!warm) {
      // Nothing happened after the warm-up: its agent time is all there is to leave out.
      kpi.finish(warmup_at);
      warm_total = kpi.total();
      for (QueueId q = 0; q < nq; ++q) warm_queues[q] = kpi.queue(q);
    }
    kpi.finish(end);

    auto occupancy = [](const metrics::KpiSummary& t, const metrics::KpiSummary& w) {
      const double avail = t.available_s - w.available_s;
      return avail > 0 ? (t.occupied_s - w.occupied_s) / avail : 0.0;
    };
    r.total = kpi.total();
    r.occupancy = occupancy(r.total, warm_total);
    std::uint64_t all_outcomes = 0, all_delayed = 0;
    for (QueueId q = 0; q < nq; ++q) {
      r.queues.push_back(kpi.queue(q));
      r.queue_occupancy.push_back(occupancy(r.queues.back(), warm_queues[q]));
      r.queue_p_wait.push_back(outcomes[q] ? static_cast<double>(delayed[q]) / outcomes[q] : 0.0);
      all_outcomes += outcomes[q];
      all_delayed += delayed[q];
    }
    r.p_wait = all_outcomes ? static_cast<double>(all_delayed) / all_outcomes : 0.0;
    if (options.keep_intervals) r.intervals = kpi.intervals();
    r.arrivals = arrivals;
    r.engine_events = engine.stats().events;
    r.engine_commands = engine.stats().commands;
    r.calendar_entries = entries;
    r.peak_calendar = peak_calendar;
    r.state_hash = engine.state_hash();
    return r;
  }
};

Simulator::Simulator(const Scenario& scenario, RunOptions options)
    : scenario_(scenario), options_(options), plan_(std::make_unique<Plan>()) {
  Plan& p = *plan_;
  const std::int64_t first_day = scenario.start / kMillisPerDay;
  p.first_weekday = static_cast<int>(((first_day + 3) % 7 + 7) % 7);  // 1970-01-01 was a Thursday
  p.plans.resize(scenario.agents.size());
  p.has_shifts.resize(scenario.agents.size());
  for (std::size_t i = 0; i < scenario.agents.size(); ++i) {
    const AgentSpec& a = scenario.agents[i];
    p.has_shifts[i] = !a.shifts.empty();
    for (const ShiftSpec& s : a.shifts) {
      for (int d = 0; d < 7; ++d) {
        if (!(s.days & (1u << d))) continue;
        auto& day = p.plans[i][d];
        day.push_back({s.start, ActionKind::kLogin, reason::kNone});
        for (const BreakSpec& b : s.breaks) {
          day.push_back({b.start, ActionKind::kBreakStart, b.reason});
          day.push_back({b.start + b.duration, ActionKind::kBreakEnd, reason::kNone});
        }
        day.push_back({s.end, ActionKind::kLogout, reason::kNone});
      }
    }
    // Shifts are disjoint, so ordering by offset keeps each shift's actions together; at equal
    // offsets (a break ending as the shift ends) the insertion order is kept.
    for (auto& day : p.plans[i])
      std::stable_sort(day.begin(), day.end(),
                       [](const Action& x, const Action& y) { return x.offset < y.offset; });
  }
}

Simulator::~Simulator() = default;

Result<ReplicationResult> Simulator::run(Random rng) {
  Run run(scenario_, *plan_, options_);
  return run.go(rng);
}

Result<SimulationResult> simulate(const Scenario& scenario, int replications, std::uint64_t seed,
                                  RunOptions options) {
  if (replications < 1) return Status::invalid_argument("replications must be at least 1");
  SimulationResult result;
  result.seed = seed;
  Simulator sim(scenario, options);
  Random root(seed);
  for (int r = 0; r < replications; ++r) {
    auto rep = sim.run(root.fork(static_cast<std::uint64_t>(r)));
    if (!rep.ok()) return rep.status();
    result.replications.push_back(std::move(*rep));
  }
  return result;
}

}  // namespace sb::sim
