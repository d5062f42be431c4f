#include "center_workload.h"

#include <algorithm>
#include <string>
#include <vector>

#include "domain/codec.h"

namespace sb::store_testing {
namespace {

constexpr Millis kStart = 1'700'000'000'000;  // 2023-11-14, a Tuesday
constexpr QueueId kQueues = 3;
constexpr AgentId kAgents = 10;

bool contains(const std::vector<AgentId>& v, AgentId x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

Status configure_center(Engine& engine, Millis now, Output& out) {
  if (engine.queue_count() > 0) return {};
  std::vector<Command> commands;
  commands.push_back(cmd::ConfigureSkill{0, "billing"});
  commands.push_back(cmd::ConfigureSkill{1, "spanish"});
  commands.push_back(cmd::ConfigureSkill{2, "technical"});

  RoutingProfile voice;
  voice.id = 0;
  voice.name = "voice";
  voice.capacity[static_cast<int>(Channel::kVoice)] = 1;
  voice.capacity[static_cast<int>(Channel::kCallback)] = 1;
  voice.max_total = 1;
  commands.push_back(cmd::ConfigureProfile{voice});
  RoutingProfile blended;
  blended.id = 1;
  blended.name = "blended";
  blended.capacity[static_cast<int>(Channel::kVoice)] = 1;
  blended.capacity[static_cast<int>(Channel::kChat)] = 3;
  blended.capacity[static_cast<int>(Channel::kEmail)] = 2;
  blended.max_total = 3;
  commands.push_back(cmd::ConfigureProfile{blended});

  QueueConfig sales;
  sales.id = 0;
  sales.name = "sales";
  sales.selection = AgentSelection::kLongestIdle;
  sales.wrap_up = 4 * kMillisPerSecond;
  sales.offer_timeout = 12 * kMillisPerSecond;
  sales.max_waiting = 25;
  sales.overflow_after = 60 * kMillisPerSecond;
  sales.overflow_queue = 2;
  sales.relaxation = {{20 * kMillisPerSecond, RelaxationAction::kLowerProficiency, 2}};
  QueueConfig support;
  support.id = 1;
  support.name = "support";
  support.selection = AgentSelection::kMostProficient;
  support.offer_timeout = 15 * kMillisPerSecond;
  support.aging_interval = 10 * kMillisPerSecond;
  support.relaxation = {{15 * kMillisPerSecond, RelaxationAction::kDropOptional, 1},
                        {30 * kMillisPerSecond, RelaxationAction::kWidenTier, 1}};
  QueueConfig general;
  general.id = 2;
  general.name = "general";
  general.selection = AgentSelection::kRingAll;
  general.wrap_up = 2 * kMillisPerSecond;
  general.offer_timeout = 8 * kMillisPerSecond;
  general.max_waiting = 40;
  for (const QueueConfig& q : {sales, support, general}) commands.push_back(cmd::ConfigureQueue{q});

  for (AgentId i = 0; i < kAgents; ++i) {
    AgentConfig a;
    a.id = i;
    a.name = "agent-" + std::to_string(i);
    a.profile = i % 3 == 0 ? 1 : 0;
    a.skills.push_back({0, static_cast<std::uint8_t>(3 + i % 7)});
    if (i % 2 == 1) a.skills.push_back({1, 5});
    if (i % 3 == 1) a.skills.push_back({2, 8});
    if (i < 6) a.queues.push_back({0, 1});
    a.queues.push_back({1, static_cast<std::uint8_t>(i >= 4 ? 1 : 2)});
    if (i % 2 == 0) a.queues.push_back({2, 1});
    commands.push_back(cmd::ConfigureAgent{a});
  }
  for (const Command& c : commands) SB_RETURN_IF_ERROR(engine.handle(c, now, out));
  return {};
}

CenterWorkload::CenterWorkload(std::uint64_t seed, const Engine& engine)
    : rng_(Random(seed).fork(engine.last_seq())), now_(std::max(engine.last_event_time(), kStart)) {
  std::vector<TimerRequest> pending;
  engine.pending_timers(pending);
  for (const TimerRequest& t : pending) timers_.emplace(std::pair(t.at, timer_seq_++), t.key);
}

void CenterWorkload::remember_timers(const Output& out, std::size_t from) {
  for (std::size_t i = from; i < out.timers.size(); ++i)
    timers_.emplace(std::pair(out.timers[i].at, timer_seq_++), out.timers[i].key);
}

void CenterWorkload::step(Engine& engine, Output& out) {
  const std::size_t from = out.timers.size();
  if (!timers_.empty() && timers_.begin()->first.first <= now_) {
    const auto [due, key] = *timers_.begin();
    timers_.erase(timers_.begin());
    engine.on_timer(key, std::max(due.first, engine.last_event_time()), out);
  } else {
    now_ = std::max(now_ + static_cast<Millis>(rng_.below(1200)), engine.last_event_time());
    const Command c = next_command(engine);
    if (!engine.handle(c, now_, out).ok()) ++rejected_;
  }
  remember_timers(out, from);
}

Command CenterWorkload::next_command(const Engine& engine) {
  // Ids derived from the next seq are unique across restarts: a successful arrival or self-service
  // always emits the event that takes that seq.
  const ContactId next_id = engine.last_seq() + 1;
  auto arrival = [&]() -> Command {
    cmd::ArriveContact a;
    a.contact = next_id;
    a.queue = static_cast<QueueId>(rng_.below(kQueues));
    const double u = rng_.uniform();
    a.channel = a.queue == 0   ? (u < 0.95 ? Channel::kVoice : Channel::kCallback)
                : a.queue == 1 ? (u < 0.8 ? Channel::kChat : Channel::kEmail)
                               : (u < 0.5 ? Channel::kVoice : Channel::kChat);
    a.priority = static_cast<std::int32_t>(rng_.below(3));
    if (rng_.uniform() < 0.5)
      a.requirements.push({static_cast<SkillId>(rng_.below(3)),
                           static_cast<std::uint8_t>(1 + rng_.below(5)), rng_.uniform() < 0.3});
    a.customer = 1 + rng_.below(5000);
    return a;
  };

  const double r = rng_.uniform();
  if (r < 0.22) return arrival();
  if (r < 0.27) {
    const auto waiting = engine.waiting_contacts(static_cast<QueueId>(rng_.below(kQueues)));
    if (waiting.empty()) return arrival();
    const ContactId c = waiting[rng_.below(waiting.size())];
    if (rng_.uniform() < 0.85) return cmd::CustomerLeft{c};
    return cmd::RequestCallback{c};
  }
  if (r < 0.285) return cmd::SelfServe{next_id, Channel::kChat, 1 + rng_.below(5000)};

  const auto agent =
      static_cast<AgentId>(rng_.below(std::max<std::size_t>(engine.agent_count(), 1)));
  if (r < 0.295) {
    std::vector<SkillLevel> skills{{0, static_cast<std::uint8_t>(1 + rng_.below(10))}};
    if (rng_.uniform() < 0.5) skills.push_back({2, static_cast<std::uint8_t>(1 + rng_.below(10))});
    return cmd::SetAgentSkills{agent, std::move(skills)};
  }
  auto view = engine.agent(agent);
  if (!view.ok()) return cmd::LoginAgent{agent};  // rejected: the center is not configured
  if (!view->logged_in) return rng_.uniform() < 0.6 ? Command(cmd::LoginAgent{agent}) : arrival();
  if (!view->contacts.empty()) {
    const ContactId c = view->contacts[rng_.below(view->contacts.size())];
    auto contact = engine.contact(c);
    if (contact.ok()) {
      const double u = rng_.uniform();
      switch (contact->phase) {
        case ContactPhase::kOffered:
          if (contains(contact->offered_to, agent)) {
            if (u < 0.88) return cmd::AcceptOffer{c, agent};
            return cmd::RejectOffer{c, agent};
          }
          break;
        case ContactPhase::kConnected:
          if (u < 0.6) return cmd::EndContact{c};
          if (u < 0.72) return contact->on_hold ? Command(cmd::Unhold{c}) : cmd::Hold{c};
          if (u < 0.78) {
            const auto to = static_cast<QueueId>((contact->queue + 1 + rng_.below(2)) % kQueues);
            return cmd::Transfer{c, to, kNoId};
          }
          return cmd::CustomerLeft{c};
        case ContactPhase::kWrapUp:
          return cmd::EndWrapUp{c, static_cast<ReasonId>(100 + rng_.below(5))};
        case ContactPhase::kQueued:
          break;
      }
    }
  }
  const double u = rng_.uniform();
  if (view->presence != Presence::kAvailable) {
    if (u < 0.7) return cmd::SetAgentState{agent, Presence::kAvailable, reason::kNone};
    return cmd::LogoutAgent{agent};
  }
  if (u < 0.06)
    return cmd::SetAgentState{agent, Presence::kNotReady,
                              static_cast<ReasonId>(reason::kBreak + rng_.below(3))};
  if (u < 0.08) return cmd::LogoutAgent{agent};
  return arrival();
}

std::uint64_t events_digest(const std::vector<Event>& events) {
  std::string bytes;
  for (const Event& e : events) encode_event(e, bytes);
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

}  // namespace sb::store_testing
