#include "api/json_model.h"

#include <cmath>

namespace sb::api {

JsonReader::JsonReader(const json& object, std::vector<FieldError>& errors, std::string prefix)
    : j_(object), errors_(errors), prefix_(std::move(prefix)) {
  if (!j_.is_object()) errors_.push_back({prefix_.empty() ? "body" : prefix_, "must be an object"});
}

void JsonReader::error(const std::string& field, const std::string& message) {
  errors_.push_back({prefix_ + field, message});
}

bool JsonReader::has(const char* name) const {
  if (!j_.is_object()) return false;
  auto it = j_.find(name);
  return it != j_.end() && !it->is_null();
}

const json* JsonReader::member(const char* name, bool required) {
  if (!j_.is_object()) return nullptr;
  auto it = j_.find(name);
  if (it == j_.end() || it->is_null()) {
    if (required) error(name, "is required");
    return nullptr;
  }
  return &*it;
}

std::optional<std::string> JsonReader::string(const char* name, bool required,
                                              std::size_t max_len) {
  const json* m = member(name, required);
  if (m == nullptr) return std::nullopt;
  if (!m->is_string()) {
    error(name, "must be a string");
    return std::nullopt;
  }
  std::string s = m->get<std::string>();
  if (s.size() > max_len) {
    error(name, "must be at most " + std::to_string(max_len) + " characters");
    return std::nullopt;
  }
  return s;
}

std::optional<std::int64_t> JsonReader::integer(const char* name, bool required, std::int64_t min,
                                                std::int64_t max) {
  const json* m = member(name, required);
  if (m == nullptr) return std::nullopt;
  std::int64_t v = 0;
  if (m->is_number_integer()) {
    if (m->is_number_unsigned() &&
        m->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
      error(name, "is out of range");
      return std::nullopt;
    }
    v = m->get<std::int64_t>();
  } else if (m->is_number_float() && std::floor(m->get<double>()) == m->get<double>() &&
             std::fabs(m->get<double>()) < 9e15) {
    v = static_cast<std::int64_t>(m->get<double>());
  } else {
    error(name, "must be an integer");
    return std::nullopt;
  }
  if (v < min || v > max) {
    error(name, "must be between " + std::to_string(min) + " and " + std::to_string(max));
    return std::nullopt;
  }
  return v;
}

std::optional<double> JsonReader::number(const char* name, bool required, double min, double max) {
  const json* m = member(name, required);
  if (m == nullptr) return std::nullopt;
  if (!m->is_number()) {
    error(name, "must be a number");
    return std::nullopt;
  }
  double v = m->get<double>();
  if (!std::isfinite(v) || v < min || v > max) {
    error(name, "must be between " + nlohmann::json(min).dump() + " and " + json(max).dump());
    return std::nullopt;
  }
  return v;
}

std::optional<bool> JsonReader::boolean(const char* name, bool required) {
  const json* m = member(name, required);
  if (m == nullptr) return std::nullopt;
  if (!m->is_boolean()) {
    error(name, "must be true or false");
    return std::nullopt;
  }
  return m->get<bool>();
}

const json* JsonReader::array(const char* name, bool required) {
  const json* m = member(name, required);
  if (m != nullptr && !m->is_array()) {
    error(name, "must be an array");
    return nullptr;
  }
  return m;
}

const json* JsonReader::object(const char* name, bool required) {
  const json* m = member(name, required);
  if (m != nullptr && !m->is_object()) {
    error(name, "must be an object");
    return nullptr;
  }
  return m;
}

std::optional<HttpResponse> parse_object(const std::string& body, json& out) {
  if (body.empty()) return bad_request("the request body must be a JSON object");
  out = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (out.is_discarded()) return bad_request("the request body is not valid JSON");
  if (!out.is_object()) return bad_request("the request body must be a JSON object");
  return std::nullopt;
}

Millis millis_from_seconds(double s) { return static_cast<Millis>(std::llround(s * 1000.0)); }
double seconds_from_millis(Millis ms) { return static_cast<double>(ms) / 1000.0; }

namespace {
constexpr double kMaxSeconds = 366.0 * 86400.0;

const char* relaxation_action_name(RelaxationAction a) {
  switch (a) {
    case RelaxationAction::kLowerProficiency:
      return "lower_proficiency";
    case RelaxationAction::kDropOptional:
      return "drop_optional";
    case RelaxationAction::kWidenTier:
      return "widen_tier";
  }
  return "lower_proficiency";
}

bool queue_exists(const CenterConfig& c, std::int64_t id) {
  for (const auto& q : c.queues)
    if (q.id == id) return true;
  return false;
}
bool skill_exists(const CenterConfig& c, std::int64_t id) {
  return id >= 0 && static_cast<std::size_t>(id) < c.skills.size() && !c.skills[id].empty();
}
bool profile_exists(const CenterConfig& c, std::int64_t id) {
  for (const auto& p : c.profiles)
    if (p.id == id) return true;
  return false;
}
}  // namespace

json queue_to_json(const QueueConfig& q) {
  json relaxation = json::array();
  for (const auto& r : q.relaxation)
    relaxation.push_back({{"after_s", seconds_from_millis(r.after)},
                          {"action", relaxation_action_name(r.action)},
                          {"amount", r.amount}});
  json windows = json::array();
  for (const auto& w : q.hours.windows)
    windows.push_back(
        {{"weekday", w.weekday}, {"open_minute", w.open_minute}, {"close_minute", w.close_minute}});
  return {{"id", q.id},
          {"name", q.name},
          {"strategy", std::string(agent_selection_name(q.selection))},
          {"sl_threshold_s", seconds_from_millis(q.service_level_threshold)},
          {"sl_target", q.service_level_target},
          {"max_waiting", q.max_waiting},
          {"overflow_after_s", seconds_from_millis(q.overflow_after)},
          {"overflow_queue", q.overflow_queue == kNoId ? json(nullptr) : json(q.overflow_queue)},
          {"aging_interval_s", seconds_from_millis(q.aging_interval)},
          {"relaxation", relaxation},
          {"offer_timeout_s", seconds_from_millis(q.offer_timeout)},
          {"max_missed_offers", q.max_missed_offers},
          {"wrap_up_s", seconds_from_millis(q.wrap_up)},
          {"default_handle_time_s", seconds_from_millis(q.default_handle_time)},
          {"hours",
           {{"always_open", q.hours.always_open},
            {"utc_offset_minutes", q.hours.utc_offset_minutes},
            {"windows", windows}}}};
}

std::optional<QueueConfig> queue_from_json(const json& j, const CenterConfig& config,
                                           std::vector<FieldError>& errors) {
  const std::size_t before = errors.size();
  JsonReader r(j, errors);
  QueueConfig q;
  if (auto v = r.string("name", true, 100)) {
    if (v->empty()) r.error("name", "must not be empty");
    q.name = *v;
  }
  if (auto v = r.string("strategy", false)) {
    auto s = parse_agent_selection(*v);
    if (s.ok()) {
      q.selection = *s;
    } else {
      r.error("strategy", s.status().message());
    }
  }
  if (auto v = r.number("sl_threshold_s", false, 0, kMaxSeconds))
    q.service_level_threshold = millis_from_seconds(*v);
  if (auto v = r.number("sl_target", false, 0, 1)) q.service_level_target = *v;
  if (auto v = r.integer("max_waiting", false, 0, 1'000'000))
    q.max_waiting = static_cast<std::uint32_t>(*v);
  if (auto v = r.number("overflow_after_s", false, 0, kMaxSeconds))
    q.overflow_after = millis_from_seconds(*v);
  if (auto v = r.integer("overflow_queue", false, 0, UINT32_MAX - 1)) {
    if (!queue_exists(config, *v)) {
      r.error("overflow_queue", "unknown queue " + std::to_string(*v));
    } else {
      q.overflow_queue = static_cast<QueueId>(*v);
    }
  }
  if (q.overflow_after > 0 && q.overflow_queue == kNoId)
    r.error("overflow_queue", "is required when overflow_after_s is set");
  if (auto v = r.number("aging_interval_s", false, 0, kMaxSeconds))
    q.aging_interval = millis_from_seconds(*v);
  if (const json* list = r.array("relaxation", false)) {
    for (std::size_t i = 0; i < list->size(); ++i) {
      JsonReader s((*list)[i], errors, "relaxation[" + std::to_string(i) + "].");
      RelaxationStep step;
      if (auto v = s.number("after_s", true, 0, kMaxSeconds)) step.after = millis_from_seconds(*v);
      if (auto v = s.string("action", true)) {
        if (*v == "lower_proficiency") {
          step.action = RelaxationAction::kLowerProficiency;
        } else if (*v == "drop_optional") {
          step.action = RelaxationAction::kDropOptional;
        } else if (*v == "widen_tier") {
          step.action = RelaxationAction::kWidenTier;
        } else {
          s.error("action", "must be lower_proficiency, drop_optional or widen_tier");
        }
      }
      if (auto v = s.integer("amount", false, 1, 9)) step.amount = static_cast<std::uint8_t>(*v);
      if (!q.relaxation.empty() && step.after < q.relaxation.back().after)
        s.error("after_s", "steps must be sorted by after_s");
      q.relaxation.push_back(step);
    }
  }
  if (auto v = r.number("offer_timeout_s", false, 1, 3600))
    q.offer_timeout = millis_from_seconds(*v);
  if (auto v = r.integer("max_missed_offers", false, 0, 1000))
    q.max_missed_offers = static_cast<std::uint32_t>(*v);
  if (auto v = r.number("wrap_up_s", false, 0, 86400)) q.wrap_up = millis_from_seconds(*v);
  if (auto v = r.number("default_handle_time_s", false, 1, 86400))
    q.default_handle_time = millis_from_seconds(*v);
  if (const json* hours = r.object("hours", false)) {
    JsonReader h(*hours, errors, "hours.");
    if (auto v = h.boolean("always_open", false)) q.hours.always_open = *v;
    if (auto v = h.integer("utc_offset_minutes", false, -14 * 60, 14 * 60))
      q.hours.utc_offset_minutes = static_cast<std::int32_t>(*v);
    if (const json* list = h.array("windows", false)) {
      for (std::size_t i = 0; i < list->size(); ++i) {
        JsonReader w((*list)[i], errors, "hours.windows[" + std::to_string(i) + "].");
        OpeningWindow win;
        if (auto v = w.integer("weekday", true, 0, 6)) win.weekday = static_cast<std::uint8_t>(*v);
        if (auto v = w.integer("open_minute", true, 0, 1440))
          win.open_minute = static_cast<std::uint16_t>(*v);
        if (auto v = w.integer("close_minute", true, 0, 1440))
          win.close_minute = static_cast<std::uint16_t>(*v);
        if (win.close_minute <= win.open_minute)
          w.error("close_minute", "must be after open_minute");
        q.hours.windows.push_back(win);
      }
    }
  }
  if (errors.size() != before) return std::nullopt;
  return q;
}

json profile_to_json(const RoutingProfile& p) {
  json capacity = json::object();
  json exclusive = json::array();
  for (int c = 0; c < kChannelCount; ++c) {
    const auto ch = static_cast<Channel>(c);
    if (p.capacity[c] > 0) capacity[std::string(channel_name(ch))] = p.capacity[c];
    if (p.is_exclusive(ch)) exclusive.push_back(std::string(channel_name(ch)));
  }
  return {{"id", p.id},
          {"name", p.name},
          {"capacity", capacity},
          {"max_total", p.max_total},
          {"exclusive", exclusive}};
}

std::optional<RoutingProfile> profile_from_json(const json& j, std::vector<FieldError>& errors) {
  const std::size_t before = errors.size();
  JsonReader r(j, errors);
  RoutingProfile p;
  if (auto v = r.string("name", true, 100)) {
    if (v->empty()) r.error("name", "must not be empty");
    p.name = *v;
  }
  int total = 0;
  if (const json* cap = r.object("capacity", true)) {
    for (auto it = cap->begin(); it != cap->end(); ++it) {
      auto ch = parse_channel(it.key());
      if (!ch.ok()) {
        r.error("capacity." + it.key(), ch.status().message());
        continue;
      }
      if (!it->is_number_integer() || it->get<std::int64_t>() < 0 || it->get<std::int64_t>() > 50) {
        r.error("capacity." + it.key(), "must be an integer between 0 and 50");
        continue;
      }
      p.capacity[static_cast<int>(*ch)] = static_cast<std::uint8_t>(it->get<int>());
      total += it->get<int>();
    }
    if (total == 0) r.error("capacity", "must allow at least one channel");
  }
  p.max_total = static_cast<std::uint8_t>(std::min(total, 50));
  if (auto v = r.integer("max_total", false, 1, 50)) p.max_total = static_cast<std::uint8_t>(*v);
  if (const json* ex = r.array("exclusive", false)) {
    p.exclusive_mask = 0;
    for (std::size_t i = 0; i < ex->size(); ++i) {
      const json& e = (*ex)[i];
      auto ch = e.is_string() ? parse_channel(e.get<std::string>())
                              : Result<Channel>(Status::invalid_argument("must be a channel name"));
      if (!ch.ok()) {
        r.error("exclusive[" + std::to_string(i) + "]", ch.status().message());
        continue;
      }
      p.exclusive_mask |= static_cast<std::uint8_t>(1u << static_cast<int>(*ch));
    }
  }
  if (errors.size() != before) return std::nullopt;
  return p;
}

json agent_config_to_json(const AgentConfig& a) {
  json skills = json::array();
  for (const auto& s : a.skills)
    skills.push_back({{"skill", s.skill}, {"proficiency", s.proficiency}});
  json queues = json::array();
  for (const auto& m : a.queues) queues.push_back({{"queue", m.queue}, {"tier", m.tier}});
  return {{"id", a.id},
          {"name", a.name},
          {"profile", a.profile == kNoId ? json(nullptr) : json(a.profile)},
          {"skills", skills},
          {"queues", queues}};
}

std::optional<AgentConfig> agent_config_from_json(const json& j, const CenterConfig& config,
                                                  std::vector<FieldError>& errors) {
  const std::size_t before = errors.size();
  JsonReader r(j, errors);
  AgentConfig a;
  if (auto v = r.string("name", true, 100)) {
    if (v->empty()) r.error("name", "must not be empty");
    a.name = *v;
  }
  if (auto v = r.integer("profile", true, 0, UINT32_MAX - 1)) {
    if (!profile_exists(config, *v)) {
      r.error("profile", "unknown routing profile " + std::to_string(*v));
    } else {
      a.profile = static_cast<ProfileId>(*v);
    }
  }
  if (const json* list = r.array("skills", false)) {
    for (std::size_t i = 0; i < list->size(); ++i) {
      JsonReader s((*list)[i], errors, "skills[" + std::to_string(i) + "].");
      SkillLevel level;
      if (auto v = s.integer("skill", true, 0, UINT32_MAX - 1)) {
        if (!skill_exists(config, *v)) s.error("skill", "unknown skill " + std::to_string(*v));
        level.skill = static_cast<SkillId>(*v);
      }
      if (auto v = s.integer("proficiency", true, kMinProficiency, kMaxProficiency))
        level.proficiency = static_cast<std::uint8_t>(*v);
      for (const auto& other : a.skills)
        if (other.skill == level.skill) s.error("skill", "is listed twice");
      a.skills.push_back(level);
    }
  }
  if (const json* list = r.array("queues", false)) {
    for (std::size_t i = 0; i < list->size(); ++i) {
      JsonReader s((*list)[i], errors, "queues[" + std::to_string(i) + "].");
      QueueMembership m;
      if (auto v = s.integer("queue", true, 0, UINT32_MAX - 1)) {
        if (!queue_exists(config, *v)) s.error("queue", "unknown queue " + std::to_string(*v));
        m.queue = static_cast<QueueId>(*v);
      }
      if (auto v = s.integer("tier", false, 1, 9)) m.tier = static_cast<std::uint8_t>(*v);
      for (const auto& other : a.queues)
        if (other.queue == m.queue) s.error("queue", "is listed twice");
      a.queues.push_back(m);
    }
  }
  if (errors.size() != before) return std::nullopt;
  return a;
}

std::optional<Requirements> requirements_from_json(const json& list, const CenterConfig& config,
                                                   std::vector<FieldError>& errors) {
  const std::size_t before = errors.size();
  Requirements req;
  if (!list.is_array()) {
    errors.push_back({"requirements", "must be an array"});
    return std::nullopt;
  }
  if (list.size() > static_cast<std::size_t>(kMaxRequirements)) {
    errors.push_back(
        {"requirements", "at most " + std::to_string(kMaxRequirements) + " requirements"});
    return std::nullopt;
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    JsonReader s(list[i], errors, "requirements[" + std::to_string(i) + "].");
    SkillRequirement sr;
    if (auto v = s.integer("skill", true, 0, UINT32_MAX - 1)) {
      if (!skill_exists(config, *v)) s.error("skill", "unknown skill " + std::to_string(*v));
      sr.skill = static_cast<SkillId>(*v);
    }
    if (auto v = s.integer("min_proficiency", false, kMinProficiency, kMaxProficiency))
      sr.min_proficiency = static_cast<std::uint8_t>(*v);
    if (auto v = s.boolean("optional", false)) sr.optional = *v;
    req.push(sr);
  }
  if (errors.size() != before) return std::nullopt;
  return req;
}

const char* contact_phase_name(ContactPhase p) {
  switch (p) {
    case ContactPhase::kQueued:
      return "queued";
    case ContactPhase::kOffered:
      return "offered";
    case ContactPhase::kConnected:
      return "connected";
    case ContactPhase::kWrapUp:
      return "wrap_up";
  }
  return "queued";
}

const char* agent_activity(const AgentView& a) {
  if (!a.logged_in || a.presence == Presence::kOffline) return "offline";
  if (a.connected > 0) return "busy";
  if (a.offered > 0) return "ringing";
  if (a.wrap_up > 0) return "wrap_up";
  if (a.presence == Presence::kNotReady) return "not_ready";
  return "idle";
}

json contact_to_json(const ContactView& c, std::optional<Millis> estimated_wait) {
  json j = {{"id", c.id},
            {"channel", std::string(channel_name(c.channel))},
            {"queue", c.queue == kNoId ? json(nullptr) : json(c.queue)},
            {"state", contact_phase_name(c.phase)},
            {"priority", c.priority},
            {"customer", c.customer},
            {"agent", c.agent == kNoId ? json(nullptr) : json(c.agent)},
            {"offered_to", c.offered_to},
            {"on_hold", c.on_hold},
            {"callback", c.callback},
            {"arrived_at", c.arrived_at},
            {"enqueued_at", c.enqueued_at}};
  if (estimated_wait && *estimated_wait != kNever)
    j["estimated_wait_s"] = seconds_from_millis(*estimated_wait);
  return j;
}

json agent_state_to_json(const AgentView& a, const std::string& name,
                         const std::string& reason_name) {
  const bool has_reason = a.presence == Presence::kNotReady && a.reason != reason::kNone;
  return {{"agent", a.id},
          {"name", name},
          {"presence", std::string(presence_name(a.logged_in ? a.presence : Presence::kOffline))},
          {"reason", has_reason ? json(a.reason) : json(nullptr)},
          {"reason_name", has_reason ? json(reason_name) : json(nullptr)},
          {"activity", agent_activity(a)},
          {"since", a.presence_since},
          {"contacts", a.contacts}};
}

}  // namespace sb::api
