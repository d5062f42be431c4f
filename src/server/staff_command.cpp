// `switchboard staff --forecast FILE ...`: required and scheduled agents per interval from a
// forecast (the `switchboard forecast --csv` output, or any start,volume[,aht_s] CSV) by Erlang C
// or Erlang A; with --what-if, the service a given headcount (an `agents` column) achieves.
// With --simulate --center SCENARIO --forecast QUEUE=FILE...: agents per group of a multi-skill
// center by simulation with the real router (wfm/sim_staffing.h).
// Exit codes: 0 success, 2 bad input or usage, 1 anything else.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "server/commands.h"
#include "sim/scenario.h"
#include "wfm/series.h"
#include "wfm/sim_staffing.h"
#include "wfm/staffing.h"

namespace sb::cli {
namespace {

struct StaffParams {
  std::vector<std::string> forecasts;
  double aht_s = 0;
  std::string model = "c";
  double threshold_s = 20;
  double target_sl = 0.8;
  double max_asa_s = 0;
  double max_occupancy = 0;
  double max_abandon = 0;
  double patience_s = 0;
  std::string queue_records;
  double shrinkage = 0;
  bool what_if = false;
  double volume_factor = 1;
  double aht_factor = 1;
  bool csv = false;
  bool simulate = false;
  std::string center;
  int replications = 5;
  std::uint64_t seed = 1;
  int calls_per_replication = 2000;
  bool confidence = false;
  CLI::Option* threshold_opt = nullptr;
  CLI::Option* target_opt = nullptr;
  CLI::Option* max_asa_opt = nullptr;
  CLI::Option* max_occupancy_opt = nullptr;
  CLI::Option* max_abandon_opt = nullptr;
  CLI::Option* patience_opt = nullptr;
};

std::string num(double v, int decimals = 3) {
  if (!std::isfinite(v)) return "";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// Multi-skill staffing by simulation: one forecast per queue (QUEUE=FILE), intervals aligned by
// their start; a queue without a row in an interval has no volume there.
Status run_simulated_staff(const StaffParams& p) {
  if (p.center.empty()) return Status::invalid_argument("--simulate needs --center SCENARIO.toml");
  if (p.what_if || p.model != "c" || p.max_asa_opt->count() || p.max_occupancy_opt->count() ||
      p.max_abandon_opt->count() || p.patience_opt->count() || !p.queue_records.empty())
    return Status::invalid_argument(
        "--simulate takes the goal (--target-sl, --threshold-s) and the center's own patience; "
        "--model, --what-if, --max-* and --patience-s/--queue-records do not apply");
  auto scenario = sim::load_scenario(p.center);
  if (!scenario.ok()) return Status::invalid_argument(scenario.status().message());
  const wfm::MultiSkillCenter center = wfm::center_from_scenario(*scenario);
  const auto& queues = center.center.queues;
  if (!(p.volume_factor >= 0) || !(p.aht_factor > 0))
    return Status::invalid_argument("--volume-factor must be >= 0 and --aht-factor > 0");
  int interval_minutes = 0;
  std::map<std::pair<wfm::Date, int>, wfm::SimStaffingInterval> by_start;
  std::vector<bool> seen(queues.size(), false);
  for (const std::string& arg : p.forecasts) {
    const auto eq = arg.find('=');
    if (eq == std::string::npos || eq == 0)
      return Status::invalid_argument("--simulate: --forecast takes QUEUE=FILE, got '" + arg + "'");
    const std::string name = arg.substr(0, eq), file = arg.substr(eq + 1);
    const auto it = std::find_if(queues.begin(), queues.end(),
                                 [&](const QueueConfig& q) { return q.name == name; });
    if (it == queues.end())
      return Status::invalid_argument("--forecast " + arg + ": " + p.center + " has no queue '" +
                                      name + "'");
    const auto q = static_cast<std::size_t>(it - queues.begin());
    if (seen[q]) return Status::invalid_argument("two forecasts for queue '" + name + "'");
    seen[q] = true;
    std::ifstream in(file);
    if (!in) return Status::invalid_argument("cannot open forecast file " + file);
    auto table = wfm::read_demand_csv(in, file, p.aht_s);
    if (!table.ok()) return table.status();
    if (interval_minutes != 0 && table->interval_minutes != interval_minutes)
      return Status::invalid_argument(file + ": " + std::to_string(table->interval_minutes) +
                                      "-minute intervals, the other forecasts have " +
                                      std::to_string(interval_minutes));
    interval_minutes = table->interval_minutes;
    for (const auto& d : table->rows) {
      auto& iv = by_start[{d.day, d.minute}];
      iv.day = d.day;
      iv.minute = d.minute;
      iv.queues.resize(queues.size());
      iv.queues[q] = {.volume = d.volume * p.volume_factor, .aht_s = d.aht_s * p.aht_factor};
    }
  }
  std::vector<wfm::SimStaffingInterval> intervals;
  for (auto& [start, iv] : by_start) intervals.push_back(std::move(iv));
  wfm::SimStaffingOptions o;
  o.interval_minutes = interval_minutes;
  if (p.target_opt->count() > 0 || p.threshold_opt->count() > 0) {
    for (const auto& q : queues) {
      o.goals.push_back(
          {.target_sl = p.target_opt->count() > 0 ? p.target_sl : q.service_level_target,
           .threshold_s = p.threshold_opt->count() > 0
                              ? p.threshold_s
                              : static_cast<double>(q.service_level_threshold) / 1000});
    }
  }
  o.replications = p.replications;
  o.seed = p.seed;
  o.calls_per_replication = p.calls_per_replication;
  o.require_confidence = p.confidence;
  o.shrinkage = p.shrinkage;
  auto rows = wfm::simulate_staffing(center, intervals, o);
  if (!rows.ok()) return rows.status();
  const auto& groups = center.groups;
  if (p.csv) {
    std::cout << "start";
    for (const auto& g : groups) std::cout << ',' << g.name;
    std::cout << ",total,scheduled,erlang_c_separate";
    for (const auto& q : queues) std::cout << ",sl_" << q.name << ",sl_ci95_" << q.name;
    std::cout << ",occupancy,evaluations\n";
    for (const auto& r : *rows) {
      std::cout << wfm::format_local(r.day, r.minute);
      for (int n : r.agents) std::cout << ',' << n;
      std::cout << ',' << r.total_agents << ',' << r.total_scheduled << ',' << r.erlang_c_separate;
      for (std::size_t q = 0; q < queues.size(); ++q) {
        const auto& qr = r.result.queues[q];
        std::cout << ',' << (qr.volume > 0 ? num(qr.service_level, 4) : "") << ','
                  << (qr.volume > 0 ? num(qr.sl_ci95, 4) : "");
      }
      std::cout << ',' << num(r.result.occupancy, 4) << ',' << r.evaluations << '\n';
    }
    std::cout << std::flush;
    return {};
  }
  std::printf(
      "Simulated staffing: %s, %zu groups, %zu queues, %d-minute intervals, %d "
      "replications (seed %llu)%s\n",
      p.center.c_str(), groups.size(), queues.size(), interval_minutes, o.replications,
      static_cast<unsigned long long>(o.seed),
      o.require_confidence ? ", goals at the 95 % lower bound" : "");
  std::printf("  %-16s", "start");
  for (const auto& g : groups) std::printf(" %10.10s", g.name.c_str());
  std::printf(" %6s %9s %9s", "total", "scheduled", "erlang-c");
  for (const auto& q : queues) std::printf(" %12.12s", ("SL " + q.name).c_str());
  std::printf("\n");
  for (const auto& r : *rows) {
    std::printf("  %-16s", wfm::format_local(r.day, r.minute).c_str());
    for (int n : r.agents) std::printf(" %10d", n);
    std::printf(" %6d %9d %9d", r.total_agents, r.total_scheduled, r.erlang_c_separate);
    for (const auto& qr : r.result.queues) {
      if (qr.volume > 0) {
        std::printf(" %6.1f%%±%4.1f", 100 * qr.service_level, 100 * qr.sl_ci95);
      } else {
        std::printf(" %12s", "-");
      }
    }
    std::printf("\n");
  }
  std::cout << "(agents per group on the phones; erlang-c = every queue as a pool of its own)"
            << std::endl;
  return {};
}

Status run_staff(const StaffParams& p) {
  if (p.simulate) return run_simulated_staff(p);
  if (p.forecasts.size() != 1)
    return Status::invalid_argument("give one --forecast (several only with --simulate)");
  const std::string& forecast = p.forecasts.front();
  std::ifstream in(forecast);
  if (!in) return Status::invalid_argument("cannot open forecast file " + forecast);
  auto table = wfm::read_demand_csv(in, forecast, p.aht_s);
  if (!table.ok()) return table.status();
  if (!(p.volume_factor >= 0) || !(p.aht_factor > 0)) {
    return Status::invalid_argument("--volume-factor must be >= 0 and --aht-factor > 0");
  }
  wfm::StaffingOptions o;
  if (p.model == "c") {
    o.model = wfm::StaffingModel::kErlangC;
  } else if (p.model == "a") {
    o.model = wfm::StaffingModel::kErlangA;
  } else {
    return Status::invalid_argument("--model must be c (Erlang C) or a (Erlang A)");
  }
  o.threshold_s = p.threshold_s;
  o.goal.service_level = p.target_sl;
  if (p.max_asa_opt->count() > 0) o.goal.max_asa_s = p.max_asa_s;
  if (p.max_occupancy_opt->count() > 0) o.goal.max_occupancy = p.max_occupancy;
  if (p.max_abandon_opt->count() > 0) o.goal.max_abandon = p.max_abandon;
  o.shrinkage = p.shrinkage;
  if (o.model == wfm::StaffingModel::kErlangA) {
    if (p.patience_opt->count() > 0) {
      o.patience_s = p.patience_s;
    } else if (!p.queue_records.empty()) {
      std::ifstream q(p.queue_records);
      if (!q) return Status::invalid_argument("cannot open queue records " + p.queue_records);
      auto records = wfm::read_queue_records_csv(q, p.queue_records);
      if (!records.ok()) return records.status();
      auto est = wfm::estimate_patience(*records);
      if (!est.ok()) return est.status();
      o.patience_s = est->mean_patience_s;
      std::fprintf(stderr,
                   "patience: %.1f s mean (%ld abandons in %ld queued calls, %.0f s in queue)\n",
                   est->mean_patience_s, est->abandons, est->calls, est->total_wait_s);
    } else {
      return Status::invalid_argument("Erlang A needs --patience-s or --queue-records");
    }
  }
  for (auto& d : table->rows) {
    d.volume *= p.volume_factor;
    d.aht_s *= p.aht_factor;
  }
  auto rows = p.what_if ? wfm::what_if(table->rows, table->interval_minutes, o)
                        : wfm::required_staff(table->rows, table->interval_minutes, o);
  if (!rows.ok()) return rows.status();
  const bool a = o.model == wfm::StaffingModel::kErlangA;
  if (p.csv) {
    std::cout << "start,volume,aht_s,load_erlangs,shrinkage,"
              << (p.what_if ? "agents,on_phones" : "required,scheduled")
              << ",service_level,asa_s,p_abandon,occupancy\n";
    for (const auto& r : *rows) {
      std::cout << wfm::format_local(r.demand.day, r.demand.minute) << ',' << num(r.demand.volume)
                << ',' << num(r.demand.aht_s, 1) << ',' << num(r.load_erlangs) << ','
                << num(r.shrinkage) << ',';
      if (p.what_if) {
        std::cout << r.scheduled << ',' << r.agents;
      } else {
        std::cout << r.required << ',' << r.scheduled;
      }
      std::cout << ',' << num(r.service_level, 4) << ',' << num(r.asa_s, 2) << ','
                << (a ? num(r.p_abandon, 4) : "") << ',' << num(r.occupancy, 4) << '\n';
    }
    std::cout << std::flush;
    return {};
  }
  // Per day: peak and agent-hours, and the volume-weighted service level.
  struct Day {
    int peak_required = 0, peak_scheduled = 0;
    double agent_hours = 0, volume = 0, sl_weighted = 0, abandon_weighted = 0;
  };
  std::map<wfm::Date, Day> days;
  for (const auto& r : *rows) {
    Day& d = days[r.demand.day];
    d.peak_required = std::max(d.peak_required, p.what_if ? r.agents : r.required);
    d.peak_scheduled = std::max(d.peak_scheduled, r.scheduled);
    d.agent_hours += r.scheduled * table->interval_minutes / 60.0;
    d.volume += r.demand.volume;
    d.sl_weighted += r.demand.volume * r.service_level;
    d.abandon_weighted += r.demand.volume * r.p_abandon;
  }
  std::printf("%s, %s %.0f %% in %.0f s, %d-minute intervals%s\n", a ? "Erlang A" : "Erlang C",
              p.what_if ? "what-if against" : "goal", 100 * p.target_sl, p.threshold_s,
              table->interval_minutes,
              a ? (", patience " + num(o.patience_s, 1) + " s").c_str() : "");
  std::printf("  %-10s %-9s %10s %9s %9s %12s %8s%s\n", "date", "weekday", "volume",
              p.what_if ? "on phones" : "required", "scheduled", "agent-hours", "SL",
              a ? "  abandon" : "");
  for (const auto& [day, d] : days) {
    std::printf("  %-10s %-9s %10.1f %9d %9d %12.1f %7.1f%%", wfm::format_date(day).c_str(),
                wfm::weekday_name(wfm::weekday_of(day)), d.volume, d.peak_required,
                d.peak_scheduled, d.agent_hours,
                d.volume > 0 ? 100 * d.sl_weighted / d.volume : 100.0);
    if (a) std::printf(" %7.2f%%", d.volume > 0 ? 100 * d.abandon_weighted / d.volume : 0.0);
    std::printf("\n");
  }
  std::cout << "(peaks per day; --csv prints every interval)" << std::endl;
  return {};
}

}  // namespace

void register_staff_command(CLI::App& root, int& exit_code) {
  auto p = std::make_shared<StaffParams>();
  CLI::App* cmd = root.add_subcommand(
      "staff", "Agents per interval for a forecast (Erlang C or A), or what a headcount achieves");
  cmd->add_option("--forecast", p->forecasts,
                  "CSV: start, volume [, aht_s, shrinkage, agents] (switchboard forecast --csv); "
                  "with --simulate, QUEUE=FILE once per queue")
      ->required();
  cmd->add_option("--aht-s", p->aht_s, "AHT in seconds where the file has no aht_s");
  cmd->add_option("--model", p->model, "c (Erlang C) or a (Erlang A)")->capture_default_str();
  p->threshold_opt =
      cmd->add_option("--threshold-s", p->threshold_s,
                      "Service-level threshold, seconds (--simulate: default each queue's own)")
          ->capture_default_str();
  p->target_opt = cmd->add_option("--target-sl", p->target_sl,
                                  "Service-level goal, 0..1 (--simulate: default each queue's own)")
                      ->capture_default_str();
  p->max_asa_opt = cmd->add_option("--max-asa-s", p->max_asa_s, "Also cap ASA");
  p->max_occupancy_opt = cmd->add_option("--max-occupancy", p->max_occupancy, "Also cap occupancy");
  p->max_abandon_opt =
      cmd->add_option("--max-abandon", p->max_abandon, "Erlang A: also cap the abandon share");
  p->patience_opt = cmd->add_option("--patience-s", p->patience_s, "Erlang A: mean patience");
  cmd->add_option("--queue-records", p->queue_records,
                  "Erlang A: estimate patience from a CSV of wait_s and abandoned (or outcome)")
      ->excludes(p->patience_opt);
  cmd->add_option("--shrinkage", p->shrinkage,
                  "Share of paid time off the phones (a shrinkage column overrides it)")
      ->capture_default_str();
  cmd->add_flag("--what-if", p->what_if,
                "Evaluate the headcount in the file's agents column instead of sizing");
  cmd->add_option("--volume-factor", p->volume_factor, "Scale every interval's volume")
      ->capture_default_str();
  cmd->add_option("--aht-factor", p->aht_factor, "Scale every interval's AHT")
      ->capture_default_str();
  cmd->add_flag("--csv", p->csv, "Print every interval as CSV");
  cmd->add_flag("--simulate", p->simulate,
                "Multi-skill: agents per group by simulation with the real router");
  cmd->add_option("--center", p->center,
                  "--simulate: the center as a simulator scenario (docs/simulator.md): queues, "
                  "skills, agent groups; its arrivals and shifts are not used");
  cmd->add_option("--replications", p->replications, "--simulate: replications per headcount")
      ->capture_default_str();
  cmd->add_option("--seed", p->seed, "--simulate: seed (same seed, same answer)")
      ->capture_default_str();
  cmd->add_option("--calls-per-replication", p->calls_per_replication,
                  "--simulate: arrivals per replication (longer runs, tighter estimates)")
      ->capture_default_str();
  cmd->add_flag("--confidence", p->confidence,
                "--simulate: a goal holds only when the lower end of its 95 % interval meets it");
  cmd->callback([p, &exit_code] {
    const Status s = run_staff(*p);
    if (!s.ok()) {
      std::cerr << "switchboard staff: " << s.message() << '\n';
      exit_code = s.code() == StatusCode::kInvalidArgument ? 2 : 1;
    }
  });
}

}  // namespace sb::cli
