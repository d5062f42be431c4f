#include <array>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "reports/report_query.h"
#include "reports/time_zone.h"

namespace sb::reports {
namespace {

constexpr std::array<std::string_view, kSlPresetCount> kPresetNames = {
    "switchboard", "asterisk_sl", "asterisk_sl2", "amazon_connect", "genesys", "answered_only"};
constexpr std::array<std::string_view, 8> kDimensionNames = {
    "interval", "day", "weekday", "time_of_day", "queue", "channel", "team", "agent"};

using nlohmann::ordered_json;

// The scalar KPI columns, in export order: name and value.
template <class F>
void for_each_kpi(const Kpis& k, F&& f) {
  f("offered", static_cast<double>(k.offered));
  f("handled", static_cast<double>(k.handled));
  f("abandoned", static_cast<double>(k.abandoned));
  f("short_abandoned", static_cast<double>(k.short_abandoned));
  f("timed_out", static_cast<double>(k.timed_out));
  f("blocked", static_cast<double>(k.blocked));
  f("transferred", static_cast<double>(k.transferred));
  f("flowed_out", static_cast<double>(k.flowed_out));
  f("callbacks_requested", static_cast<double>(k.callbacks_requested));
  f("callbacks_completed", static_cast<double>(k.callbacks_completed));
  f("self_served", static_cast<double>(k.self_served));
  f("imported", static_cast<double>(k.imported));
  f("answered_within_sl", static_cast<double>(k.answered_within_sl));
  f("abandoned_within_sl", static_cast<double>(k.abandoned_within_sl));
  f("removed_within_sl", static_cast<double>(k.removed_within_sl));
  f("service_level", k.service_level);
  for (int p = 0; p < kSlPresetCount; ++p)
    f("sl_" + std::string(kPresetNames[p]), k.service_level_by_preset[p]);
  f("asa_s", k.asa_s);
  f("avg_wait_s", k.avg_wait_s);
  f("avg_abandon_wait_s", k.avg_abandon_wait_s);
  f("longest_wait_s", k.longest_wait_s);
  f("wait_p50_s", k.wait_p50_s);
  f("wait_p90_s", k.wait_p90_s);
  f("wait_p95_s", k.wait_p95_s);
  f("handle_samples", static_cast<double>(k.handle_samples));
  f("aht_s", k.aht_s);
  f("avg_talk_s", k.avg_talk_s);
  f("avg_hold_s", k.avg_hold_s);
  f("avg_wrap_s", k.avg_wrap_s);
  f("longest_hold_s", k.longest_hold_s);
  f("handle_p50_s", k.handle_p50_s);
  f("handle_p90_s", k.handle_p90_s);
  f("handle_p95_s", k.handle_p95_s);
  f("transfer_rate", k.transfer_rate);
  f("abandon_rate", k.abandon_rate);
  f("customer_contacts", static_cast<double>(k.customer_contacts));
  f("repeat_contacts", static_cast<double>(k.repeat_contacts));
  f("repeat_rate", k.repeat_rate);
  f("fcr_eligible", static_cast<double>(k.fcr_eligible));
  f("fcr_resolved", static_cast<double>(k.fcr_resolved));
  f("fcr_rate", k.fcr_rate);
  f("first_responses", static_cast<double>(k.first_responses));
  f("avg_first_response_s", k.avg_first_response_s);
  f("staffed_s", k.staffed_s);
  f("available_s", k.available_s);
  f("occupied_s", k.occupied_s);
  f("occupancy", k.occupancy);
  f("utilization", k.utilization);
  f("queue_available_s", k.queue_available_s);
  f("queue_occupied_s", k.queue_occupied_s);
  f("queue_occupancy", k.queue_occupancy);
  f("dispositioned", static_cast<double>(k.dispositioned));
  f("conversions", static_cast<double>(k.conversions));
  f("conversion_rate", k.conversion_rate);
  f("cost_total", k.cost_total);
  f("cost_per_contact", k.cost_per_contact);
  f("csat_responses", static_cast<double>(k.csat_responses));
  f("csat", k.csat);
  f("csat_avg", k.csat_avg);
  f("nps_responses", static_cast<double>(k.nps_responses));
  f("nps", k.nps);
  f("ces_responses", static_cast<double>(k.ces_responses));
  f("ces", k.ces);
  f("peak_hour_offered", static_cast<double>(k.peak_hour_offered));
}

// Shortest text that reads back to the same double (integers without a decimal point).
std::string number(double x) {
  if (x == static_cast<double>(static_cast<std::int64_t>(x)) && x > -9e15 && x < 9e15)
    return std::to_string(static_cast<std::int64_t>(x));
  char buf[32];
  for (int precision = 6; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, x);
    if (std::strtod(buf, nullptr) == x) break;
  }
  return buf;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

ordered_json kpis_json(const Kpis& k, const TimeZone& tz, bool histograms) {
  ordered_json j = ordered_json::object();
  for_each_kpi(k, [&](const std::string& name, double v) {
    if (v == static_cast<double>(static_cast<std::int64_t>(v)) && v > -9e15 && v < 9e15)
      j[name] = static_cast<std::int64_t>(v);
    else
      j[name] = v;
  });
  j["service_level_preset"] = k.service_level_preset;
  j["peak_hour_start"] = k.peak_hour_offered ? tz.format(k.peak_hour_start) : "";
  j["definition_versions"] = k.definition_versions;
  if (histograms) {
    auto buckets = [](const std::vector<HistogramBucket>& bs) {
      ordered_json a = ordered_json::array();
      for (const auto& b : bs)
        a.push_back(ordered_json{{"lower_ms", b.lower},
                                 {"upper_ms", b.upper == kNever ? -1 : b.upper},
                                 {"count", b.count}});
      return a;
    };
    j["wait_histogram"] = buckets(k.wait_histogram);
    j["handle_histogram"] = buckets(k.handle_histogram);
  }
  return j;
}

}  // namespace

std::string_view sl_preset_name(SlPreset p) {
  const auto i = static_cast<std::size_t>(p);
  return i < kPresetNames.size() ? kPresetNames[i] : std::string_view("unknown");
}

Result<SlPreset> parse_sl_preset(std::string_view name) {
  std::string all;
  for (std::size_t i = 0; i < kPresetNames.size(); ++i) {
    if (kPresetNames[i] == name) return static_cast<SlPreset>(i);
    all += (i ? ", " : "") + std::string(kPresetNames[i]);
  }
  return Status::invalid_argument("unknown service-level preset '" + std::string(name) +
                                  "' (expected one of " + all + ")");
}

std::string_view dimension_name(Dimension d) {
  const auto i = static_cast<std::size_t>(d);
  return i < kDimensionNames.size() ? kDimensionNames[i] : std::string_view("unknown");
}

Result<Dimension> parse_dimension(std::string_view name) {
  std::string all;
  for (std::size_t i = 0; i < kDimensionNames.size(); ++i) {
    if (kDimensionNames[i] == name) return static_cast<Dimension>(i);
    all += (i ? ", " : "") + std::string(kDimensionNames[i]);
  }
  return Status::invalid_argument("unknown group-by dimension '" + std::string(name) +
                                  "' (expected one of " + all + ")");
}

Status validate(const ReportRequest& r) {
  if (r.interval_minutes != 15 && r.interval_minutes != 30 && r.interval_minutes != 60)
    return Status::invalid_argument("interval must be 15, 30 or 60 minutes, got " +
                                    std::to_string(r.interval_minutes));
  if (r.from >= r.to) return Status::invalid_argument("from must be before to");
  for (std::size_t i = 0; i < r.group_by.size(); ++i)
    for (std::size_t j = i + 1; j < r.group_by.size(); ++j)
      if (r.group_by[i] == r.group_by[j])
        return Status::invalid_argument("group_by lists '" +
                                        std::string(dimension_name(r.group_by[i])) + "' twice");
  return TimeZone::parse(r.time_zone).status();
}

std::string to_csv(const ReportResult& r) {
  std::string out;
  for (const std::string& c : r.columns) out += csv_field(c) + ",";
  bool first = true;
  auto header = [&](const std::string& name, double) {
    out += (first ? "" : ",") + name;
    first = false;
  };
  for_each_kpi(Kpis{}, header);
  out += ",service_level_preset,definition_versions\n";
  auto line = [&](const std::vector<std::string>& keys, const Kpis& k) {
    for (const std::string& key : keys) out += csv_field(key) + ",";
    bool first_value = true;
    for_each_kpi(k, [&](const std::string&, double v) {
      out += (first_value ? "" : ",") + number(v);
      first_value = false;
    });
    std::string versions;
    for (const std::string& v : k.definition_versions)
      versions += (versions.empty() ? "" : " ") + v;
    out += "," + csv_field(k.service_level_preset) + "," + csv_field(versions) + "\n";
  };
  for (const ReportRow& row : r.rows) line(row.keys, row.kpis);
  std::vector<std::string> total_keys(r.columns.size(), "");
  if (!total_keys.empty()) total_keys[0] = "total";
  line(total_keys, r.total);
  return out;
}

std::string to_json(const ReportResult& r) {
  auto tz = TimeZone::parse(r.request.time_zone);
  const TimeZone zone = tz.ok() ? *tz : TimeZone::utc();
  ordered_json j = ordered_json::object();
  j["from"] = zone.format(r.request.from);
  j["to"] = zone.format(r.request.to);
  j["interval_minutes"] = r.request.interval_minutes;
  j["time_zone"] = zone.name();
  j["columns"] = r.columns;
  ordered_json rows = ordered_json::array();
  for (const ReportRow& row : r.rows) {
    ordered_json o = ordered_json::object();
    for (std::size_t i = 0; i < row.keys.size() && i < r.columns.size(); ++i)
      o[r.columns[i]] = row.keys[i];
    o["kpis"] = kpis_json(row.kpis, zone, r.request.include_histograms);
    rows.push_back(std::move(o));
  }
  j["rows"] = std::move(rows);
  j["total"] = kpis_json(r.total, zone, r.request.include_histograms);
  return j.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

}  // namespace sb::reports
