#include "demo/demo_behavior.h"

#include <algorithm>
#include <cmath>

namespace sb::demo {

// ---------------------------------------------------------------------------------------------
// ManualScheduler

TimerId ManualScheduler::after(Millis delay, std::function<void()> fn) {
  const TimerId id = next_id_++;
  heap_.push({clock_.now() + std::max<Millis>(0, delay), id});
  live_.emplace(id, std::move(fn));
  return id;
}

void ManualScheduler::cancel(TimerId id) { live_.erase(id); }

void ManualScheduler::run_until(Millis t) {
  while (!heap_.empty() && heap_.top().at <= t) {
    const Entry e = heap_.top();
    heap_.pop();
    auto it = live_.find(e.id);
    if (it == live_.end()) continue;  // cancelled
    auto fn = std::move(it->second);
    live_.erase(it);
    if (e.at > clock_.now()) clock_.set(e.at);
    fn();
  }
  if (t > clock_.now()) clock_.set(t);
}

// ---------------------------------------------------------------------------------------------
// WaitingContacts

void WaitingContacts::add(std::int64_t contact) {
  std::lock_guard lock(mu_);
  if (answered_early_.erase(contact) > 0) return;  // the agent was quicker than the answer
  waiting_.insert(contact);
}

void WaitingContacts::answered(std::int64_t contact) {
  std::lock_guard lock(mu_);
  if (waiting_.erase(contact) > 0) return;
  // Not known yet: the offer can reach an agent before the create answer reaches the customer.
  // Contacts that are never added (email) would pile up here, so keep only the recent ones.
  if (answered_early_.size() >= 4096) answered_early_.clear();
  answered_early_.insert(contact);
}

bool WaitingContacts::take(std::int64_t contact) {
  std::lock_guard lock(mu_);
  return waiting_.erase(contact) > 0;
}

std::size_t WaitingContacts::size() const {
  std::lock_guard lock(mu_);
  return waiting_.size();
}

// ---------------------------------------------------------------------------------------------
// SimAgent

namespace {

// Ids start at 0, so "absent" is -1.
constexpr std::int64_t kNone = -1;

std::int64_t int_field(const Json& j, const char* name, std::int64_t fallback = kNone) {
  if (!j.is_object()) return fallback;
  auto it = j.find(name);
  if (it == j.end() || !it->is_number_integer()) return fallback;
  return it->get<std::int64_t>();
}

std::string string_field(const Json& j, const char* name) {
  if (!j.is_object()) return "";
  auto it = j.find(name);
  if (it == j.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

// A lost race rather than a failure: the contact is no longer in the state the step expects
// (409), has left the engine (404), or is no longer offered to or assigned to this agent (403:
// the offer timed out or was withdrawn just before the accept).
bool is_conflict(const Status& s) {
  return s.code() == StatusCode::kFailedPrecondition || s.code() == StatusCode::kNotFound ||
         s.message().rfind("HTTP 403", 0) == 0;
}

}  // namespace

SimAgent::SimAgent(std::int64_t agent_id, const AgentBehaviour& behaviour, Random rng,
                   Scheduler& scheduler, AgentActions& actions, DemoCounters& counters,
                   WaitingContacts* waiting)
    : agent_id_(agent_id),
      b_(behaviour),
      rng_(rng),
      sched_(scheduler),
      actions_(actions),
      counters_(counters),
      waiting_(waiting) {}

SimAgent::~SimAgent() {
  for (auto& [id, t] : contacts_) sched_.cancel(t.timer);
  sched_.cancel(break_timer_);
  sched_.cancel(recover_timer_);
  if (counted_busy_) counters_.busy_agents.fetch_sub(1);
}

Millis SimAgent::scaled(double seconds) const {
  const double speed = b_.speed > 0 ? b_.speed : 1;
  return std::max<Millis>(0, std::llround(seconds * 1000.0 / speed));
}

const HandleTime& SimAgent::handle_for(const std::string& channel) const {
  auto it = b_.handle.find(channel);
  return it == b_.handle.end() ? b_.other_handle : it->second;
}

void SimAgent::count_error(const Status& s) {
  (void)s;
  counters_.errors.fetch_add(1);
}

void SimAgent::update_busy() {
  const bool busy = !contacts_.empty();
  if (busy != counted_busy_) {
    counted_busy_ = busy;
    counters_.busy_agents.fetch_add(busy ? 1 : -1);
  }
}

void SimAgent::track(std::int64_t id, const std::string& channel, Phase phase) {
  Tracked& t = contacts_[id];
  t.channel = channel;
  t.phase = phase;
  update_busy();
}

void SimAgent::forget(std::int64_t id) {
  auto it = contacts_.find(id);
  if (it == contacts_.end()) return;
  sched_.cancel(it->second.timer);
  contacts_.erase(it);
  update_busy();
}

void SimAgent::schedule(std::int64_t id, Millis delay, void (SimAgent::*step)(std::int64_t)) {
  auto it = contacts_.find(id);
  if (it == contacts_.end()) return;
  sched_.cancel(it->second.timer);
  it->second.timer = sched_.after(delay, [this, id, step] { (this->*step)(id); });
}

void SimAgent::start() {
  stopping_ = false;
  auto me = actions_.me();
  if (me.ok()) {
    const Json& j = *me;
    if (j.is_object() && j.contains("agent") && j["agent"].is_object()) on_state(j["agent"]);
    if (j.is_object() && j.contains("contacts") && j["contacts"].is_array()) {
      for (const Json& c : j["contacts"]) adopt(c);
    }
  } else {
    count_error(me.status());
  }
  if (presence_ != "available") go_available();
}

void SimAgent::go_available() {
  if (stopping_) return;
  auto r = actions_.set_presence("available", std::nullopt);
  if (r.ok() || is_conflict(r.status())) {
    presence_ = "available";
  } else {
    count_error(r.status());
  }
}

void SimAgent::adopt(const Json& contact) {
  const std::int64_t id = int_field(contact, "id");
  if (id == kNone || contacts_.count(id)) return;
  const std::string state = string_field(contact, "state");
  const bool mine = int_field(contact, "agent") == agent_id_;
  if (state == "offered" && !mine) {
    on_offer(contact);
  } else if (mine && (state == "connected" || state == "offered")) {
    // Left connected by an earlier run (or accepted meanwhile): finish the conversation soon.
    track(id, string_field(contact, "channel"), Phase::kConnected);
    schedule(id, scaled(rng_.uniform() * handle_for(contacts_[id].channel).mean_s), &SimAgent::end);
  } else if (mine && state == "wrap_up") {
    track(id, string_field(contact, "channel"), Phase::kEnded);
    schedule(id, scaled(rng_.lognormal_mean_sd(b_.wrap.mean_s, b_.wrap.sd_s)), &SimAgent::wrap_up);
  }
}

void SimAgent::on_message(const Json& msg) {
  if (stopping_ || !msg.is_object()) return;
  const std::string type = string_field(msg, "type");
  if (type == "offer") {
    if (msg.contains("contact")) on_offer(msg["contact"]);
  } else if (type == "offer_withdrawn") {
    const std::int64_t id = int_field(msg, "contact");
    auto it = contacts_.find(id);
    if (it != contacts_.end() && it->second.phase == Phase::kOffered) {
      forget(id);
      counters_.offers_lost.fetch_add(1);
    }
  } else if (type == "contact") {
    if (msg.contains("contact")) on_contact(msg["contact"]);
  } else if (type == "state") {
    if (msg.contains("agent")) on_state(msg["agent"]);
  } else if (type == "error") {
    counters_.errors.fetch_add(1);
  }
}

void SimAgent::on_offer(const Json& contact) {
  const std::int64_t id = int_field(contact, "id");
  if (id == kNone || contacts_.count(id)) return;
  track(id, string_field(contact, "channel"), Phase::kOffered);
  const double delay_s = b_.accept_min_s + rng_.uniform() * (b_.accept_max_s - b_.accept_min_s);
  schedule(id, scaled(delay_s), &SimAgent::accept);
}

void SimAgent::on_contact(const Json& contact) {
  const std::int64_t id = int_field(contact, "id");
  const std::string state = string_field(contact, "state");
  auto it = contacts_.find(id);
  if (it == contacts_.end()) {
    if (state != "ended") adopt(contact);
    return;
  }
  const std::int64_t agent = int_field(contact, "agent");
  if (state == "ended" || (agent != -1 && agent != agent_id_)) {
    forget(id);  // gone, or transferred away (a supervisor did something)
    return;
  }
  Tracked& t = it->second;
  if (state == "wrap_up" && (t.phase == Phase::kConnected || t.phase == Phase::kHeld)) {
    // Ended by someone else (a supervisor): wrap up now.
    t.phase = Phase::kEnded;
    schedule(id, scaled(rng_.lognormal_mean_sd(b_.wrap.mean_s, b_.wrap.sd_s)), &SimAgent::wrap_up);
  } else if (state == "queued") {
    forget(id);  // back in the queue (transfer to a queue)
  }
}

void SimAgent::on_state(const Json& state) {
  const std::string presence = string_field(state, "presence");
  if (presence.empty()) return;
  presence_ = presence;
  const std::int64_t reason = int_field(state, "reason");
  if (presence == "not_ready" && reason == 6 /* missed */ && !on_break_ && !stopping_ &&
      recover_timer_ == 0) {
    recover_timer_ = sched_.after(scaled(b_.missed_recover_s), [this] {
      recover_timer_ = 0;
      if (presence_ == "not_ready" && !on_break_) go_available();
    });
  }
}

void SimAgent::accept(std::int64_t id) {
  auto r = actions_.act(id, "accept");
  if (!r.ok()) {
    forget(id);
    if (is_conflict(r.status())) {
      counters_.offers_lost.fetch_add(1);
    } else {
      count_error(r.status());
    }
    return;
  }
  if (waiting_ != nullptr) waiting_->answered(id);
  counters_.answered.fetch_add(1);
  Tracked& t = contacts_[id];
  t.phase = Phase::kConnected;
  const HandleTime& h = handle_for(t.channel);
  const double talk_s = std::max(5.0, rng_.lognormal_mean_sd(h.mean_s, h.sd_s));
  auto hp = b_.hold_probability.find(t.channel);
  const double hold_p = hp == b_.hold_probability.end() ? 0.0 : hp->second;
  if (rng_.uniform() < hold_p) {
    const double hold_at_s = talk_s * (0.2 + 0.5 * rng_.uniform());
    t.hold_for = scaled(std::max(3.0, rng_.exponential(b_.hold_mean_s)));
    t.remaining = scaled(talk_s - hold_at_s);
    schedule(id, scaled(hold_at_s), &SimAgent::hold);
  } else {
    schedule(id, scaled(talk_s), &SimAgent::end);
  }
}

void SimAgent::hold(std::int64_t id) {
  auto r = actions_.act(id, "hold");
  auto it = contacts_.find(id);
  if (it == contacts_.end()) return;
  if (r.ok()) {
    counters_.holds.fetch_add(1);
    it->second.phase = Phase::kHeld;
    schedule(id, it->second.hold_for, &SimAgent::unhold);
  } else {
    if (!is_conflict(r.status())) count_error(r.status());
    schedule(id, it->second.remaining, &SimAgent::end);
  }
}

void SimAgent::unhold(std::int64_t id) {
  auto r = actions_.act(id, "unhold");
  if (!r.ok() && !is_conflict(r.status())) count_error(r.status());
  auto it = contacts_.find(id);
  if (it == contacts_.end()) return;
  it->second.phase = Phase::kConnected;
  schedule(id, it->second.remaining, &SimAgent::end);
}

void SimAgent::end(std::int64_t id) {
  auto r = actions_.act(id, "end");
  if (!r.ok()) {
    if (r.status().code() == StatusCode::kNotFound) return forget(id);
    if (!is_conflict(r.status())) count_error(r.status());
  }
  auto it = contacts_.find(id);
  if (it == contacts_.end()) return;
  it->second.phase = Phase::kEnded;
  schedule(id, scaled(std::max(1.0, rng_.lognormal_mean_sd(b_.wrap.mean_s, b_.wrap.sd_s))),
           &SimAgent::wrap_up);
}

std::int64_t SimAgent::pick_disposition() {
  if (b_.dispositions.empty()) return 0;
  double total = 0;
  for (const auto& [id, w] : b_.dispositions) total += w;
  double x = rng_.uniform() * total;
  for (const auto& [id, w] : b_.dispositions) {
    if (x < w) return id;
    x -= w;
  }
  return b_.dispositions.back().first;
}

void SimAgent::wrap_up(std::int64_t id) {
  const std::int64_t disposition = pick_disposition();
  auto r = actions_.wrap_up(id, disposition);
  forget(id);
  if (r.ok()) {
    counters_.handled.fetch_add(1);
  } else if (!is_conflict(r.status())) {
    count_error(r.status());  // a conflict: the queue's wrap-up timer ended it first
  }
  if (!stopping_ && !on_break_ && rng_.uniform() < b_.break_probability) begin_break();
}

void SimAgent::begin_break() {
  std::optional<std::int64_t> reason;
  if (!b_.break_reasons.empty()) {
    reason = b_.break_reasons[rng_.below(b_.break_reasons.size())];
  }
  auto r = actions_.set_presence("not_ready", reason);
  if (!r.ok()) {
    if (!is_conflict(r.status())) count_error(r.status());
    return;
  }
  presence_ = "not_ready";
  on_break_ = true;
  counters_.breaks.fetch_add(1);
  break_timer_ = sched_.after(scaled(std::max(10.0, rng_.exponential(b_.break_mean_s))),
                              [this] { end_break(); });
}

void SimAgent::end_break() {
  break_timer_ = 0;
  on_break_ = false;
  go_available();
}

void SimAgent::stop() {
  if (stopping_) return;
  stopping_ = true;
  sched_.cancel(break_timer_);
  sched_.cancel(recover_timer_);
  break_timer_ = recover_timer_ = 0;
  // Finish what is in hand so the agent can log out, then log out.
  std::vector<std::int64_t> ids;
  for (const auto& [id, t] : contacts_) ids.push_back(id);
  for (std::int64_t id : ids) {
    Tracked& t = contacts_[id];
    sched_.cancel(t.timer);
    switch (t.phase) {
      case Phase::kOffered:
        (void)actions_.act(id, "reject");
        break;
      case Phase::kHeld:
        (void)actions_.act(id, "unhold");
        [[fallthrough]];
      case Phase::kConnected:
        (void)actions_.act(id, "end");
        [[fallthrough]];
      case Phase::kEnded:
        if (actions_.wrap_up(id, pick_disposition()).ok()) counters_.handled.fetch_add(1);
        break;
    }
    forget(id);
  }
  (void)actions_.set_presence("offline", std::nullopt);
  presence_ = "offline";
}

// ---------------------------------------------------------------------------------------------
// CustomerStream

CustomerStream::CustomerStream(CustomerTraffic traffic, double speed, std::string key_prefix,
                               Random rng, Scheduler& scheduler, CustomerActions& actions,
                               DemoCounters& counters, WaitingContacts& waiting)
    : t_(std::move(traffic)),
      speed_(speed > 0 ? speed : 1),
      key_prefix_(std::move(key_prefix)),
      rng_(rng),
      sched_(scheduler),
      actions_(actions),
      counters_(counters),
      waiting_(waiting) {}

CustomerStream::~CustomerStream() { stop(); }

void CustomerStream::start() {
  stopped_ = false;
  schedule_next();
}

void CustomerStream::stop() {
  stopped_ = true;
  sched_.cancel(next_);
  next_ = 0;
  for (const auto& [id, timer] : patience_) sched_.cancel(timer);
  patience_.clear();
}

void CustomerStream::hang_up_all() {
  std::vector<std::int64_t> ids;
  for (const auto& [id, timer] : patience_) ids.push_back(id);
  stop();
  for (std::int64_t id : ids) {
    if (!waiting_.take(id)) continue;
    if (actions_.abandon(id).ok()) counters_.abandoned.fetch_add(1);
  }
}

void CustomerStream::schedule_next() {
  if (stopped_ || t_.arrivals_per_hour <= 0) return;
  const double mean_gap_ms = 3'600'000.0 / (t_.arrivals_per_hour * speed_);
  const Millis gap = std::llround(rng_.exponential(mean_gap_ms));
  next_ = sched_.after(gap, [this] {
    next_ = 0;
    arrive();
    schedule_next();
  });
}

Json CustomerStream::contact_body() {
  Json requirements = Json::array();
  if (t_.skill) {
    requirements.push_back(
        {{"skill", *t_.skill}, {"min_proficiency", t_.min_proficiency}, {"optional", false}});
  }
  if (t_.optional_skill && rng_.uniform() < t_.optional_share) {
    requirements.push_back({{"skill", *t_.optional_skill},
                            {"min_proficiency", t_.optional_min_proficiency},
                            {"optional", true}});
  }
  return {{"channel", t_.channel},
          {"queue", t_.queue},
          {"priority", 0},
          {"customer", static_cast<std::int64_t>(t_.customer_base + rng_.below(100'000))},
          {"requirements", requirements},
          {"attributes", {{"source", "demo"}}}};
}

void CustomerStream::arrive() {
  ++arrivals_;
  const std::string key = key_prefix_ + "-" + std::to_string(arrivals_);
  auto r = actions_.create_contact(contact_body(), key);
  if (!r.ok()) {
    counters_.errors.fetch_add(1);
    return;
  }
  const Json& c = *r;
  const std::string state = c.is_object() ? c.value("state", "") : "";
  if (state == "ended") {
    counters_.blocked.fetch_add(1);
    return;
  }
  counters_.created.fetch_add(1);
  const std::int64_t id = int_field(c, "id");
  if (id == kNone || t_.patience_mean_s <= 0) return;
  if (state != "queued" && state != "offered") return;
  waiting_.add(id);
  const Millis patience = std::llround(rng_.exponential(t_.patience_mean_s * 1000.0 / speed_));
  patience_[id] = sched_.after(patience, [this, id] { give_up(id); });
}

void CustomerStream::give_up(std::int64_t id) {
  patience_.erase(id);
  if (!waiting_.take(id)) return;  // a simulated agent answered
  auto r = actions_.abandon(id);
  if (r.ok()) {
    counters_.abandoned.fetch_add(1);
  } else if (!is_conflict(r.status())) {
    counters_.errors.fetch_add(1);
  }
  // A conflict: answered by someone we do not simulate (a person at agent17..agent20).
}

}  // namespace sb::demo
