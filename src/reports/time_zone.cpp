#include "reports/time_zone.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>

namespace sb::reports {
namespace {

Millis floor_div(Millis a, Millis b) {
  Millis q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

std::int64_t be(const std::string& s, std::size_t pos, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<std::uint8_t>(s[pos + i]);
  if (bytes == 4) return static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
  return static_cast<std::int64_t>(v);
}

Result<int> digits(std::string_view s) {
  if (s.empty()) return Status::invalid_argument("missing digits");
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return Status::invalid_argument("not a digit");
    v = v * 10 + (c - '0');
  }
  return v;
}

}  // namespace

std::int64_t days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, int& y, int& m, int& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y = static_cast<int>(static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2));
}

int weekday_of_days(std::int64_t days) {
  // 1970-01-01 was a Thursday (3 with Monday = 0).
  return static_cast<int>(((days % 7) + 7 + 3) % 7);
}

Result<TimeZone> TimeZone::parse(std::string_view spec) {
  TimeZone tz;
  tz.name_ = std::string(spec);
  if (spec.empty() || spec == "UTC" || spec == "Z" || spec == "Etc/UTC") {
    tz.name_ = "UTC";
    return tz;
  }
  if (spec[0] == '+' || spec[0] == '-') {
    std::string_view rest = spec.substr(1);
    std::string_view hh = rest, mm;
    if (auto colon = rest.find(':'); colon != std::string_view::npos) {
      hh = rest.substr(0, colon);
      mm = rest.substr(colon + 1);
    } else if (rest.size() == 4) {
      hh = rest.substr(0, 2);
      mm = rest.substr(2);
    }
    auto h = digits(hh);
    auto m = mm.empty() ? Result<int>(0) : digits(mm);
    if (!h.ok() || !m.ok() || hh.size() > 2 || mm.size() > 2 || *h > 14 || *m > 59)
      return Status::invalid_argument("bad UTC offset '" + std::string(spec) +
                                      "' (expected +HH:MM, +HHMM or +HH)");
    if (*m % 15 != 0)
      return Status::invalid_argument("UTC offset '" + std::string(spec) +
                                      "' is not a multiple of 15 minutes");
    tz.fixed_ = (spec[0] == '-' ? -1 : 1) * (*h * 60 + *m) * kMillisPerMinute;
    return tz;
  }
  // IANA name: only letters, digits, '/', '_', '-', '+' and no "..", so that it stays inside
  // the zoneinfo directory.
  for (char c : spec) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '/' || c == '_' || c == '-' || c == '+';
    if (!ok) return Status::invalid_argument("bad time zone name '" + std::string(spec) + "'");
  }
  if (spec.find("..") != std::string_view::npos || spec.front() == '/')
    return Status::invalid_argument("bad time zone name '" + std::string(spec) + "'");
  const char* dir = std::getenv("TZDIR");
  const std::string path =
      std::string(dir && *dir ? dir : "/usr/share/zoneinfo") + "/" + std::string(spec);
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::not_found("unknown time zone '" + std::string(spec) + "'");
  const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto bad = [&] { return Status::invalid_argument("time zone file " + path + " is not TZif"); };
  if (data.size() < 44 || data.compare(0, 4, "TZif") != 0) return bad();
  auto counts = [&](std::size_t at, std::int64_t c[6]) {
    for (int i = 0; i < 6; ++i) c[i] = be(data, at + 20 + 4 * i, 4);
  };
  std::int64_t c[6];  // isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
  counts(0, c);
  std::size_t pos = 44;
  int time_bytes = 4;
  if (data[4] >= '2') {
    // Skip the 32-bit block and read the 64-bit one.
    pos += static_cast<std::size_t>(c[3] * 4 + c[3] + c[4] * 6 + c[5] + c[2] * 8 + c[1] + c[0]);
    if (data.size() < pos + 44 || data.compare(pos, 4, "TZif") != 0) return bad();
    counts(pos, c);
    pos += 44;
    time_bytes = 8;
  }
  const std::size_t need = static_cast<std::size_t>(c[3] * time_bytes + c[3] + c[4] * 6);
  if (c[4] < 1 || data.size() < pos + need) return bad();
  std::vector<std::int64_t> times(static_cast<std::size_t>(c[3]));
  for (auto& t : times) {
    t = be(data, pos, time_bytes);
    pos += time_bytes;
  }
  std::vector<std::uint8_t> idx(static_cast<std::size_t>(c[3]));
  for (auto& i : idx) i = static_cast<std::uint8_t>(data[pos++]);
  std::vector<std::int32_t> type_offsets(static_cast<std::size_t>(c[4]));
  for (auto& o : type_offsets) {
    o = static_cast<std::int32_t>(be(data, pos, 4));
    pos += 6;
  }
  for (auto i : idx)
    if (i >= type_offsets.size()) return bad();
  tz.initial_ = type_offsets[0];
  tz.transitions_ = std::move(times);
  for (auto i : idx) tz.offsets_.push_back(type_offsets[i]);
  if (tz.transitions_.empty()) tz.fixed_ = static_cast<Millis>(tz.initial_) * 1000;
  return tz;
}

Millis TimeZone::offset_at(Millis utc) const {
  if (transitions_.empty()) return fixed_;
  const std::int64_t s = floor_div(utc, 1000);
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), s);
  if (it == transitions_.begin()) return static_cast<Millis>(initial_) * 1000;
  return static_cast<Millis>(offsets_[static_cast<std::size_t>(it - transitions_.begin() - 1)]) *
         1000;
}

Millis TimeZone::interval_start(Millis utc, Millis width) const {
  const Millis off = offset_at(utc);
  const Millis local = utc + off;
  const Millis start_local = floor_div(local, width) * width;
  return start_local - off;
}

Millis TimeZone::day_start(Millis utc) const {
  const Millis off = offset_at(utc);
  const Millis local_midnight = floor_div(utc + off, kMillisPerDay) * kMillisPerDay;
  // The offset at midnight may differ from the one now (a DST change during the day).
  return local_midnight - offset_at(local_midnight - off);
}

std::string TimeZone::format(Millis utc) const {
  const Millis off = offset_at(utc);
  const Millis local = utc + off;
  const std::int64_t days = floor_div(local, kMillisPerDay);
  const Millis in_day = local - days * kMillisPerDay;
  int y, m, d;
  civil_from_days(days, y, m, d);
  const int hh = static_cast<int>(in_day / kMillisPerHour);
  const int mi = static_cast<int>(in_day % kMillisPerHour / kMillisPerMinute);
  const int ss = static_cast<int>(in_day % kMillisPerMinute / 1000);
  const Millis aoff = off < 0 ? -off : off;
  const int oh = static_cast<int>(aoff / kMillisPerHour);
  const int om = static_cast<int>(aoff % kMillisPerHour / kMillisPerMinute);
  if (y >= 0 && y <= 9999 && oh < 100) {
    // What the snprintf below prints, without its format parsing (a report of a year of
    // 15-minute rows formats 35,040 of these).
    char out[25];
    auto two = [&](int at, int v) {
      out[at] = static_cast<char>('0' + v / 10);
      out[at + 1] = static_cast<char>('0' + v % 10);
    };
    two(0, y / 100);
    two(2, y % 100);
    out[4] = '-';
    two(5, m);
    out[7] = '-';
    two(8, d);
    out[10] = 'T';
    two(11, hh);
    out[13] = ':';
    two(14, mi);
    out[16] = ':';
    two(17, ss);
    out[19] = off < 0 ? '-' : '+';
    two(20, oh);
    out[22] = ':';
    two(23, om);
    return std::string(out, sizeof out);
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", y, m, d, hh, mi, ss,
                off < 0 ? '-' : '+', static_cast<int>(aoff / kMillisPerHour),
                static_cast<int>(aoff % kMillisPerHour / kMillisPerMinute));
  return buf;
}

namespace {

// `n` decimal digits at text[pos], advancing pos; nullopt-like -1 when they are not there.
int digits(std::string_view text, std::size_t& pos, int n) {
  if (pos + static_cast<std::size_t>(n) > text.size()) return -1;
  int v = 0;
  for (int i = 0; i < n; ++i) {
    const char c = text[pos + static_cast<std::size_t>(i)];
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  pos += static_cast<std::size_t>(n);
  return v;
}

}  // namespace

Result<Millis> parse_report_instant(std::string_view text, const TimeZone& tz, bool end) {
  const std::string quoted = "'" + std::string(text) + "'";
  if (text.size() > 8 && text.find_first_not_of("0123456789") == std::string_view::npos) {
    if (text.size() > 15) return Status::invalid_argument(quoted + " is out of range");
    Millis v = 0;
    for (char c : text) v = v * 10 + (c - '0');
    return v;
  }
  std::size_t pos = 0;
  const int y = digits(text, pos, 4);
  const bool dash1 = pos < text.size() && text[pos] == '-' && (++pos, true);
  const int m = dash1 ? digits(text, pos, 2) : -1;
  const bool dash2 = m >= 0 && pos < text.size() && text[pos] == '-' && (++pos, true);
  const int d = dash2 ? digits(text, pos, 2) : -1;
  if (y < 0 || d < 0)
    return Status::invalid_argument(quoted +
                                    " is not a date (YYYY-MM-DD[THH:MM[:SS]][Z|±HH:MM] or "
                                    "epoch milliseconds)");
  int cy = 0, cm = 0, cd = 0;
  civil_from_days(days_from_civil(y, m, d), cy, cm, cd);
  if (cy != y || cm != m || cd != d) return Status::invalid_argument(quoted + " is not a date");
  Millis local = days_from_civil(y, m, d) * kMillisPerDay;
  // Local wall time -> UTC: the offset in force at the instant itself (found in two steps, so
  // that times next to a daylight-saving change land on the right side).
  auto to_utc = [&](Millis wall) { return wall - tz.offset_at(wall - tz.offset_at(wall)); };
  if (pos == text.size()) return to_utc(end ? local + kMillisPerDay : local);
  if (text[pos] != 'T' && text[pos] != ' ')
    return Status::invalid_argument(quoted + " has a bad time of day (THH:MM)");
  ++pos;
  const int hh = digits(text, pos, 2);
  const bool colon = hh >= 0 && pos < text.size() && text[pos] == ':' && (++pos, true);
  const int mm = colon ? digits(text, pos, 2) : -1;
  if (mm < 0 || hh > 23 || mm > 59)
    return Status::invalid_argument(quoted + " has a bad time of day (THH:MM)");
  int ss = 0;
  if (pos < text.size() && text[pos] == ':') {
    ++pos;
    ss = digits(text, pos, 2);
    if (ss < 0 || ss > 59) return Status::invalid_argument(quoted + " has bad seconds");
  }
  local += hh * kMillisPerHour + mm * kMillisPerMinute + ss * kMillisPerSecond;
  const std::string_view rest = text.substr(pos);
  if (rest.empty()) return to_utc(local);
  if (rest == "Z") return local;
  auto offset = TimeZone::parse(rest);
  if ((rest[0] != '+' && rest[0] != '-') || !offset.ok())
    return Status::invalid_argument(quoted + " has a bad UTC offset");
  return local - offset->offset_at(0);
}

}  // namespace sb::reports
