// `switchboard erlang {b,c,a}`: staffing arithmetic from the command line. The JSON output is a
// contract for scripts; the text output is for people.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "server/commands.h"
#include "wfm/erlang.h"

namespace sb::cli {
namespace {

using nlohmann::json;

// Values stay zero unless their option was given; the Option pointers tell which were.
struct Params {
  double load_erlangs = 0;
  double calls_per_hour = 0;
  double aht_s = 0;
  double threshold_s = 0;
  double patience_s = 0;
  int agents = 0;
  double target_sl = 0;
  double max_asa_s = 0;
  double max_occupancy = 0;
  double max_abandon = 0;
  double max_blocking = 0;
  bool json = false;

  CLI::Option* load_opt = nullptr;
  CLI::Option* cph_opt = nullptr;
  CLI::Option* aht_opt = nullptr;
  CLI::Option* agents_opt = nullptr;
  CLI::Option* target_opt = nullptr;
  CLI::Option* max_asa_opt = nullptr;
  CLI::Option* max_occupancy_opt = nullptr;
  CLI::Option* max_abandon_opt = nullptr;
};

bool given(const CLI::Option* opt) { return opt != nullptr && opt->count() > 0; }

void add_load_options(CLI::App& cmd, Params& p, bool aht_required) {
  p.load_opt = cmd.add_option("--load-erlangs", p.load_erlangs,
                              "Offered load in erlangs (arrival rate x AHT)");
  p.cph_opt = cmd.add_option("--calls-per-hour", p.calls_per_hour,
                             "Arrivals per hour, instead of --load-erlangs (needs --aht-s)");
  p.load_opt->excludes(p.cph_opt);
  p.aht_opt = cmd.add_option("--aht-s", p.aht_s, "Average handle time, seconds");
  if (aht_required) {
    p.aht_opt->required();
  } else {
    p.cph_opt->needs(p.aht_opt);
  }
  cmd.add_flag("--json", p.json, "Print one JSON object instead of a table");
}

void add_staffing_options(CLI::App& cmd, Params& p, bool erlang_a) {
  cmd.add_option("--threshold-s", p.threshold_s, "Service-level answer-time threshold, seconds")
      ->required();
  p.agents_opt = cmd.add_option("--agents", p.agents, "Agents (servers) staffed");
  p.target_opt = cmd.add_option("--target-sl", p.target_sl,
                                "Instead of --agents: find the fewest agents reaching this "
                                "service level (0..1)");
  p.agents_opt->excludes(p.target_opt);
  p.max_asa_opt = cmd.add_option("--max-asa-s", p.max_asa_s, "With --target-sl: also cap ASA")
                      ->needs(p.target_opt);
  p.max_occupancy_opt =
      cmd.add_option("--max-occupancy", p.max_occupancy, "With --target-sl: also cap occupancy")
          ->needs(p.target_opt);
  if (erlang_a) {
    p.max_abandon_opt = cmd.add_option("--max-abandon", p.max_abandon,
                                       "With --target-sl: also cap the abandon probability")
                            ->needs(p.target_opt);
  }
}

Result<double> resolve_load(const Params& p) {
  if (given(p.cph_opt)) return erlang::load_from_calls_per_hour(p.calls_per_hour, p.aht_s);
  if (!given(p.load_opt)) {
    return Status::invalid_argument("one of --load-erlangs or --calls-per-hour is required");
  }
  return p.load_erlangs;
}

erlang::StaffingGoal goal_of(const Params& p) {
  erlang::StaffingGoal goal;
  goal.service_level = p.target_sl;
  if (given(p.max_asa_opt)) goal.max_asa_s = p.max_asa_s;
  if (given(p.max_occupancy_opt)) goal.max_occupancy = p.max_occupancy;
  if (given(p.max_abandon_opt)) goal.max_abandon = p.max_abandon;
  return goal;
}

// JSON has no infinity; an unbounded wait is null (and "stable": false says why).
json number(double x) { return std::isfinite(x) ? json(x) : json(nullptr); }

std::string fixed(double x, int decimals) {
  if (std::isinf(x)) return "inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, x);
  return buf;
}
std::string short_num(double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g", x);
  return buf;
}
std::string percent(double x) { return fixed(100 * x, 2) + " %"; }
std::string secs(double x) { return fixed(x, 2) + " s"; }

class Table {
 public:
  explicit Table(std::string title) : title_(std::move(title)) {}
  void row(std::string label, std::string value) {
    rows_.emplace_back(std::move(label), std::move(value));
  }
  void print() const {
    std::cout << title_ << '\n';
    for (const auto& [label, value] : rows_) {
      std::string padded = label;
      padded.resize(std::max<std::size_t>(label.size() + 1, 23), ' ');
      std::cout << "  " << padded << value << '\n';
    }
    std::cout << std::flush;
  }

 private:
  std::string title_;
  std::vector<std::pair<std::string, std::string>> rows_;
};

// Inputs common to every model, for both outputs.
void describe_load(const Params& p, double load, json& out, Table& table) {
  out["load_erlangs"] = load;
  table.row("load", fixed(load, 3) + " erlangs");
  if (given(p.cph_opt)) {
    out["calls_per_hour"] = p.calls_per_hour;
    table.row("calls per hour", fixed(p.calls_per_hour, 1));
  }
  if (given(p.aht_opt)) {
    out["aht_s"] = p.aht_s;
    table.row("AHT", secs(p.aht_s));
  }
}

void describe_goal(const Params& p, json& out, Table& table) {
  if (!given(p.target_opt)) return;
  out["target_sl"] = p.target_sl;
  std::string goal = "service level >= " + percent(p.target_sl);
  if (given(p.max_asa_opt)) {
    out["max_asa_s"] = p.max_asa_s;
    goal += ", ASA <= " + secs(p.max_asa_s);
  }
  if (given(p.max_occupancy_opt)) {
    out["max_occupancy"] = p.max_occupancy;
    goal += ", occupancy <= " + percent(p.max_occupancy);
  }
  if (given(p.max_abandon_opt)) {
    out["max_abandon"] = p.max_abandon;
    goal += ", abandon <= " + percent(p.max_abandon);
  }
  table.row("goal", goal);
}

void emit(const Params& p, const json& out, const Table& table) {
  if (p.json) {
    std::cout << out.dump() << std::endl;
  } else {
    table.print();
  }
}

Status run_b(const Params& p) {
  auto load = resolve_load(p);
  SB_RETURN_IF_ERROR(load.status());
  if (given(p.agents_opt) == given(p.target_opt)) {
    return Status::invalid_argument("give exactly one of --agents or --max-blocking");
  }
  int agents = p.agents;
  if (given(p.target_opt)) {
    auto needed = erlang::agents_for_erlang_b(*load, p.max_blocking);
    SB_RETURN_IF_ERROR(needed.status());
    agents = *needed;
  }
  auto b = erlang::erlang_b(*load, agents);
  SB_RETURN_IF_ERROR(b.status());

  json out = {{"model", "erlang_b"}};
  Table table("Erlang B (M/M/N/N: callers finding every agent busy are lost)");
  describe_load(p, *load, out, table);
  if (given(p.target_opt)) {
    out["max_blocking"] = p.max_blocking;
    table.row("goal", "blocking <= " + percent(p.max_blocking));
  }
  out["agents"] = agents;
  out["blocking"] = *b;
  out["carried_erlangs"] = *load * (1 - *b);
  table.row("agents", std::to_string(agents));
  table.row("blocking", percent(*b));
  table.row("carried load", fixed(*load * (1 - *b), 3) + " erlangs");
  emit(p, out, table);
  return {};
}

Status run_c(const Params& p) {
  auto load = resolve_load(p);
  SB_RETURN_IF_ERROR(load.status());
  if (!given(p.agents_opt) && !given(p.target_opt)) {
    return Status::invalid_argument("give --agents, or --target-sl to find the agents needed");
  }
  erlang::CInput in{
      .load_erlangs = *load, .agents = p.agents, .aht_s = p.aht_s, .threshold_s = p.threshold_s};
  auto m = given(p.target_opt) ? erlang::agents_for_erlang_c(in, goal_of(p)) : erlang::erlang_c(in);
  SB_RETURN_IF_ERROR(m.status());

  json out = {{"model", "erlang_c"}};
  Table table("Erlang C (M/M/N: callers wait as long as it takes)");
  describe_load(p, *load, out, table);
  out["threshold_s"] = p.threshold_s;
  table.row("threshold", secs(p.threshold_s));
  describe_goal(p, out, table);
  out["agents"] = m->agents;
  out["stable"] = m->stable;
  out["p_wait"] = m->p_wait;
  out["service_level"] = m->service_level;
  out["asa_s"] = number(m->asa_s);
  out["wait_if_queued_s"] = number(m->wait_if_queued_s);
  out["occupancy"] = m->occupancy;
  table.row("agents", std::to_string(m->agents));
  if (!m->stable) table.row("UNSTABLE", "agents <= load: the queue grows without bound");
  table.row("P(wait)", percent(m->p_wait));
  table.row("service level",
            percent(m->service_level) + "  answered within " + short_num(p.threshold_s) + " s");
  table.row("ASA", secs(m->asa_s));
  table.row("wait if queued", secs(m->wait_if_queued_s));
  table.row("occupancy", percent(m->occupancy));
  emit(p, out, table);
  return {};
}

Status run_a(const Params& p) {
  auto load = resolve_load(p);
  SB_RETURN_IF_ERROR(load.status());
  if (!given(p.agents_opt) && !given(p.target_opt)) {
    return Status::invalid_argument("give --agents, or --target-sl to find the agents needed");
  }
  erlang::AInput in{.load_erlangs = *load,
                    .agents = p.agents,
                    .aht_s = p.aht_s,
                    .patience_s = p.patience_s,
                    .threshold_s = p.threshold_s};
  auto m = given(p.target_opt) ? erlang::agents_for_erlang_a(in, goal_of(p)) : erlang::erlang_a(in);
  SB_RETURN_IF_ERROR(m.status());

  json out = {{"model", "erlang_a"}};
  Table table("Erlang A (M/M/N+M: callers abandon after exponential patience)");
  describe_load(p, *load, out, table);
  out["patience_s"] = p.patience_s;
  out["threshold_s"] = p.threshold_s;
  table.row("mean patience", secs(p.patience_s));
  table.row("threshold", secs(p.threshold_s));
  describe_goal(p, out, table);
  out["agents"] = m->agents;
  out["p_wait"] = m->p_wait;
  out["p_abandon"] = m->p_abandon;
  out["service_level"] = m->service_level;
  out["service_level_answered"] = m->service_level_answered;
  out["asa_s"] = number(m->asa_s);
  out["mean_wait_all_s"] = m->mean_wait_all_s;
  out["mean_queue_length"] = m->mean_queue_length;
  out["occupancy"] = m->occupancy;
  table.row("agents", std::to_string(m->agents));
  table.row("P(wait)", percent(m->p_wait));
  table.row("P(abandon)", percent(m->p_abandon));
  table.row("service level", percent(m->service_level) + "  of all calls answered within " +
                                 short_num(p.threshold_s) + " s");
  table.row("  of answered calls", percent(m->service_level_answered));
  table.row("ASA (answered)", secs(m->asa_s));
  table.row("mean wait (all)", secs(m->mean_wait_all_s));
  table.row("mean queue length", fixed(m->mean_queue_length, 3));
  table.row("occupancy", percent(m->occupancy));
  emit(p, out, table);
  return {};
}

void add_model(CLI::App& parent, const char* name, const char* help, Status (*run)(const Params&),
               int& exit_code, bool erlang_a_options) {
  auto p = std::make_shared<Params>();
  CLI::App* cmd = parent.add_subcommand(name, help);
  const bool is_b = std::string(name) == "b";
  add_load_options(*cmd, *p, /*aht_required=*/!is_b);
  if (is_b) {
    p->agents_opt = cmd->add_option("--agents", p->agents, "Agents (trunks, servers)");
    p->target_opt = cmd->add_option("--max-blocking", p->max_blocking,
                                    "Instead of --agents: find the fewest agents with blocking "
                                    "at most this (0..1)");
    p->agents_opt->excludes(p->target_opt);
  } else {
    if (erlang_a_options) {
      cmd->add_option("--patience-s", p->patience_s, "Mean caller patience, seconds")->required();
    }
    add_staffing_options(*cmd, *p, erlang_a_options);
  }
  cmd->callback([p, run, name, &exit_code] {
    const Status s = run(*p);
    if (!s.ok()) {
      std::cerr << "switchboard erlang " << name << ": " << s.message() << '\n';
      exit_code = 2;
    }
  });
}

}  // namespace

void register_erlang_command(CLI::App& root, int& exit_code) {
  CLI::App* erlang = root.add_subcommand(
      "erlang", "Queueing math for staffing: Erlang B (loss), C (no abandonment), A (abandonment)");
  erlang->require_subcommand(1);
  add_model(*erlang, "b", "Erlang B: blocking probability of a loss system", run_b, exit_code,
            false);
  add_model(*erlang, "c", "Erlang C: waiting, service level and ASA with patient callers", run_c,
            exit_code, false);
  add_model(*erlang, "a",
            "Erlang A: waiting, abandonment, service level and ASA with impatient callers", run_a,
            exit_code, true);
}

}  // namespace sb::cli
