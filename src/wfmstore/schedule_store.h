#pragma once
// Stored agent schedules (`wfm.db` in the data directory): a generated schedule of a planning
// period for a team or a set of queues, with the required headcount per interval it was built
// for, and per agent a list of activities (work, break, lunch, training, meeting, off) as UTC
// instants. A schedule starts as a draft, is edited (move, resize, add, remove an activity; each
// edit recomputes coverage against the required headcount) and is published; publishing a
// schedule supersedes the published schedules it overlaps for the same agents.
//
// The query API for readers such as adherence (src/adherence) is activity_at() and
// published_activities(): they see published schedules only, never drafts.
//
// An agent's activities never overlap: adding or moving an activity over others "paints" it on
// top (the others are cut back or split), as in a wall planner.
//
// Thread safety: every method may be called from any thread (one connection under a mutex).

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/time.h"

namespace sb::sqlite {
class Database;
}

namespace sb::wfmstore {

enum class ActivityKind : std::uint8_t { kWork = 0, kBreak, kLunch, kTraining, kMeeting, kOff };
constexpr int kActivityKindCount = 6;
// "work", "break", "lunch", "training", "meeting", "off".
std::string_view activity_kind_name(ActivityKind k);
Result<ActivityKind> parse_activity_kind(std::string_view name);
// Whether the agent is meant to be on the phones (counts toward coverage): work only.
inline bool is_on_phones(ActivityKind k) { return k == ActivityKind::kWork; }

enum class ScheduleState : std::uint8_t { kDraft = 0, kPublished, kSuperseded };
std::string_view schedule_state_name(ScheduleState s);  // "draft", "published", "superseded"

struct Activity {
  std::int64_t id = 0;  // assigned by the store
  std::int64_t schedule_id = 0;
  std::string agent;  // the agent's name (as in the center configuration)
  ActivityKind kind = ActivityKind::kWork;
  Millis start = 0;   // UTC epoch ms, inclusive
  Millis end = 0;     // exclusive
  std::string label;  // free text: the shift template, the break rule's name, a meeting's topic
  bool operator==(const Activity&) const = default;
};

// The planning grid: `intervals` consecutive intervals of `interval_minutes` from `start` (UTC).
// required[i] is the headcount on the phones interval i needs.
struct ScheduleHeader {
  std::int64_t id = 0;
  std::string name;
  std::string team;                 // may be empty
  std::vector<std::string> queues;  // may be empty
  std::string time_zone = "UTC";    // the center's zone the schedule was planned in (display)
  Millis start = 0;
  int interval_minutes = 15;
  std::vector<double> required;
  ScheduleState state = ScheduleState::kDraft;
  Millis created_at = 0;
  Millis updated_at = 0;
  Millis published_at = 0;                  // 0 while a draft
  std::optional<std::int64_t> forecast_id;  // the forecast the requirement came from, if any
  std::string solver_summary;               // JSON text: solver, gap, bound... as generated
  std::int64_t revision = 1;                // bumped by every edit

  Millis end() const {
    return start + static_cast<Millis>(required.size()) * interval_minutes * kMillisPerMinute;
  }
};

struct Coverage {
  // Per interval: agents on the phones (work minutes in the interval / interval length, so a
  // 15-minute break in a 30-minute interval counts half), required, and scheduled − required.
  std::vector<double> scheduled;
  std::vector<double> required;
  std::vector<double> difference;
  double under = 0;  // Σ max(required − scheduled, 0)
  double over = 0;   // Σ max(scheduled − required, 0)
};

struct Schedule {
  ScheduleHeader header;
  std::vector<Activity> activities;  // by agent, then start
  std::vector<std::string> agents;   // every agent of the schedule (also those with nothing)
};

// A change to one agent's activities.
struct ActivityEdit {
  enum class Op : std::uint8_t { kAdd, kUpdate, kRemove } op = Op::kAdd;
  std::int64_t activity_id = 0;  // update/remove
  std::string agent;             // add (update: optional, moves the activity to another agent)
  ActivityKind kind = ActivityKind::kWork;
  Millis start = 0;
  Millis end = 0;
  std::string label;
};

class ScheduleStore {
 public:
  // Opens (creating) `<data_dir>/wfm.db`.
  static Result<std::unique_ptr<ScheduleStore>> open_data_dir(const std::string& data_dir);
  // Opens (creating) the database at `path` (":memory:" for a private one).
  static Result<std::unique_ptr<ScheduleStore>> open(const std::string& path);
  ~ScheduleStore();
  ScheduleStore(const ScheduleStore&) = delete;
  ScheduleStore& operator=(const ScheduleStore&) = delete;

  // --- Reading published schedules (adherence and the agent's own view) -------------------

  // The published activity of `agent` containing instant `t` (start <= t < end); nullopt when
  // the agent has none then (not scheduled).
  Result<std::optional<Activity>> activity_at(std::string_view agent, Millis t) const;
  // Every published activity of `agent` overlapping [from, to), by start. Activities are
  // returned whole (they may begin before `from` or end after `to`).
  Result<std::vector<Activity>> published_activities(std::string_view agent, Millis from,
                                                     Millis to) const;
  // The agents with a published activity overlapping [from, to), sorted.
  Result<std::vector<std::string>> published_agents(Millis from, Millis to) const;

  // --- Planning ---------------------------------------------------------------------------

  // Stores a new draft; ids of the header and of the activities are assigned (the given ones
  // are ignored). Activities must lie within the schedule's period, have start < end, name an
  // agent of `agents` (added when missing) and not overlap for one agent.
  Result<Schedule> create(Schedule schedule, Millis now);
  Result<Schedule> get(std::int64_t id) const;
  // Headers, newest first (without activities).
  Result<std::vector<ScheduleHeader>> list() const;
  // Applies one edit (paint semantics, see above). Edits to a superseded schedule are refused
  // (FailedPrecondition); edits to a published one take effect for readers at once.
  Result<Schedule> edit(std::int64_t id, const ActivityEdit& e, Millis now);
  // draft -> published; supersedes published schedules that share an agent and overlap the
  // period. Publishing a published schedule is a no-op; a superseded one is refused.
  Result<Schedule> publish(std::int64_t id, Millis now);
  Status remove(std::int64_t id);  // drafts only

 private:
  explicit ScheduleStore(std::unique_ptr<sqlite::Database> db);
  Status check_activity(const ScheduleHeader& h, const Activity& a) const;
  Result<Schedule> load(std::int64_t id) const;

  mutable std::mutex mu_;
  std::unique_ptr<sqlite::Database> db_;
};

// Coverage of a schedule's activities against its requirement.
Coverage compute_coverage(const ScheduleHeader& h, const std::vector<Activity>& activities);

// Paints `a` over `existing` (one agent's activities, non-overlapping): activities overlapping
// it are cut back or split around it. Returns the new list by start (ids of split-off parts 0).
std::vector<Activity> paint(std::vector<Activity> existing, const Activity& a);

}  // namespace sb::wfmstore
