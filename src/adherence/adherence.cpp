#include "adherence/adherence.h"

#include <algorithm>
#include <string>
#include <type_traits>
#include <variant>

namespace sb::adherence {

namespace {
constexpr std::array<std::string_view, kActivityCount> kActivityNames = {
    "work", "break", "lunch", "training", "meeting", "off"};

int index(Activity a) { return static_cast<int>(a); }

Millis floor_div(Millis a, Millis b) {
  Millis q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

const std::vector<ScheduledActivity>& no_activities() {
  static const std::vector<ScheduledActivity> none;
  return none;
}
}  // namespace

std::string_view activity_name(Activity a) {
  const int i = index(a);
  return i >= 0 && i < kActivityCount ? kActivityNames[static_cast<std::size_t>(i)] : "unknown";
}

Result<Activity> parse_activity(std::string_view name) {
  for (int i = 0; i < kActivityCount; ++i)
    if (kActivityNames[static_cast<std::size_t>(i)] == name) return static_cast<Activity>(i);
  return Status::invalid_argument("unknown activity '" + std::string(name) +
                                  "' (work, break, lunch, training, meeting, off)");
}

std::string_view state_name(State s) {
  switch (s) {
    case State::kLoggedOut:
      return "logged_out";
    case State::kAvailable:
      return "available";
    case State::kBusy:
      return "busy";
    case State::kWrapUp:
      return "wrap_up";
    case State::kNotReady:
      return "not_ready";
  }
  return "unknown";
}

// ---- Schedule -----------------------------------------------------------------------------------

Result<Schedule> Schedule::make(std::vector<ScheduledActivity> activities) {
  for (const auto& a : activities) {
    if (a.agent == kNoId) return Status::invalid_argument("a scheduled activity has no agent");
    if (index(a.activity) < 0 || index(a.activity) >= kActivityCount)
      return Status::invalid_argument("agent " + std::to_string(a.agent) +
                                      ": unknown activity kind");
    if (a.start >= a.end)
      return Status::invalid_argument("agent " + std::to_string(a.agent) + ": the " +
                                      std::string(activity_name(a.activity)) + " activity at " +
                                      std::to_string(a.start) + " does not end after it starts");
  }
  std::sort(activities.begin(), activities.end(),
            [](const ScheduledActivity& x, const ScheduledActivity& y) {
              return x.agent != y.agent ? x.agent < y.agent : x.start < y.start;
            });
  Schedule s;
  s.size_ = activities.size();
  for (std::size_t i = 0; i < activities.size(); ++i) {
    const auto& a = activities[i];
    if (i > 0 && activities[i - 1].agent == a.agent && activities[i - 1].end > a.start)
      return Status::invalid_argument(
          "agent " + std::to_string(a.agent) + ": activities overlap (" +
          std::string(activity_name(activities[i - 1].activity)) + " until " +
          std::to_string(activities[i - 1].end) + ", " + std::string(activity_name(a.activity)) +
          " from " + std::to_string(a.start) + ")");
    s.by_agent_[a.agent].push_back(a);
  }
  return s;
}

const std::vector<ScheduledActivity>& Schedule::of(AgentId agent) const {
  auto it = by_agent_.find(agent);
  return it == by_agent_.end() ? no_activities() : it->second;
}

std::vector<AgentId> Schedule::agents() const {
  std::vector<AgentId> out;
  out.reserve(by_agent_.size());
  for (const auto& [id, acts] : by_agent_) out.push_back(id);
  return out;
}

// ---- matching -----------------------------------------------------------------------------------

bool is_productive(ActualState actual) {
  return actual.state == State::kAvailable || actual.state == State::kBusy ||
         actual.state == State::kWrapUp;
}

bool matches(std::optional<Activity> scheduled, ActualState actual) {
  const bool logged_out = actual.state == State::kLoggedOut;
  const bool not_ready = actual.state == State::kNotReady;
  if (!scheduled) return logged_out;
  switch (*scheduled) {
    case Activity::kWork:
      return is_productive(actual);
    case Activity::kBreak:
      return logged_out || (not_ready && actual.reason == reason::kBreak);
    case Activity::kLunch:
      return logged_out || (not_ready && actual.reason == reason::kLunch);
    case Activity::kTraining:
      return logged_out || (not_ready && actual.reason == reason::kTraining);
    case Activity::kMeeting:
      return logged_out || (not_ready && (actual.reason == reason::kMeeting ||
                                          actual.reason == reason::kCoaching));
    case Activity::kOff:
      return logged_out;
  }
  return false;
}

// ---- DayTotals ----------------------------------------------------------------------------------

std::optional<double> DayTotals::adherence() const {
  if (scheduled <= 0) return std::nullopt;
  return static_cast<double>(in_adherence) / static_cast<double>(scheduled);
}

std::optional<double> DayTotals::conformance() const {
  if (scheduled_work() <= 0) return std::nullopt;
  return static_cast<double>(worked) / static_cast<double>(scheduled_work());
}

DayTotals& DayTotals::operator+=(const DayTotals& o) {
  scheduled += o.scheduled;
  for (int i = 0; i < kActivityCount; ++i)
    by_activity[static_cast<std::size_t>(i)] += o.by_activity[static_cast<std::size_t>(i)];
  in_adherence += o.in_adherence;
  out_of_adherence += o.out_of_adherence;
  out_unscheduled += o.out_unscheduled;
  worked += o.worked;
  return *this;
}

// ---- Tracker ------------------------------------------------------------------------------------

Tracker::Tracker(Schedule schedule, Options options)
    : schedule_(std::move(schedule)), options_(std::move(options)) {
  for (AgentId id : schedule_.agents()) agent(id);
}

Millis Tracker::day_start(Millis t) const {
  if (options_.day_start) return options_.day_start(t);
  return floor_div(t, kMillisPerDay) * kMillisPerDay;
}

Millis Tracker::next_day_start(Millis t) const {
  const Millis start = day_start(t);
  if (!options_.day_start) return start + kMillisPerDay;
  // Days are 23 to 25 hours long (daylight saving): 26 hours on is inside the next day.
  Millis next = options_.day_start(start + 26 * kMillisPerHour);
  if (next <= t) next = start + kMillisPerDay;  // a day_start that does not move: plain days
  return next;
}

Tracker::Agent& Tracker::agent(AgentId id) {
  auto [it, inserted] = agents_.try_emplace(id);
  if (inserted) it->second.id = id;
  return it->second;
}

std::optional<ScheduledActivity> Tracker::activity_at(const Agent& a) const {
  const auto& acts = schedule_.of(a.id);
  for (std::size_t i = a.next_activity; i < acts.size(); ++i) {
    if (acts[i].end <= a.cursor) continue;
    if (acts[i].start <= a.cursor) return acts[i];
    break;
  }
  return std::nullopt;
}

void Tracker::end_mismatch(Agent& a, Millis at) {
  if (!a.in_episode) return;
  if (a.committed) {
    transitions_.push_back(Transition{a.id, false, at, a.episode_start,
                                      [&]() -> std::optional<Activity> {
                                        auto s = activity_at(a);
                                        if (!s) return std::nullopt;
                                        return s->activity;
                                      }(),
                                      a.actual});
  } else {
    // Within the grace: forgiven, the time counts as in adherence.
    for (const Pending& p : a.pending) a.days[p.day].in_adherence += p.scheduled;
  }
  a.pending.clear();
  a.in_episode = false;
  a.committed = false;
}

void Tracker::account(Agent& a, Millis to) {
  const auto& acts = schedule_.of(a.id);
  if (!a.started) {
    a.started = true;
    a.cursor = acts.empty() ? to : std::min(acts.front().start, to);
  }
  while (a.cursor < to) {
    while (a.next_activity < acts.size() && acts[a.next_activity].end <= a.cursor)
      ++a.next_activity;
    std::optional<Activity> scheduled;
    Millis boundary = to;
    if (a.next_activity < acts.size()) {
      const ScheduledActivity& x = acts[a.next_activity];
      if (x.start <= a.cursor) {
        scheduled = x.activity;
        boundary = std::min(boundary, x.end);
      } else {
        boundary = std::min(boundary, x.start);
      }
    }
    const Millis day = day_start(a.cursor);
    boundary = std::min(boundary, next_day_start(a.cursor));
    const Millis len = boundary - a.cursor;
    const bool counted = scheduled && *scheduled != Activity::kOff;
    DayTotals& d = a.days[day];
    if (scheduled) d.by_activity[static_cast<std::size_t>(index(*scheduled))] += len;
    if (counted) d.scheduled += len;
    if (is_productive(a.actual)) d.worked += len;
    if (matches(scheduled, a.actual)) {
      end_mismatch(a, a.cursor);
      if (counted) d.in_adherence += len;
    } else {
      if (!a.in_episode) {
        a.in_episode = true;
        a.committed = false;
        a.episode_start = a.cursor;
        a.pending.clear();
      }
      if (a.committed) {
        d.out_of_adherence += len;
        if (!counted) d.out_unscheduled += len;
      } else {
        if (a.pending.empty() || a.pending.back().day != day) a.pending.push_back({day, 0, 0});
        (counted ? a.pending.back().scheduled : a.pending.back().unscheduled) += len;
        if (boundary - a.episode_start > options_.grace) {
          // Longer than the grace: the whole mismatch is out of adherence, from its start.
          a.committed = true;
          for (const Pending& p : a.pending) {
            DayTotals& pd = a.days[p.day];
            pd.out_of_adherence += p.scheduled + p.unscheduled;
            pd.out_unscheduled += p.unscheduled;
          }
          a.pending.clear();
          transitions_.push_back(Transition{a.id, true, a.episode_start + options_.grace,
                                            a.episode_start, scheduled, a.actual});
        }
      }
    }
    a.cursor = boundary;
  }
  settle(a);
}

void Tracker::settle(Agent& a) {
  // A mismatch whose end falls exactly on the cursor (a state change, an activity boundary) ends
  // now rather than when the next stretch is accounted, so that its transition is not late.
  if (!a.in_episode) return;
  auto scheduled = activity_at(a);
  if (matches(scheduled ? std::optional<Activity>(scheduled->activity) : std::nullopt, a.actual))
    end_mismatch(a, a.cursor);
}

void Tracker::set_actual(Agent& a, Millis at) {
  ActualState next;
  if (!a.logged_in) {
    next.state = State::kLoggedOut;
  } else if (!a.connected.empty()) {
    next.state = State::kBusy;
  } else if (!a.wrap_up.empty()) {
    next.state = State::kWrapUp;
  } else if (a.presence == Presence::kNotReady) {
    next.state = State::kNotReady;
    next.reason = a.reason;
  } else if (a.presence == Presence::kAvailable) {
    next.state = State::kAvailable;
  } else {
    next.state = State::kLoggedOut;
  }
  if (next == a.actual) return;
  a.actual = next;
  a.actual_since = at;
}

void Tracker::on_event(const Event& e) {
  auto touch = [&](AgentId id, auto&& change) {
    if (id == kNoId) return;
    Agent& a = agent(id);
    account(a, e.at);
    const Millis at = std::max(e.at, a.cursor);
    change(a);
    set_actual(a, at);
    settle(a);
  };
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, ev::AgentLoggedIn>) {
          touch(x.agent, [](Agent& a) {
            a.logged_in = true;
            a.presence = Presence::kAvailable;
            a.reason = reason::kNone;
          });
        } else if constexpr (std::is_same_v<T, ev::AgentLoggedOut>) {
          touch(x.agent, [](Agent& a) {
            a.logged_in = false;
            a.presence = Presence::kOffline;
            a.reason = reason::kNone;
            // Whatever the agent still held is over for adherence purposes.
            a.connected.clear();
            a.wrap_up.clear();
          });
        } else if constexpr (std::is_same_v<T, ev::AgentStateChanged>) {
          touch(x.agent, [&](Agent& a) {
            a.presence = x.presence;
            a.reason = x.reason;
          });
        } else if constexpr (std::is_same_v<T, ev::ContactConnected>) {
          touch(x.agent, [&](Agent& a) { a.connected.insert(x.contact); });
        } else if constexpr (std::is_same_v<T, ev::ContactTransferred>) {
          touch(x.from_agent, [&](Agent& a) { a.connected.erase(x.contact); });
        } else if constexpr (std::is_same_v<T, ev::ContactEnded>) {
          touch(x.agent, [&](Agent& a) {
            if (a.connected.erase(x.contact) > 0) a.wrap_up.insert(x.contact);
          });
        } else if constexpr (std::is_same_v<T, ev::WrapUpEnded>) {
          touch(x.agent, [&](Agent& a) { a.wrap_up.erase(x.contact); });
        }
      },
      e.payload);
}

void Tracker::advance(Millis now) {
  for (auto& [id, a] : agents_) account(a, now);
}

std::vector<AgentStatus> Tracker::live(Millis now) {
  advance(now);
  std::vector<AgentStatus> out;
  out.reserve(agents_.size());
  for (auto& [id, a] : agents_) {
    AgentStatus s;
    s.agent = id;
    s.scheduled = activity_at(a);
    s.actual = a.actual;
    s.actual_since = a.actual_since;
    s.mismatch = !matches(
        s.scheduled ? std::optional<Activity>(s.scheduled->activity) : std::nullopt, a.actual);
    if (s.mismatch) {
      s.mismatch_since = a.in_episode ? a.episode_start : a.cursor;
      s.out_of_adherence = a.in_episode && a.committed;
      if (s.out_of_adherence) {
        s.out_since = a.episode_start;
        s.out_for = a.cursor - a.episode_start;
      }
    }
    const Millis today = day_start(a.cursor);
    if (auto it = a.days.find(today); it != a.days.end()) s.today = it->second;
    // A mismatch that ends at `now` or is still within the grace counts as in adherence.
    for (const Pending& p : a.pending)
      if (p.day == today) s.today.in_adherence += p.scheduled;
    out.push_back(std::move(s));
  }
  return out;
}

std::map<std::pair<AgentId, Millis>, DayTotals> Tracker::totals() const {
  std::map<std::pair<AgentId, Millis>, DayTotals> out;
  for (const auto& [id, a] : agents_) {
    for (const auto& [day, t] : a.days) out[{id, day}] = t;
    for (const Pending& p : a.pending) out[{id, p.day}].in_adherence += p.scheduled;
  }
  return out;
}

std::vector<Transition> Tracker::take_transitions() {
  std::vector<Transition> out;
  out.swap(transitions_);
  return out;
}

}  // namespace sb::adherence
