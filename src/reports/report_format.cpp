#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "reports/report_query.h"
#include "reports/time_zone.h"

namespace sb::reports {
namespace {

constexpr std::array<std::string_view, kSlPresetCount> kPresetNames = {
    "switchboard", "asterisk_sl", "asterisk_sl2", "amazon_connect", "genesys", "answered_only"};
constexpr std::array<std::string_view, kSlPresetCount> kSlColumnNames = {
    "sl_switchboard",    "sl_asterisk_sl", "sl_asterisk_sl2",
    "sl_amazon_connect", "sl_genesys",     "sl_answered_only"};
constexpr std::array<std::string_view, 8> kDimensionNames = {
    "interval", "day", "weekday", "time_of_day", "queue", "channel", "team", "agent"};

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
  for (int p = 0; p < kSlPresetCount; ++p) f(kSlColumnNames[p], k.service_level_by_preset[p]);
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

// Integral values (as every count is) print as integers, in both exports.
bool is_integral(double x) {
  return x > -9e15 && x < 9e15 && x == static_cast<double>(static_cast<std::int64_t>(x));
}

void append_integer(std::string& out, std::int64_t x) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, x);
  out.append(buf, r.ptr);
}

// CSV: the shortest "%.*g" text, precision 6 to 17, that reads back to the same double. That is
// "%.*g" at max(6, digits of the shortest round-trip form): no shorter precision reads back, and
// the correctly rounded text at that precision does. std::to_chars(general, precision) is
// specified as printf's %.*g, without snprintf's and strtod's locale and parsing costs (a year of
// 15-minute rows has 2.6 million numbers).
void append_csv_number(std::string& out, double x) {
  if (is_integral(x)) return append_integer(out, static_cast<std::int64_t>(x));
  char buf[64];
  const auto shortest = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::scientific);
  int digits = 0;
  for (const char* c = buf; c != shortest.ptr && *c != 'e'; ++c)
    if (*c >= '0' && *c <= '9') ++digits;
  const int precision = std::clamp(digits, 6, 17);
  const auto r = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::general, precision);
  out.append(buf, r.ptr);
}

void append_csv_field(std::string& out, std::string_view s) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) {
    out += s;
    return;
  }
  out += '"';
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

// JSON written straight into one string, byte for byte what nlohmann::ordered_json::dump(-1)
// printed before (reports_test compares the two): building a json object per row cost more than
// the query itself for a year of 15-minute rows (an ordered_json object looks each key up by a
// linear search, and every value is a heap node).
class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}
  void raw(std::string_view s) { out_ += s; }
  void raw(char c) { out_ += c; }
  // Text needing no escape (printable ASCII without quote or backslash) is copied; anything else
  // goes through nlohmann's serializer (escapes, invalid UTF-8 replaced) to stay identical.
  void string(std::string_view s) {
    bool plain = true;
    for (char c : s) {
      const auto u = static_cast<unsigned char>(c);
      if (u < 0x20 || u >= 0x7f || c == '"' || c == '\\') {
        plain = false;
        break;
      }
    }
    if (!plain) {
      out_ += nlohmann::json(std::string(s))
                  .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      return;
    }
    out_ += '"';
    out_ += s;
    out_ += '"';
  }
  void key(std::string_view k) {
    string(k);
    out_ += ':';
  }
  void integer(std::int64_t x) { append_integer(out_, x); }
  void unsigned_integer(std::uint64_t x) {
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, x);
    out_.append(buf, r.ptr);
  }
  // A KPI value: integral values as integers, others as nlohmann prints a double (its own
  // shortest round-trip digits, the same function its serializer calls; "null" if not finite).
  void kpi_number(double x) {
    if (is_integral(x)) return integer(static_cast<std::int64_t>(x));
    if (!std::isfinite(x)) {
      out_ += "null";
      return;
    }
    char buf[64];
    char* end = nlohmann::detail::to_chars(buf, buf + sizeof buf, x);
    out_.append(buf, end);
  }
  void string_array(const std::vector<std::string>& items) {
    out_ += '[';
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (i) out_ += ',';
      string(items[i]);
    }
    out_ += ']';
  }

 private:
  std::string& out_;
};

void write_buckets(JsonWriter& w, const std::vector<HistogramBucket>& buckets) {
  w.raw('[');
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    const HistogramBucket& b = buckets[i];
    if (i) w.raw(',');
    w.raw("{\"lower_ms\":");
    w.integer(b.lower);
    w.raw(",\"upper_ms\":");
    w.integer(b.upper == kNever ? -1 : b.upper);
    w.raw(",\"count\":");
    w.unsigned_integer(b.count);
    w.raw('}');
  }
  w.raw(']');
}

void write_kpis(JsonWriter& w, const Kpis& k, const TimeZone& tz, bool histograms) {
  w.raw('{');
  bool first = true;
  for_each_kpi(k, [&](std::string_view name, double v) {
    if (!first) w.raw(',');
    first = false;
    w.key(name);
    w.kpi_number(v);
  });
  w.raw(',');
  w.key("service_level_preset");
  w.string(k.service_level_preset);
  w.raw(',');
  w.key("peak_hour_start");
  w.string(k.peak_hour_offered ? tz.format(k.peak_hour_start) : "");
  w.raw(',');
  w.key("definition_versions");
  w.string_array(k.definition_versions);
  if (histograms) {
    w.raw(",\"wait_histogram\":");
    write_buckets(w, k.wait_histogram);
    w.raw(",\"handle_histogram\":");
    write_buckets(w, k.handle_histogram);
  }
  w.raw('}');
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
  out.reserve(512 * (r.rows.size() + 2));
  for (const std::string& c : r.columns) {
    append_csv_field(out, c);
    out += ',';
  }
  bool first = true;
  auto header = [&](std::string_view name, double) {
    if (!first) out += ',';
    out += name;
    first = false;
  };
  for_each_kpi(Kpis{}, header);
  out += ",service_level_preset,definition_versions\n";
  auto line = [&](const std::vector<std::string>& keys, const Kpis& k) {
    for (const std::string& key : keys) {
      append_csv_field(out, key);
      out += ',';
    }
    bool first_value = true;
    for_each_kpi(k, [&](std::string_view, double v) {
      if (!first_value) out += ',';
      append_csv_number(out, v);
      first_value = false;
    });
    out += ',';
    append_csv_field(out, k.service_level_preset);
    out += ',';
    std::string versions;
    for (const std::string& v : k.definition_versions) {
      if (!versions.empty()) versions += ' ';
      versions += v;
    }
    append_csv_field(out, versions);
    out += '\n';
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
  const bool histograms = r.request.include_histograms;
  std::string out;
  out.reserve((histograms ? 4096 : 2048) * (r.rows.size() + 1));
  JsonWriter w(out);
  w.raw('{');
  w.key("from");
  w.string(zone.format(r.request.from));
  w.raw(',');
  w.key("to");
  w.string(zone.format(r.request.to));
  w.raw(',');
  w.key("interval_minutes");
  w.integer(r.request.interval_minutes);
  w.raw(',');
  w.key("time_zone");
  w.string(zone.name());
  w.raw(',');
  w.key("columns");
  w.string_array(r.columns);
  w.raw(",\"rows\":[");
  for (std::size_t i = 0; i < r.rows.size(); ++i) {
    const ReportRow& row = r.rows[i];
    if (i) w.raw(',');
    w.raw('{');
    for (std::size_t c = 0; c < row.keys.size() && c < r.columns.size(); ++c) {
      w.key(r.columns[c]);
      w.string(row.keys[c]);
      w.raw(',');
    }
    w.key("kpis");
    write_kpis(w, row.kpis, zone, histograms);
    w.raw('}');
  }
  w.raw("],\"total\":");
  write_kpis(w, r.total, zone, histograms);
  w.raw('}');
  return out;
}

}  // namespace sb::reports
