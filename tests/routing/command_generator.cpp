#include "tests/routing/command_generator.h"

#include <algorithm>
#include <string>

namespace sb::testing_ref {
namespace {

// 2024-01-01 (a Monday) 08:00 UTC.
constexpr Millis kMonday0800 = 19723 * kMillisPerDay + 8 * kMillisPerHour;

constexpr AgentSelection kSelections[] = {
    AgentSelection::kLongestIdle, AgentSelection::kMostProficient,
    AgentSelection::kRoundRobinMemory, AgentSelection::kLeastOccupied, AgentSelection::kRingAll};

int ch(Channel c) { return static_cast<int>(c); }

// (Not `named('q', id)`: GCC 12 -O3 reports a bogus -Wrestrict on it.)
std::string named(char prefix, std::uint64_t n) {
  std::string s = std::to_string(n);
  s.insert(s.begin(), prefix);
  return s;
}

}  // namespace

std::uint64_t ByteChoices::below(std::uint64_t n) {
  if (n <= 1) return 0;
  int bytes = n <= 0x100 ? 1 : n <= 0x10000 ? 2 : n <= 0x100000000ULL ? 4 : 8;
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) {
    v <<= 8;
    if (pos_ < size_) v |= data_[pos_];
    ++pos_;
  }
  return v % n;
}

void HostTimers::add(const std::vector<TimerRequest>& requests) {
  for (const auto& r : requests) items_.push_back({r.at, next_++, r.key});
}

bool HostTimers::pop_due(Millis t, Item& out) {
  auto it = std::min_element(items_.begin(), items_.end(), [](const Item& a, const Item& b) {
    return a.at < b.at || (a.at == b.at && a.order < b.order);
  });
  if (it == items_.end() || it->at > t) return false;
  out = *it;
  items_.erase(it);
  return true;
}

bool HostTimers::contains(const TimerRequest& r) const {
  return std::any_of(items_.begin(), items_.end(),
                     [&](const Item& i) { return i.at == r.at && i.key == r.key; });
}

CommandGenerator::CommandGenerator(ChoiceSource& choices, GeneratorOptions options)
    : choices_(choices), options_(options) {
  start_ = kMonday0800 + choices_.between(0, 59) * kMillisPerMinute + choices_.between(0, 59999);
}

Channel CommandGenerator::random_channel() {
  static constexpr Channel kCommon[] = {Channel::kVoice, Channel::kVoice, Channel::kVoice,
                                        Channel::kChat,  Channel::kChat,  Channel::kChat,
                                        Channel::kEmail, Channel::kSms,   Channel::kCallback};
  if (choices_.chance(5)) return static_cast<Channel>(choices_.below(kChannelCount));
  return kCommon[choices_.below(std::size(kCommon))];
}

RoutingProfile CommandGenerator::random_profile(ProfileId id) {
  RoutingProfile p;
  p.id = id;
  p.name = named('p', id);
  switch (choices_.below(4)) {
    case 0:  // a voice desk
      p.capacity[ch(Channel::kVoice)] = 1;
      p.capacity[ch(Channel::kCallback)] = 1;
      p.max_total = 1;
      break;
    case 1:  // multi-chat
      p.capacity[ch(Channel::kChat)] = static_cast<std::uint8_t>(choices_.between(2, 3));
      p.capacity[ch(Channel::kEmail)] = 1;
      p.capacity[ch(Channel::kSms)] = static_cast<std::uint8_t>(choices_.between(0, 2));
      p.max_total = static_cast<std::uint8_t>(choices_.between(2, 3));
      break;
    case 2:  // blended
      p.capacity[ch(Channel::kVoice)] = 1;
      p.capacity[ch(Channel::kCallback)] = 1;
      p.capacity[ch(Channel::kChat)] = static_cast<std::uint8_t>(choices_.between(1, 2));
      p.capacity[ch(Channel::kEmail)] = 1;
      p.max_total = static_cast<std::uint8_t>(choices_.between(1, 3));
      break;
    default:  // anything
      for (int c = 0; c < kChannelCount; ++c)
        p.capacity[c] = static_cast<std::uint8_t>(choices_.between(0, 2));
      p.max_total = static_cast<std::uint8_t>(choices_.between(1, 4));
      break;
  }
  switch (choices_.below(6)) {
    case 0:
      p.exclusive_mask = 0;
      break;
    case 1:
      p.exclusive_mask =
          static_cast<std::uint8_t>((1u << ch(Channel::kVoice)) | (1u << ch(Channel::kCallback)));
      break;
    case 2:
      p.exclusive_mask = static_cast<std::uint8_t>(1u << ch(Channel::kChat));
      break;
    default:
      break;  // voice only (the default)
  }
  return p;
}

BusinessHours CommandGenerator::random_hours() {
  BusinessHours h;
  if (!choices_.chance(20)) return h;
  h.always_open = false;
  h.utc_offset_minutes = 0;
  const int now_minute = static_cast<int>((start_ % kMillisPerDay) / kMillisPerMinute);
  switch (choices_.below(3)) {
    case 0:  // open now, closes during the run
      h.windows.push_back({0, 0, static_cast<std::uint16_t>(now_minute + choices_.between(5, 60))});
      break;
    case 1:  // closed now, opens during the run
      h.windows.push_back(
          {0, static_cast<std::uint16_t>(now_minute + choices_.between(2, 40)), 1440});
      break;
    default: {  // a lunch break
      const int close = now_minute + static_cast<int>(choices_.between(3, 30));
      h.windows.push_back({0, 0, static_cast<std::uint16_t>(close)});
      h.windows.push_back({0, static_cast<std::uint16_t>(close + choices_.between(1, 20)), 1440});
      break;
    }
  }
  return h;
}

QueueConfig CommandGenerator::random_queue(QueueId id) {
  QueueConfig q;
  q.id = id;
  q.name = named('q', id);
  q.selection = kSelections[choices_.below(std::size(kSelections))];
  q.offer_timeout = choices_.between(2000, 25000);
  q.max_missed_offers = static_cast<std::uint32_t>(choices_.between(0, 3));
  q.wrap_up = choices_.chance(50) ? 0 : choices_.between(500, 20000);
  q.aging_interval = choices_.chance(70) ? 0 : choices_.between(3000, 60000);
  q.max_waiting = choices_.chance(70) ? 0 : static_cast<std::uint32_t>(choices_.between(1, 4));
  q.default_handle_time = choices_.between(20000, 300000);
  const int steps = static_cast<int>(choices_.below(4));
  Millis after = 0;
  for (int i = 0; i < steps; ++i) {
    RelaxationStep s;
    if (i == 0 && choices_.chance(5))
      after = 0;
    else if (i == 0 || !choices_.chance(15))  // else: two steps due together
      after += choices_.between(500, 30000);
    s.after = after;
    s.action = static_cast<RelaxationAction>(choices_.below(3));
    s.amount = static_cast<std::uint8_t>(
        choices_.between(s.action == RelaxationAction::kDropOptional ? 0 : 1, 3));
    q.relaxation.push_back(s);
  }
  if (choices_.chance(30)) {
    q.overflow_after = choices_.between(3000, 60000);
    const auto n = static_cast<QueueId>(queues_.size());
    if (options_.unknown_overflow_target && choices_.chance(5))
      q.overflow_queue = n + static_cast<QueueId>(choices_.between(0, 3));
    else if (n >= 2)
      q.overflow_queue = (id + 1 + static_cast<QueueId>(choices_.below(n - 1))) % n;
  }
  q.hours = random_hours();
  return q;
}

std::vector<SkillLevel> CommandGenerator::random_skills() {
  std::vector<SkillLevel> v;
  for (int s = 0; s < skills_; ++s)
    if (choices_.chance(70))
      v.push_back({static_cast<SkillId>(s), static_cast<std::uint8_t>(choices_.between(1, 10))});
  // Order must not matter.
  if (v.size() > 1 && choices_.chance(30)) std::reverse(v.begin(), v.end());
  return v;
}

AgentConfig CommandGenerator::random_agent(AgentId id) {
  AgentConfig a;
  a.id = id;
  a.name = named('a', id);
  a.profile = static_cast<ProfileId>(choices_.below(profiles_.size()));
  a.skills = random_skills();
  for (std::size_t q = 0; q < queues_.size(); ++q) {
    if (!choices_.chance(50)) continue;
    const unsigned t = static_cast<unsigned>(choices_.below(100));
    a.queues.push_back({static_cast<QueueId>(q), static_cast<std::uint8_t>(t < 60   ? 1
                                                                           : t < 85 ? 2
                                                                                    : 3)});
  }
  if (a.queues.empty())
    a.queues.push_back({static_cast<QueueId>(choices_.below(queues_.size())), 1});
  if (a.queues.size() > 1 && choices_.chance(30)) std::reverse(a.queues.begin(), a.queues.end());
  return a;
}

Requirements CommandGenerator::random_requirements() {
  Requirements r;
  const int n = static_cast<int>(choices_.below(3));
  for (int i = 0; i < n; ++i) {
    SkillRequirement s;
    s.skill = static_cast<SkillId>(choices_.below(static_cast<std::uint64_t>(skills_)));
    s.min_proficiency = static_cast<std::uint8_t>(choices_.chance(80) ? choices_.between(1, 6)
                                                                      : choices_.between(1, 10));
    s.optional = choices_.chance(25);
    r.push(s);
  }
  return r;
}

std::vector<Command> CommandGenerator::center() {
  std::vector<Command> out;
  skills_ = static_cast<int>(choices_.between(2, 4));
  for (int s = 0; s < skills_; ++s)
    out.push_back(
        cmd::ConfigureSkill{static_cast<SkillId>(s), named('s', static_cast<std::uint64_t>(s))});
  const int n_profiles = static_cast<int>(choices_.between(2, 4));
  for (int p = 0; p < n_profiles; ++p) {
    profiles_.push_back(random_profile(static_cast<ProfileId>(p)));
    out.push_back(cmd::ConfigureProfile{profiles_.back()});
  }
  const int n_queues = static_cast<int>(choices_.between(options_.min_queues, options_.max_queues));
  queues_.resize(static_cast<std::size_t>(n_queues));
  for (int q = 0; q < n_queues; ++q) queues_[q] = random_queue(static_cast<QueueId>(q));
  for (const auto& q : queues_) out.push_back(cmd::ConfigureQueue{q});
  const int n_agents = static_cast<int>(choices_.between(options_.min_agents, options_.max_agents));
  for (int a = 0; a < n_agents; ++a) {
    agents_.push_back(random_agent(static_cast<AgentId>(a)));
    out.push_back(cmd::ConfigureAgent{agents_.back()});
  }
  for (int a = 0; a < n_agents; ++a)
    if (choices_.chance(75)) out.push_back(cmd::LoginAgent{static_cast<AgentId>(a)});
  return out;
}

Millis CommandGenerator::next_delay() {
  switch (choices_.below(20)) {
    case 0:
    case 1:
      return 0;
    case 2:
    case 3:
    case 4:
    case 5:
    case 6:
    case 7:
      return choices_.between(1, 1000);
    case 18:
    case 19:
      return choices_.between(5000, 40000);
    default:
      return choices_.between(1, 5000);
  }
}

CommandGenerator::Live CommandGenerator::observe(const Engine& engine) const {
  Live live;
  for (std::size_t q = 0; q < queues_.size(); ++q)
    for (ContactId c : engine.waiting_contacts(static_cast<QueueId>(q))) live.queued.push_back(c);
  for (std::size_t a = 0; a < agents_.size(); ++a) {
    auto view = engine.agent(static_cast<AgentId>(a));
    if (!view.ok()) continue;
    (view->logged_in ? live.logged_in : live.logged_out).push_back(static_cast<AgentId>(a));
    for (ContactId c : view->contacts) {
      auto cv = engine.contact(c);
      if (!cv.ok()) continue;
      switch (cv->phase) {
        case ContactPhase::kOffered:
          live.ringing.emplace_back(c, static_cast<AgentId>(a));
          break;
        case ContactPhase::kConnected:
          (cv->on_hold ? live.held : live.connected).push_back(c);
          break;
        case ContactPhase::kWrapUp:
          live.wrap_up.push_back(c);
          break;
        default:
          break;
      }
    }
  }
  return live;
}

Command CommandGenerator::arrival() {
  cmd::ArriveContact a;
  a.contact = next_contact_++;
  a.channel = random_channel();
  a.queue = static_cast<QueueId>(choices_.below(queues_.size()));
  a.priority = static_cast<std::int32_t>(choices_.chance(60) ? 0 : choices_.between(-2, 3));
  a.requirements = random_requirements();
  a.customer = choices_.below(1000);
  return a;
}

Command CommandGenerator::reconfigure() {
  switch (choices_.below(3)) {
    case 0: {
      const QueueId id = static_cast<QueueId>(choices_.below(queues_.size()));
      QueueConfig q = random_queue(id);
      if (choices_.chance(50)) {  // a small change of the current configuration
        q = queues_[id];
        switch (choices_.below(5)) {
          case 0:
            q.selection = kSelections[choices_.below(std::size(kSelections))];
            break;
          case 1:
            if (!q.relaxation.empty()) q.relaxation.pop_back();
            break;
          case 2:
            q.aging_interval = choices_.chance(50) ? 0 : choices_.between(3000, 60000);
            break;
          case 3:
            q.max_waiting = static_cast<std::uint32_t>(choices_.between(0, 3));
            break;
          default:
            q.offer_timeout = choices_.between(2000, 25000);
            q.wrap_up = choices_.chance(50) ? 0 : choices_.between(500, 20000);
            break;
        }
      }
      queues_[id] = q;  // the engine may refuse it; that is fine for a generator
      return cmd::ConfigureQueue{q};
    }
    case 1: {
      const ProfileId id = static_cast<ProfileId>(choices_.below(profiles_.size()));
      RoutingProfile p = random_profile(id);
      if (!options_.change_exclusive_mask) p.exclusive_mask = profiles_[id].exclusive_mask;
      profiles_[id] = p;
      return cmd::ConfigureProfile{p};
    }
    default: {
      const AgentId id = static_cast<AgentId>(choices_.below(agents_.size()));
      AgentConfig a = agents_[id];
      switch (choices_.below(3)) {
        case 0:
          a.skills = random_skills();
          break;
        case 1:
          a = random_agent(id);
          a.profile = agents_[id].profile;
          break;
        default:
          a.profile = static_cast<ProfileId>(choices_.below(profiles_.size()));
          break;
      }
      agents_[id] = a;
      return cmd::ConfigureAgent{a};
    }
  }
}

Command CommandGenerator::invalid(const Live& live) {
  const AgentId some_agent = static_cast<AgentId>(choices_.below(agents_.size()));
  const ContactId unknown = next_contact_ + 1000 + choices_.below(10);
  switch (choices_.below(20)) {
    case 0:
      return cmd::AcceptOffer{live.connected.empty() ? unknown : pick(live.connected), some_agent};
    case 1:
      return cmd::RejectOffer{live.queued.empty() ? unknown : pick(live.queued), some_agent};
    case 2:
      return cmd::EndContact{live.queued.empty() ? unknown : pick(live.queued)};
    case 3:
      return cmd::EndWrapUp{live.connected.empty() ? unknown : pick(live.connected), 3};
    case 4:
      return cmd::Hold{live.held.empty() ? unknown : pick(live.held)};
    case 5:
      return cmd::Unhold{live.connected.empty() ? unknown : pick(live.connected)};
    case 6: {
      cmd::Transfer t{live.connected.empty() ? unknown : pick(live.connected), kNoId, kNoId};
      if (choices_.chance(50)) {
        t.to_queue = 0;
        t.to_agent = 0;
      }
      return t;
    }
    case 7:
      return cmd::LoginAgent{live.logged_in.empty() ? static_cast<AgentId>(agents_.size() + 3)
                                                    : pick(live.logged_in)};
    case 8:
      return cmd::SetAgentState{some_agent, Presence::kOffline, reason::kNone};
    case 9:
      return cmd::SetAgentState{some_agent, Presence::kAvailable, reason::kBreak};
    case 10: {
      cmd::ArriveContact a = std::get<cmd::ArriveContact>(arrival());
      switch (choices_.below(4)) {
        case 0:
          a.contact = live.queued.empty() ? kNoContact : pick(live.queued);
          break;
        case 1:
          a.queue = static_cast<QueueId>(queues_.size() + 2);
          break;
        case 2:
          a.requirements.push({static_cast<SkillId>(skills_ + 1), 1, false});
          break;
        default:
          a.requirements.push({0, static_cast<std::uint8_t>(choices_.chance(50) ? 0 : 11), false});
          break;
      }
      return a;
    }
    case 11: {
      QueueConfig q = queues_[choices_.below(queues_.size())];
      switch (choices_.below(3)) {
        case 0:
          q.offer_timeout = 0;
          break;
        case 1:
          q.overflow_queue = q.id;
          q.overflow_after = 1000;
          break;
        default:
          q.relaxation = {{5000, RelaxationAction::kWidenTier, 1},
                          {1000, RelaxationAction::kLowerProficiency, 1}};
          break;
      }
      return cmd::ConfigureQueue{q};
    }
    case 12: {
      RoutingProfile p = profiles_[choices_.below(profiles_.size())];
      p.max_total = 0;
      return cmd::ConfigureProfile{p};
    }
    case 13: {
      AgentConfig a = agents_[some_agent];
      switch (choices_.below(3)) {
        case 0:
          a.profile = static_cast<ProfileId>(profiles_.size() + 1);
          break;
        case 1:
          a.queues.push_back({static_cast<QueueId>(queues_.size() + 4), 1});
          break;
        default:
          if (!a.queues.empty())
            a.queues[0].tier = 0;
          else
            a.skills.push_back({0, 11});
          break;
      }
      return cmd::ConfigureAgent{a};
    }
    case 14:
      return cmd::CustomerLeft{live.wrap_up.empty() ? unknown : pick(live.wrap_up)};
    case 15:
      return cmd::RequestCallback{live.ringing.empty() ? unknown : pick(live.ringing).first};
    case 16:
      return cmd::SelfServe{live.queued.empty() ? kNoContact : pick(live.queued), Channel::kChat,
                            1};
    case 17:
      if (!live.connected.empty()) {
        // Logging out an agent that still talks is refused.
        return cmd::Transfer{pick(live.connected), static_cast<QueueId>(queues_.size() + 1), kNoId};
      }
      return cmd::LogoutAgent{static_cast<AgentId>(agents_.size() + 2)};
    case 18:
      return cmd::SetAgentSkills{some_agent, {{static_cast<SkillId>(skills_ + 3), 5}}};
    default:
      return cmd::AcceptOffer{live.ringing.empty() ? unknown : pick(live.ringing).first,
                              static_cast<AgentId>(agents_.size() + 1)};
  }
}

Command CommandGenerator::next(const Engine& engine) {
  const Live live = observe(engine);
  if (choices_.chance(options_.invalid_percent)) return invalid(live);
  if (choices_.chance(options_.reconfigure_percent)) return reconfigure();
  // Customers give up when the line gets long.
  if (live.queued.size() > 12 &&
      choices_.chance(static_cast<unsigned>(std::min<std::size_t>(70, live.queued.size() * 2))))
    return cmd::CustomerLeft{pick(live.queued)};
  // Answer ringing offers.
  if (!live.ringing.empty() && choices_.chance(40)) {
    auto [c, a] = pick(live.ringing);
    if (choices_.chance(85)) return cmd::AcceptOffer{c, a};
    return cmd::RejectOffer{c, a};
  }
  // Work on conversations.
  std::vector<ContactId> talking = live.connected;
  talking.insert(talking.end(), live.held.begin(), live.held.end());
  if (!talking.empty() && choices_.chance(30)) {
    const ContactId c = pick(talking);
    const unsigned r = static_cast<unsigned>(choices_.below(100));
    if (r < 45) return cmd::EndContact{c};
    if (r < 55) return cmd::CustomerLeft{c};
    if (r < 70) {
      const bool held = std::find(live.held.begin(), live.held.end(), c) != live.held.end();
      return held ? Command{cmd::Unhold{c}} : Command{cmd::Hold{c}};
    }
    if (r < 85)
      return cmd::Transfer{c, static_cast<QueueId>(choices_.below(queues_.size())), kNoId};
    return cmd::Transfer{c, kNoId, static_cast<AgentId>(choices_.below(agents_.size()))};
  }
  if (!live.wrap_up.empty() && choices_.chance(20))
    return cmd::EndWrapUp{pick(live.wrap_up), static_cast<ReasonId>(choices_.between(0, 5))};
  for (int attempt = 0; attempt < 4; ++attempt) {
    const unsigned r = static_cast<unsigned>(choices_.below(100));
    if (r < 45) return arrival();
    if (r < 55) {
      std::vector<ContactId> waiting = live.queued;
      for (auto [c, a] : live.ringing) waiting.push_back(c);
      if (!waiting.empty()) return cmd::CustomerLeft{pick(waiting)};
    }
    if (r < 59 && !live.queued.empty()) return cmd::RequestCallback{pick(live.queued)};
    if (r < 67 && !live.logged_out.empty()) return cmd::LoginAgent{pick(live.logged_out)};
    if (r < 72 && !live.logged_in.empty()) return cmd::LogoutAgent{pick(live.logged_in)};
    if (r < 88 && !live.logged_in.empty()) {
      const AgentId a = pick(live.logged_in);
      if (choices_.chance(60)) return cmd::SetAgentState{a, Presence::kAvailable, reason::kNone};
      static constexpr ReasonId kReasons[] = {reason::kBreak, reason::kLunch, reason::kTraining,
                                              reason::kNone, 100};
      return cmd::SetAgentState{a, Presence::kNotReady, kReasons[choices_.below(5)]};
    }
    if (r < 91) {
      const AgentId a = static_cast<AgentId>(choices_.below(agents_.size()));
      agents_[a].skills = random_skills();
      return cmd::SetAgentSkills{a, agents_[a].skills};
    }
    if (r < 95) return cmd::SelfServe{next_contact_++, random_channel(), choices_.below(1000)};
  }
  return arrival();
}

}  // namespace sb::testing_ref
