#pragma once
// Interval history for workforce planning: contact volumes (and optionally handle times) per
// interval of the day, for the days the center was open. Timestamps are local civil time (the
// center's own clock, no time zone): a day is a calendar date and an interval is its minute of the
// day, so daylight-saving changes never shift the intraday pattern.

#include <array>
#include <cstddef>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace sb::wfm {

// Calendar date as days since 1970-01-01 (proleptic Gregorian).
using Date = int;

// 0 = Monday .. 6 = Sunday.
int weekday_of(Date day);
const char* weekday_name(int weekday);
std::string format_date(Date day);
// "2003-03-03T07:05"
std::string format_local(Date day, int minute_of_day);
Result<Date> parse_date(std::string_view text);

struct LocalDateTime {
  Date day = 0;
  int minute = 0;  // minute of the day, 0..1439
};
// ISO 8601 local date-time: "YYYY-MM-DDTHH:MM[:SS]" (a space may replace the T). Seconds must
// be zero: intervals start on whole minutes.
Result<LocalDateTime> parse_local(std::string_view text);

// One row of history as read from a file; `where` is "file:line" for error messages.
struct Observation {
  LocalDateTime start;
  double volume = 0;
  std::optional<double> aht_s;
  std::string where;
};

// A days x intervals-of-day grid. Rows are the days present in the history (ascending; a day
// with no rows at all, e.g. a weekend or a holiday closure, is absent); columns are the union of
// the intervals of the day seen in the history. An interval missing from a present day counts as
// zero contacts: exports commonly omit empty intervals.
class IntervalSeries {
 public:
  // Infers the interval length (the most common gap between consecutive intervals of a day) and
  // checks that every timestamp lies on that grid. Errors name the offending row.
  static Result<IntervalSeries> from_observations(std::vector<Observation> rows);

  // Builds directly from a grid (tests, benchmarks). `volume` is days.size() x slots.size().
  static Result<IntervalSeries> from_grid(int interval_minutes, std::vector<Date> days,
                                          std::vector<int> slots, std::vector<double> volume,
                                          std::vector<double> aht_s = {});

  int interval_minutes() const { return interval_minutes_; }
  const std::vector<Date>& days() const { return days_; }
  const std::vector<int>& slots() const { return slots_; }  // minute of day of each interval
  std::size_t num_days() const { return days_.size(); }
  std::size_t num_slots() const { return slots_.size(); }
  double volume(std::size_t day, std::size_t slot) const {
    return volume_[day * slots_.size() + slot];
  }
  const std::vector<double>& volume() const { return volume_; }
  bool has_aht() const { return !aht_s_.empty(); }
  // Handle time of the interval, NaN where unknown (no contacts, or no value given).
  double aht_s(std::size_t day, std::size_t slot) const {
    return aht_s_[day * slots_.size() + slot];
  }
  const std::vector<double>& aht_s() const { return aht_s_; }
  // Which weekdays occur at least once.
  std::array<bool, 7> weekdays_present() const;

  // The first `n` days (a training window for back-tests).
  IntervalSeries head(std::size_t n) const;

 private:
  int interval_minutes_ = 0;
  std::vector<Date> days_;
  std::vector<int> slots_;
  std::vector<double> volume_;
  std::vector<double> aht_s_;
};

// Reads `start,volume[,aht_s]` CSV (a header row names the columns, in any order; other columns
// are ignored). Negative, non-numeric or missing volumes, duplicate or off-grid timestamps and an
// empty file are errors naming `source:line`.
Result<IntervalSeries> read_history_csv(std::istream& in, std::string_view source);

// Splits one CSV line (RFC 4180 quoting; a trailing CR is dropped).
std::vector<std::string> split_csv_line(std::string_view line);

// Strict number parsing for files: the whole field must be a finite number.
std::optional<double> parse_number(std::string_view text);

}  // namespace sb::wfm
