#pragma once
// Time zones for report grouping: "UTC", a fixed offset ("+02:00", "-0530", "+05") or an IANA
// name, read from the system's compiled zoneinfo (TZif files under /usr/share/zoneinfo, or the
// directory in $TZDIR). Instants after the file's last transition keep its last offset.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/time.h"

namespace sb::reports {

class TimeZone {
 public:
  static Result<TimeZone> parse(std::string_view spec);
  static TimeZone utc() { return TimeZone(); }

  // Offset from UTC (local − UTC) at the instant `utc`, in milliseconds.
  Millis offset_at(Millis utc) const;
  bool is_utc() const { return transitions_.empty() && fixed_ == 0; }
  const std::string& name() const { return name_; }

  // Local midnight (as a UTC instant) of the local day containing `utc`.
  Millis day_start(Millis utc) const;
  // Start (UTC instant) of the local `width`-long interval containing `utc` (local times
  // aligned to local midnight).
  Millis interval_start(Millis utc, Millis width) const;
  // "2026-12-01T10:15:00+01:00"
  std::string format(Millis utc) const;

 private:
  TimeZone() = default;
  std::string name_ = "UTC";
  Millis fixed_ = 0;
  std::vector<std::int64_t> transitions_;  // seconds since the epoch, ascending
  std::vector<std::int32_t> offsets_;      // offset in seconds from transitions_[i] on
  std::int32_t initial_ = 0;               // before the first transition
};

// An instant of a report range, as the API (`from`, `to`) and the `report` / `reports define`
// commands take it: epoch milliseconds (more than 8 digits); a local day "YYYY-MM-DD" (its start,
// or for the end of a range (`end`) the next local midnight, so the day is included); or a local
// time "YYYY-MM-DDTHH:MM[:SS]" (a space works instead of the "T") with an optional "Z" or
// "±HH:MM". Local times are in `tz`, which may change its offset (the offset in force at the
// instant itself is used). InvalidArgument says what is wrong.
Result<Millis> parse_report_instant(std::string_view text, const TimeZone& tz, bool end);

// Days since 1970-01-01 of a civil date, and back (proleptic Gregorian).
std::int64_t days_from_civil(int y, int m, int d);
void civil_from_days(std::int64_t z, int& y, int& m, int& d);
// 0 = Monday .. 6 = Sunday.
int weekday_of_days(std::int64_t days);

}  // namespace sb::reports
