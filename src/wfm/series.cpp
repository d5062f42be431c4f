#include "wfm/series.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>
#include <utility>

namespace sb::wfm {
namespace {

std::optional<int> parse_int(std::string_view text) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

int weekday_of(Date day) {
  // 1970-01-01 was a Thursday (3 when Monday is 0).
  return static_cast<int>(((static_cast<long>(day) % 7) + 7 + 3) % 7);
}

const char* weekday_name(int weekday) {
  static constexpr const char* kNames[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                           "Friday", "Saturday", "Sunday"};
  return weekday >= 0 && weekday < 7 ? kNames[weekday] : "?";
}

std::string format_date(Date day) {
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{day}}};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

std::string format_local(Date day, int minute_of_day) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "T%02d:%02d", (minute_of_day / 60) % 100, minute_of_day % 60);
  return format_date(day) + buf;
}

Result<Date> parse_date(std::string_view text) {
  text = trim(text);
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
    return Status::invalid_argument("expected a date YYYY-MM-DD, got '" + std::string(text) + "'");
  }
  auto y = parse_int(text.substr(0, 4));
  auto m = parse_int(text.substr(5, 2));
  auto d = parse_int(text.substr(8, 2));
  if (!y || !m || !d) {
    return Status::invalid_argument("expected a date YYYY-MM-DD, got '" + std::string(text) + "'");
  }
  const std::chrono::year_month_day ymd{std::chrono::year{*y},
                                        std::chrono::month{static_cast<unsigned>(*m)},
                                        std::chrono::day{static_cast<unsigned>(*d)}};
  if (!ymd.ok()) return Status::invalid_argument("no such date '" + std::string(text) + "'");
  return static_cast<Date>(std::chrono::sys_days{ymd}.time_since_epoch().count());
}

Result<LocalDateTime> parse_local(std::string_view text) {
  text = trim(text);
  const auto bad = [&] {
    return Status::invalid_argument("expected an ISO 8601 local date-time YYYY-MM-DDTHH:MM, got '" +
                                    std::string(text) + "'");
  };
  if (text.size() != 16 && text.size() != 19) return bad();
  if (text[10] != 'T' && text[10] != ' ') return bad();
  auto day = parse_date(text.substr(0, 10));
  if (!day.ok()) return day.status();
  if (text[13] != ':') return bad();
  auto hh = parse_int(text.substr(11, 2));
  auto mm = parse_int(text.substr(14, 2));
  if (!hh || !mm || *hh < 0 || *hh > 23 || *mm < 0 || *mm > 59) return bad();
  if (text.size() == 19) {
    auto ss = parse_int(text.substr(17, 2));
    if (text[16] != ':' || !ss) return bad();
    if (*ss != 0) {
      return Status::invalid_argument("interval starts must be on whole minutes, got '" +
                                      std::string(text) + "'");
    }
  }
  return LocalDateTime{*day, *hh * 60 + *mm};
}

std::array<bool, 7> IntervalSeries::weekdays_present() const {
  std::array<bool, 7> present{};
  for (Date d : days_) present[weekday_of(d)] = true;
  return present;
}

IntervalSeries IntervalSeries::head(std::size_t n) const {
  IntervalSeries out = *this;
  n = std::min(n, days_.size());
  out.days_.resize(n);
  out.volume_.resize(n * slots_.size());
  if (!out.aht_s_.empty()) out.aht_s_.resize(n * slots_.size());
  return out;
}

Result<IntervalSeries> IntervalSeries::from_grid(int interval_minutes, std::vector<Date> days,
                                                 std::vector<int> slots, std::vector<double> volume,
                                                 std::vector<double> aht_s) {
  if (interval_minutes <= 0 || 1440 % interval_minutes != 0) {
    return Status::invalid_argument("interval length must divide a day, got " +
                                    std::to_string(interval_minutes) + " min");
  }
  if (days.empty() || slots.empty()) return Status::invalid_argument("empty history");
  if (volume.size() != days.size() * slots.size()) {
    return Status::invalid_argument("volume grid is not days x intervals");
  }
  if (!aht_s.empty() && aht_s.size() != volume.size()) {
    return Status::invalid_argument("handle-time grid is not days x intervals");
  }
  if (!std::is_sorted(days.begin(), days.end()) ||
      std::adjacent_find(days.begin(), days.end()) != days.end()) {
    return Status::invalid_argument("days must be strictly ascending");
  }
  for (std::size_t i = 0; i < slots.size(); ++i) {
    if (slots[i] < 0 || slots[i] >= 1440 ||
        slots[i] % interval_minutes != slots[0] % interval_minutes ||
        (i > 0 && slots[i] <= slots[i - 1])) {
      return Status::invalid_argument("intervals of the day must be ascending and on the grid");
    }
  }
  for (double v : volume) {
    if (!std::isfinite(v) || v < 0) {
      return Status::invalid_argument("volumes must be finite and non-negative");
    }
  }
  IntervalSeries s;
  s.interval_minutes_ = interval_minutes;
  s.days_ = std::move(days);
  s.slots_ = std::move(slots);
  s.volume_ = std::move(volume);
  s.aht_s_ = std::move(aht_s);
  return s;
}

Result<IntervalSeries> IntervalSeries::from_observations(std::vector<Observation> rows) {
  if (rows.empty()) return Status::invalid_argument("empty history: no interval rows");
  for (const auto& r : rows) {
    if (!std::isfinite(r.volume) || r.volume < 0) {
      return Status::invalid_argument(r.where + ": volume must be a non-negative number");
    }
    if (r.aht_s && (!std::isfinite(*r.aht_s) || *r.aht_s < 0)) {
      return Status::invalid_argument(r.where + ": aht_s must be a non-negative number");
    }
  }
  std::stable_sort(rows.begin(), rows.end(), [](const Observation& a, const Observation& b) {
    return std::pair(a.start.day, a.start.minute) < std::pair(b.start.day, b.start.minute);
  });
  // The interval length is the most common gap between consecutive rows of the same day; one
  // stray row must not shrink the grid to a minute, it must be reported.
  std::map<int, int> gap_count;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto& a = rows[i - 1].start;
    const auto& b = rows[i].start;
    if (a.day == b.day && a.minute == b.minute) {
      return Status::invalid_argument(rows[i].where + ": duplicate interval " +
                                      format_local(b.day, b.minute) + " (also at " +
                                      rows[i - 1].where + ")");
    }
    if (a.day == b.day) ++gap_count[b.minute - a.minute];
  }
  int interval = 0;
  if (gap_count.empty()) {
    // One interval per day: the grid cannot be seen; daily data.
    interval = 1440;
  } else {
    int best = 0;
    for (const auto& [gap, count] : gap_count) {
      if (count > best) best = count, interval = gap;
    }
  }
  if (1440 % interval != 0) {
    return Status::invalid_argument(
        "irregular timestamps: the most common gap between intervals (" + std::to_string(interval) +
        " min) does not divide a day");
  }
  const int phase = rows.front().start.minute % interval;
  std::vector<int> slots;
  std::vector<Date> days;
  for (const auto& r : rows) {
    if (r.start.minute % interval != phase) {
      return Status::invalid_argument(
          r.where + ": irregular timestamp " + format_local(r.start.day, r.start.minute) +
          " is not on the " + std::to_string(interval) + "-minute grid of the history");
    }
    slots.push_back(r.start.minute);
    if (days.empty() || days.back() != r.start.day) days.push_back(r.start.day);
  }
  std::sort(slots.begin(), slots.end());
  slots.erase(std::unique(slots.begin(), slots.end()), slots.end());
  // Intervals between the first and last of the day that never occur are still part of the day
  // (a quiet interval in every exported day); include them so the output grid has no holes.
  std::vector<int> full;
  for (int m = slots.front(); m <= slots.back(); m += interval) full.push_back(m);
  slots = std::move(full);

  const bool any_aht = std::any_of(rows.begin(), rows.end(), [](auto& r) { return r.aht_s; });
  std::vector<double> volume(days.size() * slots.size(), 0.0);
  std::vector<double> aht(any_aht ? volume.size() : 0, std::nan(""));
  std::size_t di = 0;
  for (const auto& r : rows) {
    while (days[di] != r.start.day) ++di;
    const auto si = static_cast<std::size_t>((r.start.minute - slots.front()) / interval);
    volume[di * slots.size() + si] = r.volume;
    if (r.aht_s && any_aht) aht[di * slots.size() + si] = *r.aht_s;
  }
  return from_grid(interval, std::move(days), std::move(slots), std::move(volume), std::move(aht));
}

std::vector<std::string> split_csv_line(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

std::optional<double> parse_number(std::string_view text) {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

Result<IntervalSeries> read_history_csv(std::istream& in, std::string_view source) {
  const std::string src(source);
  std::string line;
  int line_no = 0;
  std::vector<std::string> header;
  while (std::getline(in, line)) {
    ++line_no;
    if (!trim(line).empty()) {
      header = split_csv_line(line);
      break;
    }
  }
  if (header.empty()) return Status::invalid_argument(src + ": empty history file");
  int start_col = -1, volume_col = -1, aht_col = -1;
  for (std::size_t i = 0; i < header.size(); ++i) {
    const std::string_view name = trim(header[i]);
    if (name == "start") start_col = static_cast<int>(i);
    if (name == "volume") volume_col = static_cast<int>(i);
    if (name == "aht_s") aht_col = static_cast<int>(i);
  }
  if (start_col < 0 || volume_col < 0) {
    return Status::invalid_argument(src + ":" + std::to_string(line_no) +
                                    ": the header must name the columns 'start' and 'volume'");
  }
  std::vector<Observation> rows;
  while (std::getline(in, line)) {
    ++line_no;
    if (trim(line).empty()) continue;
    const std::string where = src + ":" + std::to_string(line_no);
    const auto fields = split_csv_line(line);
    const auto field = [&](int col) -> std::string_view {
      return col >= 0 && static_cast<std::size_t>(col) < fields.size() ? trim(fields[col])
                                                                       : std::string_view{};
    };
    auto start = parse_local(field(start_col));
    if (!start.ok())
      return Status::invalid_argument(where + ": start: " + start.status().message());
    auto volume = parse_number(field(volume_col));
    if (!volume) {
      return Status::invalid_argument(where + ": volume: expected a number, got '" +
                                      std::string(field(volume_col)) + "'");
    }
    if (*volume < 0) {
      return Status::invalid_argument(where + ": volume: negative volume " +
                                      std::string(field(volume_col)));
    }
    Observation obs{.start = *start, .volume = *volume, .aht_s = std::nullopt, .where = where};
    if (aht_col >= 0 && !field(aht_col).empty()) {
      auto aht = parse_number(field(aht_col));
      if (!aht || *aht < 0) {
        return Status::invalid_argument(where + ": aht_s: expected a non-negative number, got '" +
                                        std::string(field(aht_col)) + "'");
      }
      obs.aht_s = *aht;
    }
    rows.push_back(std::move(obs));
  }
  if (rows.empty()) return Status::invalid_argument(src + ": empty history: no interval rows");
  auto series = IntervalSeries::from_observations(std::move(rows));
  if (!series.ok()) return series.status();
  return series;
}

}  // namespace sb::wfm
