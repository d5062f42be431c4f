#pragma once
// Stored scheduling rules (`wfm.db`): shift templates with their break and lunch rules, agent
// contracts (allowed templates, contracted paid hours per planning period, days worked, weekly
// availability) and time off (whole days per agent). Schedule generation uses them unless a
// request brings its own (docs/scheduling.md).
//
// Every write is checked: a template must be possible on the finest planning grid (5 minutes;
// the grid of a generated schedule is checked again when it is generated), a contract's minimum
// must not exceed its maximum and its templates must exist, a template named by a contract
// cannot be removed, and an agent's time off never overlaps. Refusals are InvalidArgument (or
// FailedPrecondition for a template in use, NotFound for a missing one) with a message that
// names the rule.
//
// Thread safety: every method may be called from any thread (one connection under a mutex).

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "base/time.h"
#include "wfm/schedule.h"

namespace sb::sqlite {
class Database;
}

namespace sb::wfmstore {

// An agent's contract: a wfm::ScheduleAgent whose id is the agent's name (as in the center
// configuration); its time_off and skills are not part of the contract (time off is kept apart).
using AgentContract = wfm::ScheduleAgent;

struct TimeOff {
  std::int64_t id = 0;  // assigned by the store
  std::string agent;
  wfm::Date first_day = 0;  // inclusive, local days
  wfm::Date last_day = 0;   // inclusive
  std::string reason;
  bool operator==(const TimeOff&) const = default;
};

// The finest planning grid stored templates are checked on.
constexpr int kRulesGridMinutes = 5;

class RulesStore {
 public:
  // Opens (creating) the database at `path` (":memory:" for a private one).
  static Result<std::unique_ptr<RulesStore>> open(const std::string& path);
  ~RulesStore();
  RulesStore(const RulesStore&) = delete;
  RulesStore& operator=(const RulesStore&) = delete;

  // Shift templates, by name.
  Result<std::vector<wfm::ShiftTemplate>> templates() const;
  Result<wfm::ShiftTemplate> get_template(const std::string& name) const;
  // Creates or replaces the template of that name. Returns true when it was created.
  Result<bool> put_template(const wfm::ShiftTemplate& t, Millis now);
  Status remove_template(const std::string& name);

  // Contracts, by agent.
  Result<std::vector<AgentContract>> contracts() const;
  Result<AgentContract> get_contract(const std::string& agent) const;
  // Creates or replaces the contract of `c.id`. Returns true when it was created.
  Result<bool> put_contract(const AgentContract& c, Millis now);
  Status remove_contract(const std::string& agent);

  // Time off of one agent (empty: of everybody), by agent then first day.
  Result<std::vector<TimeOff>> time_off(const std::string& agent = "") const;
  Result<TimeOff> add_time_off(TimeOff t);
  Status remove_time_off(std::int64_t id);

 private:
  explicit RulesStore(std::unique_ptr<sqlite::Database> db);
  Status check_contract(const AgentContract& c) const;

  mutable std::mutex mu_;
  std::unique_ptr<sqlite::Database> db_;
};

}  // namespace sb::wfmstore
