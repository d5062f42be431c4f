#include "sim/report.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "metrics/stats.h"

namespace sb::sim {
namespace {

struct KpiDef {
  const char* key;
  const char* label;
  KpiUnit unit;
  // The value of one replication: its KpiSummary plus the simulator's own figures.
  std::function<double(const metrics::KpiSummary&, double occupancy, double p_wait)> value;
};

const std::vector<KpiDef>& kpi_defs() {
  using S = metrics::KpiSummary;
  static const std::vector<KpiDef> defs = {
      {"offered", "Offered", KpiUnit::kCount,
       [](const S& s, double, double) { return static_cast<double>(s.offered); }},
      {"handled", "Handled", KpiUnit::kCount,
       [](const S& s, double, double) { return static_cast<double>(s.handled); }},
      {"abandoned", "Abandoned", KpiUnit::kCount,
       [](const S& s, double, double) { return static_cast<double>(s.abandoned); }},
      {"abandon_rate", "Abandon rate", KpiUnit::kRatio,
       [](const S& s, double, double) { return s.abandon_rate; }},
      {"service_level", "Service level", KpiUnit::kRatio,
       [](const S& s, double, double) { return s.service_level; }},
      {"p_wait", "Queued on arrival", KpiUnit::kRatio,
       [](const S&, double, double p_wait) { return p_wait; }},
      {"asa_s", "ASA", KpiUnit::kSeconds, [](const S& s, double, double) { return s.asa_s; }},
      {"aht_s", "AHT", KpiUnit::kSeconds, [](const S& s, double, double) { return s.aht_s; }},
      {"occupancy", "Occupancy", KpiUnit::kRatio,
       [](const S&, double occupancy, double) { return occupancy; }},
      {"wait_p50_s", "Wait p50 (answered)", KpiUnit::kSeconds,
       [](const S& s, double, double) { return s.wait_p50_s; }},
      {"wait_p90_s", "Wait p90 (answered)", KpiUnit::kSeconds,
       [](const S& s, double, double) { return s.wait_p90_s; }},
      {"blocked", "Blocked", KpiUnit::kCount,
       [](const S& s, double, double) { return static_cast<double>(s.blocked); }},
  };
  return defs;
}

KpiEstimate estimate_one(const KpiDef& def, const std::vector<double>& samples) {
  KpiEstimate e;
  e.key = def.key;
  e.label = def.label;
  e.unit = def.unit;
  double sum = 0;
  for (double v : samples) sum += v;
  e.mean = samples.empty() ? 0.0 : sum / static_cast<double>(samples.size());
  if (samples.size() >= 2) {
    auto ci = metrics::mean_confidence_interval(samples, 0.95);
    if (ci.ok()) e.ci95 = ci->half_width;
  }
  return e;
}

std::vector<KpiEstimate> estimate_all(
    const SimulationResult& result,
    const std::function<double(const ReplicationResult&, const KpiDef&)>& pick) {
  std::vector<KpiEstimate> out;
  for (const KpiDef& def : kpi_defs()) {
    std::vector<double> samples;
    for (const auto& r : result.replications) samples.push_back(pick(r, def));
    out.push_back(estimate_one(def, samples));
  }
  return out;
}

// Human formatting of one KPI value.
std::string show(KpiUnit unit, double v) {
  char buf[64];
  switch (unit) {
    case KpiUnit::kCount:
      std::snprintf(buf, sizeof buf, "%.1f", v);
      break;
    case KpiUnit::kRatio:
      std::snprintf(buf, sizeof buf, "%.2f %%", 100.0 * v);
      break;
    case KpiUnit::kSeconds:
      std::snprintf(buf, sizeof buf, "%.1f s", v);
      break;
  }
  return buf;
}

std::string pad(const std::string& s, std::size_t width, bool right) {
  if (s.size() >= width) return s;
  const std::string fill(width - s.size(), ' ');
  return right ? fill + s : s + fill;
}

// A CSV field, quoted when it needs to be (queue names are free text).
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

nlohmann::json kpis_json(const std::vector<KpiEstimate>& kpis) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& k : kpis) {
    j[k.key] = {{"mean", k.mean}, {"ci95", k.ci95 ? nlohmann::json(*k.ci95) : nlohmann::json()}};
  }
  return j;
}

}  // namespace

const KpiEstimate& Estimates::get(std::string_view key) const {
  for (const auto& k : total)
    if (k.key == key) return k;
  return total.front();
}

Estimates estimate(const Scenario& scenario, const SimulationResult& result) {
  Estimates est;
  est.total = estimate_all(result, [](const ReplicationResult& r, const KpiDef& d) {
    return d.value(r.total, r.occupancy, r.p_wait);
  });
  for (std::size_t q = 0; q < scenario.center.queues.size(); ++q) {
    QueueEstimates qe;
    qe.name = scenario.center.queues[q].name;
    qe.kpis = estimate_all(result, [q](const ReplicationResult& r, const KpiDef& d) {
      return d.value(r.queues[q], r.queue_occupancy[q], r.queue_p_wait[q]);
    });
    est.queues.push_back(std::move(qe));
  }
  double arrivals = 0, events = 0;
  for (const auto& r : result.replications) {
    arrivals += static_cast<double>(r.arrivals);
    events += static_cast<double>(r.engine_events);
  }
  const double n = static_cast<double>(std::max<std::size_t>(1, result.replications.size()));
  est.arrivals_per_replication = arrivals / n;
  est.engine_events_per_replication = events / n;
  return est;
}

std::string iso_time(Millis t) {
  std::int64_t days = t / kMillisPerDay;
  Millis rem = t % kMillisPerDay;
  if (rem < 0) {
    rem += kMillisPerDay;
    --days;
  }
  // civil_from_days (Howard Hinnant).
  const std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ",
                static_cast<long long>(y), m, d, static_cast<long long>(rem / kMillisPerHour),
                static_cast<long long>(rem / kMillisPerMinute % 60),
                static_cast<long long>(rem / kMillisPerSecond % 60));
  return buf;
}

std::string format_table(const Scenario& scenario, const SimulationResult& result,
                         const Estimates& est) {
  const std::size_t n = result.replications.size();
  std::string o;
  o += "Switchboard simulation: " + scenario.name + " (" + scenario.source + ")\n";
  o += "  " + std::to_string(scenario.center.agents.size()) + " agents, " +
       std::to_string(scenario.center.queues.size()) + " queues; " +
       format_duration(scenario.duration) + " from " + iso_time(scenario.start) + ", warm-up " +
       format_duration(scenario.warmup) + "; " + std::to_string(n) +
       (n == 1 ? " replication" : " replications") + " (seed " + std::to_string(result.seed) +
       ")\n";
  char buf[160];
  std::snprintf(buf, sizeof buf, "  %.0f contacts and %.0f engine events per replication\n\n",
                est.arrivals_per_replication, est.engine_events_per_replication);
  o += buf;

  o += pad("KPI", 24, false) + pad("mean", 14, true) + pad(n >= 2 ? "95% CI" : "", 16, true) + "\n";
  for (const auto& k : est.total) {
    if (k.key == "blocked" && k.mean == 0) continue;
    o += pad(k.label, 24, false) + pad(show(k.unit, k.mean), 14, true);
    if (k.ci95) o += pad("± " + show(k.unit, *k.ci95), 17, true);
    o += "\n";
  }
  o += "\n";
  o += "Service level: answered within the queue's threshold over answered + abandoned.\n";
  o += "Queued on arrival: answered or abandoned contacts that found no free agent.\n\n";

  // Per-queue means.
  std::size_t name_width = 10;
  for (const auto& q : est.queues) name_width = std::max(name_width, q.name.size() + 2);
  const char* cols[] = {"offered", "handled", "abandon_rate", "service_level",
                        "asa_s",   "aht_s",   "wait_p90_s",   "occupancy"};
  const char* heads[] = {"offered", "handled", "aband", "SL", "ASA", "AHT", "p90 wait", "occ"};
  o += pad("queue", name_width, false);
  for (const char* h : heads) o += pad(h, 11, true);
  o += "\n";
  for (const auto& q : est.queues) {
    o += pad(q.name, name_width, false);
    for (const char* c : cols) {
      for (const auto& k : q.kpis) {
        if (k.key != c) continue;
        std::string v;
        if (k.unit == KpiUnit::kCount) {
          std::snprintf(buf, sizeof buf, "%.0f", k.mean);
          v = buf;
        } else if (k.unit == KpiUnit::kRatio) {
          std::snprintf(buf, sizeof buf, "%.1f%%", 100.0 * k.mean);
          v = buf;
        } else {
          std::snprintf(buf, sizeof buf, "%.1fs", k.mean);
          v = buf;
        }
        o += pad(v, 11, true);
      }
    }
    o += "\n";
  }
  o += "(queue occupancy: agents that are members of the queue, on all their work)\n";
  return o;
}

std::string format_json(const Scenario& scenario, const SimulationResult& result,
                        const Estimates& est) {
  nlohmann::json j;
  j["scenario"] = scenario.name;
  j["source"] = scenario.source;
  j["replications"] = result.replications.size();
  j["seed"] = result.seed;
  j["start"] = iso_time(scenario.start);
  j["duration_s"] = static_cast<double>(scenario.duration) / kMillisPerSecond;
  j["warmup_s"] = static_cast<double>(scenario.warmup) / kMillisPerSecond;
  j["agents"] = scenario.center.agents.size();
  j["arrivals_per_replication"] = est.arrivals_per_replication;
  j["engine_events_per_replication"] = est.engine_events_per_replication;
  j["kpis"] = kpis_json(est.total);
  nlohmann::json queues = nlohmann::json::array();
  for (const auto& q : est.queues)
    queues.push_back({{"name", q.name}, {"kpis", kpis_json(q.kpis)}});
  j["queues"] = std::move(queues);
  return j.dump(2) + "\n";
}

Status write_intervals_csv(const Scenario& scenario, const SimulationResult& result,
                           const std::string& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Status::io_error(path + ": cannot open for writing");
  out << "replication,interval_start,queue,offered,handled,abandoned,blocked,answered_within_sl,"
         "service_level,asa_s,aht_s,abandon_rate,wait_p90_s\n";
  char buf[256];
  for (std::size_t r = 0; r < result.replications.size(); ++r) {
    for (const auto& row : result.replications[r].intervals) {
      const std::string queue = row.queue < scenario.center.queues.size()
                                    ? scenario.center.queues[row.queue].name
                                    : std::to_string(row.queue);
      std::snprintf(buf, sizeof buf, ",%llu,%llu,%llu,%llu,%llu,%.4f,%.2f,%.2f,%.4f,%.2f\n",
                    static_cast<unsigned long long>(row.offered),
                    static_cast<unsigned long long>(row.handled),
                    static_cast<unsigned long long>(row.abandoned),
                    static_cast<unsigned long long>(row.blocked),
                    static_cast<unsigned long long>(row.answered_within_sl), row.service_level,
                    row.asa_s, row.aht_s, row.abandon_rate, row.wait_p90_s);
      out << (r + 1) << ',' << iso_time(row.start) << ',' << csv_field(queue) << buf;
    }
  }
  out.flush();
  if (!out) return Status::io_error(path + ": write failed");
  return {};
}

}  // namespace sb::sim
