#pragma once
// The flow definition model: a declarative IVR / bot flow as parsed from JSON (docs/flows.md,
// docs/flows.schema.json). A definition is an immutable value once parsed and validated; sessions
// (flow_runtime.h) share it through a shared_ptr, so a new version never changes a running
// session.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/status.h"
#include "base/time.h"

namespace sb::flows {

// Contact attributes: what the flow learnt (account number, data-dip results, choices). Sorted
// map so that iteration (events, JSON, hashes) is deterministic.
using Attributes = std::map<std::string, std::string, std::less<>>;

// What to say. Voice plays `audio` (a WAV file name relative to the prompt directory) when set and
// speaks `text` otherwise; text channels send `text` as a message. Both may contain `${attr}`
// placeholders, filled from the contact attributes when the prompt is played.
struct Prompt {
  std::string audio;
  std::string text;
  bool empty() const { return audio.empty() && text.empty(); }
};

// Digit-style input handling shared by menu, collect, callback and survey nodes.
struct InputPolicy {
  Millis timeout = 5 * kMillisPerSecond;  // no input within this long = a timeout
  int max_retries = 2;                    // re-prompts after an invalid input or a timeout
  Prompt invalid_prompt;                  // said after an invalid input (before re-prompting)
  Prompt timeout_prompt;                  // said after a timeout (before re-prompting)
  std::string on_failure;                 // node after the retries are used up ("" = end)
};

struct PlayNode {
  Prompt prompt;
  std::string next;
};

struct MenuChoice {
  std::string key;                 // a DTMF digit: 0-9, *, #
  std::vector<std::string> match;  // text channels: words that also select it (case-insensitive)
  std::string label;               // text channels: shown after the prompt as "key. label"
  std::string next;
  std::vector<std::pair<std::string, std::string>> set;  // attributes set when chosen
};
struct MenuNode {
  Prompt prompt;
  std::vector<MenuChoice> choices;
  InputPolicy input;
};

struct CollectNode {
  Prompt prompt;
  std::string attribute;  // where the collected digits go
  int min_length = 1;
  int max_length = 20;
  std::string terminator = "#";  // "" = none; ends input before max_length
  InputPolicy input;
  std::string next;
};

enum class CompareOp : std::uint8_t {
  kEq = 0,
  kNe,
  kLt,  // numeric when both sides are numbers, string order when neither is, else false
  kLe,
  kGt,
  kGe,
  kExists,
  kNotExists,
  kIn,  // value is one of `values`
  kStartsWith,
};
std::string_view compare_op_name(CompareOp op);
Result<CompareOp> parse_compare_op(std::string_view name);

struct ConditionCase {
  std::string attribute;
  CompareOp op = CompareOp::kEq;
  std::string value;                // may contain ${attr} placeholders
  std::vector<std::string> values;  // kIn
  std::string next;
};
// The first case that holds picks the next node; `otherwise` when none does.
struct ConditionNode {
  std::vector<ConditionCase> cases;
  std::string otherwise;
};

struct SetAttributeNode {
  std::vector<std::pair<std::string, std::string>> assignments;  // attribute, value template
  std::string next;
};

// A data dip. The runtime emits an HttpRequest action; the host executes it (HttpExecutor) and
// feeds the response back. 2xx with a JSON body = success: `map` copies values (JSON pointers
// into the body) into attributes. Anything else (timeout, transport error, non-2xx, bad JSON)
// takes `on_failure`.
struct HttpNode {
  std::string method = "GET";  // GET or POST
  std::string url;             // template; placeholder values are URL-encoded
  std::vector<std::pair<std::string, std::string>> headers;  // name, value template
  std::string body;                                          // template (POST)
  Millis timeout = 3 * kMillisPerSecond;
  std::vector<std::pair<std::string, std::string>> map;  // attribute, JSON pointer
  std::string status_attribute;                          // optional: gets the HTTP status
  std::string next;
  std::string on_failure;
};

// One weekly window in the flow's time zone; close may be 24:00.
struct HoursWindow {
  std::uint8_t weekday = 0;  // 0 = Monday .. 6 = Sunday
  int open_minute = 0;
  int close_minute = 1440;
};
struct BusinessHoursNode {
  std::string time_zone;  // IANA name, e.g. "Europe/Berlin"
  std::vector<HoursWindow> windows;
  std::vector<std::string> holidays;  // local dates "YYYY-MM-DD" (closed all day)
  std::string open;
  std::string closed;
  std::string holiday;  // optional: node on holidays (default: `closed`)
};

struct SkillSpec {
  std::string skill;                  // skill name or template ("${language}")
  std::string min_proficiency = "1";  // template, 1..10 after substitution
  bool optional = false;
};
// Offered to a caller waiting in queue: after `after` (and every `repeat` after that, 0 = once),
// say `prompt`; pressing `key` asks for a callback that keeps the caller's place in line.
struct QueueCallbackOffer {
  Millis after = 60 * kMillisPerSecond;
  Millis repeat = 0;
  Prompt prompt;
  std::string key = "1";
  Prompt accepted_prompt;
  std::string number = "${caller}";  // template: the number to call back
};
struct QueueNode {
  std::string queue;  // queue name or id, or a template
  std::vector<SkillSpec> skills;
  std::string priority = "0";  // template; an integer after substitution
  Prompt prompt;               // said before queueing ("please hold")
  std::string music;           // voice: music-on-hold file
  Millis announce_every = 0;   // voice: position / wait time announcements (0 = none)
  std::optional<QueueCallbackOffer> callback;
  std::string on_blocked;  // node when the queue refuses the contact ("" = end)
  std::string after_call;  // node once the agent's conversation ended (e.g. a survey; "" = end)
};

// Before queueing: "press 1 and we call you back". Accepting enqueues a callback contact.
struct CallbackNode {
  Prompt prompt;
  std::string key = "1";
  std::string queue;
  std::vector<SkillSpec> skills;
  std::string priority = "0";
  std::string number = "${caller}";
  InputPolicy input;
  std::string accepted;  // node after the callback was requested ("" = end as handed off)
  std::string declined;
};

struct TransferNode {
  Prompt prompt;
  std::string target;  // template: a SIP URI, a number or "queue:<name>"
};

enum class SurveyKind : std::uint8_t { kCsat = 0, kNps, kCes };
std::string_view survey_kind_name(SurveyKind k);
Result<SurveyKind> parse_survey_kind(std::string_view name);
// CSAT 1..5, NPS 0..10, CES 1..7.
int survey_min(SurveyKind k);
int survey_max(SurveyKind k);

struct SurveyNode {
  std::string survey;    // survey id, e.g. "post_call_csat"
  std::string question;  // question id within the survey
  SurveyKind kind = SurveyKind::kCsat;
  Prompt prompt;
  InputPolicy input;
  std::string next;
};

enum class EndOutcome : std::uint8_t {
  kSelfServed = 0,  // contained: the flow solved it
  kDisconnected,    // ended by the flow without serving (e.g. closed message)
};
struct EndNode {
  Prompt prompt;
  EndOutcome outcome = EndOutcome::kSelfServed;
  std::string reason;  // free text, recorded as the "end_reason" attribute
};

using NodeBody =
    std::variant<PlayNode, MenuNode, CollectNode, ConditionNode, SetAttributeNode, HttpNode,
                 BusinessHoursNode, QueueNode, CallbackNode, TransferNode, SurveyNode, EndNode>;
// "play", "menu", "collect", "condition", "set", "http", "hours", "queue", "callback",
// "transfer", "survey", "end".
std::string_view node_type_name(const NodeBody& body);

struct Node {
  std::string id;
  NodeBody body;
};

struct FlowSettings {
  // Text channels wait this long for a reply instead of the nodes' voice timeouts.
  Millis text_timeout = 10 * kMillisPerMinute;
  // Voice: pause after which a partial NPS "1" counts as 1 (vs. waiting for "10").
  Millis inter_digit_timeout = 2 * kMillisPerSecond;
};

struct FlowDefinition {
  std::string id;  // [a-z0-9_-]+
  std::string name;
  std::uint32_t version = 1;
  std::string start;  // id of the first node
  FlowSettings settings;
  std::vector<Node> nodes;

  // Node index by id; -1 when unknown.
  int find(std::string_view node_id) const;
  std::vector<std::pair<std::string, int>> index;  // sorted by id (built by parse)
};

// One validation finding: a JSON pointer into the definition and what is wrong there, e.g.
// {"/nodes/3/choices/1/next", "unknown node \"mian\""}.
struct Issue {
  std::string path;
  std::string message;
  std::string to_string() const { return path + ": " + message; }
};

// Parses and validates a definition. On failure the status message lists every issue, one per
// line ("<path>: <message>"); `issues` (optional) receives them as values.
Result<std::shared_ptr<const FlowDefinition>> parse_flow(std::string_view json_text,
                                                         std::vector<Issue>* issues = nullptr);

}  // namespace sb::flows
