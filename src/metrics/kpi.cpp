#include "metrics/kpi.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <limits>
#include <string>
#include <unordered_map>
#include <utility>

namespace sb::metrics {

std::string_view sl_formula_name(SlFormula f) {
  switch (f) {
    case SlFormula::kAnsweredWithinOverOffered:
      return "answered_within_over_offered";
    case SlFormula::kAnsweredWithinOverAnswered:
      return "asterisk_sl";
    case SlFormula::kWithinOverAnsweredAndAbandoned:
      return "asterisk_sl2";
    case SlFormula::kAnsweredWithinOverOfferedCount:
      return "answered_within_over_offered_count";
  }
  return "unknown";
}

Result<SlFormula> parse_sl_formula(std::string_view name) {
  for (SlFormula f :
       {SlFormula::kAnsweredWithinOverOffered, SlFormula::kAnsweredWithinOverAnswered,
        SlFormula::kWithinOverAnsweredAndAbandoned, SlFormula::kAnsweredWithinOverOfferedCount}) {
    if (sl_formula_name(f) == name) return f;
  }
  return Status::invalid_argument("unknown service-level formula '" + std::string(name) + "'");
}

Status KpiSettings::validate() const {
  if (interval <= 0) return Status::invalid_argument("KPI interval must be positive");
  if (default_sl_threshold < 0) {
    return Status::invalid_argument("service-level threshold must not be negative");
  }
  if (short_abandon < 0) return Status::invalid_argument("short abandon must not be negative");
  return {};
}

namespace {

double ratio(double num, double den) { return den > 0 ? num / den : 0.0; }

}  // namespace

double service_level(const KpiSummary& s, SlFormula formula) {
  const double within = static_cast<double>(s.answered_within_sl);
  const double outcomes =
      static_cast<double>(s.handled + s.abandoned) - static_cast<double>(s.short_abandoned);
  switch (formula) {
    case SlFormula::kAnsweredWithinOverOffered:
      return ratio(within, outcomes);
    case SlFormula::kAnsweredWithinOverAnswered:
      return ratio(within, static_cast<double>(s.handled));
    case SlFormula::kWithinOverAnsweredAndAbandoned:
      return ratio(within + static_cast<double>(s.abandoned_within_sl), outcomes);
    case SlFormula::kAnsweredWithinOverOfferedCount:
      return ratio(within, static_cast<double>(s.offered));
  }
  return 0.0;
}

namespace {

// Ids are dense (0..n-1) for configured objects, but a blocked arrival may name any queue id
// (BlockReason::kNoSuchQueue). Ids beyond these bounds are pooled under kNoId instead of growing
// the flat vectors without limit.
constexpr QueueId kMaxDenseQueue = 1u << 16;
constexpr AgentId kMaxDenseAgent = 1u << 20;

QueueId normalize_queue(QueueId q) { return q < kMaxDenseQueue ? q : kNoId; }

// Counts and sums over one set of offers (a queue, or an interval row of a queue). Durations are
// kept in integer milliseconds so that sums are exact and merging is associative.
struct Tally {
  std::uint64_t offered = 0;
  std::uint64_t handled = 0;
  std::uint64_t abandoned = 0;
  std::uint64_t short_abandoned = 0;
  std::uint64_t abandoned_within_sl = 0;
  std::uint64_t answered_within_sl = 0;
  std::uint64_t blocked = 0;
  std::uint64_t transferred = 0;
  std::uint64_t overflowed = 0;
  std::uint64_t callbacks_requested = 0;
  std::uint64_t handle_samples = 0;
  std::int64_t abandoned_wait_ms = 0;
  std::int64_t talk_ms = 0;
  std::int64_t hold_ms = 0;
  std::int64_t wrap_ms = 0;
  Millis longest_wait_ms = 0;
  Histogram waits;  // of handled offers; its sum is the ASA numerator

  bool has_traffic() const {
    return offered || handled || abandoned || blocked || transferred || overflowed ||
           callbacks_requested || handle_samples;
  }

  void merge(const Tally& o) {
    offered += o.offered;
    handled += o.handled;
    abandoned += o.abandoned;
    short_abandoned += o.short_abandoned;
    abandoned_within_sl += o.abandoned_within_sl;
    answered_within_sl += o.answered_within_sl;
    blocked += o.blocked;
    transferred += o.transferred;
    overflowed += o.overflowed;
    callbacks_requested += o.callbacks_requested;
    handle_samples += o.handle_samples;
    abandoned_wait_ms += o.abandoned_wait_ms;
    talk_ms += o.talk_ms;
    hold_ms += o.hold_ms;
    wrap_ms += o.wrap_ms;
    longest_wait_ms = std::max(longest_wait_ms, o.longest_wait_ms);
    waits.merge(o.waits);
  }
};

struct AgentTime {
  std::int64_t staffed_ms = 0;
  std::int64_t available_ms = 0;
  std::int64_t occupied_ms = 0;
};

KpiSummary summarize(const Tally& t, const AgentTime& a, std::uint64_t self_served,
                     SlFormula formula) {
  constexpr double kMs = 1000.0;
  KpiSummary s;
  s.offered = t.offered;
  s.handled = t.handled;
  s.abandoned = t.abandoned;
  s.short_abandoned = t.short_abandoned;
  s.abandoned_within_sl = t.abandoned_within_sl;
  s.answered_within_sl = t.answered_within_sl;
  s.blocked = t.blocked;
  s.transferred = t.transferred;
  s.overflowed = t.overflowed;
  s.callbacks_requested = t.callbacks_requested;
  s.self_served = self_served;
  s.handle_samples = t.handle_samples;
  s.service_level = service_level(s, formula);
  const double legs = static_cast<double>(t.handle_samples);
  s.asa_s = ratio(static_cast<double>(t.waits.sum()), static_cast<double>(t.handled)) / kMs;
  s.avg_talk_s = ratio(static_cast<double>(t.talk_ms), legs) / kMs;
  s.avg_hold_s = ratio(static_cast<double>(t.hold_ms), legs) / kMs;
  s.avg_wrap_s = ratio(static_cast<double>(t.wrap_ms), legs) / kMs;
  s.aht_s = ratio(static_cast<double>(t.talk_ms + t.hold_ms + t.wrap_ms), legs) / kMs;
  s.avg_abandon_wait_s =
      ratio(static_cast<double>(t.abandoned_wait_ms), static_cast<double>(t.abandoned)) / kMs;
  s.abandon_rate = ratio(static_cast<double>(t.abandoned), static_cast<double>(t.offered));
  s.wait_p50_s = t.waits.percentile(0.50) / kMs;
  s.wait_p90_s = t.waits.percentile(0.90) / kMs;
  s.wait_p95_s = t.waits.percentile(0.95) / kMs;
  s.longest_wait_s = static_cast<double>(t.longest_wait_ms) / kMs;
  s.staffed_s = static_cast<double>(a.staffed_ms) / kMs;
  s.available_s = static_cast<double>(a.available_ms) / kMs;
  s.occupied_s = static_cast<double>(a.occupied_ms) / kMs;
  s.occupancy = ratio(static_cast<double>(a.occupied_ms), static_cast<double>(a.available_ms));
  return s;
}

// --- Per-contact tracking -------------------------------------------------------------------

enum class Stage : std::uint8_t {
  kPending,    // entered (arrived, or transferred to a queue) but its offer is not counted yet
  kWaiting,    // offer counted, not answered: queued or ringing
  kInService,  // answered; a conversation is going on (or the contact rings a transfer target)
  kGone,       // the customer side is over (ended, abandoned, blocked); legs may still wrap up
};

enum class LegPhase : std::uint8_t { kTalking, kHeld, kWrapUp };

// One agent's part in a contact: connection, conversation (talk and hold), after-contact work.
// A leg is attributed to the offer it served, fixed when the agent connected.
struct Leg {
  AgentId agent = kNoId;
  LegPhase phase = LegPhase::kTalking;
  QueueId queue = kNoId;
  std::uint32_t row = 0;
  Millis since = 0;  // start of the current phase
  Millis talk_ms = 0;
  Millis hold_ms = 0;
};

// Besides the leg of the agent talking, agents that transferred the contact away may still be in
// wrap-up; three covers a transfer chain A -> B -> C with A and B both wrapping up.
constexpr int kMaxLegs = 3;

struct ContactRecord {
  Stage stage = Stage::kPending;
  bool answered = false;  // the current offer has been connected once
  std::uint8_t leg_count = 0;
  QueueId queue = kNoId;  // the current offer's queue (for kPending: the queue it will enter)
  std::uint32_t row = 0;  // the current offer's interval row (not set while kPending)
  Millis start = 0;       // the current offer's wait start (for kPending: entry time)
  std::array<Leg, kMaxLegs> legs;
};

// Open addressing with linear probing and backward-shift deletion (no tombstones), so that the
// table stays fast however many contacts come and go. Records live in a slab with a free list:
// neither insert nor erase allocates once the table and the slab have grown to the peak number of
// contacts in flight.
class ContactTable {
 public:
  ContactTable() { rehash(1024); }

  ContactRecord* find(ContactId id) {
    std::size_t i = home(id);
    while (true) {
      const Entry& e = entries_[i];
      if (e.key == id) return &records_[e.slot];
      if (e.key == kNoContact) return nullptr;
      i = (i + 1) & mask_;
    }
  }

  // REQUIRES: id != kNoContact and id is absent. Pointers to other records stay valid until the
  // next insert.
  ContactRecord* insert(ContactId id) {
    if ((size_ + 1) * 2 > entries_.size()) rehash(entries_.size() * 2);
    std::uint32_t slot;
    if (!free_.empty()) {
      slot = free_.back();
      free_.pop_back();
      records_[slot] = ContactRecord{};
    } else {
      slot = static_cast<std::uint32_t>(records_.size());
      records_.emplace_back();
    }
    place(id, slot);
    ++size_;
    return &records_[slot];
  }

  void erase(ContactId id) {
    std::size_t i = home(id);
    while (entries_[i].key != id) {
      if (entries_[i].key == kNoContact) return;
      i = (i + 1) & mask_;
    }
    free_.push_back(entries_[i].slot);
    --size_;
    // Shift later members of the probe run back into the hole unless that would move them
    // before their home position.
    std::size_t j = i;
    while (true) {
      j = (j + 1) & mask_;
      if (entries_[j].key == kNoContact) break;
      const std::size_t h = home(entries_[j].key);
      if (((j - h) & mask_) >= ((j - i) & mask_)) {
        entries_[i] = entries_[j];
        i = j;
      }
    }
    entries_[i] = Entry{};
  }

  std::size_t size() const { return size_; }

 private:
  struct Entry {
    ContactId key = kNoContact;
    std::uint32_t slot = 0;
  };

  std::size_t home(ContactId id) const {
    // Fibonacci hashing: sequential ids (the simulator's) spread evenly over the table.
    return static_cast<std::size_t>((id * 0x9E3779B97F4A7C15ull) >> shift_);
  }

  void place(ContactId id, std::uint32_t slot) {
    std::size_t i = home(id);
    while (entries_[i].key != kNoContact) i = (i + 1) & mask_;
    entries_[i] = Entry{id, slot};
  }

  void rehash(std::size_t capacity) {
    std::vector<Entry> old = std::move(entries_);
    entries_.assign(capacity, Entry{});
    mask_ = capacity - 1;
    shift_ = 64;
    for (std::size_t c = capacity; c > 1; c >>= 1) --shift_;
    for (const Entry& e : old) {
      if (e.key != kNoContact) place(e.key, e.slot);
    }
  }

  std::vector<Entry> entries_;
  std::vector<ContactRecord> records_;
  std::vector<std::uint32_t> free_;
  std::size_t size_ = 0;
  std::size_t mask_ = 0;
  int shift_ = 64;
};

// --- Per-agent time ---------------------------------------------------------------------------

struct AgentTrack {
  bool seen = false;
  Presence presence = Presence::kOffline;
  std::uint32_t busy = 0;  // legs holding the agent: talking, on hold or wrapping up
  Millis since = 0;        // time up to which the spans below are accounted
  AgentTime time;
  std::vector<QueueId> queues;  // memberships from the latest AgentConfigured

  // Accounts the span [since, t) in the state the agent has been in since then.
  void settle(Millis t) {
    if (!seen) {
      seen = true;
      since = t;
      return;
    }
    const Millis dt = std::max<Millis>(0, t - since);
    since = std::max(since, t);
    if (presence != Presence::kOffline) time.staffed_ms += dt;
    if (presence == Presence::kAvailable || busy > 0) time.available_ms += dt;
    if (busy > 0) time.occupied_ms += dt;
  }
};

struct QueueTrack {
  Tally tally;
  bool configured = false;
  Millis threshold = -1;  // -1: not configured, use the default
  // The row of the interval this queue last opened one in: offers arrive in time order, so this
  // spares nearly every row lookup.
  std::int64_t cached_interval = std::numeric_limits<std::int64_t>::min();
  std::uint32_t cached_row = 0;
};

struct Row {
  Millis start = 0;
  QueueId queue = kNoId;
  Tally tally;
};

struct RowKey {
  std::int64_t interval = 0;
  QueueId queue = kNoId;
  friend bool operator==(const RowKey&, const RowKey&) = default;
};

struct RowKeyHash {
  std::size_t operator()(const RowKey& k) const {
    const std::uint64_t x = static_cast<std::uint64_t>(k.interval) * 0x9E3779B97F4A7C15ull;
    return static_cast<std::size_t>(x ^ (static_cast<std::uint64_t>(k.queue) << 17) ^ (x >> 29));
  }
};

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

}  // namespace

// --- The collector ----------------------------------------------------------------------------

struct KpiCollector::State {
  KpiSettings settings;
  std::vector<QueueTrack> queues;
  QueueTrack unknown_queue;  // queue ids beyond kMaxDenseQueue, and kNoId
  std::vector<Row> rows;
  std::unordered_map<RowKey, std::uint32_t, RowKeyHash> row_index;
  ContactTable contacts;
  std::vector<AgentTrack> agents;
  std::uint64_t self_served = 0;

  QueueTrack& queue(QueueId q) {
    if (q >= kMaxDenseQueue) return unknown_queue;
    if (q >= queues.size()) queues.resize(q + 1);
    return queues[q];
  }

  AgentTrack* agent(AgentId a) {
    if (a >= kMaxDenseAgent) return nullptr;
    if (a >= agents.size()) agents.resize(a + 1);
    return &agents[a];
  }

  Millis threshold(QueueId q) {
    const QueueTrack& track = queue(q);
    return track.threshold >= 0 ? track.threshold : settings.default_sl_threshold;
  }

  // The row of (interval containing t, q), created on first use. REQUIRES: q normalized.
  std::uint32_t row_for(Millis t, QueueId q) {
    const std::int64_t interval = floor_div(t, settings.interval);
    QueueTrack& track = queue(q);
    if (track.cached_interval == interval) return track.cached_row;
    const auto [it, inserted] =
        row_index.try_emplace(RowKey{interval, q}, static_cast<std::uint32_t>(rows.size()));
    const std::uint32_t index = it->second;
    if (inserted) rows.push_back(Row{interval * settings.interval, q, Tally{}});
    // Only move the cache forward: an overflow into an older interval must not evict the
    // current one.
    if (interval > track.cached_interval) {
      track.cached_interval = interval;
      track.cached_row = index;
    }
    return index;
  }

  // Counts `op` on both the queue and the row of an offer.
  template <typename F>
  void count(QueueId q, std::uint32_t row, F&& op) {
    op(queue(q).tally);
    op(rows[row].tally);
  }

  // --- contact helpers ---

  void start_offer(ContactRecord& c, QueueId q, Millis at) {
    c.stage = Stage::kWaiting;
    c.answered = false;
    c.queue = normalize_queue(q);
    c.start = at;
    c.row = row_for(at, c.queue);
    count(c.queue, c.row, [](Tally& t) { ++t.offered; });
  }

  // The engine may skip ContactQueued (an arrival offered straight to an idle agent, a transfer
  // target queue): the offer then starts when the contact entered.
  void ensure_offer(ContactRecord& c) {
    if (c.stage == Stage::kPending) start_offer(c, c.queue, c.start);
  }

  Leg* find_leg(ContactRecord& c, AgentId a, bool conversation_only) {
    for (int i = 0; i < c.leg_count; ++i) {
      Leg& leg = c.legs[i];
      if (conversation_only && leg.phase == LegPhase::kWrapUp) continue;
      if (a == kNoId || leg.agent == a) return &leg;
    }
    return nullptr;
  }

  bool has_conversation(const ContactRecord& c) const {
    for (int i = 0; i < c.leg_count; ++i) {
      if (c.legs[i].phase != LegPhase::kWrapUp) return true;
    }
    return false;
  }

  void set_busy(AgentId a, Millis t, int delta) {
    AgentTrack* agent_track = agent(a);
    if (!agent_track) return;
    agent_track->settle(t);
    if (delta < 0 && agent_track->busy == 0) return;
    agent_track->busy += delta;
  }

  // Ends the conversation part of a leg at t (talk or hold up to t).
  static void end_conversation(Leg& leg, Millis t) {
    const Millis d = std::max<Millis>(0, t - leg.since);
    if (leg.phase == LegPhase::kTalking) leg.talk_ms += d;
    if (leg.phase == LegPhase::kHeld) leg.hold_ms += d;
    leg.phase = LegPhase::kWrapUp;
    leg.since = t;
  }

  // Completes the leg (one AHT sample) and frees the agent. `wrap_ms` is its after-contact work.
  void complete_leg(ContactRecord& c, Leg* leg, Millis wrap_ms, Millis t) {
    const Leg done = *leg;
    count(done.queue, done.row, [&](Tally& tally) {
      ++tally.handle_samples;
      tally.talk_ms += done.talk_ms;
      tally.hold_ms += done.hold_ms;
      tally.wrap_ms += wrap_ms;
    });
    set_busy(done.agent, t, -1);
    const int i = static_cast<int>(leg - c.legs.data());
    for (int k = i + 1; k < c.leg_count; ++k) c.legs[k - 1] = c.legs[k];
    --c.leg_count;
  }

  void add_leg(ContactRecord& c, AgentId a, Millis t) {
    if (Leg* existing = find_leg(c, a, false); existing && a != kNoId) {
      // Reconnected while still holding a leg: resume its conversation.
      if (existing->phase == LegPhase::kWrapUp) {
        existing->phase = LegPhase::kTalking;
        existing->since = t;
      }
      return;
    }
    if (c.leg_count == kMaxLegs) {
      // Only a pathological transfer chain gets here; closing the oldest leg keeps the agent
      // accounting consistent instead of dropping the new one.
      Leg& oldest = c.legs[0];
      if (oldest.phase != LegPhase::kWrapUp) end_conversation(oldest, t);
      complete_leg(c, &oldest, t - oldest.since, t);
    }
    Leg& leg = c.legs[c.leg_count++];
    leg = Leg{a, LegPhase::kTalking, c.queue, c.row, t, 0, 0};
    set_busy(a, t, +1);
  }

  void maybe_forget(ContactId id, const ContactRecord& c) {
    if (c.stage == Stage::kGone && c.leg_count == 0) contacts.erase(id);
  }

  // --- events ---

  void on(const ev::ContactArrived& e, Millis t) {
    if (e.contact == kNoContact || contacts.find(e.contact)) return;
    ContactRecord* c = contacts.insert(e.contact);
    c->stage = Stage::kPending;
    c->queue = normalize_queue(e.queue);
    c->start = t;
  }

  void on(const ev::ContactQueued& e, Millis t) {
    if (e.contact == kNoContact) return;
    ContactRecord* c = contacts.find(e.contact);
    if (!c) {
      start_offer(*contacts.insert(e.contact), e.queue, t);
      return;
    }
    const QueueId q = normalize_queue(e.queue);
    switch (c->stage) {
      case Stage::kPending:
        // Wait is measured from queue entry: time in self service before it does not count.
        start_offer(*c, q, t);
        break;
      case Stage::kWaiting:
        // Back in line after a missed offer (same queue: nothing new), or moved without a
        // transfer event: follow it like an overflow, without counting one.
        if (q != c->queue) {
          c->queue = q;
          c->row = row_for(c->start, q);
        }
        break;
      case Stage::kInService:
        // Re-queued after being answered without a transfer event: a new entry into a queue.
        start_offer(*c, q, t);
        break;
      case Stage::kGone:
        break;
    }
  }

  void on(const ev::ContactOffered& e, Millis) {
    if (ContactRecord* c = contacts.find(e.contact)) ensure_offer(*c);
  }

  void on(const ev::ContactConnected& e, Millis t) {
    ContactRecord* c = contacts.find(e.contact);
    if (!c) return;
    ensure_offer(*c);
    if (c->stage == Stage::kGone) return;
    if (c->stage == Stage::kWaiting && !c->answered) {
      c->answered = true;
      const Millis wait = std::max<Millis>(0, t - c->start);
      const bool within = wait <= threshold(c->queue);
      count(c->queue, c->row, [&](Tally& tally) {
        ++tally.handled;
        if (within) ++tally.answered_within_sl;
        tally.waits.add(wait);
        tally.longest_wait_ms = std::max(tally.longest_wait_ms, wait);
      });
    }
    c->stage = Stage::kInService;
    add_leg(*c, e.agent, t);
  }

  void on(const ev::HoldStarted& e, Millis t) {
    ContactRecord* c = contacts.find(e.contact);
    if (!c) return;
    Leg* leg = find_leg(*c, e.agent, true);
    if (!leg || leg->phase != LegPhase::kTalking) return;
    leg->talk_ms += std::max<Millis>(0, t - leg->since);
    leg->phase = LegPhase::kHeld;
    leg->since = t;
  }

  void on(const ev::HoldEnded& e, Millis t) {
    ContactRecord* c = contacts.find(e.contact);
    if (!c) return;
    Leg* leg = find_leg(*c, e.agent, true);
    if (!leg || leg->phase != LegPhase::kHeld) return;
    leg->hold_ms += std::max<Millis>(0, t - leg->since);
    leg->phase = LegPhase::kTalking;
    leg->since = t;
  }

  void on(const ev::ContactTransferred& e, Millis t) {
    ContactRecord* c = contacts.find(e.contact);
    if (!c) return;
    ensure_offer(*c);
    if (e.reason == TransferReason::kOverflow) {
      // Overflow moves the waiting offer: outcome and interval stay with the offer (which keeps
      // its wait start and arrival interval), the source only counts the overflow.
      count(c->queue, c->row, [](Tally& tally) { ++tally.overflowed; });
      if (e.to_queue != kNoId) {
        c->queue = normalize_queue(e.to_queue);
        c->row = row_for(c->start, c->queue);
      }
      return;
    }
    if (e.from_agent != kNoId) {
      // The transferring agent's leg ends here. If the engine already ended it (ContactEnded
      // before the transfer), the agent is wrapping up and that leg completes at WrapUpEnded.
      if (Leg* leg = find_leg(*c, e.from_agent, true); leg && leg->agent == e.from_agent) {
        end_conversation(*leg, t);
        complete_leg(*c, leg, 0, t);
      }
    }
    count(c->queue, c->row, [](Tally& tally) { ++tally.transferred; });
    if (e.to_queue != kNoId) {
      // A new offer on the target queue, counted when it enters (ContactQueued, or the next
      // event about the contact if the engine sends none).
      c->stage = Stage::kPending;
      c->queue = normalize_queue(e.to_queue);
      c->start = t;
    }
    // To an agent: the same offer continues; the target's leg joins it when it connects.
  }

  void on(const ev::ContactEnded& e, Millis t) {
    ContactRecord* c = contacts.find(e.contact);
    if (!c) return;
    if (Leg* leg = find_leg(*c, e.agent, true)) end_conversation(*leg, t);
    if (!has_conversation(*c) && c->stage != Stage::kPending) {
      // Also a contact ended by the system while waiting: it keeps only its `offered` count.
      c->stage = Stage::kGone;
    }
    maybe_forget(e.contact, *c);
  }

  void on(const ev::WrapUpEnded& e, Millis t) {
    ContactRecord* c = contacts.find(e.contact);
    if (!c) return;
    Leg* leg = nullptr;
    for (int i = 0; i < c->leg_count; ++i) {
      if (c->legs[i].agent == e.agent && c->legs[i].phase == LegPhase::kWrapUp) leg = &c->legs[i];
    }
    if (!leg) {
      // WrapUpEnded without ContactEnded: the conversation ended now, with no wrap-up.
      leg = find_leg(*c, e.agent, false);
      if (!leg) return;
      end_conversation(*leg, t);
    }
    complete_leg(*c, leg, std::max<Millis>(0, t - leg->since), t);
    if (c->stage == Stage::kInService && !has_conversation(*c)) c->stage = Stage::kGone;
    maybe_forget(e.contact, *c);
  }

  void on(const ev::ContactAbandoned& e, Millis t) {
    ContactRecord* c = contacts.find(e.contact);
    if (!c) return;
    ensure_offer(*c);
    if (c->stage == Stage::kWaiting && !c->answered) {
      const Millis wait = std::max<Millis>(0, t - c->start);
      const bool is_short = wait < settings.short_abandon;
      const bool within = !is_short && wait <= threshold(c->queue);
      count(c->queue, c->row, [&](Tally& tally) {
        ++tally.abandoned;
        if (is_short) ++tally.short_abandoned;
        if (within) ++tally.abandoned_within_sl;
        tally.abandoned_wait_ms += wait;
        tally.longest_wait_ms = std::max(tally.longest_wait_ms, wait);
      });
    }
    // A contact already answered (left while ringing a transfer target) is not an abandon.
    c->stage = Stage::kGone;
    maybe_forget(e.contact, *c);
  }

  void on(const ev::ContactBlocked& e, Millis t) {
    const QueueId q = normalize_queue(e.queue);
    count(q, row_for(t, q), [](Tally& tally) { ++tally.blocked; });
    if (ContactRecord* c = contacts.find(e.contact)) {
      if (c->stage == Stage::kPending) {
        c->stage = Stage::kGone;
        maybe_forget(e.contact, *c);
      }
    }
  }

  void on(const ev::CallbackRequested& e, Millis t) {
    if (ContactRecord* c = contacts.find(e.contact)) {
      ensure_offer(*c);
      count(c->queue, c->row, [](Tally& tally) { ++tally.callbacks_requested; });
      return;
    }
    const QueueId q = normalize_queue(e.queue);
    count(q, row_for(t, q), [](Tally& tally) { ++tally.callbacks_requested; });
  }

  void on(const ev::SelfServed& e, Millis) {
    ++self_served;
    if (ContactRecord* c = contacts.find(e.contact); c && c->stage == Stage::kPending) {
      c->stage = Stage::kGone;
      maybe_forget(e.contact, *c);
    }
  }

  void on(const ev::AgentLoggedIn& e, Millis t) {
    AgentTrack* a = agent(e.agent);
    if (!a) return;
    a->settle(t);
    // As in the engine: logging in makes the agent available; a later AgentStateChanged (even at
    // the same instant) says otherwise.
    a->presence = Presence::kAvailable;
  }

  void on(const ev::AgentLoggedOut& e, Millis t) {
    AgentTrack* a = agent(e.agent);
    if (!a) return;
    a->settle(t);
    a->presence = Presence::kOffline;
  }

  void on(const ev::AgentStateChanged& e, Millis t) {
    AgentTrack* a = agent(e.agent);
    if (!a) return;
    a->settle(t);
    a->presence = e.presence;
  }

  void on(const ev::AgentConfigured& e, Millis) {
    if (!e.agent) return;
    AgentTrack* a = agent(e.agent->id);
    if (!a) return;
    a->queues.clear();
    for (const QueueMembership& m : e.agent->queues) a->queues.push_back(normalize_queue(m.queue));
  }

  void on(const ev::QueueConfigured& e, Millis) {
    if (!e.queue) return;
    QueueTrack& q = queue(e.queue->id);
    q.configured = true;
    q.threshold = e.queue->service_level_threshold;
  }

  // Events that carry no KPI (relaxation, skills, offers declined, configuration of skills and
  // profiles).
  template <typename T>
  void on(const T&, Millis) {}

  AgentTime agent_time(QueueId q, bool all) const {
    AgentTime sum;
    for (const AgentTrack& a : agents) {
      if (!all && std::find(a.queues.begin(), a.queues.end(), q) == a.queues.end()) continue;
      sum.staffed_ms += a.time.staffed_ms;
      sum.available_ms += a.time.available_ms;
      sum.occupied_ms += a.time.occupied_ms;
    }
    return sum;
  }

  Tally total_tally() const {
    Tally t;
    for (const QueueTrack& q : queues) t.merge(q.tally);
    t.merge(unknown_queue.tally);
    return t;
  }

  const QueueTrack* find_queue(QueueId q) const {
    if (q >= kMaxDenseQueue) return &unknown_queue;
    return q < queues.size() ? &queues[q] : nullptr;
  }
};

KpiCollector::KpiCollector(KpiSettings s) : s_(std::make_unique<State>()) {
  assert(s.validate().ok());
  if (s.interval <= 0) s.interval = KpiSettings{}.interval;
  s.default_sl_threshold = std::max<Millis>(0, s.default_sl_threshold);
  s.short_abandon = std::max<Millis>(0, s.short_abandon);
  s_->settings = s;
}

KpiCollector::~KpiCollector() = default;
KpiCollector::KpiCollector(KpiCollector&&) noexcept = default;
KpiCollector& KpiCollector::operator=(KpiCollector&&) noexcept = default;

void KpiCollector::on_event(const Event& e) {
  State& s = *s_;
  const Millis t = e.at;
  std::visit([&s, t](const auto& payload) { s.on(payload, t); }, e.payload);
}

void KpiCollector::finish(Millis end_time) {
  for (AgentTrack& a : s_->agents) {
    if (a.seen) a.settle(end_time);
  }
}

KpiSummary KpiCollector::total() const {
  return summarize(s_->total_tally(), s_->agent_time(kNoId, true), s_->self_served,
                   s_->settings.formula);
}

KpiSummary KpiCollector::queue(QueueId q) const {
  const QueueTrack* track = s_->find_queue(q);
  static const Tally kEmpty;
  return summarize(track ? track->tally : kEmpty, s_->agent_time(normalize_queue(q), false), 0,
                   s_->settings.formula);
}

std::vector<IntervalRow> KpiCollector::intervals() const {
  std::vector<IntervalRow> out;
  out.reserve(s_->rows.size());
  for (const Row& row : s_->rows) {
    const Tally& t = row.tally;
    if (!t.has_traffic()) continue;
    const KpiSummary k = summarize(t, AgentTime{}, 0, s_->settings.formula);
    IntervalRow r;
    r.start = row.start;
    r.queue = row.queue;
    r.offered = k.offered;
    r.handled = k.handled;
    r.abandoned = k.abandoned;
    r.short_abandoned = k.short_abandoned;
    r.answered_within_sl = k.answered_within_sl;
    r.abandoned_within_sl = k.abandoned_within_sl;
    r.blocked = k.blocked;
    r.transferred = k.transferred;
    r.overflowed = k.overflowed;
    r.callbacks_requested = k.callbacks_requested;
    r.handle_samples = k.handle_samples;
    r.service_level = k.service_level;
    r.asa_s = k.asa_s;
    r.aht_s = k.aht_s;
    r.abandon_rate = k.abandon_rate;
    r.wait_p90_s = k.wait_p90_s;
    out.push_back(r);
  }
  std::sort(out.begin(), out.end(), [](const IntervalRow& a, const IntervalRow& b) {
    return a.start != b.start ? a.start < b.start : a.queue < b.queue;
  });
  return out;
}

Histogram KpiCollector::wait_histogram() const {
  Histogram h;
  for (const QueueTrack& q : s_->queues) h.merge(q.tally.waits);
  h.merge(s_->unknown_queue.tally.waits);
  return h;
}

Histogram KpiCollector::wait_histogram(QueueId q) const {
  const QueueTrack* track = s_->find_queue(q);
  return track ? track->tally.waits : Histogram{};
}

std::vector<QueueId> KpiCollector::queues() const {
  std::vector<QueueId> out;
  for (QueueId q = 0; q < s_->queues.size(); ++q) {
    const QueueTrack& track = s_->queues[q];
    if (track.configured || track.tally.has_traffic()) out.push_back(q);
  }
  if (s_->unknown_queue.tally.has_traffic()) out.push_back(kNoId);
  return out;
}

const KpiSettings& KpiCollector::settings() const { return s_->settings; }

std::size_t KpiCollector::tracked_contacts() const { return s_->contacts.size(); }

}  // namespace sb::metrics
