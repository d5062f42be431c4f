#include "domain/codec.h"

#include <array>
#include <bit>
#include <cstring>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <type_traits>
#include <utility>
#include <vector>

#include "base/varint.h"

namespace sb {
namespace {

using nlohmann::json;

// Every reader below reads version 1 layouts. Bumping a payload's kVersion without teaching the
// codecs the new layout (and keeping the old one readable) must not compile.
template <std::size_t... I>
constexpr bool all_version_one(std::index_sequence<I...>) {
  return ((std::variant_alternative_t<I, EventPayload>::kVersion == 1) && ...);
}
static_assert(all_version_one(std::make_index_sequence<std::variant_size_v<EventPayload>>()),
              "a payload version changed: extend the JSON and binary codecs for it");

template <class T>
[[maybe_unused]] inline constexpr bool kAlwaysFalse = false;

// ---------------------------------------------------------------------------------------------
// Field lists. One list per struct drives all four directions (JSON/binary, read/write), so the
// codecs cannot drift apart. Binary order is declaration order here: never reorder, only append
// (with a version bump).

// RoutingProfile::exclusive_mask is a bit set of channels; wrapping it lets JSON spell it as a
// list of channel names while binary keeps the byte.
template <class B>  // std::uint8_t or const std::uint8_t
struct ChannelMask {
  B& bits;
};

using Capacity = std::array<std::uint8_t, kChannelCount>;

template <class P, class V>
void fields(P& p, V& v) {
  using T = std::remove_const_t<P>;
  if constexpr (std::is_same_v<T, ev::ContactArrived>) {
    v("contact", p.contact);
    v("channel", p.channel);
    v("queue", p.queue);
    v("priority", p.priority);
    v("requirements", p.requirements);
    v("customer", p.customer);
  } else if constexpr (std::is_same_v<T, ev::ContactQueued> ||
                       std::is_same_v<T, ev::ContactAbandoned> ||
                       std::is_same_v<T, ev::CallbackRequested>) {
    v("contact", p.contact);
    v("queue", p.queue);
  } else if constexpr (std::is_same_v<T, ev::ContactOffered>) {
    v("contact", p.contact);
    v("agent", p.agent);
    v("queue", p.queue);
    v("expires_at", p.expires_at);
  } else if constexpr (std::is_same_v<T, ev::OfferAccepted> ||
                       std::is_same_v<T, ev::OfferRejected> ||
                       std::is_same_v<T, ev::OfferTimedOut> ||
                       std::is_same_v<T, ev::OfferRescinded> ||
                       std::is_same_v<T, ev::ContactConnected> ||
                       std::is_same_v<T, ev::HoldStarted> || std::is_same_v<T, ev::HoldEnded>) {
    v("contact", p.contact);
    v("agent", p.agent);
  } else if constexpr (std::is_same_v<T, ev::ContactTransferred>) {
    v("contact", p.contact);
    v("from_agent", p.from_agent);
    v("from_queue", p.from_queue);
    v("to_queue", p.to_queue);
    v("to_agent", p.to_agent);
    v("reason", p.reason);
  } else if constexpr (std::is_same_v<T, ev::ContactEnded>) {
    v("contact", p.contact);
    v("agent", p.agent);
    v("by", p.by);
  } else if constexpr (std::is_same_v<T, ev::WrapUpEnded>) {
    v("contact", p.contact);
    v("agent", p.agent);
    v("disposition", p.disposition);
  } else if constexpr (std::is_same_v<T, ev::ContactBlocked>) {
    v("contact", p.contact);
    v("queue", p.queue);
    v("reason", p.reason);
  } else if constexpr (std::is_same_v<T, ev::SelfServed>) {
    v("contact", p.contact);
    v("channel", p.channel);
    v("customer", p.customer);
  } else if constexpr (std::is_same_v<T, ev::OverflowDeferred>) {
    v("contact", p.contact);
    v("to_queue", p.to_queue);
    v("retry_at", p.retry_at);
  } else if constexpr (std::is_same_v<T, ev::SurveyAnswered>) {
    v("contact", p.contact);
    v("agent", p.agent);
    v("queue", p.queue);
    v("kind", p.kind);
    v("score", p.score);
  } else if constexpr (std::is_same_v<T, ev::ContactImported>) {
    v("record", p.record);
  } else if constexpr (std::is_same_v<T, ev::ContactRelaxed>) {
    v("contact", p.contact);
    v("step", p.step);
  } else if constexpr (std::is_same_v<T, ev::AgentLoggedIn> ||
                       std::is_same_v<T, ev::AgentLoggedOut>) {
    v("agent", p.agent);
  } else if constexpr (std::is_same_v<T, ev::AgentStateChanged>) {
    v("agent", p.agent);
    v("presence", p.presence);
    v("reason", p.reason);
  } else if constexpr (std::is_same_v<T, ev::AgentSkillsChanged>) {
    v("agent", p.agent);
    v("skills", p.skills);
  } else if constexpr (std::is_same_v<T, ev::SkillConfigured>) {
    v("skill", p.skill);
    v("name", p.name);
  } else if constexpr (std::is_same_v<T, ev::ProfileConfigured>) {
    v("profile", p.profile);
  } else if constexpr (std::is_same_v<T, ev::QueueConfigured>) {
    v("queue", p.queue);
  } else if constexpr (std::is_same_v<T, ev::AgentConfigured>) {
    v("agent", p.agent);
    // Nested configuration records.
  } else if constexpr (std::is_same_v<T, SkillRequirement>) {
    v("skill", p.skill);
    v("min_proficiency", p.min_proficiency);
    v("optional", p.optional);
  } else if constexpr (std::is_same_v<T, SkillLevel>) {
    v("skill", p.skill);
    v("proficiency", p.proficiency);
  } else if constexpr (std::is_same_v<T, QueueMembership>) {
    v("queue", p.queue);
    v("tier", p.tier);
  } else if constexpr (std::is_same_v<T, RelaxationStep>) {
    v("after", p.after);
    v("action", p.action);
    v("amount", p.amount);
  } else if constexpr (std::is_same_v<T, OpeningWindow>) {
    v("weekday", p.weekday);
    v("open_minute", p.open_minute);
    v("close_minute", p.close_minute);
  } else if constexpr (std::is_same_v<T, BusinessHours>) {
    v("always_open", p.always_open);
    v("utc_offset_minutes", p.utc_offset_minutes);
    v("windows", p.windows);
  } else if constexpr (std::is_same_v<T, RoutingProfile>) {
    v("id", p.id);
    v("name", p.name);
    v("capacity", p.capacity);
    v("max_total", p.max_total);
    v("exclusive",
      ChannelMask<std::remove_reference_t<decltype((p.exclusive_mask))>>{p.exclusive_mask});
  } else if constexpr (std::is_same_v<T, QueueConfig>) {
    v("id", p.id);
    v("name", p.name);
    v("selection", p.selection);
    v("service_level_threshold", p.service_level_threshold);
    v("service_level_target", p.service_level_target);
    v("max_waiting", p.max_waiting);
    v("hours", p.hours);
    v("overflow_after", p.overflow_after);
    v("overflow_queue", p.overflow_queue);
    v("aging_interval", p.aging_interval);
    v("relaxation", p.relaxation);
    v("offer_timeout", p.offer_timeout);
    v("max_missed_offers", p.max_missed_offers);
    v("wrap_up", p.wrap_up);
    v("default_handle_time", p.default_handle_time);
  } else if constexpr (std::is_same_v<T, ImportedContact>) {
    v("source", p.source);
    v("external_id", p.external_id);
    v("arrived_at", p.arrived_at);
    v("channel", p.channel);
    v("queue", p.queue);
    v("agent", p.agent);
    v("customer", p.customer);
    v("outcome", p.outcome);
    v("wait", p.wait);
    v("talk", p.talk);
    v("hold", p.hold);
    v("wrap", p.wrap);
    v("transferred", p.transferred);
  } else if constexpr (std::is_same_v<T, AgentConfig>) {
    v("id", p.id);
    v("name", p.name);
    v("profile", p.profile);
    v("skills", p.skills);
    v("queues", p.queues);
  } else {
    static_assert(kAlwaysFalse<T>, "no field list for this type");
  }
}

// Nested structs that have a field list (payloads are handled at the top level).
template <class T>
inline constexpr bool kIsRecord =
    std::is_same_v<T, SkillRequirement> || std::is_same_v<T, SkillLevel> ||
    std::is_same_v<T, QueueMembership> || std::is_same_v<T, RelaxationStep> ||
    std::is_same_v<T, OpeningWindow> || std::is_same_v<T, BusinessHours> ||
    std::is_same_v<T, RoutingProfile> || std::is_same_v<T, QueueConfig> ||
    std::is_same_v<T, AgentConfig> || std::is_same_v<T, ImportedContact>;

template <class T>
struct IsVector : std::false_type {};
template <class T>
struct IsVector<std::vector<T>> : std::true_type {};

template <class T>
struct IsSharedPtr : std::false_type {};
template <class T>
struct IsSharedPtr<std::shared_ptr<const T>> : std::true_type {
  using Element = T;
};

template <class T>
struct IsChannelMask : std::false_type {};
template <class B>
struct IsChannelMask<ChannelMask<B>> : std::true_type {};

// ---------------------------------------------------------------------------------------------
// Enums: a readable name per value, and how many values are valid.

template <class E>
struct EnumInfo;
template <>
struct EnumInfo<Channel> {
  static constexpr int kCount = kChannelCount;
  static constexpr std::string_view kWhat = "channel";
  static std::string_view name(Channel v) { return channel_name(v); }
};
template <>
struct EnumInfo<Presence> {
  static constexpr int kCount = 3;
  static constexpr std::string_view kWhat = "presence";
  static std::string_view name(Presence v) { return presence_name(v); }
};
template <>
struct EnumInfo<AgentSelection> {
  static constexpr int kCount = 5;
  static constexpr std::string_view kWhat = "agent selection";
  static std::string_view name(AgentSelection v) { return agent_selection_name(v); }
};
template <>
struct EnumInfo<BlockReason> {
  static constexpr int kCount = 4;
  static constexpr std::string_view kWhat = "block reason";
  static std::string_view name(BlockReason v) { return block_reason_name(v); }
};
template <>
struct EnumInfo<TransferReason> {
  static constexpr int kCount = 2;
  static constexpr std::string_view kWhat = "transfer reason";
  static std::string_view name(TransferReason v) { return transfer_reason_name(v); }
};
template <>
struct EnumInfo<EndedBy> {
  static constexpr int kCount = 3;
  static constexpr std::string_view kWhat = "ended-by";
  static std::string_view name(EndedBy v) { return ended_by_name(v); }
};
template <>
struct EnumInfo<SurveyKind> {
  static constexpr int kCount = 3;
  static constexpr std::string_view kWhat = "survey kind";
  static std::string_view name(SurveyKind v) { return survey_kind_name(v); }
};
template <>
struct EnumInfo<ImportOutcome> {
  static constexpr int kCount = 4;
  static constexpr std::string_view kWhat = "import outcome";
  static std::string_view name(ImportOutcome v) { return import_outcome_name(v); }
};
template <>
struct EnumInfo<RelaxationAction> {
  static constexpr int kCount = 3;
  static constexpr std::string_view kWhat = "relaxation action";
  static std::string_view name(RelaxationAction v) { return relaxation_action_name(v); }
};

// ---------------------------------------------------------------------------------------------
// JSON writing.

template <class T>
json to_json_value(const T& x);

class JsonWriter {
 public:
  explicit JsonWriter(json& obj) : obj_(obj) {}
  template <class F>
  void operator()(const char* name, const F& x) {
    obj_[name] = to_json_value(x);
  }

 private:
  json& obj_;
};

template <class T>
json to_json_value(const T& x) {
  if constexpr (std::is_same_v<T, bool>) {
    return x;
  } else if constexpr (std::is_enum_v<T>) {
    return std::string(EnumInfo<T>::name(x));
  } else if constexpr (std::is_integral_v<T> && std::is_unsigned_v<T>) {
    return static_cast<std::uint64_t>(x);  // uint8_t must be a number, not a character
  } else if constexpr (std::is_integral_v<T>) {
    return static_cast<std::int64_t>(x);
  } else if constexpr (std::is_floating_point_v<T>) {
    return static_cast<double>(x);
  } else if constexpr (std::is_same_v<T, std::string>) {
    return x;
  } else if constexpr (IsVector<T>::value) {
    json a = json::array();
    for (const auto& e : x) a.push_back(to_json_value(e));
    return a;
  } else if constexpr (IsSharedPtr<T>::value) {
    // The engine never emits a null configuration pointer; should one appear anyway, it is
    // written as the default value so that export never fails.
    using E = typename IsSharedPtr<T>::Element;
    return x ? to_json_value(*x) : to_json_value(E{});
  } else if constexpr (std::is_same_v<T, Requirements>) {
    json a = json::array();
    for (const auto& r : x) a.push_back(to_json_value(r));
    return a;
  } else if constexpr (std::is_same_v<T, Capacity>) {
    // {"voice":1,"chat":3}: channels the profile does not handle are omitted.
    json o = json::object();
    for (int c = 0; c < kChannelCount; ++c)
      if (x[c] != 0)
        o[std::string(channel_name(static_cast<Channel>(c)))] = static_cast<std::uint64_t>(x[c]);
    return o;
  } else if constexpr (IsChannelMask<T>::value) {
    json a = json::array();
    for (int c = 0; c < kChannelCount; ++c)
      if (x.bits & (1u << c)) a.push_back(std::string(channel_name(static_cast<Channel>(c))));
    return a;
  } else if constexpr (kIsRecord<T>) {
    json o = json::object();
    JsonWriter w(o);
    fields(x, w);
    return o;
  } else {
    static_assert(kAlwaysFalse<T>, "no JSON form for this type");
  }
}

// ---------------------------------------------------------------------------------------------
// JSON reading. `where` names the enclosing object ("contact_arrived.requirements[1]") and
// `name` the field, so that every error points at the offending spot.

const char* json_kind(const json& j) {
  if (j.is_number_unsigned()) return "an unsigned integer";
  if (j.is_number_integer()) return "a negative integer";
  return j.type_name();
}

Status json_type_error(const json& j, const std::string& where, const std::string& name,
                       const char* expected) {
  return Status::invalid_argument("field \"" + name + "\" in " + where + " must be " + expected +
                                  ", got " + json_kind(j));
}

template <class T>
Status from_json_value(const json& j, T& x, const std::string& where, const std::string& name);

class JsonReader {
 public:
  JsonReader(const json& obj, std::string where) : obj_(obj), where_(std::move(where)) {}
  template <class F>
  void operator()(const char* name, F&& x) {
    if (!status_.ok()) return;
    auto it = obj_.find(name);
    if (it == obj_.end()) {
      status_ =
          Status::invalid_argument("missing field \"" + std::string(name) + "\" in " + where_);
      return;
    }
    status_ = from_json_value(*it, x, where_, name);
  }
  const Status& status() const { return status_; }

 private:
  const json& obj_;
  std::string where_;
  Status status_;
};

template <class E>
Status parse_enum(const json& j, E& x, const std::string& where, const std::string& name) {
  if (!j.is_string()) return json_type_error(j, where, name, "a string");
  const auto& s = j.get_ref<const std::string&>();
  std::string expected;
  for (int i = 0; i < EnumInfo<E>::kCount; ++i) {
    const auto candidate = EnumInfo<E>::name(static_cast<E>(i));
    if (candidate == s) {
      x = static_cast<E>(i);
      return {};
    }
    expected += (i == 0 ? "" : ", ") + std::string(candidate);
  }
  return Status::invalid_argument("field \"" + name + "\" in " + where + ": unknown " +
                                  std::string(EnumInfo<E>::kWhat) + " '" + s + "' (expected " +
                                  expected + ")");
}

template <class T>
Status from_json_value(const json& j, T& x, const std::string& where, const std::string& name) {
  if constexpr (std::is_same_v<T, bool>) {
    if (!j.is_boolean()) return json_type_error(j, where, name, "a boolean");
    x = j.get<bool>();
  } else if constexpr (std::is_enum_v<T>) {
    return parse_enum(j, x, where, name);
  } else if constexpr (std::is_integral_v<T>) {
    if (!j.is_number_integer()) return json_type_error(j, where, name, "an integer");
    const bool fits = j.is_number_unsigned() ? std::in_range<T>(j.get<std::uint64_t>())
                                             : std::in_range<T>(j.get<std::int64_t>());
    if (!fits)
      return Status::invalid_argument("field \"" + name + "\" in " + where +
                                      " is out of range: " + j.dump() + " (allowed " +
                                      std::to_string(std::numeric_limits<T>::min()) + ".." +
                                      std::to_string(std::numeric_limits<T>::max()) + ")");
    x = j.is_number_unsigned() ? static_cast<T>(j.get<std::uint64_t>())
                               : static_cast<T>(j.get<std::int64_t>());
  } else if constexpr (std::is_floating_point_v<T>) {
    if (!j.is_number()) return json_type_error(j, where, name, "a number");
    x = j.get<T>();
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!j.is_string()) return json_type_error(j, where, name, "a string");
    x = j.get<std::string>();
  } else if constexpr (IsVector<T>::value) {
    if (!j.is_array()) return json_type_error(j, where, name, "an array");
    x.clear();
    x.resize(j.size());
    for (std::size_t i = 0; i < j.size(); ++i)
      SB_RETURN_IF_ERROR(from_json_value(j[i], x[i], where, name + "[" + std::to_string(i) + "]"));
  } else if constexpr (IsSharedPtr<T>::value) {
    typename IsSharedPtr<T>::Element value{};
    SB_RETURN_IF_ERROR(from_json_value(j, value, where, name));
    x = std::make_shared<const typename IsSharedPtr<T>::Element>(std::move(value));
  } else if constexpr (std::is_same_v<T, Requirements>) {
    if (!j.is_array()) return json_type_error(j, where, name, "an array");
    if (j.size() > static_cast<std::size_t>(kMaxRequirements))
      return Status::invalid_argument("field \"" + name + "\" in " + where + " lists " +
                                      std::to_string(j.size()) + " requirements, at most " +
                                      std::to_string(kMaxRequirements) + " are allowed");
    x = Requirements{};
    for (std::size_t i = 0; i < j.size(); ++i) {
      SkillRequirement r;
      SB_RETURN_IF_ERROR(from_json_value(j[i], r, where, name + "[" + std::to_string(i) + "]"));
      x.push(r);
    }
  } else if constexpr (std::is_same_v<T, Capacity>) {
    if (!j.is_object()) return json_type_error(j, where, name, "an object");
    x = Capacity{};
    for (const auto& [key, value] : j.items()) {
      auto channel = parse_channel(key);
      if (!channel.ok())
        return Status::invalid_argument("field \"" + name + "\" in " + where + ": " +
                                        channel.status().message());
      SB_RETURN_IF_ERROR(
          from_json_value(value, x[static_cast<int>(*channel)], where, name + "." + key));
    }
  } else if constexpr (IsChannelMask<T>::value) {
    if (!j.is_array()) return json_type_error(j, where, name, "an array of channel names");
    x.bits = 0;
    for (std::size_t i = 0; i < j.size(); ++i) {
      Channel c{};
      SB_RETURN_IF_ERROR(from_json_value(j[i], c, where, name + "[" + std::to_string(i) + "]"));
      x.bits = static_cast<std::uint8_t>(x.bits | (1u << static_cast<int>(c)));
    }
  } else if constexpr (kIsRecord<T>) {
    if (!j.is_object()) return json_type_error(j, where, name, "an object");
    JsonReader r(j, where + "." + name);
    fields(x, r);
    return r.status();
  } else {
    static_assert(kAlwaysFalse<T>, "no JSON form for this type");
  }
  return {};
}

template <std::size_t I>
Status payload_from_json(const json& j, EventPayload& out) {
  using P = std::variant_alternative_t<I, EventPayload>;
  P p{};
  JsonReader r(j, std::string(event_type_name(static_cast<EventType>(I))));
  fields(p, r);
  if (!r.status().ok()) return r.status();
  out.emplace<I>(std::move(p));
  return {};
}

using JsonPayloadReader = Status (*)(const json&, EventPayload&);
template <std::size_t... I>
constexpr std::array<JsonPayloadReader, sizeof...(I)> json_readers(std::index_sequence<I...>) {
  return {&payload_from_json<I>...};
}
constexpr auto kJsonReaders =
    json_readers(std::make_index_sequence<std::variant_size_v<EventPayload>>());

// ---------------------------------------------------------------------------------------------
// Binary writing.

class BinWriter {
 public:
  explicit BinWriter(std::string& out) : out_(out) {}

  template <class F>
  void operator()(const char* /*name*/, const F& x) {
    put(x);
  }

  void put_varint(std::uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }

  template <class T>
  void put(const T& x) {
    if constexpr (std::is_same_v<T, bool>) {
      put_varint(x ? 1 : 0);
    } else if constexpr (std::is_enum_v<T>) {
      put_varint(static_cast<std::uint64_t>(x));
    } else if constexpr (std::is_integral_v<T> && std::is_unsigned_v<T>) {
      put_varint(x);
    } else if constexpr (std::is_integral_v<T>) {
      put_varint(zigzag(x));
    } else if constexpr (std::is_same_v<T, double>) {
      const auto bits = std::bit_cast<std::uint64_t>(x);
      for (int i = 0; i < 8; ++i) out_.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
    } else if constexpr (std::is_same_v<T, std::string>) {
      put_varint(x.size());
      out_.append(x);
    } else if constexpr (IsVector<T>::value) {
      put_varint(x.size());
      for (const auto& e : x) put(e);
    } else if constexpr (IsSharedPtr<T>::value) {
      using E = typename IsSharedPtr<T>::Element;
      if (x) {
        put(*x);
      } else {
        put(E{});  // see to_json_value: a null pointer is written as the default value
      }
    } else if constexpr (std::is_same_v<T, Requirements>) {
      put_varint(x.count);
      for (const auto& r : x) put(r);
    } else if constexpr (std::is_same_v<T, Capacity>) {
      for (auto c : x) put_varint(c);  // fixed length: no count
    } else if constexpr (IsChannelMask<T>::value) {
      put_varint(x.bits);
    } else if constexpr (kIsRecord<T>) {
      fields(x, *this);
    } else {
      static_assert(kAlwaysFalse<T>, "no binary form for this type");
    }
  }

 private:
  std::string& out_;
};

// ---------------------------------------------------------------------------------------------
// Binary reading. The first error sticks; later fields are skipped.

class BinReader {
 public:
  BinReader(std::string_view in, std::string_view what) : in_(in), what_(what) {}

  template <class F>
  void operator()(const char* name, F&& x) {
    if (status_.ok()) get(x, name);
  }

  bool get_varint(std::uint64_t& v, std::string_view name) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= in_.size()) {
        fail("truncated in field \"" + std::string(name) + "\"");
        return false;
      }
      const auto byte = static_cast<std::uint8_t>(in_[pos_++]);
      // The tenth byte may only hold the single remaining bit.
      if (shift == 63 && byte > 1) {
        fail("varint overflow in field \"" + std::string(name) + "\"");
        return false;
      }
      v |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
      if (!(byte & 0x80)) {
        // Only the canonical (shortest) form is accepted, so that bytes round-trip exactly.
        if (byte == 0 && shift > 0) {
          fail("non-canonical varint in field \"" + std::string(name) + "\"");
          return false;
        }
        return true;
      }
    }
    fail("varint overflow in field \"" + std::string(name) + "\"");
    return false;
  }

  template <class T>
  void get(T& x, std::string_view name) {
    if (!status_.ok()) return;
    if constexpr (std::is_same_v<T, bool>) {
      std::uint64_t v;
      if (!get_varint(v, name)) return;
      if (v > 1) return bad_value(name, v);
      x = v == 1;
    } else if constexpr (std::is_enum_v<T>) {
      std::uint64_t v;
      if (!get_varint(v, name)) return;
      if (v >= static_cast<std::uint64_t>(EnumInfo<T>::kCount)) return bad_value(name, v);
      x = static_cast<T>(v);
    } else if constexpr (std::is_integral_v<T> && std::is_unsigned_v<T>) {
      std::uint64_t v;
      if (!get_varint(v, name)) return;
      if (!std::in_range<T>(v)) return bad_value(name, v);
      x = static_cast<T>(v);
    } else if constexpr (std::is_integral_v<T>) {
      std::uint64_t u;
      if (!get_varint(u, name)) return;
      const std::int64_t v = unzigzag(u);
      if (!std::in_range<T>(v)) return bad_value(name, u);
      x = static_cast<T>(v);
    } else if constexpr (std::is_same_v<T, double>) {
      if (in_.size() - pos_ < 8) return fail("truncated in field \"" + std::string(name) + "\"");
      std::uint64_t bits = 0;
      for (int i = 0; i < 8; ++i)
        bits |= static_cast<std::uint64_t>(static_cast<std::uint8_t>(in_[pos_ + i])) << (8 * i);
      pos_ += 8;
      x = std::bit_cast<double>(bits);
    } else if constexpr (std::is_same_v<T, std::string>) {
      std::uint64_t n;
      if (!get_varint(n, name)) return;
      if (n > in_.size() - pos_)
        return fail("field \"" + std::string(name) + "\" claims " + std::to_string(n) +
                    " bytes but only " + std::to_string(in_.size() - pos_) + " remain");
      x.assign(in_.substr(pos_, n));
      pos_ += n;
    } else if constexpr (IsVector<T>::value) {
      std::uint64_t n;
      if (!get_varint(n, name)) return;
      // Every element takes at least one byte, which bounds the allocation by the input size.
      if (n > in_.size() - pos_)
        return fail("field \"" + std::string(name) + "\" claims " + std::to_string(n) +
                    " elements but only " + std::to_string(in_.size() - pos_) + " bytes remain");
      x.clear();
      x.resize(n);
      for (auto& e : x) get(e, name);
    } else if constexpr (IsSharedPtr<T>::value) {
      typename IsSharedPtr<T>::Element value{};
      get(value, name);
      if (status_.ok())
        x = std::make_shared<const typename IsSharedPtr<T>::Element>(std::move(value));
    } else if constexpr (std::is_same_v<T, Requirements>) {
      std::uint64_t n;
      if (!get_varint(n, name)) return;
      if (n > static_cast<std::uint64_t>(kMaxRequirements)) return bad_value(name, n);
      x = Requirements{};
      for (std::uint64_t i = 0; i < n && status_.ok(); ++i) {
        SkillRequirement r;
        get(r, name);
        x.push(r);
      }
    } else if constexpr (std::is_same_v<T, Capacity>) {
      for (auto& c : x) get(c, name);
    } else if constexpr (IsChannelMask<T>::value) {
      get(x.bits, name);
    } else if constexpr (kIsRecord<T>) {
      fields(x, *this);
    } else {
      static_assert(kAlwaysFalse<T>, "no binary form for this type");
    }
  }

  void fail(std::string message) {
    if (status_.ok()) status_ = Status::corruption(std::string(what_) + ": " + message);
  }
  void bad_value(std::string_view name, std::uint64_t v) {
    fail("invalid value " + std::to_string(v) + " in field \"" + std::string(name) + "\"");
  }

  void set_what(std::string_view what) { what_ = what; }
  std::size_t remaining() const { return in_.size() - pos_; }
  const Status& status() const { return status_; }

 private:
  std::string_view in_;
  std::size_t pos_ = 0;
  std::string_view what_;
  Status status_;
};

template <std::size_t I>
void payload_from_binary(BinReader& r, EventPayload& out) {
  using P = std::variant_alternative_t<I, EventPayload>;
  P p{};
  fields(p, r);
  if (r.status().ok()) out.emplace<I>(std::move(p));
}

using BinPayloadReader = void (*)(BinReader&, EventPayload&);
template <std::size_t... I>
constexpr std::array<BinPayloadReader, sizeof...(I)> binary_readers(std::index_sequence<I...>) {
  return {&payload_from_binary<I>...};
}
constexpr auto kBinaryReaders =
    binary_readers(std::make_index_sequence<std::variant_size_v<EventPayload>>());

constexpr std::size_t kTypeCount = std::variant_size_v<EventPayload>;

}  // namespace

std::string_view block_reason_name(BlockReason r) {
  switch (r) {
    case BlockReason::kClosed:
      return "closed";
    case BlockReason::kFull:
      return "full";
    case BlockReason::kNoSuchQueue:
      return "no_such_queue";
    case BlockReason::kNoAgentsLoggedIn:
      return "no_agents_logged_in";
  }
  return "unknown";
}

std::string_view transfer_reason_name(TransferReason r) {
  switch (r) {
    case TransferReason::kAgentRequest:
      return "agent_request";
    case TransferReason::kOverflow:
      return "overflow";
  }
  return "unknown";
}

std::string_view ended_by_name(EndedBy b) {
  switch (b) {
    case EndedBy::kAgent:
      return "agent";
    case EndedBy::kCustomer:
      return "customer";
    case EndedBy::kSystem:
      return "system";
  }
  return "unknown";
}

std::string_view relaxation_action_name(RelaxationAction a) {
  switch (a) {
    case RelaxationAction::kLowerProficiency:
      return "lower_proficiency";
    case RelaxationAction::kDropOptional:
      return "drop_optional";
    case RelaxationAction::kWidenTier:
      return "widen_tier";
  }
  return "unknown";
}

std::string_view survey_kind_name(SurveyKind k) {
  switch (k) {
    case SurveyKind::kCsat:
      return "csat";
    case SurveyKind::kNps:
      return "nps";
    case SurveyKind::kCes:
      return "ces";
  }
  return "unknown";
}

std::string_view import_outcome_name(ImportOutcome o) {
  switch (o) {
    case ImportOutcome::kAnswered:
      return "answered";
    case ImportOutcome::kAbandoned:
      return "abandoned";
    case ImportOutcome::kTimedOut:
      return "timed_out";
    case ImportOutcome::kBlocked:
      return "blocked";
  }
  return "unknown";
}

std::string event_to_json(const Event& event) {
  json j = json::object();
  j["seq"] = event.seq;
  j["at"] = event.at;
  j["type"] = std::string(event_type_name(event.type()));
  j["v"] = event_type_version(event.type());
  std::visit(
      [&](const auto& payload) {
        JsonWriter w(j);
        fields(payload, w);
      },
      event.payload);
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<Event> event_from_json(std::string_view text) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    return Status::invalid_argument(std::string("event is not valid JSON: ") + e.what());
  }
  if (!j.is_object())
    return Status::invalid_argument(std::string("event must be a JSON object, got ") +
                                    j.type_name());

  auto type_it = j.find("type");
  if (type_it == j.end()) return Status::invalid_argument("missing field \"type\" in event");
  if (!type_it->is_string())
    return json_type_error(*type_it, "event", "type", "a string (the event type name)");
  const auto& type_name = type_it->get_ref<const std::string&>();
  std::size_t type = kTypeCount;
  for (std::size_t i = 0; i < kTypeCount; ++i)
    if (event_type_name(static_cast<EventType>(i)) == type_name) type = i;
  if (type == kTypeCount)
    return Status::invalid_argument("unknown event type \"" + type_name + "\"");

  Event event;
  JsonReader header(j, type_name);
  std::uint16_t version = 0;
  header("v", version);
  header("seq", event.seq);
  header("at", event.at);
  if (!header.status().ok()) return header.status();
  const auto supported = event_type_version(static_cast<EventType>(type));
  if (version < 1 || version > supported)
    return Status::invalid_argument("unsupported version " + std::to_string(version) + " of " +
                                    type_name + " (this build reads versions 1.." +
                                    std::to_string(supported) + ")");
  SB_RETURN_IF_ERROR(kJsonReaders[type](j, event.payload));
  return event;
}

void encode_event(const Event& event, std::string& out) {
  BinWriter w(out);
  w.put_varint(event.type());
  w.put_varint(event_type_version(event.type()));
  w.put_varint(event.seq);
  w.put(event.at);
  std::visit([&](const auto& payload) { fields(payload, w); }, event.payload);
}

Result<Event> decode_event(std::string_view bytes) {
  BinReader r(bytes, "event");
  std::uint64_t type = 0;
  std::uint64_t version = 0;
  Event event;
  if (!r.get_varint(type, "type")) return r.status();
  if (type >= kTypeCount)
    return Status::corruption("event: unknown type tag " + std::to_string(type));
  const auto type_name = event_type_name(static_cast<EventType>(type));
  r.set_what(type_name);
  if (!r.get_varint(version, "v")) return r.status();
  const auto supported = event_type_version(static_cast<EventType>(type));
  if (version < 1 || version > supported)
    return Status::corruption(std::string(type_name) + ": unsupported version " +
                              std::to_string(version) + " (this build reads versions 1.." +
                              std::to_string(supported) + ")");
  r.get(event.seq, "seq");
  r.get(event.at, "at");
  if (!r.status().ok()) return r.status();
  kBinaryReaders[type](r, event.payload);
  if (!r.status().ok()) return r.status();
  if (r.remaining() != 0)
    return Status::corruption(std::string(type_name) + ": " + std::to_string(r.remaining()) +
                              " unexpected trailing bytes");
  return event;
}

}  // namespace sb
