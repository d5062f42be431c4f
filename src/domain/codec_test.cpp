#include "domain/codec.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace sb {
namespace {

QueueConfig sample_queue() {
  QueueConfig q;
  q.id = 2;
  q.name = "billing \"EU\" — ünïcode";
  q.selection = AgentSelection::kRingAll;
  q.service_level_threshold = 30 * kMillisPerSecond;
  q.service_level_target = 0.85;
  q.max_waiting = 40;
  q.hours.always_open = false;
  q.hours.utc_offset_minutes = -300;
  q.hours.windows = {{0, 480, 1020}, {5, 600, 720}};
  q.overflow_after = 90 * kMillisPerSecond;
  q.overflow_queue = 1;
  q.aging_interval = 15 * kMillisPerSecond;
  q.relaxation = {{10 * kMillisPerSecond, RelaxationAction::kDropOptional, 1},
                  {20 * kMillisPerSecond, RelaxationAction::kWidenTier, 2}};
  q.offer_timeout = 12 * kMillisPerSecond;
  q.max_missed_offers = 5;
  q.wrap_up = 7 * kMillisPerSecond;
  q.default_handle_time = 240 * kMillisPerSecond;
  return q;
}

RoutingProfile sample_profile() {
  RoutingProfile p;
  p.id = 1;
  p.name = "blended";
  p.capacity[static_cast<int>(Channel::kVoice)] = 1;
  p.capacity[static_cast<int>(Channel::kChat)] = 3;
  p.capacity[static_cast<int>(Channel::kEmail)] = 2;
  p.max_total = 4;
  p.exclusive_mask =
      (1u << static_cast<int>(Channel::kVoice)) | (1u << static_cast<int>(Channel::kCallback));
  return p;
}

AgentConfig sample_agent() {
  AgentConfig a;
  a.id = 7;
  a.name = "Ada";
  a.profile = 1;
  a.skills = {{0, 9}, {3, 4}};
  a.queues = {{2, 1}, {0, 3}};
  return a;
}

// One instance of every payload alternative, with no field left at its default.
EventPayload sample_payload(std::size_t index) {
  switch (index) {
    case 0: {
      ev::ContactArrived e{99, Channel::kWhatsapp, 2, -3, {}, 123456789012ULL};
      e.requirements.push({1, 5, false});
      e.requirements.push({4, 2, true});
      return e;
    }
    case 1:
      return ev::ContactQueued{99, 2};
    case 2:
      return ev::ContactOffered{99, 7, 2, 1700000020123};
    case 3:
      return ev::OfferAccepted{99, 7};
    case 4:
      return ev::OfferRejected{98, 6};
    case 5:
      return ev::OfferTimedOut{97, 5};
    case 6:
      return ev::OfferRescinded{96, 4};
    case 7:
      return ev::ContactConnected{95, 3};
    case 8:
      return ev::HoldStarted{94, 2};
    case 9:
      return ev::HoldEnded{93, 1};
    case 10:
      return ev::ContactTransferred{92, 3, 1, 2, 8, TransferReason::kOverflow};
    case 11:
      return ev::ContactEnded{91, 3, EndedBy::kCustomer};
    case 12:
      return ev::WrapUpEnded{90, 3, 104};
    case 13:
      return ev::ContactAbandoned{89, 1};
    case 14:
      return ev::ContactBlocked{88, 1, BlockReason::kNoAgentsLoggedIn};
    case 15:
      return ev::CallbackRequested{87, 2};
    case 16:
      return ev::SelfServed{86, Channel::kSms, 555};
    case 17:
      return ev::ContactRelaxed{85, 2};
    case 18:
      return ev::AgentLoggedIn{11};
    case 19:
      return ev::AgentLoggedOut{12};
    case 20:
      return ev::AgentStateChanged{13, Presence::kNotReady, reason::kLunch};
    case 21:
      return ev::AgentSkillsChanged{
          14, std::make_shared<const std::vector<SkillLevel>>(std::vector<SkillLevel>{{2, 8}})};
    case 22:
      return ev::SkillConfigured{5, std::make_shared<const std::string>("spanish")};
    case 23:
      return ev::ProfileConfigured{std::make_shared<const RoutingProfile>(sample_profile())};
    case 24:
      return ev::QueueConfigured{std::make_shared<const QueueConfig>(sample_queue())};
    case 25:
      return ev::AgentConfigured{std::make_shared<const AgentConfig>(sample_agent())};
    case 26:
      return ev::OverflowDeferred{84, 3, 1700000025000};
    case 27:
      return ev::SurveyAnswered{83, 6, 2, SurveyKind::kNps, 9};
    case 28: {
      ImportedContact r;
      r.source = "queue_log:/var/log/asterisk/queue_log";
      r.external_id = "1700000000.42";
      r.arrived_at = 917859600000;
      r.channel = Channel::kEmail;
      r.queue = "sales";
      r.agent = "SIP/1001";
      r.customer = "C-0042";
      r.outcome = ImportOutcome::kTimedOut;
      r.wait = 61000;
      r.talk = 125000;
      r.hold = 9000;
      r.wrap = 15000;
      r.transferred = true;
      return ev::ContactImported{std::make_shared<const ImportedContact>(r)};
    }
  }
  ADD_FAILURE() << "no sample for payload index " << index;
  return ev::AgentLoggedIn{};
}
static_assert(std::variant_size_v<EventPayload> == 29,
              "a payload type was added: give it a sample in sample_payload()");

std::vector<Event> all_samples() {
  std::vector<Event> out;
  for (std::size_t i = 0; i < std::variant_size_v<EventPayload>; ++i)
    out.push_back(Event{1000 + i, 1700000000123 + static_cast<Millis>(i), sample_payload(i)});
  return out;
}

std::string binary(const Event& e) {
  std::string out;
  encode_event(e, out);
  return out;
}

TEST(CodecTest, SamplesCoverEveryType) {
  std::set<EventType> types;
  for (const auto& e : all_samples()) types.insert(e.type());
  EXPECT_EQ(types.size(), std::variant_size_v<EventPayload>);
}

// Samples have no default-valued field, so a field dropped or mangled by either direction of
// either codec changes the bytes. Decoding from JSON and re-encoding to binary also checks that
// the two codecs agree with each other.
TEST(CodecTest, BinaryRoundTripEveryType) {
  for (const auto& e : all_samples()) {
    SCOPED_TRACE(event_type_name(e.type()));
    const std::string bytes = binary(e);
    auto decoded = decode_event(bytes);
    ASSERT_TRUE(decoded.ok()) << decoded.status().to_string();
    EXPECT_EQ(decoded->seq, e.seq);
    EXPECT_EQ(decoded->at, e.at);
    EXPECT_EQ(decoded->type(), e.type());
    EXPECT_EQ(binary(*decoded), bytes);
    EXPECT_EQ(event_to_json(*decoded), event_to_json(e));
  }
}

TEST(CodecTest, JsonRoundTripEveryType) {
  for (const auto& e : all_samples()) {
    SCOPED_TRACE(event_type_name(e.type()));
    const std::string text = event_to_json(e);
    auto decoded = event_from_json(text);
    ASSERT_TRUE(decoded.ok()) << decoded.status().to_string() << "\n" << text;
    EXPECT_EQ(decoded->seq, e.seq);
    EXPECT_EQ(decoded->at, e.at);
    EXPECT_EQ(event_to_json(*decoded), text);
    EXPECT_EQ(binary(*decoded), binary(e));
  }
}

TEST(CodecTest, DecodedConfigMatchesOriginal) {
  auto q = decode_event(binary(Event{1, 2, sample_payload(24)}));
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(*std::get<ev::QueueConfigured>(q->payload).queue, sample_queue());
  auto p = event_from_json(event_to_json(Event{1, 2, sample_payload(23)}));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(*std::get<ev::ProfileConfigured>(p->payload).profile, sample_profile());
  auto a = event_from_json(event_to_json(Event{1, 2, sample_payload(25)}));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*std::get<ev::AgentConfigured>(a->payload).agent, sample_agent());
}

TEST(CodecTest, ExtremeIntegersRoundTrip) {
  Event e{UINT64_MAX, INT64_MIN, ev::ContactOffered{UINT64_MAX, kNoId, 0, kNever}};
  auto b = decode_event(binary(e));
  ASSERT_TRUE(b.ok()) << b.status().to_string();
  EXPECT_EQ(b->seq, UINT64_MAX);
  EXPECT_EQ(b->at, INT64_MIN);
  EXPECT_EQ(std::get<ev::ContactOffered>(b->payload).expires_at, kNever);
  auto j = event_from_json(event_to_json(e));
  ASSERT_TRUE(j.ok()) << j.status().to_string();
  EXPECT_EQ(binary(*j), binary(e));
}

TEST(CodecTest, JsonIsReadable) {
  const std::string text = event_to_json(Event{12, 1700000000123, sample_payload(2)});
  EXPECT_EQ(text,
            R"({"agent":7,"at":1700000000123,"contact":99,"expires_at":1700000020123,"queue":2,)"
            R"("seq":12,"type":"contact_offered","v":1})");
  const std::string arrived = event_to_json(Event{1, 2, sample_payload(0)});
  EXPECT_NE(arrived.find(R"("channel":"whatsapp")"), std::string::npos) << arrived;
  const std::string state = event_to_json(Event{1, 2, sample_payload(20)});
  EXPECT_NE(state.find(R"("presence":"not_ready")"), std::string::npos) << state;
  const std::string profile = event_to_json(Event{1, 2, sample_payload(23)});
  EXPECT_NE(profile.find(R"("capacity":{"chat":3,"email":2,"voice":1})"), std::string::npos)
      << profile;
  EXPECT_NE(profile.find(R"("exclusive":["voice","callback"])"), std::string::npos) << profile;
  const std::string queue = event_to_json(Event{1, 2, sample_payload(24)});
  EXPECT_NE(queue.find(R"("selection":"ring_all")"), std::string::npos) << queue;
  EXPECT_NE(queue.find(R"("action":"widen_tier")"), std::string::npos) << queue;
}

TEST(CodecTest, SurveyAndImportedContactRoundTrip) {
  const std::string survey = event_to_json(Event{3, 4, sample_payload(27)});
  EXPECT_EQ(survey, R"({"agent":6,"at":4,"contact":83,"kind":"nps","queue":2,"score":9,"seq":3,)"
                    R"("type":"survey_answered","v":1})");
  auto s = decode_event(binary(Event{3, 4, sample_payload(27)}));
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  EXPECT_EQ(std::get<ev::SurveyAnswered>(s->payload).score, 9);
  EXPECT_EQ(std::get<ev::SurveyAnswered>(s->payload).kind, SurveyKind::kNps);

  const Event imported{5, 6, sample_payload(28)};
  const std::string text = event_to_json(imported);
  EXPECT_NE(text.find(R"("outcome":"timed_out")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("channel":"email")"), std::string::npos) << text;
  auto b = decode_event(binary(imported));
  ASSERT_TRUE(b.ok()) << b.status().to_string();
  const ImportedContact& r = *std::get<ev::ContactImported>(b->payload).record;
  const ImportedContact& want = *std::get<ev::ContactImported>(imported.payload).record;
  EXPECT_EQ(r.source, want.source);
  EXPECT_EQ(r.external_id, want.external_id);
  EXPECT_EQ(r.arrived_at, want.arrived_at);
  EXPECT_EQ(r.queue, want.queue);
  EXPECT_EQ(r.agent, want.agent);
  EXPECT_EQ(r.customer, want.customer);
  EXPECT_EQ(r.outcome, want.outcome);
  EXPECT_EQ(r.wait, want.wait);
  EXPECT_EQ(r.talk, want.talk);
  EXPECT_EQ(r.hold, want.hold);
  EXPECT_EQ(r.wrap, want.wrap);
  EXPECT_TRUE(r.transferred);

  auto bad = event_from_json(
      R"({"seq":1,"at":2,"type":"survey_answered","v":1,"contact":1,"agent":0,"queue":0,)"
      R"("kind":"stars","score":3})");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("unknown survey kind 'stars'"), std::string::npos)
      << bad.status().message();
}

TEST(CodecTest, InvalidUtf8NamesStillExport) {
  Event e{1, 2, ev::SkillConfigured{0, std::make_shared<const std::string>("bad\xff")}};
  const std::string text = event_to_json(e);
  auto back = event_from_json(text);
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  EXPECT_EQ(*std::get<ev::SkillConfigured>(back->payload).name, "bad\xEF\xBF\xBD");
}

// Null configuration pointers never come from the engine; they must not crash the codecs.
TEST(CodecTest, NullConfigPointerEncodesAsDefault) {
  Event e{3, 4, ev::QueueConfigured{}};
  auto b = decode_event(binary(e));
  ASSERT_TRUE(b.ok()) << b.status().to_string();
  ASSERT_NE(std::get<ev::QueueConfigured>(b->payload).queue, nullptr);
  EXPECT_EQ(*std::get<ev::QueueConfigured>(b->payload).queue, QueueConfig{});
  auto j = event_from_json(event_to_json(e));
  ASSERT_TRUE(j.ok()) << j.status().to_string();
}

void expect_json_error(std::string_view text, const std::string& fragment) {
  auto r = event_from_json(text);
  ASSERT_FALSE(r.ok()) << text;
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find(fragment), std::string::npos)
      << "message: " << r.status().message() << "\nexpected to contain: " << fragment;
}

TEST(CodecTest, JsonErrorsAreClear) {
  expect_json_error("{", "not valid JSON");
  expect_json_error("[1,2]", "must be a JSON object, got array");
  expect_json_error(R"({"seq":1})", R"(missing field "type" in event)");
  expect_json_error(R"({"type":"contact_teleported","v":1,"seq":1,"at":0})",
                    R"(unknown event type "contact_teleported")");
  expect_json_error(R"({"type":"contact_offered","v":1,"seq":1,"at":0,"contact":5,"agent":3,)"
                    R"("queue":0})",
                    R"(missing field "expires_at" in contact_offered)");
  expect_json_error(R"({"type":"contact_offered","v":2,"seq":1,"at":0})",
                    "unsupported version 2 of contact_offered");
  expect_json_error(R"({"type":"contact_offered","seq":1,"at":0})",
                    R"(missing field "v" in contact_offered)");
  expect_json_error(R"({"type":"offer_accepted","v":1,"seq":1,"at":0,"contact":"5","agent":3})",
                    R"(field "contact" in offer_accepted must be an integer, got string)");
  expect_json_error(R"({"type":"offer_accepted","v":1,"seq":-1,"at":0,"contact":5,"agent":3})",
                    R"(field "seq" in offer_accepted is out of range)");
  expect_json_error(
      R"({"type":"offer_accepted","v":1,"seq":1,"at":0,"contact":5,"agent":4294967296})",
      R"(field "agent" in offer_accepted is out of range)");
  expect_json_error(R"({"type":"self_served","v":1,"seq":1,"at":0,"contact":5,"channel":"fax",)"
                    R"("customer":1})",
                    "unknown channel 'fax'");
  expect_json_error(R"({"type":"agent_state_changed","v":1,"seq":1,"at":0,"agent":1,)"
                    R"("presence":"asleep","reason":0})",
                    "unknown presence 'asleep' (expected offline, available, not_ready)");
  expect_json_error(R"({"type":"agent_skills_changed","v":1,"seq":1,"at":0,"agent":1,)"
                    R"("skills":[{"skill":1,"proficiency":3},{"skill":2}]})",
                    R"(missing field "proficiency" in agent_skills_changed.skills[1])");
  expect_json_error(R"({"type":"contact_arrived","v":1,"seq":1,"at":0,"contact":1,)"
                    R"("channel":"chat","queue":0,"priority":0,"customer":0,)"
                    R"("requirements":[{},{},{},{},{},{},{},{},{}]})",
                    "lists 9 requirements, at most 8");
}

TEST(CodecTest, JsonIgnoresUnknownFields) {
  auto r = event_from_json(
      R"({"type":"agent_logged_in","v":1,"seq":4,"at":5,"agent":6,"comment":"from v2 writer"})");
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(std::get<ev::AgentLoggedIn>(r->payload).agent, 6u);
}

TEST(CodecTest, EveryTruncationIsCorruption) {
  for (const auto& e : all_samples()) {
    const std::string bytes = binary(e);
    for (std::size_t n = 0; n < bytes.size(); ++n) {
      auto r = decode_event(std::string_view(bytes).substr(0, n));
      ASSERT_FALSE(r.ok()) << event_type_name(e.type()) << " truncated to " << n;
      EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
    }
  }
}

TEST(CodecTest, TrailingBytesAreCorruption) {
  std::string bytes = binary(Event{1, 2, sample_payload(3)});
  bytes.push_back('\0');
  auto r = decode_event(bytes);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  EXPECT_NE(r.status().message().find("trailing"), std::string::npos);
}

TEST(CodecTest, CorruptHeadersAreRejected) {
  const std::string good = binary(Event{1, 2, sample_payload(3)});
  std::string bad_tag = good;
  bad_tag[0] = 99;
  auto r1 = decode_event(bad_tag);
  ASSERT_FALSE(r1.ok());
  EXPECT_NE(r1.status().message().find("unknown type tag 99"), std::string::npos);

  std::string bad_version = good;
  bad_version[1] = 7;
  auto r2 = decode_event(bad_version);
  ASSERT_FALSE(r2.ok());
  EXPECT_NE(r2.status().message().find("unsupported version 7"), std::string::npos);

  auto r3 = decode_event(std::string(11, '\xff'));
  ASSERT_FALSE(r3.ok());
  EXPECT_EQ(r3.status().code(), StatusCode::kCorruption);

  // Channel 8 does not exist.
  std::string bad_enum;
  encode_event(Event{1, 2, ev::SelfServed{1, Channel::kTask, 3}}, bad_enum);
  ASSERT_EQ(bad_enum[5], static_cast<char>(Channel::kTask));
  bad_enum[5] = 8;
  auto r4 = decode_event(bad_enum);
  ASSERT_FALSE(r4.ok());
  EXPECT_NE(r4.status().message().find("invalid value 8 in field \"channel\""), std::string::npos)
      << r4.status().message();
}

TEST(CodecTest, HugeLengthPrefixIsRejectedWithoutAllocating) {
  std::string bytes;
  encode_event(Event{1, 2, ev::SkillConfigured{3, std::make_shared<const std::string>("x")}},
               bytes);
  // Replace the one-byte name length (last but one byte) with a ten-byte length near 2^63.
  const std::string prefix = bytes.substr(0, bytes.size() - 2);
  std::string huge = prefix + std::string("\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 9) + "x";
  auto r = decode_event(huge);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
}

// Deterministic single-byte mutations of every sample: the decoder may accept a mutation that
// happens to be valid, but must never crash or read out of bounds (the sanitizer build checks).
TEST(CodecTest, MutatedInputNeverCrashes) {
  int rejected = 0;
  for (const auto& e : all_samples()) {
    const std::string bytes = binary(e);
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      for (int flip : {0x01, 0x80, 0xff}) {
        std::string m = bytes;
        m[i] = static_cast<char>(m[i] ^ flip);
        auto r = decode_event(m);
        if (!r.ok()) {
          ++rejected;
          EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
        } else {
          EXPECT_EQ(binary(*r), m);  // anything accepted is canonical
        }
      }
    }
  }
  EXPECT_GT(rejected, 0);
}

}  // namespace
}  // namespace sb
