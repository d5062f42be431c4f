// `switchboard simulate scenario.toml`: runs a scenario through the routing engine under a virtual
// clock and prints its KPIs. Exit codes: 0 success, 2 malformed scenario or usage, 1 anything else.

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "reports/report_query.h"
#include "server/commands.h"
#include "sim/report.h"
#include "sim/scenario.h"
#include "sim/simulator.h"

namespace sb::cli {
namespace {

struct SimulateParams {
  std::string scenario;
  bool json = false;
  std::string intervals_csv;
  std::string reports_dir;
  int replications = 0;
  std::uint64_t seed = 0;
  CLI::Option* replications_opt = nullptr;
  CLI::Option* seed_opt = nullptr;
};

int run_simulate(const SimulateParams& p) {
  auto scenario = sim::load_scenario(p.scenario);
  if (!scenario.ok()) {
    std::cerr << "switchboard simulate: " << scenario.status().message() << "\n";
    return 2;
  }
  const int replications =
      p.replications_opt->count() > 0 ? p.replications : scenario->replications;
  const std::uint64_t seed = p.seed_opt->count() > 0 ? p.seed : scenario->seed;
  sim::RunOptions options;
  options.keep_intervals = !p.intervals_csv.empty();
  // --reports-dir: the first replication's event log, for the live server's read model.
  std::vector<Event> first_log;
  bool first_done = false;
  if (!p.reports_dir.empty()) {
    options.on_event = [&](const Event& e) {
      if (e.seq == 1 && !first_log.empty()) first_done = true;  // the next replication began
      if (!first_done) first_log.push_back(e);
    };
  }
  auto result = sim::simulate(*scenario, replications, seed, options);
  if (!result.ok()) {
    std::cerr << "switchboard simulate: " << result.status().message() << "\n";
    return result.status().code() == StatusCode::kInvalidArgument ? 2 : 1;
  }
  const sim::Estimates est = sim::estimate(*scenario, *result);
  if (p.json)
    std::cout << sim::format_json(*scenario, *result, est);
  else
    std::cout << sim::format_table(*scenario, *result, est);
  if (!p.reports_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(p.reports_dir, ec);
    auto store = reports::ReportStore::open_data_dir(p.reports_dir);
    Status st = store.ok() ? (*store)->clear() : store.status();
    for (std::size_t i = 0; st.ok() && i < first_log.size(); i += 8192)
      st = (*store)->ingest(
          std::span(first_log).subspan(i, std::min<std::size_t>(8192, first_log.size() - i)));
    if (!st.ok()) {
      std::cerr << "switchboard simulate: " << st.message() << "\n";
      return 1;
    }
  }
  if (!p.intervals_csv.empty()) {
    Status st = sim::write_intervals_csv(*scenario, *result, p.intervals_csv);
    if (!st.ok()) {
      std::cerr << "switchboard simulate: " << st.message() << "\n";
      return 1;
    }
  }
  return 0;
}

}  // namespace

void register_simulate_command(CLI::App& root, int& exit_code) {
  auto params = std::make_shared<SimulateParams>();
  CLI::App* cmd = root.add_subcommand(
      "simulate",
      "Simulate a contact center described by a scenario file, with the real routing engine "
      "under a virtual clock, and report its KPIs");
  cmd->add_option("scenario", params->scenario, "Scenario TOML file (see docs/simulator.md)")
      ->required();
  cmd->add_flag("--json", params->json,
                "Print the KPIs as one JSON object (mean and 95% CI half-width per KPI)");
  cmd->add_option("--intervals-csv", params->intervals_csv,
                  "Also write the per-interval KPIs of every replication to this CSV file");
  cmd->add_option("--reports-dir", params->reports_dir,
                  "Also write the first replication into DIR/reports.db, the read model of the "
                  "live server: `switchboard report --data-dir DIR` shows it with the same code");
  params->replications_opt = cmd->add_option("--replications", params->replications,
                                             "Independent replications (overrides the scenario)")
                                 ->check(CLI::Range(1, 100000));
  params->seed_opt =
      cmd->add_option("--seed", params->seed, "Random seed (overrides the scenario)");
  cmd->callback([params, &exit_code] { exit_code = run_simulate(*params); });
}

}  // namespace sb::cli
