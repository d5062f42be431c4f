#include "reports/attrition.h"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

namespace sb::reports {

Result<AttritionFigures> compute_attrition(const std::vector<AgentLifecycle>& agents, Millis from,
                                           Millis to) {
  if (to <= from) return Status::invalid_argument("attrition: 'to' must be after 'from'");
  AttritionFigures f;
  f.from = from;
  f.to = to;
  long double active_ms = 0;  // Σ over agents of their active time inside [from, to)
  for (const AgentLifecycle& a : agents) {
    // The agent's state over time: active from its creation, then each change.
    std::vector<LifecycleChange> changes = a.changes;
    for (auto& c : changes) c.at = std::max(c.at, a.created_at);
    std::stable_sort(
        changes.begin(), changes.end(),
        [](const LifecycleChange& x, const LifecycleChange& y) { return x.at < y.at; });
    std::vector<LifecycleChange> timeline{{a.created_at, true}};
    for (const auto& c : changes)
      if (c.active != timeline.back().active) timeline.push_back(c);
    auto active_before = [&](Millis t) {
      bool active = false;
      for (const auto& c : timeline)
        if (c.at < t) active = c.active;
      return active;
    };
    if (active_before(from)) ++f.headcount_start;
    if (active_before(to)) ++f.headcount_end;
    for (std::size_t i = 0; i < timeline.size(); ++i) {
      const LifecycleChange& c = timeline[i];
      if (c.at >= from && c.at < to) (c.active ? f.hires : f.separations)++;
      if (!c.active) continue;
      const Millis end = i + 1 < timeline.size() ? timeline[i + 1].at : to;
      const Millis lo = std::max(c.at, from), hi = std::min(end, to);
      if (hi > lo) active_ms += static_cast<long double>(hi - lo);
    }
  }
  const auto period = static_cast<double>(to - from);
  f.average_headcount = static_cast<double>(active_ms / static_cast<long double>(period));
  if (f.average_headcount > 0)
    f.attrition_rate = static_cast<double>(f.separations) / f.average_headcount;
  f.annualized_rate = f.attrition_rate * static_cast<double>(365 * kMillisPerDay) / period;
  return f;
}

std::string attrition_to_json(const AttritionFigures& f, const std::string& time_zone,
                              std::size_t agents) {
  const nlohmann::json j = {{"from", f.from},
                            {"to", f.to},
                            {"time_zone", time_zone},
                            {"agents", agents},
                            {"headcount_start", f.headcount_start},
                            {"headcount_end", f.headcount_end},
                            {"average_headcount", f.average_headcount},
                            {"hires", f.hires},
                            {"separations", f.separations},
                            {"attrition_rate", f.attrition_rate},
                            {"annualized_rate", f.annualized_rate}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string attrition_to_csv(const AttritionFigures& f, const std::string& time_zone,
                             std::size_t agents) {
  // Rates print as their shortest round-trip text (std::to_chars), like the JSON.
  auto number = [](double x) {
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, x);
    return std::string(buf, r.ptr);
  };
  std::string zone = time_zone;
  if (zone.find_first_of(",\"\n\r") != std::string::npos) {
    zone = "\"";
    for (char c : time_zone) {
      if (c == '"') zone += '"';
      zone += c;
    }
    zone += '"';
  }
  return "from,to,time_zone,agents,headcount_start,headcount_end,average_headcount,hires,"
         "separations,attrition_rate,annualized_rate\n" +
         std::to_string(f.from) + "," + std::to_string(f.to) + "," + zone + "," +
         std::to_string(agents) + "," + std::to_string(f.headcount_start) + "," +
         std::to_string(f.headcount_end) + "," + number(f.average_headcount) + "," +
         std::to_string(f.hires) + "," + std::to_string(f.separations) + "," +
         number(f.attrition_rate) + "," + number(f.annualized_rate) + "\n";
}

}  // namespace sb::reports
