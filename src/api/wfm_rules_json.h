#pragma once
// The JSON form of scheduling rules, shared by schedule generation (POST /api/v1/wfm/schedules,
// rules given with the request) and the stored rules (/api/v1/wfm/shift-templates, /contracts,
// /time-off): shift templates with breaks, agent contracts with availability (docs/api.md).

#include <optional>
#include <string>
#include <vector>

#include "api/json_model.h"
#include "api/problem.h"
#include "wfm/schedule.h"

namespace sb::api {

// "HH:MM" (hours may exceed 23 for lengths) -> minutes; nullopt when malformed or above max.
std::optional<int> parse_hhmm(const std::string& s, int max_minutes);
std::string format_hhmm(int minutes);
// "Mon".."Sun" -> 0..6.
std::optional<int> parse_weekday(const std::string& s);

// {"name", "length": "8:30", "earliest_start": "07:00", "latest_start": "12:30",
//  "start_step_min", "days": ["Mon", ...], "breaks": [{"name", "length_min",
//  "earliest_after_min", "latest_after_min", "paid"}]}. Field errors go to `errors` (prefixed).
wfm::ShiftTemplate template_from_json(const json& j, const std::string& prefix,
                                      std::vector<FieldError>& errors);
json template_to_json(const wfm::ShiftTemplate& t);

// What a contract that leaves them out gets.
struct ContractDefaults {
  double min_hours = 0;
  double max_hours = 40;
  int max_days = 5;
};

// {"id" (or the agent from the path), "templates", "min_hours", "max_hours", "max_days",
//  "availability": {"Mon": ["12:00-21:00"], "Sat": []}, "time_off": ["YYYY-MM-DD"]}.
// `id_required`: the id is a member (generate requests) rather than the path (stored contracts,
// where time_off is not part of the contract and refused).
wfm::ScheduleAgent agent_from_json(const json& j, const std::string& prefix,
                                   std::vector<FieldError>& errors, const ContractDefaults& d,
                                   bool id_required);
json contract_to_json(const wfm::ScheduleAgent& a);

}  // namespace sb::api
