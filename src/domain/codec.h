#pragma once
// Event codecs.
//
// JSON is for people and external systems (APIs, exports, debugging): field names and enum values
// are readable strings, e.g.
//   {"seq":12,"at":1700000000123,"type":"contact_offered","v":1,"contact":5,"agent":3,"queue":0,
//    "expires_at":1700000020123}
// Configuration events carry the whole configuration object ("queue":{...}).
//
// The binary form is what the event store writes: compact, and defensive when read back. Layout:
//   varint type tag (the EventPayload variant index) | varint payload version | varint seq |
//   zigzag-varint at | payload fields in declaration order
// Integers are LEB128 varints (signed ones zigzag-encoded), doubles 8 bytes little-endian,
// strings and lists a varint length followed by their contents.
//
// Both decoders accept every payload version they know (today only version 1 of each type) and
// reject anything else with an error instead of guessing. Neither ever reads out of bounds.

#include <string>
#include <string_view>

#include "base/status.h"
#include "domain/events.h"

namespace sb {

// One event as a single-line JSON object. Invalid UTF-8 in configured names is replaced by U+FFFD
// rather than failing, so that an event can always be exported.
std::string event_to_json(const Event& event);

// Parses what event_to_json produced. Unknown extra fields are ignored (forward compatibility);
// missing or mistyped fields, unknown types and unsupported versions are InvalidArgument errors
// naming the field and the event type.
Result<Event> event_from_json(std::string_view json);

// Appends the binary encoding of `event` to `out`.
void encode_event(const Event& event, std::string& out);

// Decodes exactly one event occupying all of `bytes`. Truncated input, trailing bytes, unknown
// type tags or versions and out-of-range values are Corruption errors.
Result<Event> decode_event(std::string_view bytes);

// Readable names of the small enums that have no name function in model.h / events.h.
std::string_view block_reason_name(BlockReason r);
std::string_view transfer_reason_name(TransferReason r);
std::string_view ended_by_name(EndedBy b);
std::string_view relaxation_action_name(RelaxationAction a);
std::string_view survey_kind_name(SurveyKind k);        // "csat", "nps", "ces"
std::string_view import_outcome_name(ImportOutcome o);  // "answered", "abandoned", ...

}  // namespace sb
