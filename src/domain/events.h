#pragma once
// The event schema. Every change to the center is one of these, appended to the log with a
// sequence number and a timestamp. The engine's state is a pure function of the events it has
// applied, which is what makes replay, simulation and live operation run the same code.
//
// Versioning: each payload type has a `kVersion`. A payload change that old readers cannot
// ignore bumps it, and the codecs keep reading every older version (see docs/architecture.md).

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/time.h"
#include "domain/ids.h"
#include "domain/model.h"

namespace sb {

enum class BlockReason : std::uint8_t { kClosed = 0, kFull, kNoSuchQueue, kNoAgentsLoggedIn };
enum class TransferReason : std::uint8_t { kAgentRequest = 0, kOverflow };
enum class EndedBy : std::uint8_t { kAgent = 0, kCustomer, kSystem };
// Post-contact survey kinds (scales in docs/metrics.md): CSAT 1..5, NPS 0..10, CES 1..7.
enum class SurveyKind : std::uint8_t { kCsat = 0, kNps, kCes };
// How an imported contact ended in the system it came from.
enum class ImportOutcome : std::uint8_t {
  kAnswered = 0,  // connected to an agent
  kAbandoned,     // the customer hung up while waiting
  kTimedOut,      // the queue gave up (Asterisk EXITWITHTIMEOUT, EXITEMPTY, EXITWITHKEY)
  kBlocked,       // refused at entry (queue full, closed)
};

// One contact of another system's history, as `switchboard import` reads it (docs/metrics.md,
// "Imported history"). Durations are milliseconds; names are as the source spells them.
struct ImportedContact {
  std::string source;       // "csv" or "queue_log", then ':' and the file name
  std::string external_id;  // the source's call id, or "line N"
  Millis arrived_at = 0;    // epoch milliseconds (UTC)
  Channel channel = Channel::kVoice;
  std::string queue;     // queue name in the source
  std::string agent;     // agent name; empty when never answered
  std::string customer;  // customer id in the source; empty when unknown
  ImportOutcome outcome = ImportOutcome::kAnswered;
  Millis wait = 0;
  Millis talk = 0;
  Millis hold = 0;
  Millis wrap = 0;
  bool transferred = false;  // the agent transferred the contact away
};

namespace ev {

struct ContactArrived {
  static constexpr std::uint16_t kVersion = 1;
  ContactId contact = kNoContact;
  Channel channel = Channel::kVoice;
  QueueId queue = kNoId;
  std::int32_t priority = 0;  // higher is served first
  Requirements requirements;
  CustomerId customer = 0;  // 0 = unknown
};
struct ContactQueued {
  static constexpr std::uint16_t kVersion = 1;
  ContactId contact = kNoContact;
  QueueId queue = kNoId;
};
struct ContactOffered {
  static constexpr std::uint16_t kVersion = 1;
  ContactId contact = kNoContact;
  AgentId agent = kNoId;
  QueueId queue = kNoId;
  Millis expires_at = 0;
};
struct OfferAccepted {
  static constexpr std::uint16_t kVersion = 1;
  ContactId contact = kNoContact;
  AgentId agent = kNoId;
};
struct OfferRejected {
  static constexpr std::uint16_t kVersion = 1;
  ContactId contact = kNoContact;
  AgentId agent = kNoId;
};
struct OfferTimedOut {
  static constexpr std::uint16_t kVersion = 1;
  ContactId contact = kNoContact;
  AgentId agent = kNoId;
};
// An offer withdrawn by the engine: another agent won a ring-all, or the agent logged out. (When
// the customer leaves while offers ring, ContactAbandoned alone withdraws them.)
struct OfferRescinded {
  static constexpr std::uint16_t kVersion = 1;
  ContactId contact = kNoContact;
  AgentId agent = kNoId;
};
struct ContactConnected {
  static constexpr std::uint16_t kVersion = 1;
  ContactId contact = kNoContact;
  AgentId agent = kNoId;
};
struct HoldStarted {
  static constexpr std::uint16_t kVersion = 1;
  ContactId contact = kNoContact;
  AgentId agent = kNoId;
};
struct HoldEnded {
  static constexpr std::uint16_t kVersion = 1;
  ContactId contact = kNoContact;
  AgentId agent = kNoId;
};
// The contact leaves `from_agent` (kNoId for an overflow from the queue) for a queue or an agent.
struct ContactTransferred {
  static constexpr std::uint16_t kVersion = 1;
  ContactId contact = kNoContact;
  AgentId from_agent = kNoId;
  QueueId from_queue = kNoId;
  QueueId to_queue = kNoId;
  AgentId to_agent = kNoId;
  TransferReason reason = TransferReason::kAgentRequest;
};
// The conversation is over; the agent's slot goes into wrap-up.
struct ContactEnded {
  static constexpr std::uint16_t kVersion = 1;
  ContactId contact = kNoContact;
  AgentId agent = kNoId;
  EndedBy by = EndedBy::kAgent;
};
struct WrapUpEnded {
  static constexpr std::uint16_t kVersion = 1;
  ContactId contact = kNoContact;
  AgentId agent = kNoId;
  ReasonId disposition = 0;
};
// The customer left before being connected (while queued or while an offer rang).
struct ContactAbandoned {
  static constexpr std::uint16_t kVersion = 1;
  ContactId contact = kNoContact;
  QueueId queue = kNoId;
};
struct ContactBlocked {
  static constexpr std::uint16_t kVersion = 1;
  ContactId contact = kNoContact;
  QueueId queue = kNoId;
  BlockReason reason = BlockReason::kClosed;
};
// The customer asked to be called back; the contact keeps its place in line as a callback.
struct CallbackRequested {
  static constexpr std::uint16_t kVersion = 1;
  ContactId contact = kNoContact;
  QueueId queue = kNoId;
};
// Handled entirely in self-service (IVR or bot); never reached the queue.
struct SelfServed {
  static constexpr std::uint16_t kVersion = 1;
  ContactId contact = kNoContact;
  Channel channel = Channel::kVoice;
  CustomerId customer = 0;
};
// A relaxation step of the contact's queue took effect.
struct ContactRelaxed {
  static constexpr std::uint16_t kVersion = 1;
  ContactId contact = kNoContact;
  std::uint8_t step = 0;  // index into the queue's relaxation list
};
struct AgentLoggedIn {
  static constexpr std::uint16_t kVersion = 1;
  AgentId agent = kNoId;
};
struct AgentLoggedOut {
  static constexpr std::uint16_t kVersion = 1;
  AgentId agent = kNoId;
};
struct AgentStateChanged {
  static constexpr std::uint16_t kVersion = 1;
  AgentId agent = kNoId;
  Presence presence = Presence::kAvailable;
  ReasonId reason = reason::kNone;
};
struct AgentSkillsChanged {
  static constexpr std::uint16_t kVersion = 1;
  AgentId agent = kNoId;
  std::shared_ptr<const std::vector<SkillLevel>> skills;
};
// Configuration changes. Shared pointers keep the event variant small and cheap to copy.
struct SkillConfigured {
  static constexpr std::uint16_t kVersion = 1;
  SkillId skill = kNoId;
  std::shared_ptr<const std::string> name;
};
struct ProfileConfigured {
  static constexpr std::uint16_t kVersion = 1;
  std::shared_ptr<const RoutingProfile> profile;
};
struct QueueConfigured {
  static constexpr std::uint16_t kVersion = 1;
  std::shared_ptr<const QueueConfig> queue;
};
struct AgentConfigured {
  static constexpr std::uint16_t kVersion = 1;
  std::shared_ptr<const AgentConfig> agent;
};

// The contact's overflow time came but the overflow queue was closed, full or unknown: the
// contact stays and the overflow is tried again at `retry_at`.
struct OverflowDeferred {
  static constexpr std::uint16_t kVersion = 1;
  ContactId contact = kNoContact;
  QueueId to_queue = kNoId;
  Millis retry_at = 0;
};

// A customer answered a post-contact survey. `agent` and `queue` say whom the answer is about
// (kNoId when the emitter does not know); reports attribute it by them.
struct SurveyAnswered {
  static constexpr std::uint16_t kVersion = 1;
  ContactId contact = kNoContact;
  AgentId agent = kNoId;
  QueueId queue = kNoId;
  SurveyKind kind = SurveyKind::kCsat;
  std::int32_t score = 0;
};

// A historical contact brought in by `switchboard import`. Flagged as imported by its type: the
// engine keeps no state for it (it was never in a live queue); reports and forecasting count it.
struct ContactImported {
  static constexpr std::uint16_t kVersion = 1;
  std::shared_ptr<const ImportedContact> record;
};

}  // namespace ev

using EventPayload =
    std::variant<ev::ContactArrived, ev::ContactQueued, ev::ContactOffered, ev::OfferAccepted,
                 ev::OfferRejected, ev::OfferTimedOut, ev::OfferRescinded, ev::ContactConnected,
                 ev::HoldStarted, ev::HoldEnded, ev::ContactTransferred, ev::ContactEnded,
                 ev::WrapUpEnded, ev::ContactAbandoned, ev::ContactBlocked, ev::CallbackRequested,
                 ev::SelfServed, ev::ContactRelaxed, ev::AgentLoggedIn, ev::AgentLoggedOut,
                 ev::AgentStateChanged, ev::AgentSkillsChanged, ev::SkillConfigured,
                 ev::ProfileConfigured, ev::QueueConfigured, ev::AgentConfigured,
                 ev::OverflowDeferred, ev::SurveyAnswered, ev::ContactImported>;

// The variant index is the wire type tag: append new types at the end, never reorder.
using EventType = std::uint16_t;

struct Event {
  std::uint64_t seq = 0;  // assigned by the engine, strictly increasing, starts at 1
  Millis at = 0;
  EventPayload payload;

  EventType type() const { return static_cast<EventType>(payload.index()); }
};

// "contact_arrived", "agent_state_changed", ...
std::string_view event_type_name(EventType type);
std::uint16_t event_type_version(EventType type);

}  // namespace sb
