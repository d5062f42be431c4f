#include "flows/flow_runtime.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "base/overloaded.h"
#include "flows/time_zone.h"

namespace sb::flows {

std::string_view outcome_name(Outcome o) {
  switch (o) {
    case Outcome::kNone:
      return "none";
    case Outcome::kSelfServed:
      return "self_served";
    case Outcome::kDisconnected:
      return "disconnected";
    case Outcome::kAbandoned:
      return "abandoned";
    case Outcome::kHandedOff:
      return "handed_off";
    case Outcome::kTransferred:
      return "transferred";
  }
  return "?";
}

std::string_view wait_state_name(WaitState w) {
  switch (w) {
    case WaitState::kNotStarted:
      return "not_started";
    case WaitState::kInput:
      return "input";
    case WaitState::kHttp:
      return "http";
    case WaitState::kQueueAnswer:
      return "queue_answer";
    case WaitState::kInQueue:
      return "in_queue";
    case WaitState::kFinished:
      return "finished";
  }
  return "?";
}

namespace {

bool unreserved(unsigned char c) {
  return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
}

std::string lower_trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  std::string out(s.substr(b, e - b));
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Whole-word containment: "my bill please" contains "bill".
bool contains_word(std::string_view text, std::string_view word) {
  if (word.empty()) return false;
  for (std::size_t pos = text.find(word); pos != std::string_view::npos;
       pos = text.find(word, pos + 1)) {
    bool left = pos == 0 || !std::isalnum(static_cast<unsigned char>(text[pos - 1]));
    std::size_t end = pos + word.size();
    bool right = end == text.size() || !std::isalnum(static_cast<unsigned char>(text[end]));
    if (left && right) return true;
  }
  return false;
}

bool parse_number(std::string_view s, double& out) {
  if (s.empty()) return false;
  std::string tmp(s);
  char* end = nullptr;
  out = std::strtod(tmp.c_str(), &end);
  return end == tmp.c_str() + tmp.size() && std::isfinite(out);
}

bool parse_int(std::string_view s, long long& out) {
  std::string t = lower_trim(s);
  if (t.empty()) return false;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
  return ec == std::errc() && p == t.data() + t.size();
}

bool evaluate(const ConditionCase& c, const Attributes& attrs) {
  auto it = attrs.find(c.attribute);
  const bool exists = it != attrs.end();
  if (c.op == CompareOp::kExists) return exists && !it->second.empty();
  if (c.op == CompareOp::kNotExists) return !exists || it->second.empty();
  const std::string actual = exists ? it->second : "";
  if (c.op == CompareOp::kIn) {
    return std::find(c.values.begin(), c.values.end(), actual) != c.values.end();
  }
  const std::string expected = expand_template(c.value, attrs);
  if (c.op == CompareOp::kStartsWith) return actual.rfind(expected, 0) == 0;
  double a = 0, b = 0;
  int cmp = 0;
  const bool na = parse_number(actual, a);
  const bool nb = parse_number(expected, b);
  if (na && nb) {
    cmp = a < b ? -1 : (a > b ? 1 : 0);
  } else if (na != nb && c.op != CompareOp::kEq && c.op != CompareOp::kNe) {
    return false;  // "abc" is neither less nor greater than 100
  } else {
    cmp = actual.compare(expected);
    cmp = cmp < 0 ? -1 : (cmp > 0 ? 1 : 0);
  }
  switch (c.op) {
    case CompareOp::kEq:
      return cmp == 0;
    case CompareOp::kNe:
      return cmp != 0;
    case CompareOp::kLt:
      return cmp < 0;
    case CompareOp::kLe:
      return cmp <= 0;
    case CompareOp::kGt:
      return cmp > 0;
    case CompareOp::kGe:
      return cmp >= 0;
    default:
      return false;
  }
}

std::string two(int v) { return (v < 10 ? "0" : "") + std::to_string(v); }

}  // namespace

std::string expand_template(std::string_view t, const Attributes& attributes, bool url_encode) {
  std::string out;
  out.reserve(t.size());
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '$' && i + 2 < t.size() && t[i + 1] == '$' && t[i + 2] == '{') {
      out += "${";
      i += 2;
      continue;
    }
    if (t[i] == '$' && i + 1 < t.size() && t[i + 1] == '{') {
      auto close = t.find('}', i + 2);
      if (close != std::string_view::npos) {
        auto it = attributes.find(t.substr(i + 2, close - i - 2));
        if (it != attributes.end()) {
          if (!url_encode) {
            out += it->second;
          } else {
            static constexpr char kHex[] = "0123456789ABCDEF";
            for (unsigned char c : it->second) {
              if (unreserved(c)) {
                out += static_cast<char>(c);
              } else {
                out += '%';
                out += kHex[c >> 4];
                out += kHex[c & 15];
              }
            }
          }
        }
        i = close;
        continue;
      }
    }
    out += t[i];
  }
  return out;
}

// The step machine. Static functions over the session keep the public header free of helpers.
struct FlowSession::Impl {
  using S = FlowSession;

  static const Node& node(const S& s) { return s.flow_->nodes[static_cast<std::size_t>(s.node_)]; }

  static Millis input_timeout(const S& s, Millis voice_timeout) {
    return s.options_.channel == SessionChannel::kText ? s.flow_->settings.text_timeout
                                                       : voice_timeout;
  }

  static void set_attr(S& s, const std::string& key, std::string value) {
    auto it = s.attributes_.find(key);
    if (it != s.attributes_.end() && it->second == value) return;
    s.attributes_[key] = value;
    s.changed_[key] = std::move(value);
  }

  static void flush(S& s, Actions& out) {
    if (s.changed_.empty()) return;
    out.push_back(act::SetAttributes{std::move(s.changed_)});
    s.changed_.clear();
  }

  static void say(S& s, const Prompt& p, bool expects_input, Actions& out,
                  std::string_view extra_text = {}) {
    if (p.empty() && extra_text.empty()) return;
    act::Say a;
    a.audio = expand_template(p.audio, s.attributes_);
    a.text = expand_template(p.text, s.attributes_);
    if (!extra_text.empty()) {
      if (!a.text.empty()) a.text += "\n";
      a.text += extra_text;
    }
    a.expects_input = expects_input;
    out.push_back(std::move(a));
  }

  static void arm(S& s, std::optional<act::StartTimer>& slot, Millis at, Actions& out) {
    if (slot) out.push_back(act::CancelTimer{slot->id});
    slot = act::StartTimer{s.next_timer_++, at};
    out.push_back(*slot);
  }

  static void disarm(std::optional<act::StartTimer>& slot, Actions& out) {
    if (slot) out.push_back(act::CancelTimer{slot->id});
    slot.reset();
  }

  static void finish(S& s, Outcome outcome, std::string reason, Actions& out) {
    disarm(s.input_timer_, out);
    disarm(s.announce_timer_, out);
    disarm(s.callback_timer_, out);
    if (s.handed_off_ && outcome != Outcome::kTransferred) outcome = Outcome::kHandedOff;
    if (!reason.empty()) set_attr(s, "end_reason", reason);
    flush(s, out);
    s.outcome_ = outcome;
    s.wait_ = WaitState::kFinished;
    s.buffer_.clear();
    s.pending_request_ = 0;
    out.push_back(act::End{outcome, std::move(reason)});
  }

  // The text that lists a menu's choices on text channels ("1. Billing").
  static std::string choice_list(const MenuNode& m) {
    std::string list;
    for (const auto& c : m.choices) {
      if (c.label.empty()) continue;
      if (!list.empty()) list += "\n";
      list += c.key + ". " + c.label;
    }
    return list;
  }

  static const Prompt* node_prompt(const Node& n) {
    return std::visit(Overloaded{
                          [](const MenuNode& b) -> const Prompt* { return &b.prompt; },
                          [](const CollectNode& b) -> const Prompt* { return &b.prompt; },
                          [](const CallbackNode& b) -> const Prompt* { return &b.prompt; },
                          [](const SurveyNode& b) -> const Prompt* { return &b.prompt; },
                          [](const auto&) -> const Prompt* { return nullptr; },
                      },
                      n.body);
  }

  static const InputPolicy* node_input(const Node& n) {
    return std::visit(Overloaded{
                          [](const MenuNode& b) -> const InputPolicy* { return &b.input; },
                          [](const CollectNode& b) -> const InputPolicy* { return &b.input; },
                          [](const CallbackNode& b) -> const InputPolicy* { return &b.input; },
                          [](const SurveyNode& b) -> const InputPolicy* { return &b.input; },
                          [](const auto&) -> const InputPolicy* { return nullptr; },
                      },
                      n.body);
  }

  // Says the current input node's prompt and waits for a reply.
  static void prompt_for_input(S& s, Millis now, Actions& out) {
    const Node& n = node(s);
    std::string extra;
    if (const auto* m = std::get_if<MenuNode>(&n.body);
        m && s.options_.channel == SessionChannel::kText)
      extra = choice_list(*m);
    say(s, *node_prompt(n), true, out, extra);
    s.buffer_.clear();
    flush(s, out);
    s.wait_ = WaitState::kInput;
    arm(s, s.input_timer_, now + input_timeout(s, node_input(n)->timeout), out);
  }

  static Status go(S& s, const std::string& next, Millis now, Actions& out,
                   Outcome if_empty = Outcome::kDisconnected) {
    if (next.empty()) {
      finish(s, if_empty, "", out);
      return {};
    }
    return run(s, s.flow_->find(next), now, out);
  }

  // Runs from node `start` until the session waits or ends.
  static Status run(S& s, int start, Millis now, Actions& out) {
    disarm(s.input_timer_, out);
    int idx = start;
    for (int steps = 0;; ++steps) {
      if (idx < 0) {
        finish(s, Outcome::kDisconnected, "unknown node", out);
        return {};
      }
      if (steps >= s.options_.max_steps_per_input) {
        finish(s, Outcome::kDisconnected, "step limit", out);
        return {};
      }
      s.node_ = idx;
      s.retries_ = 0;
      s.buffer_.clear();
      const Node& n = node(s);
      const std::string* next = nullptr;
      bool waits = false;
      std::visit(Overloaded{
                     [&](const PlayNode& b) {
                       say(s, b.prompt, false, out);
                       next = &b.next;
                     },
                     [&](const MenuNode&) { waits = true; },
                     [&](const CollectNode&) { waits = true; },
                     [&](const CallbackNode&) { waits = true; },
                     [&](const SurveyNode&) { waits = true; },
                     [&](const ConditionNode& b) {
                       next = &b.otherwise;
                       for (const auto& c : b.cases) {
                         if (evaluate(c, s.attributes_)) {
                           next = &c.next;
                           break;
                         }
                       }
                     },
                     [&](const SetAttributeNode& b) {
                       std::vector<std::pair<std::string, std::string>> values;
                       for (const auto& [k, v] : b.assignments)
                         values.emplace_back(k, expand_template(v, s.attributes_));
                       for (auto& [k, v] : values) set_attr(s, k, std::move(v));
                       next = &b.next;
                     },
                     [&](const HttpNode& b) {
                       act::HttpRequest r;
                       r.id = s.next_request_++;
                       r.method = b.method;
                       r.url = expand_template(b.url, s.attributes_, true);
                       for (const auto& [k, v] : b.headers)
                         r.headers.emplace_back(k, expand_template(v, s.attributes_));
                       r.body = expand_template(b.body, s.attributes_);
                       r.timeout = b.timeout;
                       flush(s, out);
                       s.pending_request_ = r.id;
                       s.wait_ = WaitState::kHttp;
                       out.push_back(std::move(r));
                       waits = true;
                     },
                     [&](const BusinessHoursNode& b) { next = &hours_branch(b, now); },
                     [&](const QueueNode& b) {
                       say(s, b.prompt, false, out);
                       act::Enqueue e = enqueue_action(s, b.queue, b.skills, b.priority);
                       e.music = b.music;
                       e.announce_every = b.announce_every;
                       flush(s, out);
                       e.attributes = s.attributes_;
                       s.wait_ = WaitState::kQueueAnswer;
                       out.push_back(std::move(e));
                       waits = true;
                     },
                     [&](const TransferNode& b) {
                       say(s, b.prompt, false, out);
                       flush(s, out);
                       out.push_back(act::Transfer{expand_template(b.target, s.attributes_)});
                       finish(s, Outcome::kTransferred, "", out);
                       waits = true;
                     },
                     [&](const EndNode& b) {
                       say(s, b.prompt, false, out);
                       finish(s,
                              b.outcome == EndOutcome::kSelfServed ? Outcome::kSelfServed
                                                                   : Outcome::kDisconnected,
                              b.reason, out);
                       waits = true;
                     },
                 },
                 n.body);
      if (waits) {
        if (node_prompt(n) != nullptr) prompt_for_input(s, now, out);
        return {};
      }
      if (next->empty()) {
        finish(s, Outcome::kDisconnected, "", out);
        return {};
      }
      idx = s.flow_->find(*next);
    }
  }

  static const std::string& hours_branch(const BusinessHoursNode& b, Millis now) {
    auto lt = local_time(b.time_zone, now);
    if (!lt.ok()) return b.closed;  // validated at load; a zone ICU lost is closed, not a crash
    const std::string date = std::to_string(lt->year) + "-" + two(lt->month) + "-" + two(lt->day);
    if (std::find(b.holidays.begin(), b.holidays.end(), date) != b.holidays.end())
      return b.holiday.empty() ? b.closed : b.holiday;
    for (const auto& w : b.windows) {
      if (w.weekday == lt->weekday && lt->minute_of_day >= w.open_minute &&
          lt->minute_of_day < w.close_minute)
        return b.open;
    }
    return b.closed;
  }

  static act::Enqueue enqueue_action(S& s, const std::string& queue,
                                     const std::vector<SkillSpec>& skills,
                                     const std::string& priority) {
    act::Enqueue e;
    e.queue = expand_template(queue, s.attributes_);
    for (const auto& sk : skills) {
      act::SkillNeed need;
      need.skill = expand_template(sk.skill, s.attributes_);
      if (need.skill.empty()) continue;  // e.g. "${language}" with no language known
      long long prof = 1;
      if (!parse_int(expand_template(sk.min_proficiency, s.attributes_), prof)) prof = 1;
      need.min_proficiency = static_cast<int>(std::clamp<long long>(prof, 1, 10));
      need.optional = sk.optional;
      e.skills.push_back(std::move(need));
    }
    long long p = 0;
    if (!parse_int(expand_template(priority, s.attributes_), p)) p = 0;
    e.priority = static_cast<std::int32_t>(std::clamp<long long>(p, -1000000, 1000000));
    return e;
  }

  // An invalid reply or a timeout: re-prompt, or take the failure branch once retries run out.
  static Status retry(S& s, bool timed_out, Millis now, Actions& out) {
    const Node& n = node(s);
    const InputPolicy& in = *node_input(n);
    if (s.retries_ >= in.max_retries) {
      disarm(s.input_timer_, out);
      std::string failure = in.on_failure;
      if (failure.empty()) {
        if (const auto* sv = std::get_if<SurveyNode>(&n.body)) failure = sv->next;
        if (const auto* cb = std::get_if<CallbackNode>(&n.body)) failure = cb->declined;
      }
      if (failure.empty()) {
        finish(s, Outcome::kDisconnected, timed_out ? "no input" : "invalid input", out);
        return {};
      }
      return run(s, s.flow_->find(failure), now, out);
    }
    int retries = s.retries_ + 1;
    say(s, timed_out ? in.timeout_prompt : in.invalid_prompt, false, out);
    prompt_for_input(s, now, out);
    s.retries_ = retries;
    return {};
  }

  static Status choose(S& s, const MenuChoice& c, Millis now, Actions& out) {
    std::vector<std::pair<std::string, std::string>> values;
    for (const auto& [k, v] : c.set) values.emplace_back(k, expand_template(v, s.attributes_));
    for (auto& [k, v] : values) set_attr(s, k, std::move(v));
    return run(s, s.flow_->find(c.next), now, out);
  }

  static Status record_survey(S& s, const SurveyNode& b, int score, Millis now, Actions& out) {
    flush(s, out);
    out.push_back(act::RecordSurvey{b.survey, b.question, b.kind, score});
    return run(s, s.flow_->find(b.next), now, out);
  }

  static Status accept_callback(S& s, const CallbackNode& b, Actions& out) {
    disarm(s.input_timer_, out);
    act::Enqueue e = enqueue_action(s, b.queue, b.skills, b.priority);
    e.callback = true;
    e.number = expand_template(b.number, s.attributes_);
    flush(s, out);
    e.attributes = s.attributes_;
    s.wait_ = WaitState::kQueueAnswer;
    out.push_back(std::move(e));
    return {};
  }

  static Status accept_collected(S& s, const CollectNode& b, Millis now, Actions& out) {
    set_attr(s, b.attribute, s.buffer_);
    return run(s, s.flow_->find(b.next), now, out);
  }

  // One DTMF key while waiting for input.
  static Status key(S& s, char k, Millis now, Actions& out) {
    const Node& n = node(s);
    return std::visit(Overloaded{
                          [&](const MenuNode& b) -> Status {
                            for (const auto& c : b.choices)
                              if (c.key.size() == 1 && c.key[0] == k) return choose(s, c, now, out);
                            return retry(s, false, now, out);
                          },
                          [&](const CollectNode& b) -> Status {
                            if (b.terminator.size() == 1 && k == b.terminator[0]) {
                              if (static_cast<int>(s.buffer_.size()) >= b.min_length)
                                return accept_collected(s, b, now, out);
                              return retry(s, false, now, out);
                            }
                            if (k < '0' || k > '9') return retry(s, false, now, out);
                            s.buffer_ += k;
                            if (static_cast<int>(s.buffer_.size()) >= b.max_length)
                              return accept_collected(s, b, now, out);
                            arm(s, s.input_timer_, now + input_timeout(s, b.input.timeout), out);
                            return {};
                          },
                          [&](const CallbackNode& b) -> Status {
                            if (b.key.size() == 1 && b.key[0] == k)
                              return accept_callback(s, b, out);
                            return run(s, s.flow_->find(b.declined), now, out);
                          },
                          [&](const SurveyNode& b) -> Status {
                            if (b.kind == SurveyKind::kNps) {
                              if (s.buffer_ == "1") {
                                if (k == '0') return record_survey(s, b, 10, now, out);
                                if (k == '#') return record_survey(s, b, 1, now, out);
                                return retry(s, false, now, out);
                              }
                              if (k == '1') {
                                s.buffer_ = "1";
                                arm(s, s.input_timer_, now + s.flow_->settings.inter_digit_timeout,
                                    out);
                                return {};
                              }
                            }
                            if (k >= '0' && k <= '9') {
                              int score = k - '0';
                              if (score >= survey_min(b.kind) && score <= survey_max(b.kind))
                                return record_survey(s, b, score, now, out);
                            }
                            return retry(s, false, now, out);
                          },
                          [&](const auto&) -> Status {
                            return Status::internal("node " + n.id + " does not take input");
                          },
                      },
                      n.body);
  }

  static Status text(S& s, std::string_view raw, Millis now, Actions& out) {
    const Node& n = node(s);
    const std::string t = lower_trim(raw);
    return std::visit(
        Overloaded{
            [&](const MenuNode& b) -> Status {
              for (const auto& c : b.choices)
                if (t == c.key || (!c.label.empty() && t == lower_trim(c.label)))
                  return choose(s, c, now, out);
              for (const auto& c : b.choices)
                for (const auto& w : c.match)
                  if (contains_word(t, lower_trim(w))) return choose(s, c, now, out);
              return retry(s, false, now, out);
            },
            [&](const CollectNode& b) -> Status {
              std::string digits;
              for (char c : t) {
                if (c >= '0' && c <= '9')
                  digits += c;
                else if (c == ' ' || c == '-' || c == '.' ||
                         (b.terminator.size() == 1 && c == b.terminator[0]))
                  continue;
                else
                  return retry(s, false, now, out);
              }
              if (static_cast<int>(digits.size()) < b.min_length ||
                  static_cast<int>(digits.size()) > b.max_length)
                return retry(s, false, now, out);
              s.buffer_ = digits;
              return accept_collected(s, b, now, out);
            },
            [&](const CallbackNode& b) -> Status {
              if (t == b.key || t == "yes" || t == "y" || contains_word(t, "yes") ||
                  contains_word(t, "callback") || contains_word(t, "call me"))
                return accept_callback(s, b, out);
              return run(s, s.flow_->find(b.declined), now, out);
            },
            [&](const SurveyNode& b) -> Status {
              long long v = 0;
              if (parse_int(t, v) && v >= survey_min(b.kind) && v <= survey_max(b.kind))
                return record_survey(s, b, static_cast<int>(v), now, out);
              return retry(s, false, now, out);
            },
            [&](const auto&) -> Status {
              return Status::internal("node " + n.id + " does not take input");
            },
        },
        n.body);
  }

  static Status input_timeout_fired(S& s, Millis now, Actions& out) {
    s.input_timer_.reset();
    const Node& n = node(s);
    if (const auto* c = std::get_if<CollectNode>(&n.body);
        c && static_cast<int>(s.buffer_.size()) >= c->min_length)
      return accept_collected(s, *c, now, out);
    if (const auto* sv = std::get_if<SurveyNode>(&n.body); sv && s.buffer_ == "1")
      return record_survey(s, *sv, 1, now, out);
    return retry(s, true, now, out);
  }

  static void enter_queue(S& s, Millis now, Actions& out) {
    const auto& q = std::get<QueueNode>(node(s).body);
    s.wait_ = WaitState::kInQueue;
    s.handed_off_ = true;
    s.callback_offered_ = false;
    if (q.announce_every > 0) arm(s, s.announce_timer_, now + q.announce_every, out);
    if (q.callback) arm(s, s.callback_timer_, now + q.callback->after, out);
  }
};

FlowSession::FlowSession(std::shared_ptr<const FlowDefinition> flow, SessionOptions options)
    : flow_(std::move(flow)), options_(std::move(options)), attributes_(options_.attributes) {}

std::string_view FlowSession::current_node() const {
  if (node_ < 0 || wait_ == WaitState::kFinished) return {};
  return flow_->nodes[static_cast<std::size_t>(node_)].id;
}

std::vector<act::StartTimer> FlowSession::pending_timers() const {
  std::vector<act::StartTimer> out;
  for (const auto* t : {&input_timer_, &announce_timer_, &callback_timer_})
    if (*t) out.push_back(**t);
  return out;
}

Status FlowSession::start(Millis now, Actions& out) {
  if (wait_ != WaitState::kNotStarted)
    return Status::failed_precondition("flow session already started");
  return Impl::run(*this, flow_->find(flow_->start), now, out);
}

Status FlowSession::on_digits(std::string_view digits, Millis now, Actions& out) {
  if (wait_ == WaitState::kInQueue) {
    // Only the callback offer listens while in queue; other keys are ignored.
    const auto& q = std::get<QueueNode>(Impl::node(*this).body);
    if (callback_offered_ && q.callback && digits.find(q.callback->key) != std::string_view::npos) {
      callback_offered_ = false;
      Impl::disarm(callback_timer_, out);
      Impl::say(*this, q.callback->accepted_prompt, false, out);
      out.push_back(act::RequestCallback{expand_template(q.callback->number, attributes_)});
    }
    return {};
  }
  if (wait_ != WaitState::kInput)
    return Status::failed_precondition(std::string("flow session is not waiting for input (") +
                                       std::string(wait_state_name(wait_)) + ")");
  for (char k : digits) {
    if (wait_ != WaitState::kInput) break;  // the rest of the digits came after the end
    bool dtmf = (k >= '0' && k <= '9') || k == '*' || k == '#';
    if (!dtmf) return Status::invalid_argument(std::string("not a DTMF digit: '") + k + "'");
    SB_RETURN_IF_ERROR(Impl::key(*this, k, now, out));
  }
  return {};
}

Status FlowSession::on_text(std::string_view text, Millis now, Actions& out) {
  if (wait_ == WaitState::kInQueue) {
    const auto& q = std::get<QueueNode>(Impl::node(*this).body);
    std::string t = lower_trim(text);
    if (callback_offered_ && q.callback && (t == q.callback->key || t == "yes"))
      return on_digits(q.callback->key, now, out);
    return {};
  }
  if (wait_ != WaitState::kInput)
    return Status::failed_precondition(std::string("flow session is not waiting for input (") +
                                       std::string(wait_state_name(wait_)) + ")");
  return Impl::text(*this, text, now, out);
}

Status FlowSession::on_timer(TimerId id, Millis now, Actions& out) {
  if (wait_ == WaitState::kFinished) return {};
  if (input_timer_ && input_timer_->id == id && wait_ == WaitState::kInput)
    return Impl::input_timeout_fired(*this, now, out);
  if (wait_ == WaitState::kInQueue) {
    const auto& q = std::get<QueueNode>(Impl::node(*this).body);
    if (announce_timer_ && announce_timer_->id == id) {
      announce_timer_.reset();
      out.push_back(act::AnnounceQueue{});
      Impl::arm(*this, announce_timer_, now + q.announce_every, out);
      return {};
    }
    if (callback_timer_ && callback_timer_->id == id && q.callback) {
      callback_timer_.reset();
      Impl::say(*this, q.callback->prompt, true, out);
      callback_offered_ = true;
      if (q.callback->repeat > 0) Impl::arm(*this, callback_timer_, now + q.callback->repeat, out);
      return {};
    }
  }
  return {};  // stale or cancelled
}

Status FlowSession::on_http_response(RequestId id, const HttpResponse& response, Millis now,
                                     Actions& out) {
  if (wait_ != WaitState::kHttp || id != pending_request_) return {};  // stale
  pending_request_ = 0;
  const auto& b = std::get<HttpNode>(Impl::node(*this).body);
  if (!b.status_attribute.empty())
    Impl::set_attr(*this, b.status_attribute, std::to_string(response.status));
  bool ok = response.status >= 200 && response.status < 300;
  nlohmann::json body;
  if (ok && !b.map.empty()) {
    body = nlohmann::json::parse(response.body, nullptr, false);
    ok = !body.is_discarded();
  }
  if (!ok) {
    Impl::set_attr(*this, "http_error",
                   response.timed_out     ? "timeout"
                   : response.status == 0 ? (response.error.empty() ? "no answer" : response.error)
                   : response.status < 200 || response.status >= 300
                       ? "HTTP " + std::to_string(response.status)
                       : "response is not JSON");
    return Impl::run(*this, flow_->find(b.on_failure), now, out);
  }
  for (const auto& [attr, pointer] : b.map) {
    nlohmann::json::json_pointer ptr;
    try {
      ptr = nlohmann::json::json_pointer(pointer);
    } catch (const nlohmann::json::exception&) {
      continue;  // validated at load
    }
    if (!body.contains(ptr)) continue;
    const auto& v = body.at(ptr);
    if (v.is_null()) continue;
    Impl::set_attr(*this, attr, v.is_string() ? v.get<std::string>() : v.dump());
  }
  return Impl::run(*this, flow_->find(b.next), now, out);
}

Status FlowSession::on_queue_result(bool accepted, std::string_view reason, Millis now,
                                    Actions& out) {
  if (wait_ != WaitState::kQueueAnswer)
    return Status::failed_precondition("flow session is not waiting for a queue answer");
  const Node& n = Impl::node(*this);
  if (const auto* cb = std::get_if<CallbackNode>(&n.body)) {
    if (!accepted) {
      Impl::set_attr(*this, "queue_refused", std::string(reason));
      return Impl::go(*this, cb->declined, now, out);
    }
    handed_off_ = true;
    return Impl::go(*this, cb->accepted, now, out, Outcome::kHandedOff);
  }
  const auto& q = std::get<QueueNode>(n.body);
  if (!accepted) {
    Impl::set_attr(*this, "queue_refused", std::string(reason));
    if (q.on_blocked.empty()) {
      Impl::finish(*this, Outcome::kDisconnected, std::string(reason), out);
      return {};
    }
    return Impl::go(*this, q.on_blocked, now, out);
  }
  Impl::enter_queue(*this, now, out);
  return {};
}

Status FlowSession::on_contact_ended(Millis now, Actions& out) {
  if (wait_ != WaitState::kInQueue)
    return Status::failed_precondition("flow session has no contact with an agent");
  Impl::disarm(announce_timer_, out);
  Impl::disarm(callback_timer_, out);
  const auto& q = std::get<QueueNode>(Impl::node(*this).body);
  return Impl::go(*this, q.after_call, now, out, Outcome::kHandedOff);
}

Status FlowSession::on_hangup(Millis /*now*/, Actions& out) {
  if (wait_ == WaitState::kNotStarted)
    return Status::failed_precondition("flow session not started");
  if (wait_ == WaitState::kFinished) return {};
  Impl::finish(*this, Outcome::kAbandoned, "customer left", out);
  return {};
}

}  // namespace sb::flows
