#include "domain/model.h"

#include <algorithm>
#include <set>

namespace sb {
namespace {

constexpr std::string_view kChannelNames[kChannelCount] = {
    "voice", "chat", "email", "sms", "whatsapp", "social", "callback", "task"};

constexpr std::string_view kSelectionNames[] = {"longest_idle", "most_proficient",
                                                "round_robin_memory", "least_occupied", "ring_all"};

}  // namespace

std::string_view channel_name(Channel c) { return kChannelNames[static_cast<int>(c)]; }

Result<Channel> parse_channel(std::string_view name) {
  for (int i = 0; i < kChannelCount; ++i)
    if (kChannelNames[i] == name) return static_cast<Channel>(i);
  return Status::invalid_argument(
      "unknown channel '" + std::string(name) +
      "' (expected voice, chat, email, sms, whatsapp, social, callback or task)");
}

std::string_view agent_selection_name(AgentSelection s) {
  return kSelectionNames[static_cast<int>(s)];
}

Result<AgentSelection> parse_agent_selection(std::string_view name) {
  for (int i = 0; i < 5; ++i)
    if (kSelectionNames[i] == name) return static_cast<AgentSelection>(i);
  return Status::invalid_argument(
      "unknown agent selection '" + std::string(name) +
      "' (expected longest_idle, most_proficient, round_robin_memory, least_occupied or "
      "ring_all)");
}

std::string_view presence_name(Presence p) {
  switch (p) {
    case Presence::kOffline:
      return "offline";
    case Presence::kAvailable:
      return "available";
    case Presence::kNotReady:
      return "not_ready";
  }
  return "unknown";
}

std::string_view reason_name(ReasonId r) {
  switch (r) {
    case reason::kNone:
      return "none";
    case reason::kBreak:
      return "break";
    case reason::kLunch:
      return "lunch";
    case reason::kTraining:
      return "training";
    case reason::kMeeting:
      return "meeting";
    case reason::kCoaching:
      return "coaching";
    case reason::kMissed:
      return "missed";
    case reason::kSupervisor:
      return "supervisor";
    default:
      return "custom";
  }
}

bool BusinessHours::is_open(Millis now) const {
  if (always_open) return true;
  const Millis local = now + static_cast<Millis>(utc_offset_minutes) * kMillisPerMinute;
  // Floor division so that instants before 1970 still land on the right day.
  Millis day = local / kMillisPerDay;
  if (local % kMillisPerDay < 0) --day;
  const Millis minute_of_day = (local - day * kMillisPerDay) / kMillisPerMinute;
  // 1970-01-01 was a Thursday (weekday 3 when Monday = 0).
  const int weekday = static_cast<int>(((day % 7) + 7 + 3) % 7);
  return std::any_of(windows.begin(), windows.end(), [&](const OpeningWindow& w) {
    return w.weekday == weekday && minute_of_day >= w.open_minute && minute_of_day < w.close_minute;
  });
}

Status CenterConfig::validate() const {
  const auto n_skills = skills.size();
  for (std::size_t i = 0; i < profiles.size(); ++i) {
    if (profiles[i].id != i)
      return Status::invalid_argument("profile '" + profiles[i].name + "' has id " +
                                      std::to_string(profiles[i].id) + ", expected " +
                                      std::to_string(i));
    if (profiles[i].max_total == 0)
      return Status::invalid_argument("profile '" + profiles[i].name + "' has max_total 0");
  }
  for (std::size_t i = 0; i < queues.size(); ++i) {
    const auto& q = queues[i];
    if (q.id != i)
      return Status::invalid_argument("queue '" + q.name + "' has id " + std::to_string(q.id) +
                                      ", expected " + std::to_string(i));
    if (q.overflow_queue != kNoId && q.overflow_queue >= queues.size())
      return Status::invalid_argument("queue '" + q.name + "' overflows to unknown queue " +
                                      std::to_string(q.overflow_queue));
    if (q.overflow_queue == q.id)
      return Status::invalid_argument("queue '" + q.name + "' overflows to itself");
    if (q.offer_timeout <= 0)
      return Status::invalid_argument("queue '" + q.name + "' needs a positive offer timeout");
    if (!std::is_sorted(q.relaxation.begin(), q.relaxation.end(),
                        [](auto& a, auto& b) { return a.after < b.after; }))
      return Status::invalid_argument("queue '" + q.name +
                                      "' relaxation steps must be sorted by 'after'");
  }
  for (std::size_t i = 0; i < agents.size(); ++i) {
    const auto& a = agents[i];
    if (a.id != i)
      return Status::invalid_argument("agent '" + a.name + "' has id " + std::to_string(a.id) +
                                      ", expected " + std::to_string(i));
    if (a.profile >= profiles.size())
      return Status::invalid_argument("agent '" + a.name + "' has unknown routing profile " +
                                      std::to_string(a.profile));
    std::set<SkillId> seen;
    for (const auto& s : a.skills) {
      if (s.skill >= n_skills)
        return Status::invalid_argument("agent '" + a.name + "' has unknown skill " +
                                        std::to_string(s.skill));
      if (s.proficiency < kMinProficiency || s.proficiency > kMaxProficiency)
        return Status::invalid_argument("agent '" + a.name + "' proficiency " +
                                        std::to_string(s.proficiency) + " is outside 1..10");
      if (!seen.insert(s.skill).second)
        return Status::invalid_argument("agent '" + a.name + "' lists skill " +
                                        std::to_string(s.skill) + " twice");
    }
    for (const auto& m : a.queues)
      if (m.queue >= queues.size())
        return Status::invalid_argument("agent '" + a.name + "' is a member of unknown queue " +
                                        std::to_string(m.queue));
  }
  return {};
}

}  // namespace sb
