// Canonical binary snapshots of the engine state. The format is private to the engine build that
// wrote it (a snapshot from another version is refused; recovery then replays the whole log).
// Canonical means: equal states give equal bytes, so a hash of the bytes identifies the state.

#include <algorithm>
#include <cstring>

#include "routing/engine.h"
#include "routing/engine_state.h"

namespace sb {

using routing_internal::AgentRec;
using routing_internal::ContactRec;
using routing_internal::EngineState;
using routing_internal::Membership;
using routing_internal::Phase;
using routing_internal::QueueRec;

namespace {

constexpr char kMagic[8] = {'S', 'B', 'S', 'N', 'A', 'P', '0', '1'};

class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}
  void u64(std::uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>(v | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  void i64(std::int64_t v) {
    u64((static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
  }
  void b(bool v) { u64(v ? 1 : 0); }
  void str(const std::string& s) {
    u64(s.size());
    out_.append(s);
  }
  void raw(const char* p, std::size_t n) { out_.append(p, n); }

 private:
  std::string& out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  bool done() const { return pos_ == in_.size(); }
  std::uint64_t u64() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= in_.size()) return fail();
      const auto byte = static_cast<std::uint8_t>(in_[pos_++]);
      v |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return v;
    }
    return fail();
  }
  std::int64_t i64() {
    const std::uint64_t z = u64();
    return static_cast<std::int64_t>((z >> 1) ^ (~(z & 1) + 1));
  }
  bool b() { return u64() != 0; }
  std::string str() {
    const std::uint64_t n = u64();
    if (!ok_ || n > in_.size() - pos_) {
      fail();
      return {};
    }
    std::string s(in_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  // Bounded count, so corrupt input cannot make us allocate without limit.
  std::size_t count() {
    const std::uint64_t n = u64();
    if (n > in_.size()) {
      fail();
      return 0;
    }
    return static_cast<std::size_t>(n);
  }
  bool magic() {
    if (in_.size() < sizeof(kMagic) || std::memcmp(in_.data(), kMagic, sizeof(kMagic)) != 0)
      return false;
    pos_ = sizeof(kMagic);
    return true;
  }

 private:
  std::uint64_t fail() {
    ok_ = false;
    pos_ = in_.size();
    return 0;
  }
  std::string_view in_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

void put_requirements(Writer& w, const Requirements& r) {
  w.u64(r.count);
  for (const auto& x : r) {
    w.u64(x.skill);
    w.u64(x.min_proficiency);
    w.b(x.optional);
  }
}

Requirements get_requirements(Reader& r) {
  Requirements out;
  const std::size_t n = std::min<std::size_t>(r.count(), kMaxRequirements);
  for (std::size_t i = 0; i < n; ++i) {
    SkillRequirement x;
    x.skill = static_cast<SkillId>(r.u64());
    x.min_proficiency = static_cast<std::uint8_t>(r.u64());
    x.optional = r.b();
    out.push(x);
  }
  return out;
}

void put_queue_config(Writer& w, const QueueConfig& q) {
  w.u64(q.id);
  w.str(q.name);
  w.u64(static_cast<std::uint64_t>(q.selection));
  w.i64(q.service_level_threshold);
  w.i64(static_cast<std::int64_t>(q.service_level_target * 1e9));
  w.u64(q.max_waiting);
  w.b(q.hours.always_open);
  w.i64(q.hours.utc_offset_minutes);
  w.u64(q.hours.windows.size());
  for (const auto& win : q.hours.windows) {
    w.u64(win.weekday);
    w.u64(win.open_minute);
    w.u64(win.close_minute);
  }
  w.i64(q.overflow_after);
  w.u64(q.overflow_queue);
  w.i64(q.aging_interval);
  w.u64(q.relaxation.size());
  for (const auto& s : q.relaxation) {
    w.i64(s.after);
    w.u64(static_cast<std::uint64_t>(s.action));
    w.u64(s.amount);
  }
  w.i64(q.offer_timeout);
  w.u64(q.max_missed_offers);
  w.i64(q.wrap_up);
  w.i64(q.default_handle_time);
}

QueueConfig get_queue_config(Reader& r) {
  QueueConfig q;
  q.id = static_cast<QueueId>(r.u64());
  q.name = r.str();
  q.selection = static_cast<AgentSelection>(std::min<std::uint64_t>(r.u64(), 4));
  q.service_level_threshold = r.i64();
  q.service_level_target = static_cast<double>(r.i64()) / 1e9;
  q.max_waiting = static_cast<std::uint32_t>(r.u64());
  q.hours.always_open = r.b();
  q.hours.utc_offset_minutes = static_cast<std::int32_t>(r.i64());
  const std::size_t nw = r.count();
  for (std::size_t i = 0; i < nw && r.ok(); ++i) {
    OpeningWindow win;
    win.weekday = static_cast<std::uint8_t>(r.u64());
    win.open_minute = static_cast<std::uint16_t>(r.u64());
    win.close_minute = static_cast<std::uint16_t>(r.u64());
    q.hours.windows.push_back(win);
  }
  q.overflow_after = r.i64();
  q.overflow_queue = static_cast<QueueId>(r.u64());
  q.aging_interval = r.i64();
  const std::size_t ns = r.count();
  for (std::size_t i = 0; i < ns && r.ok(); ++i) {
    RelaxationStep s;
    s.after = r.i64();
    s.action = static_cast<RelaxationAction>(std::min<std::uint64_t>(r.u64(), 2));
    s.amount = static_cast<std::uint8_t>(r.u64());
    q.relaxation.push_back(s);
  }
  q.offer_timeout = r.i64();
  q.max_missed_offers = static_cast<std::uint32_t>(r.u64());
  q.wrap_up = r.i64();
  q.default_handle_time = r.i64();
  return q;
}

}  // namespace

namespace routing_internal {

std::string write_snapshot(const EngineState& s) {
  std::string out;
  Writer w(out);
  w.raw(kMagic, sizeof(kMagic));
  w.u64(s.last_seq);
  w.i64(s.last_time);

  w.u64(s.skill_names.size());
  for (std::size_t i = 0; i < s.skill_names.size(); ++i) {
    w.b(s.skill_defined[i]);
    w.str(s.skill_names[i]);
  }
  w.u64(s.profiles.size());
  for (std::size_t i = 0; i < s.profiles.size(); ++i) {
    const RoutingProfile& p = s.profiles[i];
    w.b(s.profile_defined[i]);
    w.u64(p.id);
    w.str(p.name);
    for (auto c : p.capacity) w.u64(c);
    w.u64(p.max_total);
    w.u64(p.exclusive_mask);
  }
  w.u64(s.queues.size());
  for (const QueueRec& q : s.queues) {
    w.b(q.configured);
    put_queue_config(w, q.config);
    w.u64(q.offer_counter);
    w.i64(q.handle_time_estimate);
    w.u64(q.handled);
  }
  w.u64(s.agents.size());
  for (const AgentRec& a : s.agents) {
    w.b(a.configured);
    w.u64(a.config.id);
    w.str(a.config.name);
    w.u64(a.config.profile);
    w.u64(a.config.skills.size());
    for (const auto& sk : a.config.skills) {
      w.u64(sk.skill);
      w.u64(sk.proficiency);
    }
    w.u64(a.config.queues.size());
    for (const auto& m : a.config.queues) {
      w.u64(m.queue);
      w.u64(m.tier);
    }
    w.u64(a.memberships.size());
    for (const Membership& m : a.memberships) w.u64(m.last_offered);
    w.b(a.logged_in);
    w.u64(static_cast<std::uint64_t>(a.presence));
    w.u64(a.reason);
    w.i64(a.presence_since);
    w.i64(a.idle_since);
    w.u64(a.missed_in_a_row);
    for (auto l : a.load_by_channel) w.u64(l);
    w.u64(a.load);
    w.u64(a.offered);
    w.u64(a.connected);
    w.u64(a.wrap_up);
    w.u64(a.contacts.size());
    for (ContactId c : a.contacts) w.u64(c);
  }
  std::vector<const ContactRec*> live;
  live.reserve(s.contacts.size());
  s.contacts.for_each([&](ContactId, const ContactRec& c) { live.push_back(&c); });
  std::sort(live.begin(), live.end(), [](auto* x, auto* y) { return x->id < y->id; });
  w.u64(live.size());
  for (const ContactRec* c : live) {
    w.u64(c->id);
    w.u64(static_cast<std::uint64_t>(c->channel));
    w.u64(static_cast<std::uint64_t>(c->phase));
    w.u64(c->queue);
    w.u64(c->agent);
    w.i64(c->priority);
    w.u64(c->customer);
    put_requirements(w, c->requirements);
    w.i64(c->arrived_at);
    w.i64(c->order_time);
    w.i64(c->entered_queue_at);
    w.i64(c->offer_expires_at);
    w.i64(c->connected_at);
    w.i64(c->wrap_ends_at);
    w.i64(c->overflow_retry_at);
    w.u64(c->order_seq);
    w.b(c->has_place);
    w.b(c->keep_place);
    w.b(c->on_hold);
    w.b(c->callback);
    w.u64(c->relax_step);
    w.u64(c->proficiency_drop);
    w.b(c->optional_dropped);
    w.u64(c->max_tier);
    w.u64(c->generation);
    w.u64(c->offered_to.size());
    for (AgentId a : c->offered_to) w.u64(a);
    w.u64(c->excluded.size());
    for (AgentId a : c->excluded) w.u64(a);
  }
  return out;
}

Status read_snapshot(std::string_view bytes, EngineState& s) {
  Reader r(bytes);
  if (!r.magic()) return Status::corruption("not a Switchboard engine snapshot (bad magic)");
  s.last_seq = r.u64();
  s.last_time = r.i64();

  const std::size_t n_skills = r.count();
  for (std::size_t i = 0; i < n_skills && r.ok(); ++i) {
    s.skill_defined.push_back(r.b());
    s.skill_names.push_back(r.str());
  }
  const std::size_t n_profiles = r.count();
  for (std::size_t i = 0; i < n_profiles && r.ok(); ++i) {
    s.profile_defined.push_back(r.b());
    RoutingProfile p;
    p.id = static_cast<ProfileId>(r.u64());
    p.name = r.str();
    for (auto& c : p.capacity) c = static_cast<std::uint8_t>(r.u64());
    p.max_total = static_cast<std::uint8_t>(r.u64());
    p.exclusive_mask = static_cast<std::uint8_t>(r.u64());
    s.profiles.push_back(p);
  }
  const std::size_t n_queues = r.count();
  if (n_queues > 0) s.queue_slot(static_cast<QueueId>(n_queues - 1));
  for (QueueRec& q : s.queues) {
    q.configured = r.b();
    q.config = get_queue_config(r);
    q.strategy = &selection_strategy(q.config.selection);
    q.offer_counter = r.u64();
    q.handle_time_estimate = r.i64();
    q.handled = r.u64();
    if (!r.ok()) break;
  }
  const std::size_t n_agents = r.count();
  s.agents.resize(n_agents);
  for (AgentId id = 0; id < n_agents && r.ok(); ++id) {
    AgentRec& a = s.agents[id];
    a.configured = r.b();
    a.config.id = static_cast<AgentId>(r.u64());
    a.config.name = r.str();
    a.config.profile = static_cast<ProfileId>(r.u64());
    const std::size_t ns = r.count();
    for (std::size_t i = 0; i < ns && r.ok(); ++i) {
      SkillLevel sk;
      sk.skill = static_cast<SkillId>(r.u64());
      sk.proficiency = static_cast<std::uint8_t>(r.u64());
      a.config.skills.push_back(sk);
    }
    const std::size_t nq = r.count();
    for (std::size_t i = 0; i < nq && r.ok(); ++i) {
      QueueMembership m;
      m.queue = static_cast<QueueId>(r.u64());
      m.tier = static_cast<std::uint8_t>(r.u64());
      if (m.queue >= n_queues) return Status::corruption("snapshot: membership of unknown queue");
      a.config.queues.push_back(m);
    }
    for (const auto& m : a.config.queues) {
      a.memberships.push_back(Membership{m.queue, m.tier, 0});
      s.queues[m.queue].members.push_back(id);
    }
    std::sort(a.memberships.begin(), a.memberships.end(),
              [](const Membership& x, const Membership& y) { return x.queue < y.queue; });
    const std::size_t nm = r.count();
    if (nm != a.memberships.size()) return Status::corruption("snapshot: membership mismatch");
    for (Membership& m : a.memberships) m.last_offered = r.u64();
    a.logged_in = r.b();
    a.presence = static_cast<Presence>(std::min<std::uint64_t>(r.u64(), 2));
    a.reason = static_cast<ReasonId>(r.u64());
    a.presence_since = r.i64();
    a.idle_since = r.i64();
    a.missed_in_a_row = static_cast<std::uint32_t>(r.u64());
    for (auto& l : a.load_by_channel) l = static_cast<std::uint8_t>(r.u64());
    a.load = static_cast<std::uint32_t>(r.u64());
    a.offered = static_cast<std::uint32_t>(r.u64());
    a.connected = static_cast<std::uint32_t>(r.u64());
    a.wrap_up = static_cast<std::uint32_t>(r.u64());
    const std::size_t nc = r.count();
    for (std::size_t i = 0; i < nc && r.ok(); ++i) a.contacts.push_back(r.u64());
    if (a.configured && a.config.profile >= s.profiles.size())
      return Status::corruption("snapshot: agent with unknown profile");
  }
  for (QueueRec& q : s.queues) std::sort(q.members.begin(), q.members.end());
  const std::size_t n_contacts = r.count();
  for (std::size_t i = 0; i < n_contacts && r.ok(); ++i) {
    ContactRec c;
    c.id = r.u64();
    c.channel = static_cast<Channel>(std::min<std::uint64_t>(r.u64(), kChannelCount - 1));
    c.phase = static_cast<Phase>(std::min<std::uint64_t>(r.u64(), 5));
    c.queue = static_cast<QueueId>(r.u64());
    c.agent = static_cast<AgentId>(r.u64());
    c.priority = static_cast<std::int32_t>(r.i64());
    c.customer = r.u64();
    c.requirements = get_requirements(r);
    c.arrived_at = r.i64();
    c.order_time = r.i64();
    c.entered_queue_at = r.i64();
    c.offer_expires_at = r.i64();
    c.connected_at = r.i64();
    c.wrap_ends_at = r.i64();
    c.overflow_retry_at = r.i64();
    c.order_seq = r.u64();
    c.has_place = r.b();
    c.keep_place = r.b();
    c.on_hold = r.b();
    c.callback = r.b();
    c.relax_step = static_cast<std::uint8_t>(r.u64());
    c.proficiency_drop = static_cast<std::uint8_t>(r.u64());
    c.optional_dropped = r.b();
    c.max_tier = static_cast<std::uint8_t>(r.u64());
    c.generation = static_cast<std::uint32_t>(r.u64());
    const std::size_t no = r.count();
    for (std::size_t k = 0; k < no && r.ok(); ++k)
      c.offered_to.push_back(static_cast<AgentId>(r.u64()));
    const std::size_t ne = r.count();
    for (std::size_t k = 0; k < ne && r.ok(); ++k)
      c.excluded.push_back(static_cast<AgentId>(r.u64()));
    if (c.queue >= n_queues && c.phase != Phase::kNew)
      return Status::corruption("snapshot: contact in unknown queue");
    for (AgentId a : c.offered_to)
      if (a >= n_agents) return Status::corruption("snapshot: offer to unknown agent");
    if (s.contacts.find(c.id)) return Status::corruption("snapshot: duplicate contact");
    s.contacts.insert(c.id, std::move(c));
  }
  if (!r.ok()) return Status::corruption("snapshot is truncated or malformed");
  if (!r.done()) return Status::corruption("snapshot has trailing bytes");
  s.rebuild_indexes();
  return {};
}

}  // namespace routing_internal

}  // namespace sb
