#pragma once
// The flow runtime: one FlowSession per contact, a pure step machine. The host (voice gateway,
// bot API, tests) feeds it inputs — start, digits, typed text, a fired timer, an HTTP response, the
// queue's answer, the end of the agent conversation, the customer hanging up — each with `now`,
// and carries out the actions it returns: say a prompt, start/cancel a timer, run an HTTP request,
// enqueue the contact, request a callback, transfer, record a survey answer, set attributes, end.
//
// The session never reads a clock, sleeps, or does I/O: the same inputs give the same actions.
// Timers are the host's job: on StartTimer it calls on_timer(id, at) at (or after) `at`; a stale
// or cancelled id is ignored, so hosts may fire lazily (e.g. the bot API fires due timers when the
// next message arrives).
//
// Voice vs. text: on voice, prompts are audio (or text to speak) and input is DTMF digits; on text
// channels prompts are messages (menus list their choices), a typed reply selects a menu choice by
// key or by one of its words, and is taken as the digits of a collect/survey node.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/status.h"
#include "base/time.h"
#include "flows/flow_model.h"

namespace sb::flows {

using TimerId = std::uint32_t;
using RequestId = std::uint32_t;

// How the session ended (or will end). Handed-off is sticky: a session that queued the contact
// ends as handed off even if it ran an after-call survey.
enum class Outcome : std::uint8_t {
  kNone = 0,      // still running
  kSelfServed,    // contained in self-service (feeds the containment KPI: ev::SelfServed)
  kDisconnected,  // the flow ended it without serving
  kAbandoned,     // the customer left during self-service
  kHandedOff,     // queued to agents (or a callback was requested)
  kTransferred,   // transferred out of the flow
};
std::string_view outcome_name(Outcome o);

namespace act {

// Say a prompt (placeholders already filled). Voice: play `audio` if set, else speak `text`.
// Text: send `text` as a message. `expects_input` = the flow now waits for a reply.
struct Say {
  std::string audio;
  std::string text;
  bool expects_input = false;
};
struct StartTimer {
  TimerId id = 0;
  Millis at = 0;  // absolute time
};
struct CancelTimer {
  TimerId id = 0;
};
struct HttpRequest {
  RequestId id = 0;
  std::string method;  // GET or POST
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  Millis timeout = 0;
};
// The attributes changed since the last SetAttributes (hosts mirror them onto the contact).
struct SetAttributes {
  Attributes values;
};
struct SkillNeed {
  std::string skill;  // a skill name (or decimal id) for the host to resolve
  int min_proficiency = 1;
  bool optional = false;
};
// Queue the contact to agents. `callback` = a callback contact to `number` (Channel::kCallback).
// The host answers with on_queue_result.
struct Enqueue {
  std::string queue;  // a queue name (or decimal id) for the host to resolve
  std::vector<SkillNeed> skills;
  std::int32_t priority = 0;
  Attributes attributes;  // all attributes at this point, for the agent
  bool callback = false;
  std::string number;
  std::string music;          // voice: music on hold
  Millis announce_every = 0;  // voice: announce position / wait every this long (0 = never)
};
// Voice, in queue: announce the position and estimated wait (the host knows both).
struct AnnounceQueue {};
// In queue: the caller asked to be called back on `number`, keeping the place in line.
struct RequestCallback {
  std::string number;
};
struct Transfer {
  std::string target;
};
struct RecordSurvey {
  std::string survey;
  std::string question;
  SurveyKind kind = SurveyKind::kCsat;
  int score = 0;
};
// The session is over; hosts hang up / close the conversation (unless handed off to an agent who
// still talks to the customer: `outcome` tells).
struct End {
  Outcome outcome = Outcome::kNone;
  std::string reason;
};

}  // namespace act

using Action = std::variant<act::Say, act::StartTimer, act::CancelTimer, act::HttpRequest,
                            act::SetAttributes, act::Enqueue, act::AnnounceQueue,
                            act::RequestCallback, act::Transfer, act::RecordSurvey, act::End>;
using Actions = std::vector<Action>;

// The host's answer to an HttpRequest. status 0 = no HTTP answer (timeout, refused, DNS...).
struct HttpResponse {
  int status = 0;
  std::string body;
  std::string error;  // transport error text when status == 0
  bool timed_out = false;
};

enum class SessionChannel : std::uint8_t { kVoice = 0, kText };

struct SessionOptions {
  SessionChannel channel = SessionChannel::kVoice;
  Attributes attributes;  // initial: e.g. caller, dialed, channel, customer
  // Guard against flows that loop without waiting for input: after this many node steps in one
  // input the session ends as disconnected (validation already rejects such cycles).
  int max_steps_per_input = 1000;
};

// Where a session waits (for hosts and status pages).
enum class WaitState : std::uint8_t {
  kNotStarted = 0,
  kInput,        // a menu / collect / callback / survey reply
  kHttp,         // a data dip's response
  kQueueAnswer,  // on_queue_result
  kInQueue,      // with the agents (queue node); on_contact_ended continues at after_call
  kFinished,
};
std::string_view wait_state_name(WaitState w);

class FlowSession {
 public:
  FlowSession(std::shared_ptr<const FlowDefinition> flow, SessionOptions options);

  // Each call appends the actions to `out`. A call that does not fit the session's state (e.g.
  // digits while waiting for HTTP, anything after the end) returns FailedPrecondition and changes
  // nothing; stale timer / request ids are ignored (ok, no actions).
  Status start(Millis now, Actions& out);
  Status on_digits(std::string_view digits, Millis now, Actions& out);
  Status on_text(std::string_view text, Millis now, Actions& out);
  Status on_timer(TimerId id, Millis now, Actions& out);
  Status on_http_response(RequestId id, const HttpResponse& response, Millis now, Actions& out);
  // The host's answer to Enqueue: accepted (queued) or refused (blocked, unknown queue...).
  Status on_queue_result(bool accepted, std::string_view reason, Millis now, Actions& out);
  // The agent's conversation ended (voice: the agent hung up and the caller is still on the line).
  Status on_contact_ended(Millis now, Actions& out);
  // The customer left. Ends the session (abandoned during self-service).
  Status on_hangup(Millis now, Actions& out);

  const FlowDefinition& flow() const { return *flow_; }
  const std::shared_ptr<const FlowDefinition>& flow_ptr() const { return flow_; }
  const Attributes& attributes() const { return attributes_; }
  SessionChannel channel() const { return options_.channel; }
  WaitState wait_state() const { return wait_; }
  bool finished() const { return wait_ == WaitState::kFinished; }
  Outcome outcome() const { return outcome_; }
  // The current node's id ("" before start and after the end).
  std::string_view current_node() const;
  // Timers the session still expects (id, at); hosts that persist sessions re-arm these.
  std::vector<act::StartTimer> pending_timers() const;

 private:
  struct Impl;
  friend struct Impl;

  std::shared_ptr<const FlowDefinition> flow_;
  SessionOptions options_;
  Attributes attributes_;
  Attributes changed_;  // since the last SetAttributes action
  WaitState wait_ = WaitState::kNotStarted;
  Outcome outcome_ = Outcome::kNone;
  bool handed_off_ = false;
  int node_ = -1;
  int retries_ = 0;
  std::string buffer_;  // digits collected so far
  TimerId next_timer_ = 1;
  RequestId next_request_ = 1;
  std::optional<act::StartTimer> input_timer_;     // reply timeout / inter-digit
  std::optional<act::StartTimer> announce_timer_;  // in queue
  std::optional<act::StartTimer> callback_timer_;  // in queue: callback offer
  bool callback_offered_ = false;                  // the offer was said; its key is live
  RequestId pending_request_ = 0;
};

// Fills `${name}` placeholders from `attributes` (unknown names become ""; `$${` is a literal
// `${`). With `url_encode`, substituted values are percent-encoded (RFC 3986 unreserved kept).
std::string expand_template(std::string_view tmpl, const Attributes& attributes,
                            bool url_encode = false);

}  // namespace sb::flows
