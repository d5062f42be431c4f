#pragma once
// The contact-center model: channels, skills, queues, routing profiles, agents and their states.
// These are plain values; the routing engine owns the live state built from them.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/time.h"
#include "domain/ids.h"

namespace sb {

enum class Channel : std::uint8_t {
  kVoice = 0,
  kChat,
  kEmail,
  kSms,
  kWhatsapp,
  kSocial,
  kCallback,
  kTask,
};
constexpr int kChannelCount = 8;
std::string_view channel_name(Channel c);
Result<Channel> parse_channel(std::string_view name);

// Proficiency is 1 (novice) .. 10 (expert).
constexpr int kMinProficiency = 1;
constexpr int kMaxProficiency = 10;

struct SkillRequirement {
  SkillId skill = kNoId;
  std::uint8_t min_proficiency = 1;
  // Optional requirements are honoured at first and dropped by a kDropOptional relaxation step.
  bool optional = false;
  friend bool operator==(const SkillRequirement&, const SkillRequirement&) = default;
};

// Inline so that events stay fixed-size and allocation-free on the hot path.
constexpr int kMaxRequirements = 8;
struct Requirements {
  std::array<SkillRequirement, kMaxRequirements> items{};
  std::uint8_t count = 0;

  bool push(SkillRequirement r) {
    if (count >= kMaxRequirements) return false;
    items[count++] = r;
    return true;
  }
  const SkillRequirement* begin() const { return items.data(); }
  const SkillRequirement* end() const { return items.data() + count; }
  friend bool operator==(const Requirements& a, const Requirements& b) {
    if (a.count != b.count) return false;
    for (int i = 0; i < a.count; ++i)
      if (!(a.items[i] == b.items[i])) return false;
    return true;
  }
};

enum class AgentSelection : std::uint8_t {
  kLongestIdle = 0,   // the agent idle longest (default)
  kMostProficient,    // highest summed proficiency on the contact's skills, then longest idle
  kRoundRobinMemory,  // the member offered least recently by this queue (Asterisk rrmemory)
  kLeastOccupied,     // fewest contacts in progress relative to capacity, then longest idle
  kRingAll,           // offer to every eligible agent at once; the first accept wins
};
std::string_view agent_selection_name(AgentSelection s);
Result<AgentSelection> parse_agent_selection(std::string_view name);

enum class RelaxationAction : std::uint8_t {
  kLowerProficiency = 0,  // lower every min proficiency by `amount` (never below 1)
  kDropOptional,          // stop requiring optional skills
  kWidenTier,             // admit agents of the next `amount` tiers
};

struct RelaxationStep {
  Millis after = 0;  // measured from the moment the contact entered the queue
  RelaxationAction action = RelaxationAction::kLowerProficiency;
  std::uint8_t amount = 1;
  friend bool operator==(const RelaxationStep&, const RelaxationStep&) = default;
};

// A weekly opening window in the queue's local time (utc_offset_minutes east of UTC).
struct OpeningWindow {
  std::uint8_t weekday = 0;       // 0 = Monday .. 6 = Sunday
  std::uint16_t open_minute = 0;  // minutes after local midnight
  std::uint16_t close_minute = 1440;
  friend bool operator==(const OpeningWindow&, const OpeningWindow&) = default;
};

struct BusinessHours {
  bool always_open = true;
  std::int32_t utc_offset_minutes = 0;
  std::vector<OpeningWindow> windows;
  bool is_open(Millis now) const;
  friend bool operator==(const BusinessHours&, const BusinessHours&) = default;
};

struct QueueConfig {
  QueueId id = kNoId;
  std::string name;
  AgentSelection selection = AgentSelection::kLongestIdle;
  Millis service_level_threshold = 20 * kMillisPerSecond;
  double service_level_target = 0.8;
  // Blocking: arrivals are refused (ContactBlocked) when this many contacts already wait.
  std::uint32_t max_waiting = 0;  // 0 = unlimited
  BusinessHours hours;
  // Overflow: after waiting `overflow_after` the contact moves to `overflow_queue`.
  Millis overflow_after = 0;  // 0 = never
  QueueId overflow_queue = kNoId;
  // Priority aging: a waiting contact gains one priority level per `aging_interval`.
  Millis aging_interval = 0;               // 0 = no aging
  std::vector<RelaxationStep> relaxation;  // sorted by `after`
  // Offers ring for this long before they time out (ring-no-answer).
  Millis offer_timeout = 20 * kMillisPerSecond;
  // Consecutive missed offers after which the agent is made not-ready with reason "missed".
  std::uint32_t max_missed_offers = 3;
  // After-contact work: the agent's slot stays busy this long after the contact ends.
  Millis wrap_up = 0;
  // Handle time assumed by the estimated wait time until the queue has its own history.
  Millis default_handle_time = 180 * kMillisPerSecond;
  friend bool operator==(const QueueConfig&, const QueueConfig&) = default;
};

// Per-channel concurrent capacity of an agent. An agent with an active contact on a channel listed
// in `exclusive` takes nothing else at the same time (by default voice blocks all other channels).
struct RoutingProfile {
  ProfileId id = kNoId;
  std::string name;
  std::array<std::uint8_t, kChannelCount> capacity{};  // 0 = channel not handled
  std::uint8_t max_total = 1;                          // cap across all channels
  std::uint8_t exclusive_mask = 1u << static_cast<int>(Channel::kVoice);
  bool is_exclusive(Channel c) const { return exclusive_mask & (1u << static_cast<int>(c)); }
  friend bool operator==(const RoutingProfile&, const RoutingProfile&) = default;
};

struct QueueMembership {
  QueueId queue = kNoId;
  std::uint8_t tier = 1;  // 1 = first choice; higher tiers are reached by kWidenTier relaxation
  friend bool operator==(const QueueMembership&, const QueueMembership&) = default;
};

struct SkillLevel {
  SkillId skill = kNoId;
  std::uint8_t proficiency = 1;
  friend bool operator==(const SkillLevel&, const SkillLevel&) = default;
};

struct AgentConfig {
  AgentId id = kNoId;
  std::string name;
  ProfileId profile = kNoId;
  std::vector<SkillLevel> skills;
  std::vector<QueueMembership> queues;
  friend bool operator==(const AgentConfig&, const AgentConfig&) = default;
};

// Presence is what the agent (or a supervisor) chose; wrap-up and busy are derived from the work
// in progress and reported by the engine.
enum class Presence : std::uint8_t {
  kOffline = 0,
  kAvailable,
  kNotReady,
};
std::string_view presence_name(Presence p);

// Reason codes the engine itself uses; configuration may add more from 100 upwards.
namespace reason {
constexpr ReasonId kNone = 0;
constexpr ReasonId kBreak = 1;
constexpr ReasonId kLunch = 2;
constexpr ReasonId kTraining = 3;
constexpr ReasonId kMeeting = 4;
constexpr ReasonId kCoaching = 5;
constexpr ReasonId kMissed = 6;  // set by the engine after too many missed offers
constexpr ReasonId kSupervisor = 7;
}  // namespace reason
std::string_view reason_name(ReasonId r);

struct CenterConfig {
  std::vector<std::string> skills;  // SkillId = index
  std::vector<RoutingProfile> profiles;
  std::vector<QueueConfig> queues;
  std::vector<AgentConfig> agents;
  Status validate() const;
};

}  // namespace sb
