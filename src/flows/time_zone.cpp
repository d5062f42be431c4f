#include "flows/time_zone.h"

#include <unicode/timezone.h>
#include <unicode/unistr.h>

#include <memory>
#include <string>

namespace sb::flows {
namespace {

std::unique_ptr<icu::TimeZone> open_zone(std::string_view name) {
  if (name.empty()) return nullptr;
  std::unique_ptr<icu::TimeZone> tz(icu::TimeZone::createTimeZone(icu::UnicodeString::fromUTF8(
      icu::StringPiece(name.data(), static_cast<int32_t>(name.size())))));
  if (!tz) return nullptr;
  // ICU answers an unknown id with a GMT zone named "Etc/Unknown".
  icu::UnicodeString id;
  tz->getID(id);
  if (id == icu::UnicodeString(u"Etc/Unknown")) return nullptr;
  return tz;
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

}  // namespace

// Howard Hinnant's public-domain civil calendar algorithms.
std::int64_t days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + static_cast<unsigned>(d) - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, int& year, int& month, int& day) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  year = static_cast<int>(y + (month <= 2));
}

bool is_known_time_zone(std::string_view name) { return open_zone(name) != nullptr; }

Result<LocalTime> local_time(std::string_view name, Millis utc) {
  auto tz = open_zone(name);
  if (!tz) return Status::not_found("unknown time zone \"" + std::string(name) + "\"");
  std::int32_t raw = 0;
  std::int32_t dst = 0;
  UErrorCode err = U_ZERO_ERROR;
  tz->getOffset(static_cast<UDate>(utc), false, raw, dst, err);
  if (U_FAILURE(err)) {
    return Status::internal("time zone \"" + std::string(name) + "\": " + u_errorName(err));
  }
  LocalTime lt;
  lt.utc_offset_minutes = (raw + dst) / 60000;
  const Millis local = utc + static_cast<Millis>(raw + dst);
  const std::int64_t days = floor_div(local, kMillisPerDay);
  civil_from_days(days, lt.year, lt.month, lt.day);
  // 1970-01-01 was a Thursday (3 with Monday = 0).
  lt.weekday = static_cast<int>(((days % 7) + 7 + 3) % 7);
  lt.minute_of_day = static_cast<int>((local - days * kMillisPerDay) / kMillisPerMinute);
  return lt;
}

}  // namespace sb::flows
