#include "sim/scenario.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <sstream>

#include "sim/csv.h"

namespace sb::sim {
namespace {

constexpr Millis kMaxDuration = 3650 * kMillisPerDay;  // ten years: a typo guard, not a model
constexpr std::int64_t kMaxAgentsPerGroup = 100000;

// 2024-01-01, a Monday: the default first simulated day.
constexpr Millis kDefaultStart = 1704067200000;

std::string node_type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    default:
      return "nothing";
  }
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::optional<double> parse_double(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (s.empty()) return std::nullopt;
  double v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

// "HH:MM" or "HH:MM:SS[.fff]", hours may exceed 23 (a time on the following day).
std::optional<Millis> parse_clock(std::string_view s) {
  Millis total = 0;
  int parts = 0;
  while (true) {
    const std::size_t colon = s.find(':');
    const std::string_view part = s.substr(0, colon);
    auto v = parse_double(part);
    if (!v || *v < 0) return std::nullopt;
    ++parts;
    if (parts == 1) {
      total += std::llround(*v * kMillisPerHour);
    } else if (parts == 2) {
      if (*v >= 60) return std::nullopt;
      total += std::llround(*v * kMillisPerMinute);
    } else if (parts == 3) {
      if (*v >= 60) return std::nullopt;
      total += std::llround(*v * kMillisPerSecond);
    } else {
      return std::nullopt;
    }
    if (colon == std::string_view::npos) break;
    s.remove_prefix(colon + 1);
  }
  if (parts < 2) return std::nullopt;
  return total;
}

// Seconds ("95.5") or a clock time ("07:02:47") in a CSV cell.
std::optional<Millis> parse_seconds_cell(std::string_view s) {
  if (s.find(':') != std::string_view::npos) return parse_clock(s);
  auto v = parse_double(s);
  if (!v || *v < 0) return std::nullopt;
  return std::llround(*v * kMillisPerSecond);
}

// "YYYY-MM-DD" or "YYMMDD" → days since the epoch.
std::optional<std::int64_t> parse_date_cell(std::string_view s) {
  int y = 0, m = 0, d = 0;
  auto num = [](std::string_view p, int& out) {
    auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), out);
    return ec == std::errc() && ptr == p.data() + p.size();
  };
  if (s.size() == 10 && s[4] == '-' && s[7] == '-') {
    if (!num(s.substr(0, 4), y) || !num(s.substr(5, 2), m) || !num(s.substr(8, 2), d))
      return std::nullopt;
  } else if (s.size() == 6) {
    if (!num(s.substr(0, 2), y) || !num(s.substr(2, 2), m) || !num(s.substr(4, 2), d))
      return std::nullopt;
    y += y < 70 ? 2000 : 1900;
  } else {
    return std::nullopt;
  }
  if (m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
  return days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
}

struct Ctx {
  std::string file;
  std::string base_dir;

  std::string where(const toml::source_region& r) const {
    return file + ":" + std::to_string(r.begin.line) + ":" + std::to_string(r.begin.column);
  }
  Status error(const toml::node& n, const std::string& field, const std::string& msg) const {
    return Status::invalid_argument(where(n.source()) + ": " + field + ": " + msg);
  }
  std::string resolve(const std::string& p) const {
    std::filesystem::path path(p);
    if (path.is_absolute()) return p;
    return (std::filesystem::path(base_dir) / path).lexically_normal().string();
  }
};

// Reads the keys of one table, remembering which were consumed so that typos ("hadle_time")
// are reported instead of silently ignored.
class Table {
 public:
  Table(const Ctx& ctx, const toml::table& t, std::string path)
      : ctx_(ctx), t_(t), path_(std::move(path)) {}

  const Ctx& ctx() const { return ctx_; }
  const toml::table& raw() const { return t_; }
  std::string field(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }
  const toml::node* get(std::string_view key) {
    used_.emplace_back(key);
    return t_.get(key);
  }
  bool has(std::string_view key) const { return t_.contains(key); }

  Status error(const toml::node& n, std::string_view key, const std::string& msg) const {
    return ctx_.error(n, field(key), msg);
  }
  Status missing(std::string_view key) const {
    return Status::invalid_argument(ctx_.where(t_.source()) + ": " + field(key) +
                                    ": missing required field");
  }
  Status table_error(const std::string& msg) const {
    return Status::invalid_argument(ctx_.where(t_.source()) + ": " +
                                    (path_.empty() ? std::string("(top level)") : path_) + ": " +
                                    msg);
  }

  Status check_unknown() const {
    for (const auto& [k, v] : t_) {
      if (std::find(used_.begin(), used_.end(), k.str()) == used_.end())
        return ctx_.error(v, field(k.str()), "unknown field");
    }
    return {};
  }

  Status string(std::string_view key, std::string& out, bool required = false) {
    const toml::node* n = get(key);
    if (!n) return required ? missing(key) : Status{};
    if (!n->is_string()) return error(*n, key, "expected a string, found " + node_type_name(*n));
    out = n->as_string()->get();
    return {};
  }

  Status number(std::string_view key, double& out, bool required = false, double min = 0,
                double max = std::numeric_limits<double>::infinity()) {
    const toml::node* n = get(key);
    if (!n) return required ? missing(key) : Status{};
    return number_of(*n, key, out, min, max);
  }

  Status number_of(const toml::node& n, std::string_view key, double& out, double min,
                   double max) const {
    if (n.is_integer())
      out = static_cast<double>(n.as_integer()->get());
    else if (n.is_floating_point())
      out = n.as_floating_point()->get();
    else
      return error(n, key, "expected a number, found " + node_type_name(n));
    if (!std::isfinite(out)) return error(n, key, "must be finite");
    if (out < min) return error(n, key, "must be at least " + trim(min) + ", found " + trim(out));
    if (out > max) return error(n, key, "must be at most " + trim(max) + ", found " + trim(out));
    return {};
  }

  Status integer(std::string_view key, std::int64_t& out, bool required, std::int64_t min,
                 std::int64_t max) {
    const toml::node* n = get(key);
    if (!n) return required ? missing(key) : Status{};
    if (!n->is_integer()) return error(*n, key, "expected an integer, found " + node_type_name(*n));
    out = n->as_integer()->get();
    if (out < min || out > max)
      return error(*n, key,
                   "must be within " + std::to_string(min) + ".." + std::to_string(max) +
                       ", found " + std::to_string(out));
    return {};
  }

  Status boolean(std::string_view key, bool& out) {
    const toml::node* n = get(key);
    if (!n) return {};
    if (!n->is_boolean())
      return error(*n, key, "expected true or false, found " + node_type_name(*n));
    out = n->as_boolean()->get();
    return {};
  }

  // A non-negative duration: a number of seconds, "90s"/"5m"/"2h"/"1d"/"250ms", or a TOML time.
  Status duration(std::string_view key, Millis& out, bool required = false) {
    const toml::node* n = get(key);
    if (!n) return required ? missing(key) : Status{};
    return duration_of(*n, key, out);
  }

  Status duration_of(const toml::node& n, std::string_view key, Millis& out) const {
    if (n.is_integer() || n.is_floating_point()) {
      double s = 0;
      SB_RETURN_IF_ERROR(number_of(n, key, s, 0, static_cast<double>(kMaxDuration) / 1000.0));
      out = std::llround(s * kMillisPerSecond);
      return {};
    }
    if (n.is_time()) {
      const toml::time t = n.as_time()->get();
      out = t.hour * kMillisPerHour + t.minute * kMillisPerMinute + t.second * kMillisPerSecond +
            t.nanosecond / 1000000;
      return {};
    }
    if (n.is_string()) {
      auto d = parse_duration(n.as_string()->get());
      if (!d.ok()) return error(n, key, d.status().message());
      out = *d;
      return {};
    }
    return error(n, key,
                 "expected a duration (\"90s\", \"5m\", \"2h\", \"1d\" or a number of seconds), "
                 "found " +
                     node_type_name(n));
  }

  static std::string trim(double v) {
    std::ostringstream os;
    os << v;
    return os.str();
  }

 private:
  const Ctx& ctx_;
  const toml::table& t_;
  std::string path_;
  std::vector<std::string> used_;
};

// Looks up a sub-table; `out` is null when absent.
Status sub_table(Table& t, std::string_view key, const toml::table*& out) {
  out = nullptr;
  const toml::node* n = t.get(key);
  if (!n) return {};
  if (!n->is_table()) return t.error(*n, key, "expected a table, found " + node_type_name(*n));
  out = n->as_table();
  return {};
}

// Arrays of tables (`[[queues]]`), also written inline as `queues = [{...}, {...}]`.
Status table_array(Table& t, std::string_view key, std::vector<const toml::table*>& out) {
  out.clear();
  const toml::node* n = t.get(key);
  if (!n) return {};
  if (!n->is_array())
    return t.error(*n, key, "expected an array of tables, found " + node_type_name(*n));
  const toml::array& a = *n->as_array();
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!a[i].is_table())
      return t.ctx().error(a[i], t.field(key) + "[" + std::to_string(i) + "]",
                           "expected a table, found " + node_type_name(a[i]));
    out.push_back(a[i].as_table());
  }
  return {};
}

std::string indexed(const std::string& base, std::size_t i) {
  return base + "[" + std::to_string(i) + "]";
}

// ---- distributions ------------------------------------------------------------------------

Status read_empirical_file(const Ctx& ctx, Table& t, std::vector<Millis>& values) {
  std::string file, column;
  SB_RETURN_IF_ERROR(t.string("file", file, true));
  SB_RETURN_IF_ERROR(t.string("column", column, true));
  auto csv = read_csv(ctx.resolve(file));
  if (!csv.ok()) return t.error(*t.raw().get("file"), "file", csv.status().message());
  const int col = csv->column(column);
  if (col < 0)
    return t.error(*t.raw().get("column"), "column", "no column '" + column + "' in " + csv->path);
  for (std::size_t r = 0; r < csv->rows.size(); ++r) {
    auto v = parse_seconds_cell(csv->rows[r][col]);
    if (!v)
      return Status::invalid_argument(csv->where(r) + ": " + column +
                                      ": expected a non-negative number of seconds, found '" +
                                      csv->rows[r][col] + "'");
    values.push_back(*v);
  }
  if (values.empty()) return t.error(*t.raw().get("file"), "file", csv->path + " has no data rows");
  return {};
}

Status read_distribution(const Ctx& ctx, const toml::node& n, const std::string& field,
                         bool allow_none, Distribution& out) {
  if (n.is_string() && n.as_string()->get() == "none") {
    if (!allow_none) return ctx.error(n, field, "'none' is only allowed for patience");
    out = Distribution::never();
    return {};
  }
  if (!n.is_table()) {
    // A plain duration is a constant.
    toml::table empty;
    Table dummy(ctx, empty, "");
    Millis v = 0;
    Status st = dummy.duration_of(n, "", v);
    if (!st.ok())
      return ctx.error(n, field,
                       "expected a duration or a distribution table such as "
                       "{ dist = \"exponential\", mean = \"3m\" }, found " +
                           node_type_name(n));
    out = Distribution::constant(v);
    return {};
  }
  Table t(ctx, *n.as_table(), field);
  std::string dist;
  SB_RETURN_IF_ERROR(t.string("dist", dist, true));
  const toml::node& dist_node = *t.raw().get("dist");
  if (dist == "constant") {
    Millis v = 0;
    SB_RETURN_IF_ERROR(t.duration("value", v, true));
    out = Distribution::constant(v);
  } else if (dist == "exponential") {
    Millis mean = 0;
    SB_RETURN_IF_ERROR(t.duration("mean", mean, true));
    out = Distribution::exponential(mean);
  } else if (dist == "lognormal") {
    Millis mean = 0, sd = 0;
    SB_RETURN_IF_ERROR(t.duration("mean", mean, true));
    SB_RETURN_IF_ERROR(t.duration("sd", sd, true));
    out = Distribution::lognormal(mean, sd);
  } else if (dist == "uniform") {
    Millis lo = 0, hi = 0;
    SB_RETURN_IF_ERROR(t.duration("min", lo, true));
    SB_RETURN_IF_ERROR(t.duration("max", hi, true));
    if (hi < lo) return t.error(*t.raw().get("max"), "max", "must not be below min");
    out = Distribution::uniform(lo, hi);
  } else if (dist == "empirical") {
    std::vector<Millis> values;
    if (const toml::node* v = t.get("values")) {
      if (!v->is_array() || v->as_array()->empty())
        return t.error(*v, "values", "expected a non-empty array of durations");
      const toml::array& a = *v->as_array();
      for (std::size_t i = 0; i < a.size(); ++i) {
        Millis d = 0;
        SB_RETURN_IF_ERROR(t.duration_of(a[i], indexed("values", i), d));
        values.push_back(d);
      }
      if (t.has("file"))
        return t.error(*t.raw().get("file"), "file", "give values or file, not both");
    } else if (t.has("file")) {
      SB_RETURN_IF_ERROR(read_empirical_file(ctx, t, values));
    } else {
      return t.table_error("an empirical distribution needs 'values' or 'file' and 'column'");
    }
    out = Distribution::empirical(std::move(values));
  } else if (dist == "none") {
    if (!allow_none) return t.error(dist_node, "dist", "'none' is only allowed for patience");
    out = Distribution::never();
  } else {
    return t.error(dist_node, "dist",
                   "unknown distribution '" + dist +
                       "' (expected constant, exponential, lognormal, uniform, empirical" +
                       (allow_none ? ", none)" : ")"));
  }
  return t.check_unknown();
}

Status distribution(Table& t, std::string_view key, bool allow_none, Distribution& out) {
  const toml::node* n = t.get(key);
  if (!n) return {};
  return read_distribution(t.ctx(), *n, t.field(key), allow_none, out);
}

// ---- names ----------------------------------------------------------------------------------

struct Names {
  std::map<std::string, SkillId> skills;
  std::map<std::string, QueueId> queues;
  std::map<std::string, ProfileId> profiles;
};

Status lookup(const Table& t, const toml::node& n, const std::string& field,
              const std::map<std::string, std::uint32_t>& names, const std::string& name,
              const char* what, std::uint32_t& out) {
  auto it = names.find(name);
  if (it == names.end()) {
    std::string known;
    for (const auto& [k, v] : names) known += (known.empty() ? "" : ", ") + k;
    return t.ctx().error(
        n, field,
        std::string("unknown ") + what + " '" + name + "'" +
            (known.empty() ? std::string(" (none are defined)") : " (known: " + known + ")"));
  }
  out = it->second;
  return {};
}

// `{ sales = 5, spanish = 3 }`: skill name → proficiency 1..10.
Status skill_levels(Table& t, std::string_view key, const Names& names,
                    std::vector<std::pair<SkillId, std::uint8_t>>& out) {
  const toml::table* st = nullptr;
  SB_RETURN_IF_ERROR(sub_table(t, key, st));
  if (!st) return {};
  for (const auto& [k, v] : *st) {
    const std::string field = t.field(key) + "." + std::string(k.str());
    SkillId id = kNoId;
    SB_RETURN_IF_ERROR(lookup(t, v, field, names.skills, std::string(k.str()), "skill", id));
    if (!v.is_integer() || v.as_integer()->get() < kMinProficiency ||
        v.as_integer()->get() > kMaxProficiency)
      return t.ctx().error(v, field, "proficiency must be an integer within 1..10");
    out.emplace_back(id, static_cast<std::uint8_t>(v.as_integer()->get()));
  }
  return {};
}

// ---- arrivals -------------------------------------------------------------------------------

Status read_counts(Table& t, ArrivalSpec& out, Millis interval, Millis start, double scale,
                   bool exact) {
  // (interval start, count) rows, and where each came from for error messages.
  std::vector<std::pair<Millis, double>> rows;
  std::function<std::string(std::size_t)> where;
  CsvTable csv;
  const toml::array* inline_counts = nullptr;
  if (const toml::node* n = t.get("counts")) {
    if (!n->is_array()) return t.error(*n, "counts", "expected an array of counts");
    inline_counts = n->as_array();
    for (std::size_t i = 0; i < inline_counts->size(); ++i) {
      double v = 0;
      SB_RETURN_IF_ERROR(t.number_of((*inline_counts)[i], indexed("counts", i), v, 0, 1e9));
      rows.emplace_back(start + static_cast<Millis>(i) * interval, v);
    }
    where = [&](std::size_t i) {
      return t.ctx().where((*inline_counts)[i].source()) + ": " + t.field(indexed("counts", i));
    };
  } else {
    std::string file, column = "calls", time_column, date_column;
    SB_RETURN_IF_ERROR(t.string("counts_file", file, true));
    SB_RETURN_IF_ERROR(t.string("column", column));
    SB_RETURN_IF_ERROR(t.string("time_column", time_column));
    SB_RETURN_IF_ERROR(t.string("date_column", date_column));
    const toml::node& file_node = *t.raw().get("counts_file");
    auto read = read_csv(t.ctx().resolve(file));
    if (!read.ok()) return t.error(file_node, "counts_file", read.status().message());
    csv = std::move(*read);
    const int col = csv.column(column);
    if (col < 0) return t.error(file_node, "column", "no column '" + column + "' in " + csv.path);
    const int tcol = time_column.empty() ? -1 : csv.column(time_column);
    const int dcol = date_column.empty() ? -1 : csv.column(date_column);
    if (!time_column.empty() && tcol < 0)
      return t.error(file_node, "time_column", "no column '" + time_column + "' in " + csv.path);
    if (!date_column.empty() && dcol < 0)
      return t.error(file_node, "date_column", "no column '" + date_column + "' in " + csv.path);
    std::int64_t first_day = 0;
    for (std::size_t r = 0; r < csv.rows.size(); ++r) {
      const auto& row = csv.rows[r];
      auto v = parse_double(row[col]);
      if (!v || *v < 0)
        return Status::invalid_argument(csv.where(r) + ": " + column +
                                        ": expected a non-negative count, found '" + row[col] +
                                        "'");
      Millis begin = start + static_cast<Millis>(r) * interval;
      if (tcol >= 0) {
        auto tod = parse_seconds_cell(row[tcol]);
        if (!tod)
          return Status::invalid_argument(csv.where(r) + ": " + time_column +
                                          ": expected a time of day such as 07:05, found '" +
                                          row[tcol] + "'");
        std::int64_t day = 0;
        if (dcol >= 0) {
          auto d = parse_date_cell(row[dcol]);
          if (!d)
            return Status::invalid_argument(csv.where(r) + ": " + date_column +
                                            ": expected a date YYYY-MM-DD, found '" + row[dcol] +
                                            "'");
          if (r == 0) first_day = *d;
          day = *d - first_day;
        }
        begin = start + day * kMillisPerDay + *tod;
      }
      rows.emplace_back(begin, *v);
    }
    where = [&](std::size_t i) { return csv.where(i); };
  }
  for (std::size_t i = 1; i < rows.size(); ++i)
    if (rows[i].first < rows[i - 1].first + interval)
      return Status::invalid_argument(where(i) +
                                      ": intervals must be in time order and must not overlap");
  for (const auto& [begin, value] : rows) {
    if (exact) {
      out.counts.push_back(
          {begin, begin + interval, static_cast<std::uint32_t>(std::llround(value * scale))});
    } else {
      out.segments.push_back(
          {begin, begin + interval, value * scale / static_cast<double>(interval)});
    }
  }
  out.kind = exact ? ArrivalSpec::Kind::kCounts : ArrivalSpec::Kind::kPoisson;
  out.cycle = 0;
  return {};
}

Status read_calls(Table& t, ArrivalSpec& out) {
  out.kind = ArrivalSpec::Kind::kCalls;
  if (const toml::node* n = t.get("calls")) {
    if (!n->is_array())
      return t.error(*n, "calls", "expected an array of [arrival, handle, patience]");
    const toml::array& a = *n->as_array();
    for (std::size_t i = 0; i < a.size(); ++i) {
      const std::string field = indexed("calls", i);
      if (!a[i].is_array() || a[i].as_array()->empty() || a[i].as_array()->size() > 3)
        return t.error(a[i], field,
                       "expected [arrival, handle, patience] (handle and patience optional)");
      const toml::array& row = *a[i].as_array();
      CallRecord c;
      SB_RETURN_IF_ERROR(t.duration_of(row[0], field, c.arrival));
      if (row.size() > 1) SB_RETURN_IF_ERROR(t.duration_of(row[1], field, c.handle));
      if (row.size() > 2) {
        if (row[2].is_string() && row[2].as_string()->get() == "none")
          c.patience = kNever;
        else
          SB_RETURN_IF_ERROR(t.duration_of(row[2], field, c.patience));
      }
      if (!out.calls.empty() && c.arrival < out.calls.back().arrival)
        return t.error(a[i], field, "calls must be sorted by arrival time");
      out.calls.push_back(c);
    }
    return {};
  }
  std::string file, arrival = "arrival", handle = "handle", patience = "patience";
  SB_RETURN_IF_ERROR(t.string("calls_file", file, true));
  SB_RETURN_IF_ERROR(t.string("arrival_column", arrival));
  SB_RETURN_IF_ERROR(t.string("handle_column", handle));
  SB_RETURN_IF_ERROR(t.string("patience_column", patience));
  auto csv = read_csv(t.ctx().resolve(file));
  if (!csv.ok()) return t.error(*t.raw().get("calls_file"), "calls_file", csv.status().message());
  const int acol = csv->column(arrival);
  if (acol < 0)
    return t.error(*t.raw().get("calls_file"), "arrival_column",
                   "no column '" + arrival + "' in " + csv->path);
  const int hcol = csv->column(handle);
  const int pcol = csv->column(patience);
  for (std::size_t r = 0; r < csv->rows.size(); ++r) {
    const auto& row = csv->rows[r];
    CallRecord c;
    auto at = parse_seconds_cell(row[acol]);
    if (!at)
      return Status::invalid_argument(csv->where(r) + ": " + arrival +
                                      ": expected seconds or HH:MM:SS, found '" + row[acol] + "'");
    c.arrival = *at;
    if (hcol >= 0 && !row[hcol].empty()) {
      auto h = parse_seconds_cell(row[hcol]);
      if (!h)
        return Status::invalid_argument(csv->where(r) + ": " + handle +
                                        ": expected seconds, found '" + row[hcol] + "'");
      c.handle = *h;
    }
    if (pcol >= 0) {
      const std::string& p = row[pcol];
      if (p.empty() || p == "none" || p == "inf") {
        c.patience = kNever;
      } else {
        auto v = parse_seconds_cell(p);
        if (!v)
          return Status::invalid_argument(csv->where(r) + ": " + patience +
                                          ": expected seconds, 'none' or empty, found '" + p + "'");
        c.patience = *v;
      }
    }
    if (!out.calls.empty() && c.arrival < out.calls.back().arrival)
      return Status::invalid_argument(csv->where(r) + ": " + arrival +
                                      ": calls must be sorted by arrival time");
    out.calls.push_back(c);
  }
  return {};
}

Status read_arrivals(const Ctx& ctx, const toml::table& tt, const std::string& field,
                     ArrivalSpec& out) {
  Table t(ctx, tt, field);
  const char* kinds[] = {"rate", "rates", "counts", "counts_file", "calls", "calls_file"};
  int found = 0;
  std::string kind;
  for (const char* k : kinds)
    if (t.has(k)) {
      ++found;
      kind = k;
    }
  if (found == 0)
    return t.table_error(
        "arrivals need one of 'rate' (calls per hour), 'rates' (per interval), 'counts', "
        "'counts_file', 'calls' or 'calls_file'");
  if (found > 1)
    return t.table_error(
        "give only one of 'rate', 'rates', 'counts', 'counts_file', 'calls', 'calls_file'");

  double scale = 1.0;
  SB_RETURN_IF_ERROR(t.number("scale", scale, false, 0, 1e6));
  if (kind == "rate") {
    double per_hour = 0;
    SB_RETURN_IF_ERROR(t.number("rate", per_hour, true, 0, 1e9));
    out.kind = ArrivalSpec::Kind::kPoisson;
    out.segments.push_back({0, kNever, per_hour * scale / kMillisPerHour});
    out.cycle = 0;
  } else if (kind == "rates") {
    Millis interval = 0, start = 0;
    SB_RETURN_IF_ERROR(t.duration("interval", interval, true));
    if (interval <= 0) return t.error(*t.raw().get("interval"), "interval", "must be positive");
    SB_RETURN_IF_ERROR(t.duration("start", start));
    const toml::node* n = t.get("rates");
    if (!n->is_array() || n->as_array()->empty())
      return t.error(*n, "rates", "expected a non-empty array of calls per hour");
    const toml::array& a = *n->as_array();
    out.kind = ArrivalSpec::Kind::kPoisson;
    for (std::size_t i = 0; i < a.size(); ++i) {
      double v = 0;
      SB_RETURN_IF_ERROR(t.number_of(a[i], indexed("rates", i), v, 0, 1e9));
      out.segments.push_back({start + static_cast<Millis>(i) * interval,
                              start + static_cast<Millis>(i + 1) * interval,
                              v * scale / kMillisPerHour});
    }
    const Millis span = out.segments.back().end;
    out.cycle = span <= kMillisPerDay ? kMillisPerDay : 0;
    if (const toml::node* c = t.get("cycle")) {
      if (c->is_string() && c->as_string()->get() == "none") {
        out.cycle = 0;
      } else {
        SB_RETURN_IF_ERROR(t.duration_of(*c, "cycle", out.cycle));
        if (out.cycle < span)
          return t.error(
              *c, "cycle",
              "must cover the whole pattern (" + format_duration(span) + " from midnight)");
      }
    }
  } else if (kind == "counts" || kind == "counts_file") {
    Millis interval = 0, start = 0;
    SB_RETURN_IF_ERROR(t.duration("interval", interval, true));
    if (interval <= 0) return t.error(*t.raw().get("interval"), "interval", "must be positive");
    SB_RETURN_IF_ERROR(t.duration("start", start));
    std::string mode = "exact";
    SB_RETURN_IF_ERROR(t.string("mode", mode));
    if (mode != "exact" && mode != "mean")
      return t.error(*t.raw().get("mode"), "mode",
                     "unknown mode '" + mode + "' (expected exact or mean)");
    SB_RETURN_IF_ERROR(read_counts(t, out, interval, start, scale, mode == "exact"));
  } else {
    if (t.has("scale"))
      return t.error(*t.raw().get("scale"), "scale", "a call replay cannot be scaled");
    SB_RETURN_IF_ERROR(read_calls(t, out));
  }
  return t.check_unknown();
}

// ---- center ---------------------------------------------------------------------------------

Status read_profile(const Ctx& ctx, const toml::table& tt, const std::string& field,
                    RoutingProfile& p) {
  Table t(ctx, tt, field);
  SB_RETURN_IF_ERROR(t.string("name", p.name, true));
  const toml::table* cap = nullptr;
  SB_RETURN_IF_ERROR(sub_table(t, "capacity", cap));
  if (!cap) return t.missing("capacity");
  int sum = 0;
  for (const auto& [k, v] : *cap) {
    const std::string f = t.field("capacity") + "." + std::string(k.str());
    auto ch = parse_channel(k.str());
    if (!ch.ok()) return ctx.error(v, f, ch.status().message());
    if (!v.is_integer() || v.as_integer()->get() < 0 || v.as_integer()->get() > 255)
      return ctx.error(v, f, "capacity must be an integer within 0..255");
    p.capacity[static_cast<int>(*ch)] = static_cast<std::uint8_t>(v.as_integer()->get());
    sum += static_cast<int>(v.as_integer()->get());
  }
  std::int64_t max_total = std::clamp(sum, 1, 255);
  SB_RETURN_IF_ERROR(t.integer("max_total", max_total, false, 1, 255));
  p.max_total = static_cast<std::uint8_t>(max_total);
  if (const toml::node* ex = t.get("exclusive")) {
    if (!ex->is_array()) return t.error(*ex, "exclusive", "expected an array of channel names");
    p.exclusive_mask = 0;
    for (std::size_t i = 0; i < ex->as_array()->size(); ++i) {
      const toml::node& e = (*ex->as_array())[i];
      if (!e.is_string())
        return ctx.error(e, indexed(t.field("exclusive"), i), "expected a channel name");
      auto ch = parse_channel(e.as_string()->get());
      if (!ch.ok()) return ctx.error(e, indexed(t.field("exclusive"), i), ch.status().message());
      p.exclusive_mask |= static_cast<std::uint8_t>(1u << static_cast<int>(*ch));
    }
  }
  return t.check_unknown();
}

Result<std::uint8_t> parse_days(const Ctx& ctx, const toml::node& n, const std::string& field) {
  static constexpr std::string_view kDays[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  auto one = [&](const toml::node& e) -> Result<std::uint8_t> {
    if (!e.is_string()) return ctx.error(e, field, "expected day names such as \"mon\"");
    const std::string& s = e.as_string()->get();
    if (s == "weekdays") return static_cast<std::uint8_t>(0x1f);
    if (s == "weekend") return static_cast<std::uint8_t>(0x60);
    if (s == "daily") return static_cast<std::uint8_t>(0x7f);
    for (int d = 0; d < 7; ++d)
      if (s == kDays[d]) return static_cast<std::uint8_t>(1u << d);
    return ctx.error(e, field,
                     "unknown day '" + s + "' (expected mon..sun, weekdays, weekend or daily)");
  };
  if (n.is_string()) return one(n);
  if (!n.is_array()) return ctx.error(n, field, "expected an array of day names");
  std::uint8_t mask = 0;
  for (const auto& e : *n.as_array()) {
    auto m = one(e);
    if (!m.ok()) return m.status();
    mask |= *m;
  }
  if (mask == 0) return ctx.error(n, field, "needs at least one day");
  return mask;
}

Status read_hours(const Ctx& ctx, const toml::table& tt, const std::string& field,
                  BusinessHours& h) {
  Table t(ctx, tt, field);
  h.always_open = false;
  std::int64_t offset = 0;
  SB_RETURN_IF_ERROR(t.integer("utc_offset_minutes", offset, false, -18 * 60, 18 * 60));
  h.utc_offset_minutes = static_cast<std::int32_t>(offset);
  std::vector<const toml::table*> windows;
  SB_RETURN_IF_ERROR(table_array(t, "open", windows));
  if (windows.empty()) return t.missing("open");
  for (std::size_t i = 0; i < windows.size(); ++i) {
    Table w(ctx, *windows[i], indexed(t.field("open"), i));
    std::uint8_t days = 0x7f;
    if (const toml::node* d = w.get("days")) {
      auto m = parse_days(ctx, *d, w.field("days"));
      if (!m.ok()) return m.status();
      days = *m;
    }
    Millis from = 0, to = 0;
    SB_RETURN_IF_ERROR(w.duration("from", from, true));
    SB_RETURN_IF_ERROR(w.duration("to", to, true));
    if (to <= from || to > kMillisPerDay)
      return w.error(*windows[i]->get("to"), "to", "must be after 'from' and at most 24:00");
    for (int d = 0; d < 7; ++d)
      if (days & (1u << d))
        h.windows.push_back({static_cast<std::uint8_t>(d),
                             static_cast<std::uint16_t>(from / kMillisPerMinute),
                             static_cast<std::uint16_t>(to / kMillisPerMinute)});
    SB_RETURN_IF_ERROR(w.check_unknown());
  }
  return t.check_unknown();
}

Status read_queue(const Ctx& ctx, const toml::table& tt, const std::string& field,
                  const Names& names, QueueConfig& q, QueueSpec& spec) {
  Table t(ctx, tt, field);
  SB_RETURN_IF_ERROR(t.string("name", q.name, true));
  std::string channel = "voice";
  SB_RETURN_IF_ERROR(t.string("channel", channel));
  auto ch = parse_channel(channel);
  if (!ch.ok()) return t.error(*tt.get("channel"), "channel", ch.status().message());
  spec.channel = *ch;

  std::vector<std::pair<SkillId, std::uint8_t>> req, opt;
  SB_RETURN_IF_ERROR(skill_levels(t, "skills", names, req));
  SB_RETURN_IF_ERROR(skill_levels(t, "optional_skills", names, opt));
  for (auto [id, level] : req)
    if (!spec.requirements.push({id, level, false}))
      return t.error(*tt.get("skills"), "skills",
                     "at most " + std::to_string(kMaxRequirements) + " skill requirements");
  for (auto [id, level] : opt)
    if (!spec.requirements.push({id, level, true}))
      return t.error(*tt.get("optional_skills"), "optional_skills",
                     "at most " + std::to_string(kMaxRequirements) + " skill requirements");

  std::int64_t priority = 0;
  SB_RETURN_IF_ERROR(t.integer("priority", priority, false, -1000000, 1000000));
  spec.priority = static_cast<std::int32_t>(priority);

  std::string selection = "longest_idle";
  SB_RETURN_IF_ERROR(t.string("selection", selection));
  auto sel = parse_agent_selection(selection);
  if (!sel.ok()) return t.error(*tt.get("selection"), "selection", sel.status().message());
  q.selection = *sel;

  SB_RETURN_IF_ERROR(t.duration("sl_threshold", q.service_level_threshold));
  SB_RETURN_IF_ERROR(t.number("sl_target", q.service_level_target, false, 0, 1));
  std::int64_t max_waiting = 0;
  SB_RETURN_IF_ERROR(t.integer("max_waiting", max_waiting, false, 0, 100000000));
  q.max_waiting = static_cast<std::uint32_t>(max_waiting);
  SB_RETURN_IF_ERROR(t.duration("offer_timeout", q.offer_timeout));
  if (q.offer_timeout <= 0)
    return t.error(*tt.get("offer_timeout"), "offer_timeout", "must be positive");
  std::int64_t missed = q.max_missed_offers;
  SB_RETURN_IF_ERROR(t.integer("max_missed_offers", missed, false, 0, 1000000));
  q.max_missed_offers = static_cast<std::uint32_t>(missed);
  SB_RETURN_IF_ERROR(t.duration("aging_interval", q.aging_interval));

  if (const toml::node* w = t.get("wrap_up")) {
    Distribution d;
    SB_RETURN_IF_ERROR(read_distribution(ctx, *w, t.field("wrap_up"), false, d));
    if (d.kind() == DistKind::kConstant) {
      q.wrap_up = static_cast<Millis>(d.mean());
    } else {
      spec.random_wrap_up = true;
      spec.wrap_up = d;
    }
  }

  if (const toml::node* o = t.get("overflow")) {
    if (!o->is_table())
      return t.error(*o, "overflow", "expected { after = \"2m\", to = \"queue\" }");
    Table ot(ctx, *o->as_table(), t.field("overflow"));
    SB_RETURN_IF_ERROR(ot.duration("after", q.overflow_after, true));
    if (q.overflow_after <= 0)
      return ot.error(*o->as_table()->get("after"), "after", "must be positive");
    std::string to;
    SB_RETURN_IF_ERROR(ot.string("to", to, true));
    SB_RETURN_IF_ERROR(lookup(t, *o->as_table()->get("to"), ot.field("to"), names.queues, to,
                              "queue", q.overflow_queue));
    if (to == q.name)
      return ot.error(*o->as_table()->get("to"), "to", "a queue cannot overflow to itself");
    SB_RETURN_IF_ERROR(ot.check_unknown());
  }

  std::vector<const toml::table*> steps;
  SB_RETURN_IF_ERROR(table_array(t, "relaxation", steps));
  for (std::size_t i = 0; i < steps.size(); ++i) {
    Table st(ctx, *steps[i], indexed(t.field("relaxation"), i));
    RelaxationStep step;
    SB_RETURN_IF_ERROR(st.duration("after", step.after, true));
    std::string action;
    SB_RETURN_IF_ERROR(st.string("action", action, true));
    if (action == "lower_proficiency")
      step.action = RelaxationAction::kLowerProficiency;
    else if (action == "drop_optional")
      step.action = RelaxationAction::kDropOptional;
    else if (action == "widen_tier")
      step.action = RelaxationAction::kWidenTier;
    else
      return st.error(*steps[i]->get("action"), "action",
                      "unknown relaxation action '" + action +
                          "' (expected lower_proficiency, drop_optional or widen_tier)");
    std::int64_t amount = 1;
    SB_RETURN_IF_ERROR(st.integer("amount", amount, false, 1, 255));
    step.amount = static_cast<std::uint8_t>(amount);
    if (!q.relaxation.empty() && step.after < q.relaxation.back().after)
      return st.error(*steps[i]->get("after"), "after",
                      "relaxation steps must be sorted by 'after'");
    q.relaxation.push_back(step);
    SB_RETURN_IF_ERROR(st.check_unknown());
  }

  const toml::table* hours = nullptr;
  SB_RETURN_IF_ERROR(sub_table(t, "hours", hours));
  if (hours) SB_RETURN_IF_ERROR(read_hours(ctx, *hours, t.field("hours"), q.hours));

  SB_RETURN_IF_ERROR(distribution(t, "handle_time", false, spec.handle_time));
  SB_RETURN_IF_ERROR(distribution(t, "patience", true, spec.patience));
  const double mean_handle = spec.handle_time.mean();
  q.default_handle_time = mean_handle > 0 ? static_cast<Millis>(mean_handle) : kMillisPerSecond;

  const toml::table* arrivals = nullptr;
  SB_RETURN_IF_ERROR(sub_table(t, "arrivals", arrivals));
  if (arrivals)
    SB_RETURN_IF_ERROR(read_arrivals(ctx, *arrivals, t.field("arrivals"), spec.arrivals));
  return t.check_unknown();
}

ReasonId parse_reason_name(std::string_view s) {
  for (ReasonId r = reason::kBreak; r <= reason::kSupervisor; ++r)
    if (reason_name(r) == s && r != reason::kMissed) return r;
  return kNoId;
}

// Checks that shifts never overlap on the weekly timeline, midnight crossings included.
Status check_shift_overlap(const std::vector<ShiftSpec>& shifts, const Table& t,
                           const toml::node& n) {
  constexpr Millis kWeek = 7 * kMillisPerDay;
  std::vector<std::pair<Millis, Millis>> spans;
  for (const auto& s : shifts)
    for (int d = 0; d < 7; ++d)
      if (s.days & (1u << d)) {
        const Millis b = d * kMillisPerDay + s.start;
        const Millis e = d * kMillisPerDay + s.end;
        if (e <= kWeek) {
          spans.push_back({b, e});
        } else {
          spans.push_back({b, kWeek});
          spans.push_back({0, e - kWeek});
        }
      }
  std::sort(spans.begin(), spans.end());
  for (std::size_t i = 1; i < spans.size(); ++i)
    if (spans[i].first < spans[i - 1].second)
      return t.error(n, "shifts", "shifts of one agent overlap");
  return {};
}

struct ShiftTemplate {
  ShiftSpec shift;
  Millis spread = 0;
  std::vector<Millis> break_spread;
};

Status read_shift(const Ctx& ctx, const toml::table& tt, const std::string& field,
                  ShiftTemplate& out) {
  Table t(ctx, tt, field);
  ShiftSpec& s = out.shift;
  SB_RETURN_IF_ERROR(t.duration("start", s.start, true));
  SB_RETURN_IF_ERROR(t.duration("end", s.end, true));
  if (s.start >= kMillisPerDay)
    return t.error(*tt.get("start"), "start", "must be a time of day before 24:00");
  if (s.end <= s.start) s.end += kMillisPerDay;  // crosses midnight
  if (s.end - s.start > kMillisPerDay)
    return t.error(*tt.get("end"), "end", "a shift lasts at most 24 hours");
  if (const toml::node* d = t.get("days")) {
    auto m = parse_days(ctx, *d, t.field("days"));
    if (!m.ok()) return m.status();
    s.days = *m;
  }
  SB_RETURN_IF_ERROR(t.duration("spread", out.spread));
  std::vector<const toml::table*> breaks;
  SB_RETURN_IF_ERROR(table_array(t, "breaks", breaks));
  for (std::size_t i = 0; i < breaks.size(); ++i) {
    Table b(ctx, *breaks[i], indexed(t.field("breaks"), i));
    BreakSpec br;
    SB_RETURN_IF_ERROR(b.duration("start", br.start, true));
    SB_RETURN_IF_ERROR(b.duration("duration", br.duration, true));
    if (br.duration <= 0)
      return b.error(*breaks[i]->get("duration"), "duration", "must be positive");
    if (br.start < s.start) br.start += kMillisPerDay;  // after midnight in a night shift
    std::string reason = "break";
    if (const toml::node* r = b.get("reason")) {
      if (r->is_integer()) {
        const auto v = r->as_integer()->get();
        if (v < 100 || v > 1000000)
          return b.error(*r, "reason", "custom reason codes are integers from 100");
        br.reason = static_cast<ReasonId>(v);
      } else if (r->is_string()) {
        br.reason = parse_reason_name(r->as_string()->get());
        if (br.reason == kNoId)
          return b.error(*r, "reason",
                         "unknown reason '" + r->as_string()->get() +
                             "' (expected break, lunch, training, meeting, coaching, supervisor "
                             "or a code from 100)");
      } else {
        return b.error(*r, "reason", "expected a reason name or code");
      }
    }
    Millis spread = 0;
    SB_RETURN_IF_ERROR(b.duration("spread", spread));
    if (br.start < s.start || br.start + br.duration + spread > s.end)
      return b.error(*breaks[i], "start", "the break (with its spread) must lie within the shift");
    if (!s.breaks.empty() &&
        br.start < s.breaks.back().start + s.breaks.back().duration + out.break_spread.back())
      return b.error(*breaks[i], "start", "breaks must be in time order and must not overlap");
    s.breaks.push_back(br);
    out.break_spread.push_back(spread);
    SB_RETURN_IF_ERROR(b.check_unknown());
  }
  return t.check_unknown();
}

Status read_agent_group(const Ctx& ctx, const toml::table& tt, const std::string& field,
                        const Names& names, const Distribution& default_accept,
                        std::vector<AgentConfig>& configs, std::vector<AgentSpec>& specs) {
  Table t(ctx, tt, field);
  std::string name;
  SB_RETURN_IF_ERROR(t.string("name", name, true));
  std::int64_t count = 1;
  SB_RETURN_IF_ERROR(t.integer("count", count, false, 1, kMaxAgentsPerGroup));

  AgentConfig base;
  base.profile = kNoId;
  if (const toml::node* p = t.get("profile")) {
    if (!p->is_string()) return t.error(*p, "profile", "expected a profile name");
    SB_RETURN_IF_ERROR(lookup(t, *p, t.field("profile"), names.profiles, p->as_string()->get(),
                              "routing profile", base.profile));
  } else if (names.profiles.size() == 1) {
    base.profile = names.profiles.begin()->second;
  } else {
    return t.missing("profile");
  }

  std::vector<std::pair<SkillId, std::uint8_t>> skills;
  SB_RETURN_IF_ERROR(skill_levels(t, "skills", names, skills));
  for (auto [id, level] : skills) base.skills.push_back({id, level});

  const toml::node* qn = t.get("queues");
  if (!qn) return t.missing("queues");
  if (qn->is_table()) {
    for (const auto& [k, v] : *qn->as_table()) {
      const std::string f = t.field("queues") + "." + std::string(k.str());
      QueueId q = kNoId;
      SB_RETURN_IF_ERROR(lookup(t, v, f, names.queues, std::string(k.str()), "queue", q));
      if (!v.is_integer() || v.as_integer()->get() < 1 || v.as_integer()->get() > 255)
        return ctx.error(v, f, "tier must be an integer within 1..255");
      base.queues.push_back({q, static_cast<std::uint8_t>(v.as_integer()->get())});
    }
  } else if (qn->is_array()) {
    for (std::size_t i = 0; i < qn->as_array()->size(); ++i) {
      const toml::node& e = (*qn->as_array())[i];
      const std::string f = indexed(t.field("queues"), i);
      if (!e.is_string()) return ctx.error(e, f, "expected a queue name");
      QueueId q = kNoId;
      SB_RETURN_IF_ERROR(lookup(t, e, f, names.queues, e.as_string()->get(), "queue", q));
      base.queues.push_back({q, 1});
    }
  } else {
    return t.error(*qn, "queues",
                   "expected queue names [\"sales\"] or tiers { sales = 1, support = 2 }");
  }

  AgentSpec spec;
  spec.accept_delay = default_accept;
  SB_RETURN_IF_ERROR(distribution(t, "accept_delay", false, spec.accept_delay));

  std::vector<ShiftTemplate> shifts;
  std::vector<const toml::table*> shift_tables;
  const toml::node* shifts_node = t.raw().get("shifts");
  if (const toml::node* one = t.get("shift")) {
    if (!one->is_table())
      return t.error(*one, "shift", "expected { start = \"08:00\", end = \"16:00\" }");
    if (t.has("shifts")) return t.error(*one, "shift", "give 'shift' or 'shifts', not both");
    shift_tables.push_back(one->as_table());
    shifts_node = one;
  }
  std::vector<const toml::table*> many;
  SB_RETURN_IF_ERROR(table_array(t, "shifts", many));
  shift_tables.insert(shift_tables.end(), many.begin(), many.end());
  for (std::size_t i = 0; i < shift_tables.size(); ++i) {
    ShiftTemplate st;
    SB_RETURN_IF_ERROR(read_shift(ctx, *shift_tables[i],
                                  many.empty() ? t.field("shift") : indexed(t.field("shifts"), i),
                                  st));
    shifts.push_back(std::move(st));
  }
  SB_RETURN_IF_ERROR(t.check_unknown());

  for (std::int64_t i = 0; i < count; ++i) {
    AgentConfig a = base;
    a.id = static_cast<AgentId>(configs.size());
    a.name = count == 1 ? name : name + "-" + std::to_string(i + 1);
    AgentSpec s = spec;
    for (const ShiftTemplate& tmpl : shifts) {
      ShiftSpec sh = tmpl.shift;
      const Millis offset = tmpl.spread * i / count;
      sh.start += offset;
      sh.end += offset;
      for (std::size_t b = 0; b < sh.breaks.size(); ++b)
        sh.breaks[b].start += offset + tmpl.break_spread[b] * i / count;
      if (sh.start >= kMillisPerDay) {
        // Spread past midnight: the shift now starts on the following day.
        sh.start -= kMillisPerDay;
        sh.end -= kMillisPerDay;
        for (auto& b : sh.breaks) b.start -= kMillisPerDay;
        sh.days = static_cast<std::uint8_t>(((sh.days << 1) | (sh.days >> 6)) & 0x7f);
      }
      s.shifts.push_back(std::move(sh));
    }
    std::sort(s.shifts.begin(), s.shifts.end(),
              [](const ShiftSpec& x, const ShiftSpec& y) { return x.start < y.start; });
    if (shifts_node) SB_RETURN_IF_ERROR(check_shift_overlap(s.shifts, t, *shifts_node));
    configs.push_back(std::move(a));
    specs.push_back(std::move(s));
  }
  return {};
}

Status read_simulation(const Ctx& ctx, const toml::table& tt, Scenario& s,
                       Distribution& accept_delay) {
  Table t(ctx, tt, "simulation");
  SB_RETURN_IF_ERROR(t.duration("duration", s.duration, true));
  if (s.duration <= 0) return t.error(*tt.get("duration"), "duration", "must be positive");
  SB_RETURN_IF_ERROR(t.duration("warmup", s.warmup));
  if (s.warmup >= s.duration)
    return t.error(*tt.get("warmup"), "warmup", "must be shorter than the duration");
  SB_RETURN_IF_ERROR(t.duration("interval", s.interval));
  if (s.interval <= 0) return t.error(*tt.get("interval"), "interval", "must be positive");
  std::int64_t seed = 1, reps = 1;
  SB_RETURN_IF_ERROR(t.integer("seed", seed, false, 0, std::numeric_limits<std::int64_t>::max()));
  s.seed = static_cast<std::uint64_t>(seed);
  SB_RETURN_IF_ERROR(t.integer("replications", reps, false, 1, 100000));
  s.replications = static_cast<int>(reps);
  s.start = kDefaultStart;
  if (const toml::node* st = t.get("start")) {
    if (!st->is_date())
      return t.error(*st, "start",
                     "expected a date such as 2024-01-01, found " + node_type_name(*st));
    const toml::date d = st->as_date()->get();
    s.start = days_from_civil(d.year, d.month, d.day) * kMillisPerDay;
  }
  SB_RETURN_IF_ERROR(distribution(t, "accept_delay", false, accept_delay));
  return t.check_unknown();
}

}  // namespace

double ArrivalSpec::expected_arrivals(Millis horizon) const {
  double total = 0;
  switch (kind) {
    case Kind::kNone:
      break;
    case Kind::kPoisson: {
      const Millis period = cycle > 0 ? cycle : kNever;
      for (Millis base = 0; base < horizon; base += period) {
        for (const auto& seg : segments) {
          const Millis b = std::min(horizon, base + seg.begin);
          const Millis e = seg.end == kNever ? horizon : std::min(horizon, base + seg.end);
          if (e > b) total += seg.per_ms * static_cast<double>(e - b);
        }
        if (period == kNever) break;
      }
      break;
    }
    case Kind::kCounts:
      for (const auto& c : counts)
        if (c.begin < horizon)
          total += c.count * std::min(1.0, static_cast<double>(horizon - c.begin) /
                                               static_cast<double>(c.end - c.begin));
      break;
    case Kind::kCalls:
      for (const auto& c : calls)
        if (c.arrival < horizon) total += 1;
      break;
  }
  return total;
}

Result<Millis> parse_duration(std::string_view text) {
  std::string_view s = text;
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  const std::string bad =
      "expected a duration such as \"90s\", \"1.5m\", \"2h30m\", \"1d\", "
      "\"250ms\" or a time of day \"08:30\", found \"" +
      std::string(text) + "\"";
  if (s.find(':') != std::string_view::npos) {
    auto c = parse_clock(s);
    if (!c) return Status::invalid_argument(bad);
    return *c;
  }
  // One or more <number><unit> parts ("1h30m"); a bare number is seconds.
  double ms = 0;
  bool any = false;
  while (!s.empty()) {
    std::size_t num_end = 0;
    while (num_end < s.size() && (std::isdigit(static_cast<unsigned char>(s[num_end])) ||
                                  s[num_end] == '.' || s[num_end] == '-' || s[num_end] == '+'))
      ++num_end;
    std::size_t unit_end = num_end;
    while (unit_end < s.size() && std::isalpha(static_cast<unsigned char>(s[unit_end]))) ++unit_end;
    auto v = parse_double(s.substr(0, num_end));
    const std::string_view unit = s.substr(num_end, unit_end - num_end);
    if (!v) return Status::invalid_argument(bad);
    double scale = 0;
    if (unit == "ms")
      scale = 1;
    else if (unit == "s" || (unit.empty() && !any && unit_end == s.size()))
      scale = kMillisPerSecond;
    else if (unit == "m" || unit == "min")
      scale = kMillisPerMinute;
    else if (unit == "h")
      scale = kMillisPerHour;
    else if (unit == "d")
      scale = kMillisPerDay;
    else
      return Status::invalid_argument(bad);
    if (*v < 0)
      return Status::invalid_argument("must not be negative, found \"" + std::string(text) + "\"");
    ms += *v * scale;
    any = true;
    s.remove_prefix(unit_end);
  }
  if (!any) return Status::invalid_argument(bad);
  if (ms > static_cast<double>(kMaxDuration))
    return Status::invalid_argument("\"" + std::string(text) + "\" is longer than ten years");
  return static_cast<Millis>(std::llround(ms));
}

Result<Scenario> parse_scenario(std::string_view text, const std::string& source_name,
                                const std::string& base_dir) {
  Ctx ctx{source_name, base_dir};
  toml::table root;
  try {
    root = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    return Status::invalid_argument(ctx.where(e.source()) +
                                    ": syntax error: " + std::string(e.description()));
  }
  Scenario s;
  s.source = source_name;
  Table top(ctx, root, "");
  SB_RETURN_IF_ERROR(top.string("name", s.name));
  if (s.name.empty()) s.name = std::filesystem::path(source_name).stem().string();

  Names names;
  if (const toml::node* sk = top.get("skills")) {
    if (!sk->is_array()) return top.error(*sk, "skills", "expected an array of skill names");
    for (std::size_t i = 0; i < sk->as_array()->size(); ++i) {
      const toml::node& e = (*sk->as_array())[i];
      if (!e.is_string()) return ctx.error(e, indexed("skills", i), "expected a skill name");
      const std::string& n = e.as_string()->get();
      if (!names.skills.emplace(n, static_cast<SkillId>(s.center.skills.size())).second)
        return ctx.error(e, indexed("skills", i), "skill '" + n + "' is listed twice");
      s.center.skills.push_back(n);
    }
  }

  const toml::table* sim = nullptr;
  SB_RETURN_IF_ERROR(sub_table(top, "simulation", sim));
  if (!sim) return top.missing("simulation");
  Distribution accept_delay;
  SB_RETURN_IF_ERROR(read_simulation(ctx, *sim, s, accept_delay));

  std::vector<const toml::table*> profiles;
  SB_RETURN_IF_ERROR(table_array(top, "profiles", profiles));
  for (std::size_t i = 0; i < profiles.size(); ++i) {
    RoutingProfile p;
    p.id = static_cast<ProfileId>(i);
    SB_RETURN_IF_ERROR(read_profile(ctx, *profiles[i], indexed("profiles", i), p));
    if (!names.profiles.emplace(p.name, p.id).second)
      return ctx.error(*profiles[i]->get("name"), indexed("profiles", i) + ".name",
                       "profile '" + p.name + "' is defined twice");
    s.center.profiles.push_back(std::move(p));
  }
  if (profiles.empty()) {
    // No profiles: every agent takes one contact at a time, on any channel.
    RoutingProfile p;
    p.id = 0;
    p.name = "default";
    p.capacity.fill(1);
    names.profiles.emplace(p.name, 0);
    s.center.profiles.push_back(p);
  }

  std::vector<const toml::table*> queues;
  SB_RETURN_IF_ERROR(table_array(top, "queues", queues));
  if (queues.empty()) return top.table_error("at least one [[queues]] entry is required");
  // Names first: overflow targets may be defined further down.
  for (std::size_t i = 0; i < queues.size(); ++i) {
    const toml::node* n = queues[i]->get("name");
    if (!n) return Table(ctx, *queues[i], indexed("queues", i)).missing("name");
    if (!n->is_string()) return ctx.error(*n, indexed("queues", i) + ".name", "expected a string");
    if (!names.queues.emplace(n->as_string()->get(), static_cast<QueueId>(i)).second)
      return ctx.error(*n, indexed("queues", i) + ".name",
                       "queue '" + n->as_string()->get() + "' is defined twice");
  }
  for (std::size_t i = 0; i < queues.size(); ++i) {
    QueueConfig q;
    q.id = static_cast<QueueId>(i);
    QueueSpec spec;
    SB_RETURN_IF_ERROR(read_queue(ctx, *queues[i], indexed("queues", i), names, q, spec));
    s.center.queues.push_back(std::move(q));
    s.queues.push_back(std::move(spec));
  }

  std::vector<const toml::table*> agents;
  SB_RETURN_IF_ERROR(table_array(top, "agents", agents));
  if (agents.empty()) return top.table_error("at least one [[agents]] entry is required");
  for (std::size_t i = 0; i < agents.size(); ++i)
    SB_RETURN_IF_ERROR(read_agent_group(ctx, *agents[i], indexed("agents", i), names, accept_delay,
                                        s.center.agents, s.agents));
  SB_RETURN_IF_ERROR(top.check_unknown());

  Status valid = s.center.validate();
  if (!valid.ok()) return Status::invalid_argument(source_name + ": " + valid.message());
  return s;
}

Result<Scenario> load_scenario(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::io_error(path + ": cannot open scenario file");
  std::ostringstream buf;
  buf << in.rdbuf();
  const std::string dir = std::filesystem::path(path).parent_path().string();
  return parse_scenario(buf.str(), path, dir.empty() ? "." : dir);
}

}  // namespace sb::sim
