#include "flows/flow_model.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_map>

#include "base/overloaded.h"
#include "flows/time_zone.h"

namespace sb::flows {

using nlohmann::json;

std::string_view compare_op_name(CompareOp op) {
  switch (op) {
    case CompareOp::kEq:
      return "eq";
    case CompareOp::kNe:
      return "ne";
    case CompareOp::kLt:
      return "lt";
    case CompareOp::kLe:
      return "le";
    case CompareOp::kGt:
      return "gt";
    case CompareOp::kGe:
      return "ge";
    case CompareOp::kExists:
      return "exists";
    case CompareOp::kNotExists:
      return "not_exists";
    case CompareOp::kIn:
      return "in";
    case CompareOp::kStartsWith:
      return "starts_with";
  }
  return "?";
}

Result<CompareOp> parse_compare_op(std::string_view name) {
  for (int i = 0; i <= static_cast<int>(CompareOp::kStartsWith); ++i) {
    auto op = static_cast<CompareOp>(i);
    if (compare_op_name(op) == name) return op;
  }
  return Status::invalid_argument("unknown operator \"" + std::string(name) +
                                  "\" (eq, ne, lt, le, gt, ge, exists, not_exists, in, "
                                  "starts_with)");
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
  return "?";
}

Result<SurveyKind> parse_survey_kind(std::string_view name) {
  if (name == "csat") return SurveyKind::kCsat;
  if (name == "nps") return SurveyKind::kNps;
  if (name == "ces") return SurveyKind::kCes;
  return Status::invalid_argument("unknown survey kind \"" + std::string(name) +
                                  "\" (csat, nps, ces)");
}

int survey_min(SurveyKind k) { return k == SurveyKind::kNps ? 0 : 1; }
int survey_max(SurveyKind k) {
  switch (k) {
    case SurveyKind::kCsat:
      return 5;
    case SurveyKind::kNps:
      return 10;
    case SurveyKind::kCes:
      return 7;
  }
  return 0;
}

std::string_view node_type_name(const NodeBody& body) {
  return std::visit(Overloaded{
                        [](const PlayNode&) { return std::string_view("play"); },
                        [](const MenuNode&) { return std::string_view("menu"); },
                        [](const CollectNode&) { return std::string_view("collect"); },
                        [](const ConditionNode&) { return std::string_view("condition"); },
                        [](const SetAttributeNode&) { return std::string_view("set"); },
                        [](const HttpNode&) { return std::string_view("http"); },
                        [](const BusinessHoursNode&) { return std::string_view("hours"); },
                        [](const QueueNode&) { return std::string_view("queue"); },
                        [](const CallbackNode&) { return std::string_view("callback"); },
                        [](const TransferNode&) { return std::string_view("transfer"); },
                        [](const SurveyNode&) { return std::string_view("survey"); },
                        [](const EndNode&) { return std::string_view("end"); },
                    },
                    body);
}

int FlowDefinition::find(std::string_view node_id) const {
  auto it = std::lower_bound(index.begin(), index.end(), node_id,
                             [](const auto& e, std::string_view k) { return e.first < k; });
  if (it == index.end() || it->first != node_id) return -1;
  return it->second;
}

namespace {

// JSON pointer escaping of one reference token (RFC 6901).
std::string escape_token(std::string_view t) {
  std::string out;
  for (char c : t) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

std::string in_quotes(std::string_view s) { return "\"" + std::string(s) + "\""; }

bool valid_id(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  });
}

bool valid_attribute_name(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
  });
}

bool is_dtmf_key(std::string_view k) {
  return k.size() == 1 && ((k[0] >= '0' && k[0] <= '9') || k[0] == '*' || k[0] == '#');
}

// A reference to a node, checked once every node id is known.
struct Ref {
  std::string path;
  int from = -1;  // node index holding the reference
  std::string target;
  bool through_input = false;  // the step waits for customer input / a response before it
};

class Parser {
 public:
  std::vector<Issue> issues;

  void error(const std::string& path, std::string message) {
    if (issues.size() < 200) issues.push_back({path.empty() ? "/" : path, std::move(message)});
  }

  // Checks that `obj` holds only `allowed` keys.
  void only_keys(const json& obj, const std::string& path,
                 std::initializer_list<std::string_view> allowed) {
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      if (std::find(allowed.begin(), allowed.end(), it.key()) == allowed.end())
        error(path + "/" + escape_token(it.key()), "unknown field");
    }
  }

  const json* field(const json& obj, const char* key) {
    auto it = obj.find(key);
    return it == obj.end() ? nullptr : &*it;
  }

  std::string str(const json& obj, const std::string& path, const char* key, bool required,
                  std::string fallback = "") {
    const json* v = field(obj, key);
    if (!v) {
      if (required) error(path + "/" + key, "required");
      return fallback;
    }
    if (!v->is_string()) {
      error(path + "/" + key, "must be a string");
      return fallback;
    }
    std::string s = v->get<std::string>();
    check_template(s, path + "/" + key);
    return s;
  }

  // A string or an integer, kept as text (templates such as "${priority}" are allowed).
  std::string str_or_int(const json& obj, const std::string& path, const char* key,
                         std::string fallback) {
    const json* v = field(obj, key);
    if (!v) return fallback;
    if (v->is_number_integer()) return std::to_string(v->get<std::int64_t>());
    if (v->is_string()) {
      std::string s = v->get<std::string>();
      check_template(s, path + "/" + key);
      return s;
    }
    error(path + "/" + key, "must be an integer or a string template");
    return fallback;
  }

  std::int64_t integer(const json& obj, const std::string& path, const char* key,
                       std::int64_t fallback, std::int64_t lo, std::int64_t hi) {
    const json* v = field(obj, key);
    if (!v) return fallback;
    if (!v->is_number_integer()) {
      error(path + "/" + key, "must be an integer");
      return fallback;
    }
    std::int64_t x = v->is_number_unsigned() && v->get<std::uint64_t>() > INT64_MAX
                         ? INT64_MAX
                         : v->get<std::int64_t>();
    if (x < lo || x > hi) {
      error(path + "/" + key,
            "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
      return fallback;
    }
    return x;
  }

  bool boolean(const json& obj, const std::string& path, const char* key, bool fallback) {
    const json* v = field(obj, key);
    if (!v) return fallback;
    if (!v->is_boolean()) {
      error(path + "/" + key, "must be true or false");
      return fallback;
    }
    return v->get<bool>();
  }

  void check_template(std::string_view s, const std::string& path) {
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] != '$' || i + 1 >= s.size() || s[i + 1] != '{') continue;
      if (i > 0 && s[i - 1] == '$') continue;  // "$${" is a literal
      auto close = s.find('}', i + 2);
      if (close == std::string_view::npos) {
        error(path, "unclosed \"${\" placeholder");
        return;
      }
      if (!valid_attribute_name(s.substr(i + 2, close - i - 2))) {
        error(path, "bad placeholder \"" + std::string(s.substr(i, close - i + 1)) + "\"");
      }
      i = close;
    }
  }

  Prompt prompt(const json& obj, const std::string& path, const char* key, bool required) {
    Prompt p;
    const json* v = field(obj, key);
    const std::string here = path + "/" + key;
    if (!v) {
      if (required) error(here, "required");
      return p;
    }
    if (v->is_string()) {
      p.text = v->get<std::string>();
      check_template(p.text, here);
    } else if (v->is_object()) {
      only_keys(*v, here, {"audio", "text"});
      p.audio = str(*v, here, "audio", false);
      p.text = str(*v, here, "text", false);
      if (p.empty()) error(here, "needs \"audio\" or \"text\"");
    } else {
      error(here, "must be a string or an object with \"audio\"/\"text\"");
    }
    return p;
  }

  // A node reference; `required` = must be present.
  std::string ref(const json& obj, const std::string& path, const char* key, bool required,
                  int from, bool through_input) {
    const json* v = field(obj, key);
    if (!v) {
      if (required) error(path + "/" + key, "required");
      return "";
    }
    if (!v->is_string() || v->get<std::string>().empty()) {
      error(path + "/" + key, "must be a node id");
      return "";
    }
    std::string s = v->get<std::string>();
    refs.push_back({path + "/" + key, from, s, through_input});
    return s;
  }

  InputPolicy input(const json& obj, const std::string& path, int from) {
    InputPolicy in;
    in.timeout = integer(obj, path, "timeout_ms", 5000, 100, 24 * kMillisPerHour);
    in.max_retries = static_cast<int>(integer(obj, path, "max_retries", 2, 0, 10));
    in.invalid_prompt = prompt(obj, path, "invalid_prompt", false);
    in.timeout_prompt = prompt(obj, path, "timeout_prompt", false);
    in.on_failure = ref(obj, path, "on_failure", false, from, true);
    return in;
  }

  std::vector<std::pair<std::string, std::string>> string_map(const json& obj,
                                                              const std::string& path,
                                                              const char* key, bool attr_keys) {
    std::vector<std::pair<std::string, std::string>> out;
    const json* v = field(obj, key);
    if (!v) return out;
    const std::string here = path + "/" + key;
    if (!v->is_object()) {
      error(here, "must be an object");
      return out;
    }
    for (auto it = v->begin(); it != v->end(); ++it) {
      const std::string p = here + "/" + escape_token(it.key());
      if (attr_keys && !valid_attribute_name(it.key()))
        error(p, "bad attribute name (letters, digits, _ . -; at most 64)");
      if (!it->is_string()) {
        error(p, "must be a string");
        continue;
      }
      check_template(it->get<std::string>(), p);
      out.emplace_back(it.key(), it->get<std::string>());
    }
    return out;
  }

  std::vector<SkillSpec> skills(const json& obj, const std::string& path) {
    std::vector<SkillSpec> out;
    const json* v = field(obj, "skills");
    if (!v) return out;
    const std::string here = path + "/skills";
    if (!v->is_array()) {
      error(here, "must be an array");
      return out;
    }
    if (v->size() > 8) error(here, "at most 8 skills");
    for (std::size_t i = 0; i < v->size(); ++i) {
      const std::string p = here + "/" + std::to_string(i);
      const json& s = (*v)[i];
      SkillSpec spec;
      if (s.is_string()) {
        spec.skill = s.get<std::string>();
        check_template(spec.skill, p);
      } else if (s.is_object()) {
        only_keys(s, p, {"skill", "min_proficiency", "optional"});
        spec.skill = str(s, p, "skill", true);
        spec.min_proficiency = str_or_int(s, p, "min_proficiency", "1");
        if (spec.min_proficiency.find("${") == std::string::npos) {
          char* end = nullptr;
          long x = std::strtol(spec.min_proficiency.c_str(), &end, 10);
          if (*end != '\0' || x < 1 || x > 10)
            error(p + "/min_proficiency", "must be between 1 and 10");
        }
        spec.optional = boolean(s, p, "optional", false);
      } else {
        error(p, "must be a skill name or an object");
        continue;
      }
      if (spec.skill.empty()) error(p, "empty skill");
      out.push_back(std::move(spec));
    }
    return out;
  }

  int minute_of(const json& obj, const std::string& path, const char* key) {
    const json* v = field(obj, key);
    if (!v) {
      error(path + "/" + key, "required");
      return -1;
    }
    if (!v->is_string()) {
      error(path + "/" + key, "must be \"HH:MM\"");
      return -1;
    }
    const std::string s = v->get<std::string>();
    if (s.size() != 5 || s[2] != ':' || !std::isdigit(static_cast<unsigned char>(s[0])) ||
        !std::isdigit(static_cast<unsigned char>(s[1])) ||
        !std::isdigit(static_cast<unsigned char>(s[3])) ||
        !std::isdigit(static_cast<unsigned char>(s[4]))) {
      error(path + "/" + key, "must be \"HH:MM\"");
      return -1;
    }
    int h = (s[0] - '0') * 10 + (s[1] - '0');
    int m = (s[3] - '0') * 10 + (s[4] - '0');
    if (m > 59 || h > 24 || (h == 24 && m != 0)) {
      error(path + "/" + key, "not a time of day (00:00 .. 24:00)");
      return -1;
    }
    return h * 60 + m;
  }

  NodeBody node_body(const std::string& type, const json& n, const std::string& path, int idx) {
    if (type == "play") {
      only_keys(n, path, {"id", "type", "prompt", "next"});
      PlayNode b;
      b.prompt = prompt(n, path, "prompt", true);
      b.next = ref(n, path, "next", true, idx, false);
      return b;
    }
    if (type == "menu") {
      only_keys(n, path,
                {"id", "type", "prompt", "choices", "timeout_ms", "max_retries", "invalid_prompt",
                 "timeout_prompt", "on_failure"});
      MenuNode b;
      b.prompt = prompt(n, path, "prompt", true);
      b.input = input(n, path, idx);
      const json* cs = field(n, "choices");
      if (!cs || !cs->is_array() || cs->empty()) {
        error(path + "/choices", cs ? "must be a non-empty array" : "required");
      } else {
        std::set<std::string> keys;
        for (std::size_t i = 0; i < cs->size(); ++i) {
          const std::string p = path + "/choices/" + std::to_string(i);
          const json& c = (*cs)[i];
          if (!c.is_object()) {
            error(p, "must be an object");
            continue;
          }
          only_keys(c, p, {"key", "label", "match", "next", "set"});
          MenuChoice choice;
          choice.key = str(c, p, "key", true);
          if (!choice.key.empty() && !is_dtmf_key(choice.key))
            error(p + "/key", "must be one DTMF key (0-9, *, #)");
          else if (!choice.key.empty() && !keys.insert(choice.key).second)
            error(p + "/key", "duplicate key " + in_quotes(choice.key));
          choice.label = str(c, p, "label", false);
          if (const json* m = field(c, "match")) {
            if (!m->is_array()) {
              error(p + "/match", "must be an array of words");
            } else {
              for (std::size_t j = 0; j < m->size(); ++j) {
                if (!(*m)[j].is_string() || (*m)[j].get<std::string>().empty())
                  error(p + "/match/" + std::to_string(j), "must be a non-empty string");
                else
                  choice.match.push_back((*m)[j].get<std::string>());
              }
            }
          }
          choice.set = string_map(c, p, "set", true);
          choice.next = ref(c, p, "next", true, idx, true);
          b.choices.push_back(std::move(choice));
        }
      }
      return b;
    }
    if (type == "collect") {
      only_keys(
          n, path,
          {"id", "type", "prompt", "attribute", "min_length", "max_length", "terminator",
           "timeout_ms", "max_retries", "invalid_prompt", "timeout_prompt", "on_failure", "next"});
      CollectNode b;
      b.prompt = prompt(n, path, "prompt", true);
      b.attribute = str(n, path, "attribute", true);
      if (!b.attribute.empty() && !valid_attribute_name(b.attribute))
        error(path + "/attribute", "bad attribute name (letters, digits, _ . -; at most 64)");
      b.min_length = static_cast<int>(integer(n, path, "min_length", 1, 1, 64));
      b.max_length = static_cast<int>(integer(n, path, "max_length", 20, 1, 64));
      if (b.min_length > b.max_length)
        error(path + "/min_length",
              "greater than max_length (" + std::to_string(b.max_length) + ")");
      b.terminator = str(n, path, "terminator", false, "#");
      if (!b.terminator.empty() && b.terminator != "#" && b.terminator != "*")
        error(path + "/terminator", "must be \"#\", \"*\" or \"\"");
      b.input = input(n, path, idx);
      b.next = ref(n, path, "next", true, idx, true);
      return b;
    }
    if (type == "condition") {
      only_keys(n, path, {"id", "type", "cases", "otherwise"});
      ConditionNode b;
      const json* cs = field(n, "cases");
      if (!cs || !cs->is_array() || cs->empty()) {
        error(path + "/cases", cs ? "must be a non-empty array" : "required");
      } else {
        for (std::size_t i = 0; i < cs->size(); ++i) {
          const std::string p = path + "/cases/" + std::to_string(i);
          const json& c = (*cs)[i];
          if (!c.is_object()) {
            error(p, "must be an object");
            continue;
          }
          only_keys(c, p, {"attribute", "op", "value", "values", "next"});
          ConditionCase cc;
          cc.attribute = str(c, p, "attribute", true);
          std::string op = str(c, p, "op", false, "eq");
          auto parsed = parse_compare_op(op);
          if (!parsed.ok())
            error(p + "/op", parsed.status().message());
          else
            cc.op = *parsed;
          if (const json* v = field(c, "value")) {
            if (v->is_string())
              cc.value = v->get<std::string>();
            else if (v->is_number_integer())
              cc.value = std::to_string(v->get<std::int64_t>());
            else if (v->is_number())
              cc.value = v->dump();
            else if (v->is_boolean())
              cc.value = v->get<bool>() ? "true" : "false";
            else
              error(p + "/value", "must be a string, number or boolean");
            check_template(cc.value, p + "/value");
          } else if (cc.op != CompareOp::kExists && cc.op != CompareOp::kNotExists &&
                     cc.op != CompareOp::kIn) {
            error(p + "/value", "required for operator " + in_quotes(op));
          }
          if (cc.op == CompareOp::kIn) {
            const json* vs = field(c, "values");
            if (!vs || !vs->is_array()) {
              error(p + "/values", "required for operator \"in\": an array of strings");
            } else {
              for (std::size_t j = 0; j < vs->size(); ++j) {
                if (!(*vs)[j].is_string())
                  error(p + "/values/" + std::to_string(j), "must be a string");
                else
                  cc.values.push_back((*vs)[j].get<std::string>());
              }
            }
          }
          cc.next = ref(c, p, "next", true, idx, false);
          b.cases.push_back(std::move(cc));
        }
      }
      b.otherwise = ref(n, path, "otherwise", true, idx, false);
      return b;
    }
    if (type == "set") {
      only_keys(n, path, {"id", "type", "values", "next"});
      SetAttributeNode b;
      if (!field(n, "values")) error(path + "/values", "required");
      b.assignments = string_map(n, path, "values", true);
      b.next = ref(n, path, "next", true, idx, false);
      return b;
    }
    if (type == "http") {
      only_keys(n, path,
                {"id", "type", "method", "url", "headers", "body", "timeout_ms", "map",
                 "status_attribute", "next", "on_failure"});
      HttpNode b;
      b.method = str(n, path, "method", false, "GET");
      if (b.method != "GET" && b.method != "POST") error(path + "/method", "must be GET or POST");
      b.url = str(n, path, "url", true);
      if (!b.url.empty() && b.url.rfind("http://", 0) != 0 && b.url.rfind("https://", 0) != 0)
        error(path + "/url", "must start with http:// or https://");
      b.headers = string_map(n, path, "headers", false);
      b.body = str(n, path, "body", false);
      b.timeout = integer(n, path, "timeout_ms", 3000, 1, 60 * kMillisPerSecond);
      b.map = string_map(n, path, "map", true);
      for (std::size_t i = 0; i < b.map.size(); ++i) {
        const std::string& ptr = b.map[i].second;
        if (!ptr.empty() && ptr[0] != '/')
          error(path + "/map/" + escape_token(b.map[i].first),
                "must be a JSON pointer (\"\" or starting with \"/\")");
      }
      b.status_attribute = str(n, path, "status_attribute", false);
      if (!b.status_attribute.empty() && !valid_attribute_name(b.status_attribute))
        error(path + "/status_attribute", "bad attribute name");
      b.next = ref(n, path, "next", true, idx, false);
      b.on_failure = ref(n, path, "on_failure", true, idx, false);
      return b;
    }
    if (type == "hours") {
      only_keys(n, path,
                {"id", "type", "time_zone", "schedule", "holidays", "open", "closed", "holiday"});
      BusinessHoursNode b;
      b.time_zone = str(n, path, "time_zone", true);
      if (!b.time_zone.empty() && !is_known_time_zone(b.time_zone))
        error(path + "/time_zone", "unknown time zone " + in_quotes(b.time_zone));
      const json* sched = field(n, "schedule");
      if (!sched || !sched->is_array()) {
        error(path + "/schedule", sched ? "must be an array" : "required");
      } else {
        static constexpr std::string_view kDays[] = {"mon", "tue", "wed", "thu",
                                                     "fri", "sat", "sun"};
        for (std::size_t i = 0; i < sched->size(); ++i) {
          const std::string p = path + "/schedule/" + std::to_string(i);
          const json& w = (*sched)[i];
          if (!w.is_object()) {
            error(p, "must be an object");
            continue;
          }
          only_keys(w, p, {"days", "open", "close"});
          int open = minute_of(w, p, "open");
          int close = minute_of(w, p, "close");
          if (open >= 0 && close >= 0 && open >= close) error(p + "/close", "must be after open");
          const json* days = field(w, "days");
          if (!days || !days->is_array() || days->empty()) {
            error(p + "/days", days ? "must be a non-empty array" : "required");
            continue;
          }
          for (std::size_t j = 0; j < days->size(); ++j) {
            const json& d = (*days)[j];
            auto it = d.is_string()
                          ? std::find(std::begin(kDays), std::end(kDays), d.get<std::string>())
                          : std::end(kDays);
            if (it == std::end(kDays)) {
              error(p + "/days/" + std::to_string(j), "must be one of mon tue wed thu fri sat sun");
              continue;
            }
            if (open >= 0 && close >= 0)
              b.windows.push_back({static_cast<std::uint8_t>(it - std::begin(kDays)), open, close});
          }
        }
      }
      if (const json* hol = field(n, "holidays")) {
        if (!hol->is_array()) {
          error(path + "/holidays", "must be an array of \"YYYY-MM-DD\"");
        } else {
          for (std::size_t j = 0; j < hol->size(); ++j) {
            const json& d = (*hol)[j];
            bool ok = d.is_string() && d.get<std::string>().size() == 10;
            if (ok) {
              const std::string s = d.get<std::string>();
              int y = 0, m = 0, dd = 0;
              ok = s[4] == '-' && s[7] == '-' &&
                   std::sscanf(s.c_str(), "%4d-%2d-%2d", &y, &m, &dd) == 3 && m >= 1 && m <= 12 &&
                   dd >= 1 && dd <= 31;
              if (ok) {
                int ry = 0, rm = 0, rd = 0;
                civil_from_days(days_from_civil(y, m, dd), ry, rm, rd);
                ok = ry == y && rm == m && rd == dd;
              }
              if (ok) b.holidays.push_back(s);
            }
            if (!ok)
              error(path + "/holidays/" + std::to_string(j), "must be a date \"YYYY-MM-DD\"");
          }
        }
      }
      b.open = ref(n, path, "open", true, idx, false);
      b.closed = ref(n, path, "closed", true, idx, false);
      b.holiday = ref(n, path, "holiday", false, idx, false);
      return b;
    }
    if (type == "queue") {
      only_keys(n, path,
                {"id", "type", "queue", "skills", "priority", "prompt", "music",
                 "announce_every_ms", "callback", "on_blocked", "after_call"});
      QueueNode b;
      b.queue = str(n, path, "queue", true);
      if (field(n, "queue") && b.queue.empty()) error(path + "/queue", "must not be empty");
      b.skills = skills(n, path);
      b.priority = str_or_int(n, path, "priority", "0");
      b.prompt = prompt(n, path, "prompt", false);
      b.music = str(n, path, "music", false);
      b.announce_every = integer(n, path, "announce_every_ms", 0, 0, 24 * kMillisPerHour);
      if (b.announce_every > 0 && b.announce_every < 5000)
        error(path + "/announce_every_ms", "must be 0 (never) or at least 5000");
      if (const json* cb = field(n, "callback")) {
        const std::string p = path + "/callback";
        if (!cb->is_object()) {
          error(p, "must be an object");
        } else {
          only_keys(*cb, p,
                    {"after_ms", "repeat_ms", "prompt", "key", "accepted_prompt", "number"});
          QueueCallbackOffer offer;
          offer.after = integer(*cb, p, "after_ms", 60000, 0, 24 * kMillisPerHour);
          offer.repeat = integer(*cb, p, "repeat_ms", 0, 0, 24 * kMillisPerHour);
          if (offer.repeat > 0 && offer.repeat < 5000)
            error(p + "/repeat_ms", "must be 0 (once) or at least 5000");
          offer.prompt = prompt(*cb, p, "prompt", true);
          offer.key = str(*cb, p, "key", false, "1");
          if (!is_dtmf_key(offer.key)) error(p + "/key", "must be one DTMF key (0-9, *, #)");
          offer.accepted_prompt = prompt(*cb, p, "accepted_prompt", false);
          offer.number = str(*cb, p, "number", false, "${caller}");
          b.callback = std::move(offer);
        }
      }
      b.on_blocked = ref(n, path, "on_blocked", false, idx, false);
      b.after_call = ref(n, path, "after_call", false, idx, true);
      return b;
    }
    if (type == "callback") {
      only_keys(n, path,
                {"id", "type", "prompt", "key", "queue", "skills", "priority", "number",
                 "timeout_ms", "max_retries", "invalid_prompt", "timeout_prompt", "on_failure",
                 "accepted", "declined"});
      CallbackNode b;
      b.prompt = prompt(n, path, "prompt", true);
      b.key = str(n, path, "key", false, "1");
      if (!is_dtmf_key(b.key)) error(path + "/key", "must be one DTMF key (0-9, *, #)");
      b.queue = str(n, path, "queue", true);
      b.skills = skills(n, path);
      b.priority = str_or_int(n, path, "priority", "0");
      b.number = str(n, path, "number", false, "${caller}");
      b.input = input(n, path, idx);
      b.accepted = ref(n, path, "accepted", false, idx, true);
      b.declined = ref(n, path, "declined", true, idx, true);
      return b;
    }
    if (type == "transfer") {
      only_keys(n, path, {"id", "type", "prompt", "target"});
      TransferNode b;
      b.prompt = prompt(n, path, "prompt", false);
      b.target = str(n, path, "target", true);
      if (field(n, "target") && b.target.empty()) error(path + "/target", "must not be empty");
      return b;
    }
    if (type == "survey") {
      only_keys(n, path,
                {"id", "type", "survey", "question", "kind", "prompt", "timeout_ms", "max_retries",
                 "invalid_prompt", "timeout_prompt", "on_failure", "next"});
      SurveyNode b;
      b.survey = str(n, path, "survey", true);
      if (!b.survey.empty() && !valid_id(b.survey))
        error(path + "/survey", "must be an id (letters, digits, _ - .)");
      b.question = str(n, path, "question", false, "q1");
      if (!valid_id(b.question))
        error(path + "/question", "must be an id (letters, digits, _ - .)");
      std::string kind = str(n, path, "kind", true);
      if (!kind.empty()) {
        auto k = parse_survey_kind(kind);
        if (!k.ok())
          error(path + "/kind", k.status().message());
        else
          b.kind = *k;
      }
      b.prompt = prompt(n, path, "prompt", true);
      b.input = input(n, path, idx);
      b.next = ref(n, path, "next", true, idx, true);
      return b;
    }
    if (type == "end") {
      only_keys(n, path, {"id", "type", "prompt", "outcome", "reason"});
      EndNode b;
      b.prompt = prompt(n, path, "prompt", false);
      std::string outcome = str(n, path, "outcome", false, "self_served");
      if (outcome == "self_served")
        b.outcome = EndOutcome::kSelfServed;
      else if (outcome == "disconnected")
        b.outcome = EndOutcome::kDisconnected;
      else
        error(path + "/outcome", "must be \"self_served\" or \"disconnected\"");
      b.reason = str(n, path, "reason", false);
      return b;
    }
    error(path + "/type",
          "unknown node type " + in_quotes(type) +
              " (play, menu, collect, condition, set, http, hours, queue, callback, transfer, "
              "survey, end)");
    return EndNode{};
  }

  std::vector<Ref> refs;
};

// Cycles that never wait for the customer (or an HTTP answer would not help: a failing dip that
// loops back spins forever) make a session step without end.
void find_cycles_without_input(const FlowDefinition& flow, const std::vector<Ref>& refs,
                               const std::vector<int>& target_of_ref, Parser& p) {
  const int n = static_cast<int>(flow.nodes.size());
  std::vector<std::vector<int>> edges(n);
  for (std::size_t i = 0; i < refs.size(); ++i) {
    if (refs[i].through_input || target_of_ref[i] < 0 || refs[i].from < 0) continue;
    edges[refs[i].from].push_back(target_of_ref[i]);
  }
  for (auto& e : edges) {
    std::sort(e.begin(), e.end());
    e.erase(std::unique(e.begin(), e.end()), e.end());
  }
  // Iterative DFS with colours; each back edge reports the cycle once.
  std::vector<int> colour(n, 0), parent(n, -1);
  std::set<std::vector<int>> reported;
  for (int root = 0; root < n; ++root) {
    if (colour[root] != 0) continue;
    std::vector<std::pair<int, std::size_t>> stack{{root, 0}};
    colour[root] = 1;
    while (!stack.empty()) {
      auto& [v, next] = stack.back();
      if (next < edges[v].size()) {
        int w = edges[v][next++];
        if (colour[w] == 0) {
          colour[w] = 1;
          parent[w] = v;
          stack.push_back({w, 0});
        } else if (colour[w] == 1) {
          std::vector<int> cycle{w};
          for (int x = v; x != w && x >= 0; x = parent[x]) cycle.push_back(x);
          std::sort(cycle.begin(), cycle.end());
          if (reported.insert(cycle).second) {
            std::string names;
            std::vector<int> order;
            for (int x = v; x != w && x >= 0; x = parent[x]) order.push_back(x);
            order.push_back(w);
            std::reverse(order.begin(), order.end());
            for (int x : order) names += flow.nodes[x].id + " -> ";
            names += flow.nodes[w].id;
            p.error("/nodes/" + std::to_string(w),
                    "cycle without input (" + names +
                        "): a loop must pass through a menu, collect, callback, survey or queue");
          }
        }
      } else {
        colour[v] = 2;
        stack.pop_back();
      }
    }
  }
}

}  // namespace

Result<std::shared_ptr<const FlowDefinition>> parse_flow(std::string_view json_text,
                                                         std::vector<Issue>* issues_out) {
  Parser p;
  auto flow = std::make_shared<FlowDefinition>();
  json doc = json::parse(json_text.begin(), json_text.end(), nullptr, false);
  if (doc.is_discarded()) {
    // Re-parse with exceptions for the position of the syntax error.
    std::string why = "not valid JSON";
    try {
      json ignored = json::parse(json_text.begin(), json_text.end());
      (void)ignored;
    } catch (const json::parse_error& e) {
      why = std::string("not valid JSON: ") + e.what();
    }
    p.error("", why);
  } else if (!doc.is_object()) {
    p.error("", "a flow must be a JSON object");
  } else {
    p.only_keys(doc, "",
                {"$schema", "id", "name", "version", "description", "start", "settings", "nodes"});
    flow->id = p.str(doc, "", "id", true);
    if (!flow->id.empty() && !valid_id(flow->id))
      p.error("/id", "must be 1-64 letters, digits, \"_\", \"-\" or \".\"");
    flow->name = p.str(doc, "", "name", false, flow->id);
    flow->version = static_cast<std::uint32_t>(p.integer(doc, "", "version", 0, 0, 1000000000));
    if (const json* d = p.field(doc, "description"); d && !d->is_string())
      p.error("/description", "must be a string");
    if (const json* s = p.field(doc, "settings")) {
      if (!s->is_object()) {
        p.error("/settings", "must be an object");
      } else {
        p.only_keys(*s, "/settings", {"text_timeout_ms", "inter_digit_timeout_ms"});
        flow->settings.text_timeout =
            p.integer(*s, "/settings", "text_timeout_ms", flow->settings.text_timeout, 1000,
                      7 * kMillisPerDay);
        flow->settings.inter_digit_timeout =
            p.integer(*s, "/settings", "inter_digit_timeout_ms", flow->settings.inter_digit_timeout,
                      100, kMillisPerMinute);
      }
    }
    const json* nodes = p.field(doc, "nodes");
    if (!nodes || !nodes->is_array() || nodes->empty()) {
      p.error("/nodes", nodes ? "must be a non-empty array" : "required");
    } else if (nodes->size() > 1000) {
      p.error("/nodes", "at most 1000 nodes");
    } else {
      std::unordered_map<std::string, int> first_at;
      for (std::size_t i = 0; i < nodes->size(); ++i) {
        const std::string path = "/nodes/" + std::to_string(i);
        const json& n = (*nodes)[i];
        Node node;
        const int idx = static_cast<int>(flow->nodes.size());
        if (!n.is_object()) {
          p.error(path, "must be an object");
          node.body = EndNode{};
          flow->nodes.push_back(std::move(node));
          continue;
        }
        node.id = p.str(n, path, "id", true);
        if (!node.id.empty() && !valid_id(node.id))
          p.error(path + "/id", "must be 1-64 letters, digits, \"_\", \"-\" or \".\"");
        if (!node.id.empty()) {
          auto [it, inserted] = first_at.emplace(node.id, static_cast<int>(i));
          if (!inserted)
            p.error(path + "/id", "duplicate node id " + in_quotes(node.id) + " (first at /nodes/" +
                                      std::to_string(it->second) + ")");
        }
        std::string type = p.str(n, path, "type", true);
        node.body = type.empty() ? NodeBody{EndNode{}} : p.node_body(type, n, path, idx);
        flow->nodes.push_back(std::move(node));
      }
      for (int i = 0; i < static_cast<int>(flow->nodes.size()); ++i) {
        if (!flow->nodes[i].id.empty() && first_at.at(flow->nodes[i].id) == i)
          flow->index.emplace_back(flow->nodes[i].id, i);
      }
      std::sort(flow->index.begin(), flow->index.end());
    }
    flow->start = p.str(doc, "", "start", true);
    if (!flow->start.empty() && !flow->nodes.empty() && flow->find(flow->start) < 0)
      p.error("/start", "unknown node " + in_quotes(flow->start));

    // References, reachability and cycles (only meaningful once nodes parsed).
    if (!flow->nodes.empty()) {
      std::vector<int> targets(p.refs.size(), -1);
      for (std::size_t i = 0; i < p.refs.size(); ++i) {
        targets[i] = flow->find(p.refs[i].target);
        if (targets[i] < 0) p.error(p.refs[i].path, "unknown node " + in_quotes(p.refs[i].target));
      }
      const int start = flow->find(flow->start);
      if (start >= 0) {
        std::vector<std::vector<int>> out(flow->nodes.size());
        for (std::size_t i = 0; i < p.refs.size(); ++i)
          if (targets[i] >= 0 && p.refs[i].from >= 0) out[p.refs[i].from].push_back(targets[i]);
        std::vector<bool> seen(flow->nodes.size(), false);
        std::vector<int> todo{start};
        seen[start] = true;
        while (!todo.empty()) {
          int v = todo.back();
          todo.pop_back();
          for (int w : out[v])
            if (!seen[w]) seen[w] = true, todo.push_back(w);
        }
        for (std::size_t i = 0; i < seen.size(); ++i)
          if (!seen[i] && !flow->nodes[i].id.empty())
            p.error("/nodes/" + std::to_string(i), "node " + in_quotes(flow->nodes[i].id) +
                                                       " is unreachable from start " +
                                                       in_quotes(flow->start));
      }
      find_cycles_without_input(*flow, p.refs, targets, p);
    }
  }
  if (issues_out) *issues_out = p.issues;
  if (!p.issues.empty()) {
    std::string msg = "invalid flow";
    if (!flow->id.empty()) msg += " " + in_quotes(flow->id);
    msg += ":";
    for (const auto& i : p.issues) msg += "\n" + i.to_string();
    return Status::invalid_argument(msg);
  }
  return std::shared_ptr<const FlowDefinition>(std::move(flow));
}

}  // namespace sb::flows
