#include "api/wfm_rules_json.h"

#include <cmath>
#include <cstdio>

#include "wfmstore/breaks_json.h"

namespace sb::api {

namespace {
constexpr const char* kWeekdays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
}  // namespace

std::optional<int> parse_hhmm(const std::string& s, int max_minutes) {
  int h = 0, m = 0, n = 0;
  if (std::sscanf(s.c_str(), "%d:%2d%n", &h, &m, &n) != 2 || n != static_cast<int>(s.size()) ||
      h < 0 || m < 0 || m > 59)
    return std::nullopt;
  const int total = h * 60 + m;
  if (total > max_minutes) return std::nullopt;
  return total;
}

std::string format_hhmm(int minutes) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d", minutes / 60, minutes % 60);
  return buf;
}

std::optional<int> parse_weekday(const std::string& s) {
  for (int i = 0; i < 7; ++i)
    if (s == kWeekdays[i]) return i;
  return std::nullopt;
}

wfm::ShiftTemplate template_from_json(const json& j, const std::string& prefix,
                                      std::vector<FieldError>& errors) {
  wfm::ShiftTemplate t;
  if (!j.is_object()) {
    errors.push_back({prefix, "must be an object"});
    return t;
  }
  JsonReader tr(j, errors, prefix);
  t.name = tr.string("name", true).value_or("");
  auto time_field = [&](const char* name, bool required, int max) -> std::optional<int> {
    auto s = tr.string(name, required);
    if (!s) return std::nullopt;
    auto v = parse_hhmm(*s, max);
    if (!v) tr.error(name, "must be HH:MM");
    return v;
  };
  t.length_min = time_field("length", true, 24 * 60).value_or(0);
  t.earliest_start_min = time_field("earliest_start", true, 1439).value_or(0);
  t.latest_start_min = time_field("latest_start", true, 1439).value_or(0);
  t.start_step_min = static_cast<int>(tr.integer("start_step_min", false, 0, 1440).value_or(0));
  if (const json* ds = tr.array("days", false)) {
    t.weekdays.fill(false);
    for (const auto& d : *ds) {
      auto wd = d.is_string() ? parse_weekday(d.get<std::string>()) : std::nullopt;
      if (!wd) {
        tr.error("days", "weekdays are Mon, Tue, Wed, Thu, Fri, Sat, Sun");
        break;
      }
      t.weekdays[static_cast<std::size_t>(*wd)] = true;
    }
  }
  if (const json* bs = tr.array("breaks", false))
    for (std::size_t k = 0; k < bs->size(); ++k) {
      const std::string bp = prefix + "breaks[" + std::to_string(k) + "].";
      if (!(*bs)[k].is_object()) {
        errors.push_back({bp, "must be an object"});
        continue;
      }
      JsonReader br((*bs)[k], errors, bp);
      wfm::BreakRule b;
      b.name = br.string("name", true).value_or("");
      b.length_min = static_cast<int>(br.integer("length_min", true, 1, 480).value_or(15));
      b.earliest_after_min =
          static_cast<int>(br.integer("earliest_after_min", true, 0, 1440).value_or(0));
      b.latest_after_min =
          static_cast<int>(br.integer("latest_after_min", true, 0, 1440).value_or(0));
      b.paid = br.boolean("paid", false).value_or(true);
      t.breaks.push_back(b);
    }
  return t;
}

json template_to_json(const wfm::ShiftTemplate& t) {
  json days = json::array();
  for (int d = 0; d < 7; ++d)
    if (t.weekdays[static_cast<std::size_t>(d)]) days.push_back(kWeekdays[d]);
  return {{"name", t.name},
          {"length", format_hhmm(t.length_min)},
          {"earliest_start", format_hhmm(t.earliest_start_min)},
          {"latest_start", format_hhmm(t.latest_start_min)},
          {"start_step_min", t.start_step_min},
          {"days", days},
          {"breaks", wfmstore::breaks_to_json(t.breaks)}};
}

wfm::ScheduleAgent agent_from_json(const json& j, const std::string& prefix,
                                   std::vector<FieldError>& errors, const ContractDefaults& d,
                                   bool id_required) {
  wfm::ScheduleAgent a;
  if (!j.is_object()) {
    errors.push_back({prefix, "must be an object"});
    return a;
  }
  JsonReader ar(j, errors, prefix);
  if (id_required) a.id = ar.string("id", true).value_or("");
  if (const json* ts = ar.array("templates", false))
    for (const auto& t : *ts) {
      if (!t.is_string()) {
        ar.error("templates", "template names are strings");
        break;
      }
      a.templates.push_back(t.get<std::string>());
    }
  a.min_paid_min = static_cast<int>(
      std::lround(ar.number("min_hours", false, 0, 168).value_or(d.min_hours) * 60));
  a.max_paid_min = static_cast<int>(
      std::lround(ar.number("max_hours", false, 0, 168).value_or(d.max_hours) * 60));
  a.max_days = static_cast<int>(ar.integer("max_days", false, 0, 14).value_or(d.max_days));
  if (const json* av = ar.object("availability", false))
    for (auto& [day, windows] : av->items()) {
      auto wd = parse_weekday(day);
      if (!wd || !windows.is_array()) {
        ar.error("availability", "keys are Mon..Sun, values lists of \"HH:MM-HH:MM\"");
        continue;
      }
      if (windows.empty()) a.unavailable[static_cast<std::size_t>(*wd)] = true;
      for (const auto& w : windows) {
        const std::string s = w.is_string() ? w.get<std::string>() : "";
        const auto dash = s.find('-');
        auto from = dash == std::string::npos ? std::nullopt : parse_hhmm(s.substr(0, dash), 1440);
        auto to = dash == std::string::npos ? std::nullopt : parse_hhmm(s.substr(dash + 1), 1440);
        if (!from || !to || *to <= *from) {
          ar.error("availability", "'" + s + "' is not HH:MM-HH:MM");
          continue;
        }
        a.availability[static_cast<std::size_t>(*wd)].push_back({*from, *to});
      }
    }
  if (!id_required) {
    if (ar.has("time_off"))
      ar.error("time_off", "time off is kept apart: POST /api/v1/wfm/time-off");
    return a;
  }
  if (const json* off = ar.array("time_off", false))
    for (const auto& day : *off) {
      auto date = day.is_string() ? wfm::parse_date(day.get<std::string>())
                                  : Result<wfm::Date>(Status::invalid_argument("not a date"));
      if (!date.ok()) {
        ar.error("time_off", "dates are YYYY-MM-DD");
        break;
      }
      a.time_off.push_back(*date);
    }
  return a;
}

json contract_to_json(const wfm::ScheduleAgent& a) {
  json availability = json::object();
  for (int d = 0; d < 7; ++d) {
    const auto i = static_cast<std::size_t>(d);
    if (a.unavailable[i]) {
      availability[kWeekdays[d]] = json::array();
    } else if (!a.availability[i].empty()) {
      json windows = json::array();
      for (const auto& w : a.availability[i])
        windows.push_back(format_hhmm(w.from_min) + "-" + format_hhmm(w.to_min));
      availability[kWeekdays[d]] = windows;
    }
  }
  return {{"agent", a.id},
          {"templates", a.templates},
          {"min_hours", a.min_paid_min / 60.0},
          {"max_hours", a.max_paid_min / 60.0},
          {"max_days", a.max_days},
          {"availability", availability}};
}

}  // namespace sb::api
