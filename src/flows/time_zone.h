#pragma once
// Local time in an IANA time zone, for business-hours checks. Backed by ICU's time zone data
// (tzdata compiled into libicu), so the answer depends only on the instant and the zone name —
// never on the machine's own time zone or clock.

#include <cstdint>
#include <string_view>

#include "base/status.h"
#include "base/time.h"

namespace sb::flows {

struct LocalTime {
  int year = 1970;
  int month = 1;    // 1..12
  int day = 1;      // 1..31
  int weekday = 0;  // 0 = Monday .. 6 = Sunday
  int minute_of_day = 0;
  std::int32_t utc_offset_minutes = 0;  // including daylight saving time
};

bool is_known_time_zone(std::string_view name);
// The local wall-clock time at `utc` in zone `name`; NotFound for an unknown zone.
Result<LocalTime> local_time(std::string_view name, Millis utc);
// Civil date (proleptic Gregorian) of a day count since 1970-01-01, and its weekday.
void civil_from_days(std::int64_t days, int& year, int& month, int& day);
std::int64_t days_from_civil(int year, int month, int day);

}  // namespace sb::flows
