#pragma once
// Commands: what the outside world asks of the engine. A command is validated against the current
// state; if it is acceptable the engine answers with the events it caused, otherwise with a Status
// and no events at all.

#include <cstdint>
#include <memory>
#include <string>
#include <variant>

#include "base/status.h"
#include "domain/events.h"

namespace sb {

namespace cmd {

struct ConfigureSkill {
  SkillId skill = kNoId;
  std::string name;
};
struct ConfigureProfile {
  RoutingProfile profile;
};
struct ConfigureQueue {
  QueueConfig queue;
};
// Adds or replaces an agent's configuration (skills, memberships, profile).
struct ConfigureAgent {
  AgentConfig agent;
};
struct ArriveContact {
  ContactId contact = kNoContact;
  Channel channel = Channel::kVoice;
  QueueId queue = kNoId;
  std::int32_t priority = 0;
  Requirements requirements;
  CustomerId customer = 0;
};
struct SelfServe {
  ContactId contact = kNoContact;
  Channel channel = Channel::kVoice;
  CustomerId customer = 0;
};
// The customer left. Before connection this is an abandonment; after it, the contact ends.
struct CustomerLeft {
  ContactId contact = kNoContact;
};
struct RequestCallback {
  ContactId contact = kNoContact;
};
struct LoginAgent {
  AgentId agent = kNoId;
};
struct LogoutAgent {
  AgentId agent = kNoId;
};
struct SetAgentState {
  AgentId agent = kNoId;
  Presence presence = Presence::kAvailable;  // kAvailable or kNotReady
  ReasonId reason = reason::kNone;
};
struct SetAgentSkills {
  AgentId agent = kNoId;
  std::vector<SkillLevel> skills;
};
struct AcceptOffer {
  ContactId contact = kNoContact;
  AgentId agent = kNoId;
};
struct RejectOffer {
  ContactId contact = kNoContact;
  AgentId agent = kNoId;
};
struct Hold {
  ContactId contact = kNoContact;
};
struct Unhold {
  ContactId contact = kNoContact;
};
// Exactly one of to_queue / to_agent is set.
struct Transfer {
  ContactId contact = kNoContact;
  QueueId to_queue = kNoId;
  AgentId to_agent = kNoId;
};
struct EndContact {
  ContactId contact = kNoContact;
};
struct EndWrapUp {
  ContactId contact = kNoContact;
  ReasonId disposition = 0;
};

// A customer's answer to a post-contact survey; the contact may have ended long ago. The score
// must lie on the kind's scale (CSAT 1..5, NPS 0..10, CES 1..7).
struct RecordSurvey {
  ContactId contact = kNoContact;
  AgentId agent = kNoId;
  QueueId queue = kNoId;
  SurveyKind kind = SurveyKind::kCsat;
  std::int32_t score = 0;
};
// One historical contact from another system (switchboard import). It never enters routing.
struct ImportContact {
  ImportedContact record;
};

}  // namespace cmd

using Command =
    std::variant<cmd::ConfigureSkill, cmd::ConfigureProfile, cmd::ConfigureQueue,
                 cmd::ConfigureAgent, cmd::ArriveContact, cmd::SelfServe, cmd::CustomerLeft,
                 cmd::RequestCallback, cmd::LoginAgent, cmd::LogoutAgent, cmd::SetAgentState,
                 cmd::SetAgentSkills, cmd::AcceptOffer, cmd::RejectOffer, cmd::Hold, cmd::Unhold,
                 cmd::Transfer, cmd::EndContact, cmd::EndWrapUp, cmd::RecordSurvey,
                 cmd::ImportContact>;

// The valid score range of a survey kind, and whether an imported record is acceptable: shared by
// the engine and its reference so both refuse the same commands.
inline Status check_survey_score(SurveyKind kind, std::int32_t score) {
  const std::int32_t lo = kind == SurveyKind::kNps ? 0 : 1;
  const std::int32_t hi = kind == SurveyKind::kCsat ? 5 : kind == SurveyKind::kNps ? 10 : 7;
  if (score < lo || score > hi)
    return Status::invalid_argument("survey score " + std::to_string(score) + " is outside " +
                                    std::to_string(lo) + ".." + std::to_string(hi));
  return {};
}
inline Status check_imported_contact(const ImportedContact& r) {
  if (r.queue.empty()) return Status::invalid_argument("imported contact has no queue");
  if (r.arrived_at < 0) return Status::invalid_argument("imported contact arrives before 1970");
  if (r.wait < 0 || r.talk < 0 || r.hold < 0 || r.wrap < 0)
    return Status::invalid_argument("imported contact has a negative duration");
  if (static_cast<int>(r.channel) >= kChannelCount)
    return Status::invalid_argument("imported contact has an unknown channel");
  return {};
}

// Timers the engine asks its host to deliver back. Stale timers (the contact moved on) are
// recognised by their generation and ignored, so hosts never need to cancel anything.
enum class TimerKind : std::uint8_t {
  kOfferExpiry = 0,  // ring-no-answer
  kWrapUpEnd,        // after-contact work is over
  kQueueStep,        // the next relaxation or overflow step of a waiting contact is due
};

struct TimerKey {
  TimerKind kind = TimerKind::kOfferExpiry;
  ContactId contact = kNoContact;
  AgentId agent = kNoId;  // for offer expiry (ring-all has one timer per agent)
  std::uint32_t generation = 0;
  friend bool operator==(const TimerKey&, const TimerKey&) = default;
};

struct TimerRequest {
  Millis at = 0;
  TimerKey key;
};

// What one command or timer produced. Hosts reuse one Output to avoid allocations.
struct Output {
  std::vector<Event> events;
  std::vector<TimerRequest> timers;
  void clear() {
    events.clear();
    timers.clear();
  }
};

}  // namespace sb
