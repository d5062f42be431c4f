#include "reports/importer.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <set>
#include <unordered_map>

#include "reports/time_zone.h"
#include "routing/commands.h"
#include "routing/engine.h"
#include "store/recovery.h"

namespace sb::reports {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Splits one CSV record (RFC 4180 quoting; no line breaks inside quotes).
Result<std::vector<std::string>> split_csv(std::string_view line) {
  std::vector<std::string> out;
  std::string field;
  bool quoted = false, was_quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < line.size() && line[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        field += c;
      }
    } else if (c == '"' && trim(field).empty() && !was_quoted) {
      field.clear();
      quoted = was_quoted = true;
    } else if (c == ',') {
      out.push_back(was_quoted ? field : std::string(trim(field)));
      field.clear();
      was_quoted = false;
    } else {
      field += c;
    }
  }
  if (quoted) return Status::invalid_argument("unterminated quoted field");
  out.push_back(was_quoted ? field : std::string(trim(field)));
  return out;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Result<std::int64_t> parse_int(std::string_view s, const char* what) {
  if (!all_digits(s) || s.size() > 15)
    return Status::invalid_argument(std::string(what) + " '" + std::string(s) +
                                    "' is not a number");
  return std::stoll(std::string(s));
}

// "123", "12.5", "H:MM:SS", "MM:SS" -> milliseconds; "" -> 0.
Result<Millis> parse_duration(std::string_view s, const char* what) {
  s = trim(s);
  if (s.empty()) return Millis{0};
  auto bad = [&] {
    return Status::invalid_argument(std::string(what) + " '" + std::string(s) +
                                    "' is not a duration (seconds or H:MM:SS)");
  };
  if (s.find(':') != std::string_view::npos) {
    Millis total = 0;
    int parts = 0;
    std::size_t start = 0;
    while (start <= s.size()) {
      const std::size_t colon = std::min(s.find(':', start), s.size());
      const std::string_view part = s.substr(start, colon - start);
      if (!all_digits(part) || part.size() > 6) return bad();
      total = total * 60 + std::stoll(std::string(part));
      ++parts;
      start = colon + 1;
    }
    if (parts > 3) return bad();
    return total * kMillisPerSecond;
  }
  const std::size_t dot = s.find('.');
  const std::string_view whole = s.substr(0, dot);
  const std::string_view frac = dot == std::string_view::npos ? "" : s.substr(dot + 1);
  if (!all_digits(whole) || whole.size() > 9 ||
      (dot != std::string_view::npos && !all_digits(frac)))
    return bad();
  Millis ms = std::stoll(std::string(whole)) * kMillisPerSecond;
  Millis scale = 100;
  for (char c : frac) {
    ms += (c - '0') * scale;
    scale /= 10;
  }
  return ms;
}

// ISO 8601 "YYYY-MM-DD[ T]HH:MM[:SS[.fff]][Z|±HH:MM]" or epoch seconds.
Result<Millis> parse_time(std::string_view s, const TimeZone& tz) {
  s = trim(s);
  if (all_digits(s)) {
    auto v = parse_int(s, "arrival_time");
    if (!v.ok()) return v.status();
    return *v * kMillisPerSecond;
  }
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, consumed = 0;
  if (std::sscanf(std::string(s).c_str(), "%4d-%2d-%2d%*1[ T]%2d:%2d%n", &y, &mo, &d, &h, &mi,
                  &consumed) != 5 ||
      consumed < 15)
    return Status::invalid_argument("arrival_time '" + std::string(s) +
                                    "' is not a date and time (YYYY-MM-DD HH:MM:SS)");
  std::string_view rest = s.substr(static_cast<std::size_t>(consumed));
  Millis ms = 0;
  if (!rest.empty() && rest.front() == ':') {
    rest.remove_prefix(1);
    std::size_t n = 0;
    while (n < rest.size() && (std::isdigit(static_cast<unsigned char>(rest[n])) || rest[n] == '.'))
      ++n;
    auto sec = parse_duration(rest.substr(0, n), "seconds");
    if (!sec.ok() || *sec >= 61 * kMillisPerSecond)
      return Status::invalid_argument("arrival_time '" + std::string(s) + "' has bad seconds");
    ms = *sec;
    rest.remove_prefix(n);
  }
  int cy = 0, cm = 0, cd = 0;
  civil_from_days(days_from_civil(y, mo, d), cy, cm, cd);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || cy != y || cm != mo || cd != d || h > 23 || mi > 59)
    return Status::invalid_argument("arrival_time '" + std::string(s) +
                                    "' is not a valid date and time");
  const Millis local =
      days_from_civil(y, mo, d) * kMillisPerDay + h * kMillisPerHour + mi * kMillisPerMinute + ms;
  if (rest.empty()) return local - tz.offset_at(local - tz.offset_at(local));
  if (rest == "Z") return local;
  auto offset = TimeZone::parse(rest);
  if (!offset.ok() || (rest.front() != '+' && rest.front() != '-'))
    return Status::invalid_argument("arrival_time '" + std::string(s) + "' has a bad UTC offset");
  return local - offset->offset_at(0);
}

Result<ImportOutcome> parse_outcome(std::string_view s) {
  const std::string v = lower(trim(s));
  if (v == "answered" || v == "handled") return ImportOutcome::kAnswered;
  if (v == "abandoned") return ImportOutcome::kAbandoned;
  if (v == "timed_out" || v == "timeout") return ImportOutcome::kTimedOut;
  if (v == "blocked") return ImportOutcome::kBlocked;
  return Status::invalid_argument("outcome '" + std::string(s) +
                                  "' is not answered, abandoned, timed_out or blocked");
}

std::uint64_t fnv1a(std::uint64_t h, std::string_view s) {
  for (char c : s) h = (h ^ static_cast<std::uint8_t>(c)) * 0x100000001B3ull;
  return h;
}

// ---- CSV ----

Status parse_csv(std::istream& in, const ImportOptions& o, const TimeZone& tz, ParsedHistory& out,
                 std::uint64_t& hash) {
  std::string line;
  std::map<std::string, std::size_t> col;
  const std::vector<std::string> required = {"arrival_time", "queue", "wait", "outcome"};
  const std::vector<std::string> known = {"arrival_time", "queue",   "wait",   "outcome",
                                          "talk",         "hold",    "wrap",   "agent",
                                          "customer_id",  "channel", "call_id"};
  bool header = true;
  while (std::getline(in, line)) {
    ++out.lines;
    hash = fnv1a(hash, line);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (header) {
      if (line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // UTF-8 byte order mark
      auto names = split_csv(line);
      if (!names.ok()) return Status::invalid_argument("line 1: " + names.status().message());
      for (std::size_t i = 0; i < names->size(); ++i) {
        const std::string n = lower((*names)[i]);
        if (std::find(known.begin(), known.end(), n) == known.end())
          return Status::invalid_argument("line 1: unknown column '" + (*names)[i] +
                                          "' (known: arrival_time, queue, wait, outcome, talk, "
                                          "hold, wrap, agent, customer_id, channel, call_id)");
        if (col.count(n)) return Status::invalid_argument("line 1: column '" + n + "' twice");
        col[n] = i;
      }
      for (const std::string& r : required)
        if (!col.count(r))
          return Status::invalid_argument("line 1: the header has no '" + r + "' column");
      header = false;
      continue;
    }
    if (trim(line).empty()) continue;
    auto problem = [&](const std::string& why) { out.problems.push_back({out.lines, why}); };
    auto fields = split_csv(line);
    if (!fields.ok()) {
      problem(fields.status().message());
      continue;
    }
    if (fields->size() != col.size()) {
      problem("expected " + std::to_string(col.size()) + " fields, found " +
              std::to_string(fields->size()));
      continue;
    }
    auto get = [&](const char* name) -> std::string {
      auto it = col.find(name);
      return it == col.end() ? std::string() : (*fields)[it->second];
    };
    ImportedContact c;
    c.source = o.source_name;
    c.external_id = get("call_id").empty() ? "line " + std::to_string(out.lines) : get("call_id");
    c.channel = o.channel;
    Status st;
    auto take = [&](auto result, auto& target) {
      if (!st.ok()) return;
      if (!result.ok()) {
        st = result.status();
      } else {
        target = *result;
      }
    };
    take(parse_time(get("arrival_time"), tz), c.arrived_at);
    take(parse_outcome(get("outcome")), c.outcome);
    take(parse_duration(get("wait"), "wait"), c.wait);
    take(parse_duration(get("talk"), "talk"), c.talk);
    take(parse_duration(get("hold"), "hold"), c.hold);
    take(parse_duration(get("wrap"), "wrap"), c.wrap);
    if (st.ok() && !get("channel").empty()) take(parse_channel(lower(get("channel"))), c.channel);
    c.queue = get("queue");
    c.agent = get("agent");
    c.customer = get("customer_id");
    if (st.ok() && c.queue.empty()) st = Status::invalid_argument("queue is empty");
    if (st.ok() && c.outcome != ImportOutcome::kAnswered && (c.talk || c.hold || c.wrap))
      st = Status::invalid_argument("talk, hold or wrap time on a contact that was not answered");
    if (!st.ok()) {
      problem(st.message());
      continue;
    }
    out.contacts.push_back(std::move(c));
  }
  if (header) return Status::invalid_argument("the file is empty (no header row)");
  return {};
}

// ---- Asterisk queue_log ----

struct OpenCall {
  ImportedContact c;
  std::size_t line = 0;
  bool connected = false;
};

Status parse_queue_log(std::istream& in, const ImportOptions& o, ParsedHistory& out,
                       std::uint64_t& hash) {
  std::unordered_map<std::string, OpenCall> open;
  std::string line;
  auto finish = [&](OpenCall& call, ImportOutcome outcome) {
    call.c.outcome = outcome;
    out.contacts.push_back(std::move(call.c));
  };
  while (std::getline(in, line)) {
    ++out.lines;
    hash = fnv1a(hash, line);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (trim(line).empty()) continue;
    auto problem = [&](const std::string& why) { out.problems.push_back({out.lines, why}); };
    std::vector<std::string> f;
    std::size_t start = 0;
    while (true) {
      const std::size_t bar = line.find('|', start);
      f.emplace_back(line.substr(start, bar == std::string::npos ? bar : bar - start));
      if (bar == std::string::npos) break;
      start = bar + 1;
    }
    if (f.size() < 5) {
      problem("expected timestamp|callid|queue|agent|event|data..., found " +
              std::to_string(f.size()) + " fields");
      continue;
    }
    auto ts = parse_int(f[0], "timestamp");
    if (!ts.ok()) {
      problem(ts.status().message());
      continue;
    }
    const Millis at = *ts * kMillisPerSecond;
    const std::string& callid = f[1];
    const std::string& queue = f[2];
    const std::string& agent = f[3];
    const std::string& event = f[4];
    auto data = [&](std::size_t i) -> std::string {
      return 5 + i < f.size() ? f[5 + i] : std::string();
    };
    auto seconds = [&](std::size_t i, const char* what) -> Result<Millis> {
      auto v = parse_int(data(i), what);
      if (!v.ok()) return v.status();
      return *v * kMillisPerSecond;
    };
    // Queue-wide and agent events carry no call ("NONE").
    if (callid == "NONE" || callid.empty()) continue;
    if (event == "ENTERQUEUE") {
      if (auto it = open.find(callid); it != open.end())
        out.problems.push_back(
            {it->second.line, "call " + callid + " entered queue " + queue + " again (line " +
                                  std::to_string(out.lines) +
                                  ") before this entry ended; the entry is skipped"});
      OpenCall call;
      call.line = out.lines;
      call.c.source = o.source_name;
      call.c.external_id = callid;
      call.c.arrived_at = at;
      call.c.channel = o.channel;
      call.c.queue = queue;
      call.c.customer = data(1);
      open[callid] = std::move(call);
      continue;
    }
    if (event == "FULL" || event == "JOINEMPTY") {
      OpenCall call;
      call.c.source = o.source_name;
      call.c.external_id = callid;
      call.c.arrived_at = at;
      call.c.channel = o.channel;
      call.c.queue = queue;
      finish(call, ImportOutcome::kBlocked);
      continue;
    }
    static const std::set<std::string> kCallEvents = {
        "CONNECT",   "COMPLETEAGENT", "COMPLETECALLER", "ABANDON",       "EXITWITHTIMEOUT",
        "EXITEMPTY", "EXITWITHKEY",   "TRANSFER",       "BLINDTRANSFER", "ATTENDEDTRANSFER"};
    if (!kCallEvents.count(event)) continue;  // RINGNOANSWER, AGENTLOGIN, PAUSE, ...
    auto it = open.find(callid);
    if (it == open.end()) {
      problem(event + " for call " + callid + " without an ENTERQUEUE");
      continue;
    }
    OpenCall& call = it->second;
    Status st;
    if (event == "CONNECT") {
      auto wait = seconds(0, "holdtime");
      if (!wait.ok()) {
        problem(wait.status().message());
        continue;
      }
      call.c.wait = *wait;
      call.c.agent = agent;
      call.connected = true;
      continue;
    }
    if (event == "ABANDON" || event == "EXITWITHTIMEOUT" || event == "EXITEMPTY" ||
        event == "EXITWITHKEY") {
      auto wait = seconds(event == "EXITWITHKEY" ? 3 : 2, "waittime");
      if (!wait.ok()) {
        problem(wait.status().message());
        open.erase(it);
        continue;
      }
      call.c.wait = *wait;
      finish(call, event == "ABANDON" ? ImportOutcome::kAbandoned : ImportOutcome::kTimedOut);
      open.erase(it);
      continue;
    }
    // COMPLETEAGENT / COMPLETECALLER: holdtime|calltime|origposition; TRANSFER and
    // BLINDTRANSFER: extension|context|holdtime|calltime|origposition; ATTENDEDTRANSFER:
    // method|data|holdtime|calltime|origposition.
    const bool transfer = event.find("TRANSFER") != std::string::npos;
    auto wait = seconds(transfer ? 2 : 0, "holdtime");
    auto talk = seconds(transfer ? 3 : 1, "calltime");
    if (!wait.ok() || !talk.ok()) {
      problem((wait.ok() ? talk.status() : wait.status()).message());
      open.erase(it);
      continue;
    }
    call.c.wait = *wait;
    call.c.talk = *talk;
    if (call.c.agent.empty()) call.c.agent = agent;
    call.c.transferred = transfer;
    finish(call, ImportOutcome::kAnswered);
    open.erase(it);
  }
  for (auto& [id, call] : open)
    out.problems.push_back({call.line, "call " + id + " has no outcome by the end of the file (" +
                                           (call.connected ? "still connected" : "still waiting") +
                                           "); skipped"});
  return {};
}

}  // namespace

Result<ImportFormat> parse_import_format(std::string_view name) {
  if (name == "csv") return ImportFormat::kCsv;
  if (name == "queue_log") return ImportFormat::kQueueLog;
  return Status::invalid_argument("unknown import format '" + std::string(name) +
                                  "' (expected csv or queue_log)");
}

Result<ParsedHistory> parse_history(std::istream& in, const ImportOptions& options) {
  auto tz = TimeZone::parse(options.time_zone);
  if (!tz.ok()) return tz.status();
  ParsedHistory out;
  std::uint64_t hash = 0xcbf29ce484222325ull;
  ImportOptions o = options;
  o.source_name =
      (options.format == ImportFormat::kCsv ? "csv:" : "queue_log:") + options.source_name;
  if (options.format == ImportFormat::kCsv) {
    SB_RETURN_IF_ERROR(parse_csv(in, o, *tz, out, hash));
  } else {
    SB_RETURN_IF_ERROR(parse_queue_log(in, o, out, hash));
  }
  if (in.bad()) return Status::io_error("read error in " + options.source_name);
  // The content hash tells a second import of the same file from a different file of that name.
  char hex[20];
  std::snprintf(hex, sizeof hex, "#%016llx", static_cast<unsigned long long>(hash));
  for (ImportedContact& c : out.contacts) c.source += hex;
  std::stable_sort(out.contacts.begin(), out.contacts.end(),
                   [](const auto& a, const auto& b) { return a.arrived_at < b.arrived_at; });
  std::stable_sort(out.problems.begin(), out.problems.end(),
                   [](const auto& a, const auto& b) { return a.line < b.line; });
  return out;
}

Result<ImportSummary> append_history(EventStore& log, const std::vector<ImportedContact>& contacts,
                                     Millis now) {
  ImportSummary summary;
  if (contacts.empty()) return summary;
  std::set<std::string> sources;
  for (const ImportedContact& c : contacts) sources.insert(c.source);
  Millis last_at = 0;
  SB_RETURN_IF_ERROR(log.read(1, [&](std::span<const Event> batch) -> Status {
    for (const Event& e : batch) {
      last_at = std::max(last_at, e.at);
      if (const auto* x = std::get_if<ev::ContactImported>(&e.payload))
        if (x->record && sources.count(x->record->source))
          return Status::already_exists("this file was imported before (" + x->record->source +
                                        ", event " + std::to_string(e.seq) + ")");
    }
    return {};
  }));
  Engine engine;
  auto recovered = recover(log, engine);
  if (!recovered.ok()) return recovered.status();
  now = std::max(now, last_at);
  std::vector<Event> events;
  events.reserve(contacts.size());
  Output out;
  for (const ImportedContact& c : contacts) {
    out.clear();
    SB_RETURN_IF_ERROR(engine.handle(cmd::ImportContact{c}, now, out));
    events.insert(events.end(), out.events.begin(), out.events.end());
    switch (c.outcome) {
      case ImportOutcome::kAnswered:
        summary.answered++;
        break;
      case ImportOutcome::kAbandoned:
        summary.abandoned++;
        break;
      case ImportOutcome::kTimedOut:
        summary.timed_out++;
        break;
      case ImportOutcome::kBlocked:
        summary.blocked++;
        break;
    }
  }
  SB_RETURN_IF_ERROR(log.append(events));
  summary.contacts = contacts.size();
  summary.first_seq = events.front().seq;
  summary.last_seq = events.back().seq;
  return summary;
}

}  // namespace sb::reports
