#pragma once
// Schedule adherence: the pure, deterministic core. It compares each agent's scheduled activity
// (work, break, lunch, training, meeting, off) with the agent's actual state as the engine's
// events tell it (logged out, available, busy on a contact, wrap-up, not ready with a reason),
// and produces per-agent live status (in or out of adherence, since when, minutes out today) and
// per-day totals (scheduled, in-adherence, out-of-adherence and worked time), from which
// adherence and conformance follow. The exact definitions are in docs/metrics.md ("Adherence and
// conformance").
//
// No clock is read: time comes from the events (Event::at) and from the `now` given to advance().
// The same schedule and the same events always give the same answers, which is how the live
// server's figures are rebuilt after a restart or a schedule change (src/api/adherence_monitor).
//
// Thread safety: none; one owner.

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/time.h"
#include "domain/events.h"
#include "domain/ids.h"

namespace sb::adherence {

// The kinds of scheduled activity (the same as the schedule store's, src/wfmstore).
enum class Activity : std::uint8_t { kWork = 0, kBreak, kLunch, kTraining, kMeeting, kOff };
constexpr int kActivityCount = 6;
std::string_view activity_name(Activity a);  // "work", "break", ...
Result<Activity> parse_activity(std::string_view name);

struct ScheduledActivity {
  AgentId agent = kNoId;
  Activity activity = Activity::kWork;
  Millis start = 0;  // inclusive
  Millis end = 0;    // exclusive
  bool operator==(const ScheduledActivity&) const = default;
};

// The published activities of a set of agents. An agent's activities never overlap; time not
// covered by any activity is unscheduled (treated like `off`).
class Schedule {
 public:
  Schedule() = default;
  // Validates (start < end, a known agent id, no overlap for one agent) and sorts by agent, start.
  static Result<Schedule> make(std::vector<ScheduledActivity> activities);

  // The agent's activities by start (empty when none).
  const std::vector<ScheduledActivity>& of(AgentId agent) const;
  // The agents with at least one activity, ascending.
  std::vector<AgentId> agents() const;
  std::size_t size() const { return size_; }
  bool operator==(const Schedule&) const = default;

 private:
  std::map<AgentId, std::vector<ScheduledActivity>> by_agent_;
  std::size_t size_ = 0;
};

// The agent's actual state, derived from the engine's events. Busy (a contact connected) and
// wrap-up take precedence over the presence the agent chose; a logged-out agent is logged out.
enum class State : std::uint8_t { kLoggedOut = 0, kAvailable, kBusy, kWrapUp, kNotReady };
std::string_view state_name(State s);  // "logged_out", "available", "busy", "wrap_up", "not_ready"

struct ActualState {
  State state = State::kLoggedOut;
  ReasonId reason = reason::kNone;  // kNotReady only
  bool operator==(const ActualState&) const = default;
};

// Whether `actual` is what `scheduled` asks for (nullopt: unscheduled, which is like off). The
// table (docs/metrics.md):
//   work                  available, busy, wrap-up
//   break                 not ready (break), logged out
//   lunch                 not ready (lunch), logged out
//   training              not ready (training), logged out
//   meeting               not ready (meeting or coaching), logged out
//   off / unscheduled     logged out
bool matches(std::optional<Activity> scheduled, ActualState actual);
// Logged in and able to take or taking contacts: available, busy or wrap-up.
bool is_productive(ActualState actual);

// The start of the day that contains `t` (epoch ms). Empty: UTC days.
using DayStartFn = std::function<Millis(Millis t)>;

struct Options {
  // A mismatch that lasts at most this long is forgiven: it counts as in adherence, and the
  // agent is shown out of adherence only once a mismatch has lasted longer than this.
  Millis grace = 60 * kMillisPerSecond;
  DayStartFn day_start;  // where days begin for the per-day totals; empty: UTC midnight
};

// One agent's time on one day. Every figure is milliseconds.
struct DayTotals {
  // Scheduled time: every activity except off. by_activity includes off for information.
  Millis scheduled = 0;
  std::array<Millis, kActivityCount> by_activity{};
  Millis in_adherence = 0;  // scheduled time whose actual state matched (or a forgiven mismatch)
  Millis out_of_adherence = 0;  // time in mismatches longer than the grace (scheduled or not)
  Millis out_unscheduled =
      0;              // the part of out_of_adherence outside scheduled time (logged in off)
  Millis worked = 0;  // logged in and productive (available, busy, wrap-up), any time
  Millis scheduled_work() const { return by_activity[static_cast<int>(Activity::kWork)]; }
  // in_adherence / scheduled; nullopt without scheduled time.
  std::optional<double> adherence() const;
  // worked / scheduled work time; nullopt without scheduled work.
  std::optional<double> conformance() const;
  DayTotals& operator+=(const DayTotals& o);
  bool operator==(const DayTotals&) const = default;
};

struct AgentStatus {
  AgentId agent = kNoId;
  std::optional<ScheduledActivity> scheduled;  // the activity now; nullopt: unscheduled
  ActualState actual;
  Millis actual_since = 0;        // when the actual state began (0: never seen)
  bool mismatch = false;          // the actual state does not match now (possibly within grace)
  Millis mismatch_since = 0;      // start of the current mismatch (when mismatch)
  bool out_of_adherence = false;  // the current mismatch has lasted longer than the grace
  Millis out_since = 0;           // = mismatch_since when out_of_adherence
  Millis out_for = 0;             // now - out_since when out_of_adherence
  DayTotals today;                // the day that contains `now`, up to `now`
};

// A change of an agent's adherence: out once a mismatch passes the grace (`at` is the instant it
// did, since + grace), back in when the mismatch ends.
struct Transition {
  AgentId agent = kNoId;
  bool out = true;
  Millis at = 0;
  Millis since = 0;                   // start of the mismatch
  std::optional<Activity> scheduled;  // at `at`
  ActualState actual;                 // at `at`
  bool operator==(const Transition&) const = default;
};

class Tracker {
 public:
  explicit Tracker(Schedule schedule, Options options = {});

  // The events in seq order (Event::at non-decreasing). Agent events (logged in/out, state
  // changes) and the contact events that make an agent busy or in wrap-up are used; the rest are
  // ignored. An event older than the time already accounted counts from that time.
  void on_event(const Event& e);
  void on_events(std::span<const Event> events) {
    for (const Event& e : events) on_event(e);
  }
  // Accounts every agent's time up to `now`. Earlier than what is accounted: nothing happens.
  void advance(Millis now);

  // The live status of every agent that has a schedule or has been seen in an event, by agent
  // id, as of `now`. Calls advance(now).
  std::vector<AgentStatus> live(Millis now);
  // The totals of every agent and day that has any, keyed (agent, day start), for the time
  // accounted so far. A mismatch still within the grace counts as in adherence (provisionally).
  std::map<std::pair<AgentId, Millis>, DayTotals> totals() const;

  // Adherence transitions since the last call, in order of time per agent.
  std::vector<Transition> take_transitions();

  const Schedule& schedule() const { return schedule_; }
  Millis grace() const { return options_.grace; }
  Millis day_start(Millis t) const;
  Millis next_day_start(Millis t) const;

 private:
  struct Pending {
    Millis day = 0;
    Millis scheduled = 0;    // mismatch time in scheduled time (not off)
    Millis unscheduled = 0;  // mismatch time outside it
  };
  struct Agent {
    AgentId id = kNoId;
    bool started = false;
    Millis cursor = 0;              // time accounted up to
    std::size_t next_activity = 0;  // first of the schedule's activities with end > cursor
    bool logged_in = false;
    Presence presence = Presence::kOffline;
    ReasonId reason = reason::kNone;
    std::set<ContactId> connected, wrap_up;
    ActualState actual;
    Millis actual_since = 0;
    bool in_episode = false;  // a mismatch is running
    bool committed = false;   // ... and has passed the grace
    Millis episode_start = 0;
    std::vector<Pending> pending;  // the running mismatch's scheduled time, while within grace
    std::map<Millis, DayTotals> days;
  };

  Agent& agent(AgentId id);
  void account(Agent& a, Millis to);
  void set_actual(Agent& a, Millis at);
  void end_mismatch(Agent& a, Millis at);
  void settle(Agent& a);
  std::optional<ScheduledActivity> activity_at(const Agent& a) const;

  Schedule schedule_;
  Options options_;
  std::map<AgentId, Agent> agents_;
  std::vector<Transition> transitions_;
};

}  // namespace sb::adherence
