// `switchboard schedule --requirements FILE --rules FILE`: a schedule for the period of a
// requirements CSV (start plus required/scheduled/agents per interval, e.g. `switchboard staff
// --csv` output) under the shift, break and agent rules of a TOML file (docs/scheduling.md).
// Prints the shifts as CSV or a summary; exit codes: 0 success, 2 bad input or impossible rules,
// 1 anything else.

#include <toml++/toml.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "server/commands.h"
#include "wfm/schedule.h"
#include "wfm/series.h"

namespace sb::cli {
namespace {

struct ScheduleParams {
  std::string requirements;
  std::string rules;
  double time_limit_s = 30;
  bool greedy = false;
  bool solver_log = false;
  bool csv = false;
  std::string coverage_csv;
};

// Reads one TOML table, rejecting keys it does not know so typos are reported.
class Reader {
 public:
  Reader(std::string file, const toml::table& t, std::string path)
      : file_(std::move(file)), t_(t), path_(std::move(path)) {}

  Status error(const toml::node& n, std::string_view key, const std::string& msg) const {
    const auto& b = n.source().begin;
    return Status::invalid_argument(file_ + ":" + std::to_string(b.line) + ":" +
                                    std::to_string(b.column) + ": " + path_ + "." +
                                    std::string(key) + ": " + msg);
  }
  Status error_here(const std::string& msg) const {
    const auto& b = t_.source().begin;
    return Status::invalid_argument(file_ + ":" + std::to_string(b.line) + ":" +
                                    std::to_string(b.column) + ": " + path_ + ": " + msg);
  }
  const toml::node* get(std::string_view key) {
    seen_.insert(std::string(key));
    return t_.get(key);
  }
  Status unknown_keys() const {
    for (const auto& [k, v] : t_) {
      if (!seen_.count(std::string(k.str()))) return error(v, k.str(), "unknown key");
    }
    return {};
  }
  Status number(std::string_view key, double& out, double min, double max) {
    const toml::node* n = get(key);
    if (n == nullptr) return {};
    std::optional<double> v = n->value<double>();
    if (!v || *v < min || *v > max) {
      return error(*n, key, "expected a number in [" + fmt(min) + ", " + fmt(max) + "]");
    }
    out = *v;
    return {};
  }
  Status integer(std::string_view key, int& out, int min, int max) {
    const toml::node* n = get(key);
    if (n == nullptr) return {};
    std::optional<std::int64_t> v = n->value<std::int64_t>();
    if (!v || *v < min || *v > max) {
      return error(
          *n, key,
          "expected a whole number in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
    }
    out = static_cast<int>(*v);
    return {};
  }
  // "HH:MM" (or "H:MM" for durations) into minutes; `limit` bounds the result.
  Status minutes(std::string_view key, int& out, int limit, bool required) {
    const toml::node* n = get(key);
    if (n == nullptr) {
      return required ? error_here("missing " + std::string(key)) : Status{};
    }
    auto s = n->value<std::string>();
    int h = 0, m = 0;
    char extra = 0;
    if (!s || std::sscanf(s->c_str(), "%d:%d%c", &h, &m, &extra) != 2 || h < 0 || m < 0 || m > 59 ||
        h * 60 + m > limit) {
      return error(*n, key, "expected a time \"HH:MM\"");
    }
    out = h * 60 + m;
    return {};
  }
  Status strings(std::string_view key, std::vector<std::string>& out) {
    const toml::node* n = get(key);
    if (n == nullptr) return {};
    const toml::array* arr = n->as_array();
    if (arr == nullptr) return error(*n, key, "expected an array of strings");
    for (const auto& e : *arr) {
      auto s = e.value<std::string>();
      if (!s) return error(e, key, "expected a string");
      out.push_back(*s);
    }
    return {};
  }
  const toml::table& raw() const { return t_; }
  const std::string& file() const { return file_; }
  const std::string& path() const { return path_; }

 private:
  static std::string fmt(double v) {
    std::ostringstream os;
    os << v;
    return os.str();
  }
  std::string file_;
  const toml::table& t_;
  std::string path_;
  std::set<std::string> seen_;
};

Result<int> weekday_index(const std::string& name) {
  static const char* kShort[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  for (int i = 0; i < 7; ++i) {
    if (name == kShort[i] || name == wfm::weekday_name(i)) return i;
  }
  return Status::invalid_argument("unknown weekday '" + name + "' (Mon..Sun)");
}

template <typename F>
Status each_table(Reader& parent, std::string_view key, F&& f) {
  const toml::node* n = parent.get(key);
  if (n == nullptr) return {};
  const toml::array* arr = n->as_array();
  if (arr == nullptr)
    return parent.error(*n, key, "expected an array of tables [[" + std::string(key) + "]]");
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const toml::table* t = (*arr)[i].as_table();
    if (t == nullptr) return parent.error((*arr)[i], key, "expected a table");
    Reader r(parent.file(), *t, std::string(key) + "[" + std::to_string(i) + "]");
    SB_RETURN_IF_ERROR(f(r));
    SB_RETURN_IF_ERROR(r.unknown_keys());
  }
  return {};
}

Status read_rules(const std::string& path, wfm::ScheduleProblem& p) {
  std::ifstream in(path);
  if (!in) return Status::invalid_argument("cannot open rules file " + path);
  std::stringstream text;
  text << in.rdbuf();
  toml::table root;
  try {
    root = toml::parse(text.str(), path);
  } catch (const toml::parse_error& e) {
    const auto& b = e.source().begin;
    return Status::invalid_argument(path + ":" + std::to_string(b.line) + ":" +
                                    std::to_string(b.column) + ": " + std::string(e.description()));
  }
  Reader top(path, root, "rules");
  SB_RETURN_IF_ERROR(top.number("under_weight", p.under_weight, 1e-9, 1e9));
  SB_RETURN_IF_ERROR(top.number("over_weight", p.over_weight, 0, 1e9));
  SB_RETURN_IF_ERROR(each_table(top, "template", [&](Reader& r) -> Status {
    wfm::ShiftTemplate t;
    const toml::node* name = r.get("name");
    if (name == nullptr || !name->value<std::string>()) return r.error_here("missing name");
    t.name = *name->value<std::string>();
    SB_RETURN_IF_ERROR(r.minutes("length", t.length_min, 1440, true));
    SB_RETURN_IF_ERROR(r.minutes("earliest_start", t.earliest_start_min, 1439, true));
    SB_RETURN_IF_ERROR(r.minutes("latest_start", t.latest_start_min, 1439, true));
    SB_RETURN_IF_ERROR(r.integer("start_step_min", t.start_step_min, 0, 1440));
    std::vector<std::string> days;
    SB_RETURN_IF_ERROR(r.strings("days", days));
    if (!days.empty()) {
      t.weekdays.fill(false);
      for (const auto& d : days) {
        auto wd = weekday_index(d);
        if (!wd.ok()) return r.error(*r.raw().get("days"), "days", wd.status().message());
        t.weekdays[*wd] = true;
      }
    }
    SB_RETURN_IF_ERROR(each_table(r, "break", [&](Reader& b) -> Status {
      wfm::BreakRule rule;
      const toml::node* bn = b.get("name");
      if (bn == nullptr || !bn->value<std::string>()) return b.error_here("missing name");
      rule.name = *bn->value<std::string>();
      SB_RETURN_IF_ERROR(b.integer("length_min", rule.length_min, 1, 1440));
      SB_RETURN_IF_ERROR(b.minutes("earliest_after", rule.earliest_after_min, 1440, true));
      SB_RETURN_IF_ERROR(b.minutes("latest_after", rule.latest_after_min, 1440, true));
      if (const toml::node* paid = b.get("paid")) {
        if (!paid->value<bool>()) return b.error(*paid, "paid", "expected true or false");
        rule.paid = *paid->value<bool>();
      }
      t.breaks.push_back(rule);
      return {};
    }));
    p.templates.push_back(std::move(t));
    return {};
  }));
  SB_RETURN_IF_ERROR(each_table(top, "agent", [&](Reader& r) -> Status {
    wfm::ScheduleAgent a;
    const toml::node* id = r.get("id");
    if (id == nullptr || !id->value<std::string>()) return r.error_here("missing id");
    a.id = *id->value<std::string>();
    int count = 1;
    SB_RETURN_IF_ERROR(r.integer("count", count, 1, 100000));
    SB_RETURN_IF_ERROR(r.strings("templates", a.templates));
    double min_h = 0, max_h = 40;
    SB_RETURN_IF_ERROR(r.number("min_hours", min_h, 0, 24 * 366));
    SB_RETURN_IF_ERROR(r.number("max_hours", max_h, 0, 24 * 366));
    a.min_paid_min = static_cast<int>(std::lround(min_h * 60));
    a.max_paid_min = static_cast<int>(std::lround(max_h * 60));
    SB_RETURN_IF_ERROR(r.integer("max_days", a.max_days, 0, 366));
    SB_RETURN_IF_ERROR(r.strings("skills", a.skills));
    std::vector<std::string> off;
    SB_RETURN_IF_ERROR(r.strings("time_off", off));
    for (const auto& d : off) {
      auto day = wfm::parse_date(d);
      if (!day.ok()) return r.error(*r.raw().get("time_off"), "time_off", day.status().message());
      a.time_off.push_back(*day);
    }
    if (const toml::node* av = r.get("availability")) {
      const toml::table* t = av->as_table();
      if (t == nullptr) {
        return r.error(*av, "availability", "expected a table of weekday = [\"HH:MM-HH:MM\"]");
      }
      for (const auto& [k, v] : *t) {
        auto wd = weekday_index(std::string(k.str()));
        if (!wd.ok()) return r.error(v, "availability", wd.status().message());
        const toml::array* windows = v.as_array();
        if (windows == nullptr) return r.error(v, "availability", "expected an array of windows");
        if (windows->empty()) a.unavailable[*wd] = true;
        for (const auto& w : *windows) {
          auto s = w.value<std::string>();
          int h1 = 0, m1 = 0, h2 = 0, m2 = 0;
          if (!s || std::sscanf(s->c_str(), "%d:%d-%d:%d", &h1, &m1, &h2, &m2) != 4 ||
              h1 * 60 + m1 >= h2 * 60 + m2 || h2 * 60 + m2 > 2880) {
            return r.error(w, "availability",
                           "expected \"HH:MM-HH:MM\" with the end after the "
                           "start");
          }
          a.availability[*wd].push_back({h1 * 60 + m1, h2 * 60 + m2});
        }
      }
    }
    if (count == 1) {
      p.agents.push_back(a);
    } else {
      for (int i = 1; i <= count; ++i) {
        wfm::ScheduleAgent copy = a;
        copy.id = a.id + "-" + std::to_string(i);
        p.agents.push_back(std::move(copy));
      }
    }
    return {};
  }));
  return top.unknown_keys();
}

Status read_requirements(const std::string& path, wfm::ScheduleProblem& p) {
  std::ifstream in(path);
  if (!in) return Status::invalid_argument("cannot open requirements file " + path);
  std::string line;
  int line_no = 0;
  std::vector<std::string> header;
  while (header.empty() && std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") != std::string::npos) header = wfm::split_csv_line(line);
  }
  int col_start = -1, col_value = -1;
  for (const char* name : {"required", "scheduled", "agents"}) {
    for (std::size_t i = 0; i < header.size(); ++i) {
      if (header[i] == "start") col_start = static_cast<int>(i);
      if (col_value < 0 && header[i] == name) col_value = static_cast<int>(i);
    }
  }
  if (col_start < 0 || col_value < 0) {
    return Status::invalid_argument(path + ":" + std::to_string(line_no) +
                                    ": the header must name 'start' and one of 'required', "
                                    "'scheduled' or 'agents'");
  }
  std::vector<wfm::Observation> obs;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = path + ":" + std::to_string(line_no);
    const auto f = wfm::split_csv_line(line);
    if (static_cast<std::size_t>(std::max(col_start, col_value)) >= f.size()) {
      return Status::invalid_argument(where + ": missing fields");
    }
    auto start = wfm::parse_local(f[col_start]);
    if (!start.ok())
      return Status::invalid_argument(where + ": start: " + start.status().message());
    auto v = wfm::parse_number(f[col_value]);
    if (!v || *v < 0) {
      return Status::invalid_argument(where + ": " + header[col_value] +
                                      ": expected a non-negative number, got '" + f[col_value] +
                                      "'");
    }
    obs.push_back({.start = *start, .volume = *v, .aht_s = std::nullopt, .where = where});
  }
  auto grid = wfm::IntervalSeries::from_observations(std::move(obs));
  if (!grid.ok()) return grid.status();
  p.interval_minutes = grid->interval_minutes();
  const int per_day = 1440 / p.interval_minutes;
  for (wfm::Date d = grid->days().front(); d <= grid->days().back(); ++d) p.days.push_back(d);
  p.required.assign(p.days.size() * per_day, 0);
  for (std::size_t i = 0; i < grid->num_days(); ++i) {
    const auto d = static_cast<std::size_t>(grid->days()[i] - p.days.front());
    for (std::size_t s = 0; s < grid->num_slots(); ++s) {
      // Fractional requirements (an average) round up: a part-agent is still an agent.
      p.required[d * per_day + grid->slots()[s] / p.interval_minutes] =
          static_cast<int>(std::ceil(grid->volume(i, s) - 1e-9));
    }
  }
  return {};
}

std::string hhmm(int minute) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d", (minute / 60) % 100, minute % 60);
  return buf;
}

Status run_schedule(const ScheduleParams& params) {
  wfm::ScheduleProblem p;
  SB_RETURN_IF_ERROR(read_requirements(params.requirements, p));
  SB_RETURN_IF_ERROR(read_rules(params.rules, p));
  // The elapsed time is only reported to the user; the schedule does not depend on it.
  const auto t0 = std::chrono::steady_clock::now();  // lint:allow (CLI report)
  auto r = wfm::make_schedule(p, {.time_limit_s = params.time_limit_s,
                                  .use_solver = !params.greedy,
                                  .solver_log_level = params.solver_log ? 1 : 0});
  const auto t1 = std::chrono::steady_clock::now();  // lint:allow (CLI report)
  const double secs = std::chrono::duration<double>(t1 - t0).count();
  if (!r.ok()) return r.status();
  if (!params.coverage_csv.empty()) {
    std::ofstream out(params.coverage_csv);
    if (!out) return Status::io_error("cannot write " + params.coverage_csv);
    out << "start,required,coverage\n";
    const int per_day = 1440 / p.interval_minutes;
    for (std::size_t t = 0; t < r->coverage.size(); ++t) {
      out << wfm::format_local(p.days[t / per_day],
                               static_cast<int>(t % per_day) * p.interval_minutes)
          << ',' << p.required[t] << ',' << r->coverage[t] << '\n';
    }
  }
  if (params.csv) {
    std::cout << "agent,date,template,start,end,paid_min,breaks\n";
    for (const auto& s : r->shifts) {
      std::string breaks;
      for (const auto& b : s.breaks) {
        breaks += (breaks.empty() ? "" : " ") + b.name + "@" + hhmm(b.start_min) + "+" +
                  std::to_string(b.length_min);
      }
      std::cout << s.agent << ',' << wfm::format_date(s.day) << ',' << s.template_name << ','
                << hhmm(s.start_min) << ',' << hhmm(s.end_min) << ',' << s.paid_min << ',' << breaks
                << '\n';
    }
    std::cout << std::flush;
    return {};
  }
  long required = 0;
  for (int v : p.required) required += v;
  std::printf("period       %s .. %s, %d-minute intervals, %zu agents, %zu templates\n",
              wfm::format_date(p.days.front()).c_str(), wfm::format_date(p.days.back()).c_str(),
              p.interval_minutes, p.agents.size(), p.templates.size());
  std::printf("shifts       %zu\n", r->shifts.size());
  std::printf("solver       %s%s, %.2f s, %d variables\n", r->solver.c_str(),
              r->optimal ? " (optimal)" : "", secs, r->variables);
  std::printf("objective    %.2f expected (breaks spread over windows), bound %.2f, gap %.2f %%\n",
              r->ip_objective, r->ip_bound, 100 * r->ip_gap);
  std::printf("after breaks under %ld, over %ld agent-intervals (required %ld); weighted %.1f\n",
              r->under, r->over, required, r->objective);
  std::cout << "(--csv prints the shifts)" << std::endl;
  return {};
}

}  // namespace

void register_schedule_command(CLI::App& root, int& exit_code) {
  auto p = std::make_shared<ScheduleParams>();
  CLI::App* cmd = root.add_subcommand(
      "schedule", "Shifts and breaks covering a requirements CSV under the rules of a TOML file");
  cmd->add_option("--requirements", p->requirements,
                  "CSV: start and required (or scheduled/agents) per interval")
      ->required();
  cmd->add_option("--rules", p->rules, "TOML: templates, breaks, agents (docs/scheduling.md)")
      ->required();
  cmd->add_option("--time-limit-s", p->time_limit_s, "Solver time limit")->capture_default_str();
  cmd->add_flag("--greedy", p->greedy, "Greedy heuristic only (no integer program)");
  cmd->add_flag("--solver-log", p->solver_log, "Show CBC's progress log");
  cmd->add_flag("--csv", p->csv, "Print the shifts as CSV");
  cmd->add_option("--coverage-csv", p->coverage_csv,
                  "Also write start,required,coverage per interval to this file");
  cmd->callback([p, &exit_code] {
    const Status s = run_schedule(*p);
    if (!s.ok()) {
      std::cerr << "switchboard schedule: " << s.message() << '\n';
      exit_code = s.code() == StatusCode::kInvalidArgument ? 2 : 1;
    }
  });
}

}  // namespace sb::cli
