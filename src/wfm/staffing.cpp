#include "wfm/staffing.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

namespace sb::wfm {
namespace {

Status check_options(const StaffingOptions& o) {
  if (!(o.threshold_s >= 0)) return Status::invalid_argument("threshold must be >= 0 s");
  if (!(o.shrinkage >= 0 && o.shrinkage < 1)) {
    return Status::invalid_argument("shrinkage must be in [0, 1)");
  }
  if (o.model == StaffingModel::kErlangA && !(o.patience_s > 0)) {
    return Status::invalid_argument("Erlang A needs a mean patience > 0 s");
  }
  return {};
}

Result<double> shrinkage_of(const IntervalDemand& d, const StaffingOptions& o) {
  const double s = d.shrinkage.value_or(o.shrinkage);
  if (!(s >= 0 && s < 1)) {
    return Status::invalid_argument(format_local(d.day, d.minute) +
                                    ": shrinkage must be in [0, 1)");
  }
  return s;
}

Status check_demand(const IntervalDemand& d) {
  if (!std::isfinite(d.volume) || d.volume < 0) {
    return Status::invalid_argument(format_local(d.day, d.minute) +
                                    ": volume must be a non-negative number");
  }
  if (d.volume > 0 && !(d.aht_s > 0 && std::isfinite(d.aht_s))) {
    return Status::invalid_argument(format_local(d.day, d.minute) +
                                    ": AHT must be positive where there is volume");
  }
  return {};
}

void fill_c(StaffingRow& row, const erlang::CMetrics& m) {
  row.agents = m.agents;
  row.service_level = m.service_level;
  row.asa_s = m.asa_s;
  row.occupancy = m.occupancy;
  row.stable = m.stable;
}

void fill_a(StaffingRow& row, const erlang::AMetrics& m) {
  row.agents = m.agents;
  row.service_level = m.service_level;
  row.asa_s = m.asa_s;
  row.p_abandon = m.p_abandon;
  row.occupancy = m.occupancy;
}

Status prefix(const IntervalDemand& d, const Status& s) {
  return Status(s.code(), format_local(d.day, d.minute) + ": " + s.message());
}

}  // namespace

Result<std::vector<StaffingRow>> required_staff(const std::vector<IntervalDemand>& demand,
                                                int interval_minutes, const StaffingOptions& o) {
  SB_RETURN_IF_ERROR(check_options(o));
  if (interval_minutes <= 0) return Status::invalid_argument("interval length must be positive");
  std::vector<StaffingRow> out;
  out.reserve(demand.size());
  for (const auto& d : demand) {
    SB_RETURN_IF_ERROR(check_demand(d));
    auto shrink = shrinkage_of(d, o);
    if (!shrink.ok()) return shrink.status();
    StaffingRow row;
    row.demand = d;
    row.shrinkage = *shrink;
    row.load_erlangs = d.volume * d.aht_s / (interval_minutes * 60.0);
    if (d.volume > 0) {
      if (o.model == StaffingModel::kErlangC) {
        auto m = erlang::agents_for_erlang_c({.load_erlangs = row.load_erlangs,
                                              .agents = 0,
                                              .aht_s = d.aht_s,
                                              .threshold_s = o.threshold_s},
                                             o.goal);
        if (!m.ok()) return prefix(d, m.status());
        fill_c(row, *m);
      } else {
        auto m = erlang::agents_for_erlang_a({.load_erlangs = row.load_erlangs,
                                              .agents = 0,
                                              .aht_s = d.aht_s,
                                              .patience_s = o.patience_s,
                                              .threshold_s = o.threshold_s},
                                             o.goal);
        if (!m.ok()) return prefix(d, m.status());
        fill_a(row, *m);
      }
      row.required = row.agents;
      // The epsilon keeps 14 / 0.7 = 20 from rounding up to 21 through floating-point noise.
      row.scheduled = static_cast<int>(std::ceil(row.required / (1 - row.shrinkage) - 1e-9));
    }
    out.push_back(std::move(row));
  }
  return out;
}

Result<std::vector<StaffingRow>> what_if(const std::vector<IntervalDemand>& demand,
                                         int interval_minutes, const StaffingOptions& o) {
  SB_RETURN_IF_ERROR(check_options(o));
  if (interval_minutes <= 0) return Status::invalid_argument("interval length must be positive");
  std::vector<StaffingRow> out;
  for (const auto& d : demand) {
    SB_RETURN_IF_ERROR(check_demand(d));
    if (!d.headcount || *d.headcount < 0) {
      return Status::invalid_argument(format_local(d.day, d.minute) +
                                      ": what-if needs a non-negative headcount per interval");
    }
    auto shrink = shrinkage_of(d, o);
    if (!shrink.ok()) return shrink.status();
    StaffingRow row;
    row.demand = d;
    row.shrinkage = *shrink;
    row.scheduled = *d.headcount;
    row.load_erlangs = d.volume * d.aht_s / (interval_minutes * 60.0);
    row.agents = static_cast<int>(std::floor(*d.headcount * (1 - row.shrinkage) + 1e-9));
    if (d.volume > 0 && row.agents == 0) {
      // Nobody answers: every caller waits forever (C) or abandons (A).
      row.service_level = 0;
      row.asa_s = INFINITY;
      row.p_abandon = o.model == StaffingModel::kErlangA ? 1 : 0;
      row.occupancy = 0;
      row.stable = false;
    } else if (d.volume > 0) {
      if (o.model == StaffingModel::kErlangC) {
        auto m = erlang::erlang_c({.load_erlangs = row.load_erlangs,
                                   .agents = row.agents,
                                   .aht_s = d.aht_s,
                                   .threshold_s = o.threshold_s});
        if (!m.ok()) return prefix(d, m.status());
        fill_c(row, *m);
      } else {
        auto m = erlang::erlang_a({.load_erlangs = row.load_erlangs,
                                   .agents = row.agents,
                                   .aht_s = d.aht_s,
                                   .patience_s = o.patience_s,
                                   .threshold_s = o.threshold_s});
        if (!m.ok()) return prefix(d, m.status());
        fill_a(row, *m);
      }
    }
    out.push_back(std::move(row));
  }
  return out;
}

Result<DemandTable> read_demand_csv(std::istream& in, std::string_view source,
                                    double default_aht_s) {
  const std::string src(source);
  std::string line;
  int line_no = 0;
  std::vector<std::string> header;
  while (header.empty() && std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") != std::string::npos) header = split_csv_line(line);
  }
  if (header.empty()) return Status::invalid_argument(src + ": empty demand file");
  int col_start = -1, col_volume = -1, col_aht = -1, col_shrink = -1, col_agents = -1;
  for (std::size_t i = 0; i < header.size(); ++i) {
    std::string name = header[i];
    while (!name.empty() && (name.back() == ' ' || name.back() == '\r')) name.pop_back();
    const int c = static_cast<int>(i);
    if (name == "start") col_start = c;
    if (name == "volume") col_volume = c;
    if (name == "aht_s") col_aht = c;
    if (name == "shrinkage") col_shrink = c;
    if (name == "agents") col_agents = c;
  }
  if (col_start < 0 || col_volume < 0) {
    return Status::invalid_argument(src + ":" + std::to_string(line_no) +
                                    ": the header must name the columns 'start' and 'volume'");
  }
  if (col_aht < 0 && !(default_aht_s > 0)) {
    return Status::invalid_argument(src + ": no aht_s column; give a default AHT (--aht-s)");
  }
  std::vector<Observation> obs;
  std::vector<IntervalDemand> rows;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = src + ":" + std::to_string(line_no);
    const auto f = split_csv_line(line);
    auto field = [&](int c) -> std::string {
      return c >= 0 && static_cast<std::size_t>(c) < f.size() ? f[c] : std::string();
    };
    auto start = parse_local(field(col_start));
    if (!start.ok())
      return Status::invalid_argument(where + ": start: " + start.status().message());
    auto volume = parse_number(field(col_volume));
    if (!volume || *volume < 0) {
      return Status::invalid_argument(where + ": volume: expected a non-negative number, got '" +
                                      field(col_volume) + "'");
    }
    IntervalDemand d;
    d.day = start->day;
    d.minute = start->minute;
    d.volume = *volume;
    d.aht_s = default_aht_s;
    if (col_aht >= 0 && !field(col_aht).empty()) {
      auto aht = parse_number(field(col_aht));
      if (!aht || *aht < 0) {
        return Status::invalid_argument(where + ": aht_s: expected a non-negative number, got '" +
                                        field(col_aht) + "'");
      }
      d.aht_s = *aht;
    }
    if (d.volume > 0 && !(d.aht_s > 0)) {
      return Status::invalid_argument(where + ": aht_s: an interval with volume needs AHT > 0");
    }
    if (col_shrink >= 0 && !field(col_shrink).empty()) {
      auto s = parse_number(field(col_shrink));
      if (!s || *s < 0 || *s >= 1) {
        return Status::invalid_argument(where + ": shrinkage: expected a share in [0, 1), got '" +
                                        field(col_shrink) + "'");
      }
      d.shrinkage = *s;
    }
    if (col_agents >= 0) {
      auto a = parse_number(field(col_agents));
      if (!a || *a < 0 || *a != std::floor(*a)) {
        return Status::invalid_argument(where + ": agents: expected a whole number >= 0, got '" +
                                        field(col_agents) + "'");
      }
      d.headcount = static_cast<int>(*a);
    }
    obs.push_back({.start = *start, .volume = *volume, .aht_s = std::nullopt, .where = where});
    rows.push_back(d);
  }
  if (rows.empty()) return Status::invalid_argument(src + ": no demand rows");
  // The same checks and interval inference as history (duplicates, off-grid timestamps).
  auto grid = IntervalSeries::from_observations(std::move(obs));
  if (!grid.ok()) return grid.status();
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    return std::pair(a.day, a.minute) < std::pair(b.day, b.minute);
  });
  return DemandTable{grid->interval_minutes(), std::move(rows)};
}

Result<PatienceEstimate> estimate_patience(const std::vector<QueueRecord>& records) {
  PatienceEstimate e;
  for (const auto& r : records) {
    if (!std::isfinite(r.wait_s) || r.wait_s < 0) {
      return Status::invalid_argument("queue records: wait must be a non-negative number");
    }
    e.total_wait_s += r.wait_s;
    ++e.calls;
    if (r.abandoned) ++e.abandons;
  }
  if (e.abandons == 0) {
    return Status::invalid_argument(
        "no abandoned calls in the queue records: patience cannot be estimated (it is longer "
        "than every wait seen; use Erlang C or give --patience-s)");
  }
  e.mean_patience_s = e.total_wait_s / static_cast<double>(e.abandons);
  return e;
}

Result<std::vector<QueueRecord>> read_queue_records_csv(std::istream& in, std::string_view source) {
  const std::string src(source);
  std::string line;
  int line_no = 0;
  std::vector<std::string> header;
  while (header.empty() && std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") != std::string::npos) header = split_csv_line(line);
  }
  int col_wait = -1, col_abandoned = -1, col_outcome = -1;
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header[i] == "wait_s") col_wait = static_cast<int>(i);
    if (header[i] == "abandoned") col_abandoned = static_cast<int>(i);
    if (header[i] == "outcome") col_outcome = static_cast<int>(i);
  }
  if (col_wait < 0 || (col_abandoned < 0 && col_outcome < 0)) {
    return Status::invalid_argument(src + ":" + std::to_string(line_no) +
                                    ": the header must name 'wait_s' and 'abandoned' or 'outcome'");
  }
  std::vector<QueueRecord> out;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = src + ":" + std::to_string(line_no);
    const auto f = split_csv_line(line);
    auto field = [&](int c) -> std::string {
      return c >= 0 && static_cast<std::size_t>(c) < f.size() ? f[c] : std::string();
    };
    auto wait = parse_number(field(col_wait));
    if (!wait || *wait < 0) {
      return Status::invalid_argument(where + ": wait_s: expected a non-negative number");
    }
    const std::string flag = col_abandoned >= 0 ? field(col_abandoned) : field(col_outcome);
    bool abandoned = false;
    if (flag == "1" || flag == "true" || flag == "abandoned") {
      abandoned = true;
    } else if (!(flag == "0" || flag == "false" || flag == "answered")) {
      return Status::invalid_argument(where +
                                      ": expected 1/0, true/false or "
                                      "abandoned/answered, got '" +
                                      flag + "'");
    }
    out.push_back({*wait, abandoned});
  }
  return out;
}

}  // namespace sb::wfm
