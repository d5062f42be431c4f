// `switchboard report`, `switchboard import` and `switchboard reports rebuild|define|settings`:
// the reports read model from the command line (docs/metrics.md). Exit codes: 0 success, 2
// malformed input or usage, 1 anything else.

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "accounts/accounts.h"
#include "reports/agent_lifecycles.h"
#include "reports/attrition.h"
#include "reports/importer.h"
#include "reports/projection.h"
#include "reports/report_query.h"
#include "reports/time_zone.h"
#include "runtime/system_clock.h"  // lint:allow (composition root: import time)
#include "server/commands.h"
#include "store/sqlite_event_store.h"

namespace sb::cli {
namespace {

int fail(const char* command, const Status& st) {
  std::cerr << "switchboard " << command << ": " << st.message() << "\n";
  return st.code() == StatusCode::kInvalidArgument ? 2 : 1;
}

Result<std::unique_ptr<SqliteEventStore>> open_log(const std::string& data_dir) {
  auto log = SqliteEventStore::open(data_dir + "/events.db");
  if (!log.ok() && log.status().code() == StatusCode::kUnavailable)
    return Status::unavailable(log.status().message() + " (the server is running: stop it first)");
  return log;
}

Result<int> parse_interval(const std::string& s) {
  if (s == "15m" || s == "15") return 15;
  if (s == "30m" || s == "30") return 30;
  if (s == "60m" || s == "60" || s == "1h") return 60;
  return Status::invalid_argument("--interval must be 15m, 30m or 60m, got '" + s + "'");
}

Result<Millis> parse_seconds(const std::string& s, const char* what) {
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  std::string unit = end ? end : "";
  double scale = 1;
  if (unit == "ms")
    scale = 0.001;
  else if (unit == "m")
    scale = 60;
  else if (unit == "h")
    scale = 3600;
  else if (unit == "d")
    scale = 86400;
  else if (!unit.empty() && unit != "s")
    return Status::invalid_argument(std::string(what) + " '" + s +
                                    "' is not a duration (20s, 5m, 4h)");
  if (end == s.c_str() || v < 0)
    return Status::invalid_argument(std::string(what) + " '" + s +
                                    "' is not a duration (20s, 5m, 4h)");
  return static_cast<Millis>(v * scale * 1000.0 + 0.5);
}

// ---- report ----

struct ReportParams {
  std::string data_dir, from, to, interval = "15m", time_zone = "UTC", preset;
  std::vector<std::string> queues, channels, agents, group_by;
  bool json = false, csv = false, attrition = false;
};

// Agent attrition over [from, to) from the accounts of the data directory, read as the server
// reads them (reports::agent_lifecycles), printed by the API's own formatting.
int run_attrition(const ReportParams& p, Millis from, Millis to) {
  if (!p.queues.empty() || !p.channels.empty() || !p.agents.empty() || !p.group_by.empty() ||
      !p.preset.empty())
    return fail("report", Status::invalid_argument(
                              "--attrition is over every agent user: --queue, --channel, "
                              "--agent, --group-by and --preset do not apply"));
  if (to <= from) return fail("report", Status::invalid_argument("--to must be after --from"));
  const std::string path = p.data_dir + "/accounts.db";
  std::error_code ec;
  // Accounts::open would create an empty database; a missing one is a wrong --data-dir.
  if (!std::filesystem::exists(path, ec))
    return fail("report", Status::not_found("no accounts in '" + p.data_dir +
                                            "' (accounts.db is created by switchboard serve)"));
  runtime::SystemClock clock;  // lint:allow (composition root: Accounts needs a clock)
  auto accounts = accounts::Accounts::open(path, clock);
  if (!accounts.ok()) return fail("report", accounts.status());
  auto agents = reports::agent_lifecycles(**accounts);
  if (!agents.ok()) return fail("report", agents.status());
  auto f = reports::compute_attrition(*agents, from, to);
  if (!f.ok()) return fail("report", f.status());
  if (p.json)
    std::cout << reports::attrition_to_json(*f, p.time_zone, agents->size()) << "\n";
  else
    std::cout << reports::attrition_to_csv(*f, p.time_zone, agents->size());
  return 0;
}

int run_report(const ReportParams& p) {
  auto tz = reports::TimeZone::parse(p.time_zone);
  if (!tz.ok()) return fail("report", tz.status());
  reports::ReportRequest r;
  auto from = reports::parse_report_instant(p.from, *tz, false);
  if (!from.ok())
    return fail("report", Status::invalid_argument("--from: " + from.status().message()));
  auto to = reports::parse_report_instant(p.to, *tz, true);
  if (!to.ok()) return fail("report", Status::invalid_argument("--to: " + to.status().message()));
  if (p.attrition) return run_attrition(p, *from, *to);
  auto interval = parse_interval(p.interval);
  if (!interval.ok()) return fail("report", interval.status());
  r.from = *from;
  r.to = *to;
  r.interval_minutes = *interval;
  r.time_zone = p.time_zone;
  r.queues = p.queues;
  r.agents = p.agents;
  for (const std::string& c : p.channels) {
    auto ch = parse_channel(c);
    if (!ch.ok()) return fail("report", ch.status());
    r.channels.push_back(*ch);
  }
  if (!p.group_by.empty()) {
    r.group_by.clear();
    for (const std::string& g : p.group_by) {
      auto d = reports::parse_dimension(g);
      if (!d.ok()) return fail("report", d.status());
      r.group_by.push_back(*d);
    }
  }
  if (!p.preset.empty()) {
    auto preset = reports::parse_sl_preset(p.preset);
    if (!preset.ok()) return fail("report", preset.status());
    r.preset = *preset;
  }
  r.include_histograms = p.json;
  auto store = reports::ReportStore::open_data_dir(p.data_dir);
  if (!store.ok()) return fail("report", store.status());
  // Bring reports.db up to date with the log, unless the server holds it (and keeps it current).
  auto log = open_log(p.data_dir);
  if (log.ok()) {
    Status st = reports::catch_up(**store, **log);
    if (!st.ok()) return fail("report", st);
  } else if (log.status().code() != StatusCode::kUnavailable) {
    return fail("report", log.status());
  }
  auto result = (*store)->query(r);
  if (!result.ok()) return fail("report", result.status());
  if (p.json)
    std::cout << reports::to_json(*result) << "\n";
  else
    std::cout << reports::to_csv(*result);
  return 0;
}

// ---- import ----

struct ImportParams {
  std::string format = "csv", file, data_dir, time_zone = "UTC", channel = "voice";
  bool strict = false;
};

int run_import(const ImportParams& p) {
  auto format = reports::parse_import_format(p.format);
  if (!format.ok()) return fail("import", format.status());
  auto channel = parse_channel(p.channel);
  if (!channel.ok()) return fail("import", channel.status());
  std::ifstream in(p.file, std::ios::binary);
  if (!in) return fail("import", Status::not_found("cannot open " + p.file));
  reports::ImportOptions o;
  o.format = *format;
  o.time_zone = p.time_zone;
  o.channel = *channel;
  o.source_name = p.file.substr(p.file.find_last_of('/') + 1);
  auto parsed = reports::parse_history(in, o);
  if (!parsed.ok()) {
    std::cerr << "switchboard import: " << p.file << ": " << parsed.status().message()
              << "\nnothing imported\n";
    return parsed.status().code() == StatusCode::kInvalidArgument ? 2 : 1;
  }
  for (const auto& problem : parsed->problems)
    std::cerr << p.file << ":" << problem.line << ": " << problem.reason << " (skipped)\n";
  if (p.strict && !parsed->problems.empty()) {
    std::cerr << "switchboard import: " << parsed->problems.size()
              << " bad rows and --strict: nothing imported\n";
    return 2;
  }
  std::error_code ec;
  std::filesystem::create_directories(p.data_dir, ec);
  if (ec)
    return fail("import", Status::io_error("cannot create data directory '" + p.data_dir +
                                           "': " + ec.message()));
  auto log = open_log(p.data_dir);
  if (!log.ok()) return fail("import", log.status());
  const Millis now = runtime::SystemClock().now();
  auto summary = reports::append_history(**log, parsed->contacts, now);
  if (!summary.ok()) {
    std::cerr << "switchboard import: " << summary.status().message() << "\nnothing imported\n";
    return summary.status().code() == StatusCode::kAlreadyExists ? 2 : 1;
  }
  auto store = reports::ReportStore::open_data_dir(p.data_dir);
  if (!store.ok()) return fail("import", store.status());
  Status st = reports::catch_up(**store, **log);
  if (!st.ok()) return fail("import", st);
  std::cout << p.file << ": " << parsed->lines << " lines, " << summary->contacts
            << " contacts imported (" << summary->answered << " answered, " << summary->abandoned
            << " abandoned, " << summary->timed_out << " timed out, " << summary->blocked
            << " blocked), " << parsed->problems.size() << " bad rows skipped";
  if (summary->contacts > 0)
    std::cout << "; events " << summary->first_seq << ".." << summary->last_seq;
  std::cout << "\n";
  return 0;
}

// ---- reports rebuild / define / settings ----

int run_rebuild(const std::string& data_dir) {
  auto log = open_log(data_dir);
  if (!log.ok()) return fail("reports rebuild", log.status());
  auto store = reports::ReportStore::open_data_dir(data_dir);
  if (!store.ok()) return fail("reports rebuild", store.status());
  const auto start = std::chrono::steady_clock::now();  // lint:allow (CLI report)
  Status st = reports::rebuild(**store, **log);
  if (!st.ok()) return fail("reports rebuild", st);
  const auto end = std::chrono::steady_clock::now();  // lint:allow (CLI report)
  const double seconds = std::chrono::duration<double>(end - start).count();
  std::cout << "rebuilt reports.db from " << (*store)->applied_seq() << " events in " << seconds
            << " s\n";
  return 0;
}

struct DefineParams {
  std::string data_dir, queue = "*", from, threshold = "20s", preset = "switchboard",
                        short_abandon = "0s", interval = "15m", time_zone = "UTC";
  bool genesys_abandons = true, genesys_short = true, genesys_flow_outs = false;
};

int run_define(const DefineParams& p) {
  reports::QueueDefinition d;
  d.queue = p.queue;
  auto tz = reports::TimeZone::parse(p.time_zone);
  if (!tz.ok()) return fail("reports define", tz.status());
  auto from = reports::parse_report_instant(p.from, *tz, false);
  if (!from.ok()) return fail("reports define", from.status());
  d.effective_from = *from;
  auto t = parse_seconds(p.threshold, "--sl-threshold");
  if (!t.ok()) return fail("reports define", t.status());
  d.sl_threshold = *t;
  auto s = parse_seconds(p.short_abandon, "--short-abandon");
  if (!s.ok()) return fail("reports define", s.status());
  d.short_abandon = *s;
  auto preset = reports::parse_sl_preset(p.preset);
  if (!preset.ok()) return fail("reports define", preset.status());
  d.preset = *preset;
  d.genesys = {p.genesys_abandons, p.genesys_short, p.genesys_flow_outs};
  auto interval = parse_interval(p.interval);
  if (!interval.ok()) return fail("reports define", interval.status());
  d.interval_minutes = *interval;
  d.time_zone = p.time_zone;
  auto store = reports::ReportStore::open_data_dir(p.data_dir);
  if (!store.ok()) return fail("reports define", store.status());
  auto added = (*store)->add_definition(d);
  if (!added.ok()) return fail("reports define", added.status());
  std::cout << "queue " << added->queue << ": definition version " << added->version << " from "
            << tz->format(added->effective_from)
            << " (applies to contacts ingested from now on; `switchboard reports rebuild` "
               "recomputes history)\n";
  return 0;
}

struct SettingsParams {
  std::string data_dir, repeat_window;
  std::vector<ReasonId> conversions;
  double hourly_cost = -1;
  std::vector<std::string> minute_costs;  // channel=cost
};

int run_settings(const SettingsParams& p) {
  auto store = reports::ReportStore::open_data_dir(p.data_dir);
  if (!store.ok()) return fail("reports settings", store.status());
  reports::CenterSettings s = (*store)->center_settings();
  if (!p.repeat_window.empty()) {
    auto w = parse_seconds(p.repeat_window, "--repeat-window");
    if (!w.ok()) return fail("reports settings", w.status());
    s.repeat_window = *w;
  }
  if (!p.conversions.empty()) s.conversion_dispositions = p.conversions;
  if (p.hourly_cost >= 0) s.agent_hourly_cost = p.hourly_cost;
  for (const std::string& mc : p.minute_costs) {
    const auto eq = mc.find('=');
    auto ch = parse_channel(mc.substr(0, eq));
    if (eq == std::string::npos || !ch.ok())
      return fail("reports settings",
                  Status::invalid_argument("--minute-cost '" + mc + "': expected CHANNEL=COST"));
    s.channel_minute_cost[*ch] = std::strtod(mc.c_str() + eq + 1, nullptr);
  }
  Status st = (*store)->set_center_settings(s);
  if (!st.ok()) return fail("reports settings", st);
  nlohmann::json j = {{"repeat_window_s", s.repeat_window / 1000},
                      {"conversion_dispositions", s.conversion_dispositions},
                      {"agent_hourly_cost", s.agent_hourly_cost}};
  for (const auto& [ch, c] : s.channel_minute_cost)
    j["channel_minute_cost"][std::string(channel_name(ch))] = c;
  std::cout << j.dump() << "\n";
  return 0;
}

}  // namespace

void register_report_command(CLI::App& root, int& exit_code) {
  auto p = std::make_shared<ReportParams>();
  CLI::App* c = root.add_subcommand(
      "report", "Print interval KPIs from the reports read model (same figures as the API)");
  c->add_option("--data-dir", p->data_dir, "Data directory (reports.db, events.db)")->required();
  c->add_option("--from", p->from, "First day (YYYY-MM-DD) or instant (YYYY-MM-DDTHH:MM)")
      ->required();
  c->add_option("--to", p->to, "Last day, inclusive (YYYY-MM-DD), or an exclusive instant")
      ->required();
  c->add_option("--interval", p->interval, "15m, 30m or 60m")->capture_default_str();
  c->add_option("--queue", p->queues, "Only these queues (name or id; repeatable)");
  c->add_option("--channel", p->channels, "Only these channels (repeatable)");
  c->add_option("--agent", p->agents, "Only these agents (name or id; repeatable)");
  c->add_option("--group-by", p->group_by,
                "Dimensions: interval, day, weekday, time_of_day, queue, channel, agent "
                "(repeatable; default interval)")
      ->delimiter(',');
  c->add_option("--time-zone", p->time_zone, "UTC, +HH:MM or an IANA name")->capture_default_str();
  c->add_option("--preset", p->preset,
                "Service-level convention: switchboard, asterisk_sl, asterisk_sl2, "
                "amazon_connect, genesys, answered_only (default: each queue's)");
  auto* json = c->add_flag("--json", p->json, "JSON output");
  auto* csv = c->add_flag("--csv", p->csv, "CSV output (the default)");
  json->excludes(csv);
  c->add_flag("--attrition", p->attrition,
              "Agent attrition over the range from accounts.db (GET /api/v1/reports/attrition)");
  c->callback([p, &exit_code] { exit_code = run_report(*p); });
}

void register_import_command(CLI::App& root, int& exit_code) {
  auto p = std::make_shared<ImportParams>();
  CLI::App* c = root.add_subcommand(
      "import", "Import call-by-call history (generic CSV or Asterisk queue_log) into the log");
  c->add_option("--format", p->format, "csv or queue_log")->capture_default_str();
  c->add_option("file", p->file, "The file to import")->required();
  c->add_option("--data-dir", p->data_dir, "Data directory (the server must be stopped)")
      ->required();
  c->add_option("--time-zone", p->time_zone, "Zone of CSV times without an offset")
      ->capture_default_str();
  c->add_option("--channel", p->channel, "Channel of rows without a channel column")
      ->capture_default_str();
  c->add_flag("--strict", p->strict, "Import nothing if any row is bad");
  c->callback([p, &exit_code] { exit_code = run_import(*p); });
}

void register_reports_command(CLI::App& root, int& exit_code) {
  CLI::App* c = root.add_subcommand("reports", "Maintain the reports read model");
  c->require_subcommand(1);
  auto dir = std::make_shared<std::string>();
  CLI::App* rebuild = c->add_subcommand("rebuild", "Recompute reports.db from the event log");
  rebuild->add_option("--data-dir", *dir, "Data directory (the server must be stopped)")
      ->required();
  rebuild->callback([dir, &exit_code] { exit_code = run_rebuild(*dir); });

  auto d = std::make_shared<DefineParams>();
  CLI::App* define =
      c->add_subcommand("define", "Add a version of a queue's KPI definition, from a date");
  define->add_option("--data-dir", d->data_dir, "Data directory")->required();
  define->add_option("--queue", d->queue, "Queue name or id; * for every queue without one")
      ->capture_default_str();
  define->add_option("--from", d->from, "Effective from (YYYY-MM-DD[THH:MM])")->required();
  define->add_option("--sl-threshold", d->threshold, "Service-level threshold (20s, 60s, 4h)")
      ->capture_default_str();
  define->add_option("--preset", d->preset, "Service-level convention")->capture_default_str();
  define->add_option("--short-abandon", d->short_abandon, "Abandons shorter than this are short")
      ->capture_default_str();
  define->add_option("--interval", d->interval, "Default report interval")->capture_default_str();
  define->add_option("--time-zone", d->time_zone, "Default report time zone")
      ->capture_default_str();
  define->add_option("--genesys-abandons", d->genesys_abandons,
                     "genesys preset: abandons count as misses");
  define->add_option("--genesys-exclude-short", d->genesys_short,
                     "genesys preset: short abandons do not count");
  define->add_option("--genesys-flow-outs", d->genesys_flow_outs,
                     "genesys preset: overflows count as misses");
  define->callback([d, &exit_code] { exit_code = run_define(*d); });

  auto s = std::make_shared<SettingsParams>();
  CLI::App* settings = c->add_subcommand("settings", "Show or change center-wide KPI settings");
  settings->add_option("--data-dir", s->data_dir, "Data directory")->required();
  settings->add_option("--repeat-window", s->repeat_window, "FCR / repeat window (e.g. 7d)");
  settings->add_option("--conversion", s->conversions,
                       "Disposition codes that count as conversions (repeatable)");
  settings->add_option("--agent-hourly-cost", s->hourly_cost, "Cost of a staffed agent hour");
  settings->add_option("--minute-cost", s->minute_costs,
                       "Per-minute cost of a channel's handled time, CHANNEL=COST (repeatable)");
  settings->callback([s, &exit_code] { exit_code = run_settings(*s); });
}

}  // namespace sb::cli
