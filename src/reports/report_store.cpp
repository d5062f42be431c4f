#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_map>
#include <utility>

#include "base/varint.h"
#include "reports/aggregator.h"
#include "reports/cells.h"
#include "reports/histogram_sum.h"
#include "reports/report_query.h"
#include "reports/time_zone.h"

namespace sb::reports {

// ---------------------------------------------------------------------------------------------
// Field blobs.

std::string encode_fields(const std::array<std::int64_t, kFieldCount>& v) {
  std::string out;
  put_varint(out, kFieldCount);
  for (std::int64_t x : v)
    put_varint(out, (static_cast<std::uint64_t>(x) << 1) ^ static_cast<std::uint64_t>(x >> 63));
  return out;
}

Status decode_fields(std::string_view bytes, std::array<std::int64_t, kFieldCount>& v) {
  v.fill(0);
  std::size_t pos = 0;
  std::uint64_t n = 0;
  if (!get_varint(bytes, pos, n)) return Status::corruption("cell fields: truncated count");
  for (std::uint64_t i = 0; i < n; ++i) {
    std::uint64_t u = 0;
    if (!get_varint(bytes, pos, u)) return Status::corruption("cell fields: truncated");
    // Fields a newer build appended are ignored by this one.
    if (i < kFieldCount) v[i] = static_cast<std::int64_t>((u >> 1) ^ (~(u & 1) + 1));
  }
  if (pos != bytes.size()) return Status::corruption("cell fields: trailing bytes");
  return {};
}

namespace {

// Offers per UTC hour of a rollup row: 24 for a day, kMonthHours for a month (31 days; the hours
// past the end of a shorter month stay zero).
constexpr std::size_t kMonthHours = 31 * 24;

std::string encode_hours(const std::vector<std::int64_t>& h) {
  std::string out;
  put_varint(out, h.size());
  for (std::int64_t x : h) put_varint(out, zigzag(x));
  return out;
}

Status decode_hours(std::string_view bytes, std::vector<std::int64_t>& h, std::size_t expected) {
  h.assign(expected, 0);
  std::size_t pos = 0;
  std::uint64_t n = 0;
  if (!get_varint(bytes, pos, n) || n != expected)
    return Status::corruption("rollup hours: bad count");
  for (auto& x : h) {
    std::uint64_t u = 0;
    if (!get_varint(bytes, pos, u)) return Status::corruption("rollup hours: truncated");
    x = unzigzag(u);
  }
  return {};
}

// Whether a cell (or a sum of cells) counts contacts: only those carry a definition version
// (agent time and surveys have none). The fields tested only ever grow.
bool has_contacts(const std::array<std::int64_t, kFieldCount>& v) {
  return v[kOffered] || v[kHandled] || v[kAbandoned] || v[kTimedOut] || v[kBlocked] || v[kLegs] ||
         v[kFlowedOut];
}

using QueueVersions = std::vector<std::pair<std::int64_t, std::int64_t>>;  // sorted, unique

// The (queue, version) pairs of a `day_totals` row: a count, then each pair's two varints.
std::string encode_pairs(const QueueVersions& pairs) {
  std::string out;
  put_varint(out, pairs.size());
  for (const auto& [q, v] : pairs) {
    put_varint(out, zigzag(q));
    put_varint(out, zigzag(v));
  }
  return out;
}

Status decode_pairs(std::string_view bytes, QueueVersions& pairs) {
  pairs.clear();
  std::size_t pos = 0;
  std::uint64_t n = 0;
  if (!get_varint(bytes, pos, n) || n > bytes.size())
    return Status::corruption("day totals: bad queue count");
  for (std::uint64_t i = 0; i < n; ++i) {
    std::uint64_t q = 0, v = 0;
    if (!get_varint(bytes, pos, q) || !get_varint(bytes, pos, v))
      return Status::corruption("day totals: truncated queues");
    pairs.emplace_back(unzigzag(q), unzigzag(v));
  }
  if (pos != bytes.size()) return Status::corruption("day totals: trailing bytes");
  return {};
}

void insert_pair(QueueVersions& pairs, std::pair<std::int64_t, std::int64_t> qv) {
  auto it = std::lower_bound(pairs.begin(), pairs.end(), qv);
  if (it == pairs.end() || *it != qv) pairs.insert(it, qv);
}

// Adds `more` (sorted, unique) to `pairs` (sorted, unique).
void merge_pairs(QueueVersions& pairs, const QueueVersions& more) {
  if (more.empty()) return;
  QueueVersions out;
  out.reserve(pairs.size() + more.size());
  std::set_union(pairs.begin(), pairs.end(), more.begin(), more.end(), std::back_inserter(out));
  pairs.swap(out);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// SQLite helpers.

namespace {

// 1: cells and days keyed by time first. 2: keyed by queue first, so that a report of some queues
// reads only their rows (opening a version 1 file rewrites its tables in the new order). 3: the
// day rollup of all queues (`day_totals`), added up from the days when an older file is opened.
// 4: the same per 15-minute interval (`interval_totals`), added up from the cells.
constexpr int kSchemaVersion = 4;

// How often (in event time) agents' open presence spans are written to the cells; see ingest().
constexpr Millis kAgentSettleStep = 5 * kMillisPerSecond;

struct Stmt {
  sqlite3_stmt* s = nullptr;
  Stmt() = default;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt() { sqlite3_finalize(s); }
};

Status db_error(sqlite3* db, const std::string& what) {
  return Status::io_error("reports.db: " + what + ": " + sqlite3_errmsg(db));
}

Status exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    return Status::io_error("reports.db: " + msg);
  }
  return {};
}

Status prepare(sqlite3* db, const char* sql, Stmt& st) {
  if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st.s, nullptr) != SQLITE_OK)
    return db_error(db, std::string("prepare ") + sql);
  return {};
}

std::string_view column_blob(sqlite3_stmt* s, int i) {
  const void* p = sqlite3_column_blob(s, i);
  const int n = sqlite3_column_bytes(s, i);
  return p ? std::string_view(static_cast<const char*>(p), static_cast<std::size_t>(n))
           : std::string_view();
}

using nlohmann::json;

json definition_to_json(const QueueDefinition& d) {
  return json{{"queue", d.queue},
              {"version", d.version},
              {"effective_from", d.effective_from},
              {"sl_threshold_ms", d.sl_threshold},
              {"preset", std::string(sl_preset_name(d.preset))},
              {"genesys",
               {{"include_abandons", d.genesys.include_abandons},
                {"exclude_short_abandons", d.genesys.exclude_short_abandons},
                {"include_flow_outs", d.genesys.include_flow_outs}}},
              {"short_abandon_ms", d.short_abandon},
              {"interval_minutes", d.interval_minutes},
              {"time_zone", d.time_zone}};
}

Result<QueueDefinition> definition_from_json(const json& j) {
  QueueDefinition d;
  try {
    d.queue = j.at("queue").get<std::string>();
    d.version = j.at("version").get<std::uint32_t>();
    d.effective_from = j.at("effective_from").get<Millis>();
    d.sl_threshold = j.at("sl_threshold_ms").get<Millis>();
    auto p = parse_sl_preset(j.at("preset").get<std::string>());
    if (!p.ok()) return p.status();
    d.preset = *p;
    const json& g = j.at("genesys");
    d.genesys.include_abandons = g.at("include_abandons").get<bool>();
    d.genesys.exclude_short_abandons = g.at("exclude_short_abandons").get<bool>();
    d.genesys.include_flow_outs = g.at("include_flow_outs").get<bool>();
    d.short_abandon = j.at("short_abandon_ms").get<Millis>();
    d.interval_minutes = j.at("interval_minutes").get<int>();
    d.time_zone = j.at("time_zone").get<std::string>();
  } catch (const json::exception& e) {
    return Status::corruption(std::string("reports.db definition: ") + e.what());
  }
  return d;
}

json settings_to_json(const CenterSettings& s) {
  json costs = json::object();
  for (const auto& [ch, c] : s.channel_minute_cost) costs[std::string(channel_name(ch))] = c;
  return json{{"repeat_window_ms", s.repeat_window},
              {"conversion_dispositions", s.conversion_dispositions},
              {"agent_hourly_cost", s.agent_hourly_cost},
              {"channel_minute_cost", costs}};
}

Result<CenterSettings> settings_from_json(const json& j) {
  CenterSettings s;
  try {
    s.repeat_window = j.at("repeat_window_ms").get<Millis>();
    s.conversion_dispositions = j.at("conversion_dispositions").get<std::vector<ReasonId>>();
    s.agent_hourly_cost = j.at("agent_hourly_cost").get<double>();
    for (const auto& [k, v] : j.at("channel_minute_cost").items()) {
      auto ch = parse_channel(k);
      if (!ch.ok()) return ch.status();
      s.channel_minute_cost[*ch] = v.get<double>();
    }
  } catch (const json::exception& e) {
    return Status::corruption(std::string("reports.db settings: ") + e.what());
  }
  return s;
}

Millis day_of(Millis t) {
  Millis q = t / kMillisPerDay;
  if (t % kMillisPerDay < 0) --q;
  return q * kMillisPerDay;
}

// Start of the UTC calendar month containing `t`, and of the next one.
Millis month_of(Millis t) {
  int y = 0, m = 0, d = 0;
  civil_from_days(day_of(t) / kMillisPerDay, y, m, d);
  return days_from_civil(y, m, 1) * kMillisPerDay;
}
Millis next_month(Millis month_start) { return month_of(month_start + 32 * kMillisPerDay); }

}  // namespace

// ---------------------------------------------------------------------------------------------

struct ReportStore::Impl {
  sqlite3* db = nullptr;
  mutable std::mutex mu;  // guards the connection and everything below
  DefinitionTable defs;
  CenterSettings settings;
  std::unique_ptr<Aggregator> agg;
  std::uint64_t applied_seq = 0;
  // Agent time is in the cells up to this instant (the end of the last committed batch).
  Millis settled_at = 0;
  IngestStats stats;
  Status failed;  // sticky: set when a batch could not be committed
  std::map<std::pair<char, std::int64_t>, std::string> dims;  // names for queries
  Stmt get_cell, put_cell, get_day, put_day, get_month, put_month, get_total, put_total, get_itotal,
      put_itotal, add_work, put_dim, put_meta;

  // sqlite3_close_v2 waits for the prepared statements (members, finalized after this body).
  ~Impl() {
    if (db) sqlite3_close_v2(db);
  }

  Status init() {
    std::int64_t migrate_from = 0;  // an older file: rewritten once the statements are ready
    // Queries read through a memory map: no copy of every page from the OS cache into SQLite's
    // (that copy was a tenth of a year-long report's time).
    SB_RETURN_IF_ERROR(exec(db,
                            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                            "PRAGMA mmap_size=2147418112;"));
    SB_RETURN_IF_ERROR(exec(db, R"sql(
      CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS cells(
        interval INTEGER NOT NULL, queue INTEGER NOT NULL, channel INTEGER NOT NULL,
        agent INTEGER NOT NULL, version INTEGER NOT NULL,
        fields BLOB NOT NULL, waits BLOB NOT NULL, handles BLOB NOT NULL,
        PRIMARY KEY(queue, interval, channel, agent, version)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS days(
        day INTEGER NOT NULL, queue INTEGER NOT NULL, channel INTEGER NOT NULL,
        version INTEGER NOT NULL,
        fields BLOB NOT NULL, waits BLOB NOT NULL, handles BLOB NOT NULL, hourly BLOB NOT NULL,
        PRIMARY KEY(queue, day, channel, version)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS months(
        month INTEGER NOT NULL, queue INTEGER NOT NULL, channel INTEGER NOT NULL,
        version INTEGER NOT NULL,
        fields BLOB NOT NULL, waits BLOB NOT NULL, handles BLOB NOT NULL, hourly BLOB NOT NULL,
        PRIMARY KEY(queue, month, channel, version)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS day_totals(
        day INTEGER NOT NULL, channel INTEGER NOT NULL,
        fields BLOB NOT NULL, waits BLOB NOT NULL, handles BLOB NOT NULL, hourly BLOB NOT NULL,
        queues BLOB NOT NULL,
        PRIMARY KEY(day, channel)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS interval_totals(
        interval INTEGER NOT NULL, channel INTEGER NOT NULL,
        fields BLOB NOT NULL, waits BLOB NOT NULL, handles BLOB NOT NULL, queues BLOB NOT NULL,
        PRIMARY KEY(interval, channel)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS agent_work(
        interval INTEGER NOT NULL, agent INTEGER NOT NULL, queue INTEGER NOT NULL,
        handle_ms INTEGER NOT NULL, available_ms INTEGER NOT NULL, occupied_ms INTEGER NOT NULL,
        PRIMARY KEY(interval, agent, queue)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS dims(kind TEXT NOT NULL, key INTEGER NOT NULL,
        name TEXT NOT NULL, PRIMARY KEY(kind, key)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS definitions(queue TEXT NOT NULL, version INTEGER NOT NULL,
        body TEXT NOT NULL, PRIMARY KEY(queue, version));
      CREATE TABLE IF NOT EXISTS settings(id INTEGER PRIMARY KEY CHECK (id = 1),
        body TEXT NOT NULL);
    )sql"));
    {
      Stmt st;
      SB_RETURN_IF_ERROR(prepare(db, "SELECT key, value FROM meta", st));
      std::map<std::string, std::int64_t> meta;
      while (sqlite3_step(st.s) == SQLITE_ROW)
        meta[reinterpret_cast<const char*>(sqlite3_column_text(st.s, 0))] =
            sqlite3_column_int64(st.s, 1);
      sqlite3_reset(st.s);
      if (auto it = meta.find("applied_seq"); it != meta.end())
        applied_seq = static_cast<std::uint64_t>(it->second);
      if (auto it = meta.find("settled_at"); it != meta.end()) settled_at = it->second;
      if (auto it = meta.find("schema_version"); it == meta.end()) {
        SB_RETURN_IF_ERROR(exec(db, ("INSERT INTO meta VALUES('schema_version', " +
                                     std::to_string(kSchemaVersion) + ")")
                                        .c_str()));
      } else if (it->second >= 1 && it->second < kSchemaVersion) {
        migrate_from = it->second;
      } else if (it->second != kSchemaVersion) {
        return Status::failed_precondition("reports.db has schema version " +
                                           std::to_string(it->second) + ", this build reads " +
                                           std::to_string(kSchemaVersion));
      }
    }
    SB_RETURN_IF_ERROR(load_definitions());
    {
      Stmt st;
      SB_RETURN_IF_ERROR(prepare(db, "SELECT body FROM settings WHERE id = 1", st));
      if (sqlite3_step(st.s) == SQLITE_ROW) {
        json j = json::parse(reinterpret_cast<const char*>(sqlite3_column_text(st.s, 0)), nullptr,
                             false);
        if (j.is_discarded()) return Status::corruption("reports.db settings are not JSON");
        auto s = settings_from_json(j);
        if (!s.ok()) return s.status();
        settings = *s;
      }
    }
    {
      Stmt st;
      SB_RETURN_IF_ERROR(prepare(db, "SELECT kind, key, name FROM dims", st));
      while (sqlite3_step(st.s) == SQLITE_ROW)
        dims[{static_cast<char>(sqlite3_column_text(st.s, 0)[0]), sqlite3_column_int64(st.s, 1)}] =
            reinterpret_cast<const char*>(sqlite3_column_text(st.s, 2));
    }
    SB_RETURN_IF_ERROR(prepare(db,
                               "SELECT fields, waits, handles FROM cells WHERE interval = ?1 AND "
                               "queue = ?2 AND channel = ?3 AND agent = ?4 AND version = ?5",
                               get_cell));
    SB_RETURN_IF_ERROR(prepare(
        db, "INSERT OR REPLACE INTO cells VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", put_cell));
    SB_RETURN_IF_ERROR(prepare(db,
                               "SELECT fields, waits, handles, hourly FROM days WHERE day = ?1 AND "
                               "queue = ?2 AND channel = ?3 AND version = ?4",
                               get_day));
    SB_RETURN_IF_ERROR(
        prepare(db, "INSERT OR REPLACE INTO days VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", put_day));
    SB_RETURN_IF_ERROR(prepare(db,
                               "SELECT fields, waits, handles, hourly FROM months WHERE month = ?1 "
                               "AND queue = ?2 AND channel = ?3 AND version = ?4",
                               get_month));
    SB_RETURN_IF_ERROR(prepare(
        db, "INSERT OR REPLACE INTO months VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", put_month));
    SB_RETURN_IF_ERROR(prepare(db,
                               "SELECT fields, waits, handles, hourly, queues FROM day_totals "
                               "WHERE day = ?1 AND channel = ?2",
                               get_total));
    SB_RETURN_IF_ERROR(prepare(
        db, "INSERT OR REPLACE INTO day_totals VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)", put_total));
    SB_RETURN_IF_ERROR(prepare(db,
                               "SELECT fields, waits, handles, queues FROM interval_totals "
                               "WHERE interval = ?1 AND channel = ?2",
                               get_itotal));
    SB_RETURN_IF_ERROR(prepare(
        db, "INSERT OR REPLACE INTO interval_totals VALUES(?1, ?2, ?3, ?4, ?5, ?6)", put_itotal));
    SB_RETURN_IF_ERROR(prepare(db,
                               "INSERT INTO agent_work VALUES(?1, ?2, ?3, ?4, ?5, ?6) "
                               "ON CONFLICT(interval, agent, queue) DO UPDATE SET "
                               "handle_ms = handle_ms + excluded.handle_ms, "
                               "available_ms = available_ms + excluded.available_ms, "
                               "occupied_ms = occupied_ms + excluded.occupied_ms",
                               add_work));
    SB_RETURN_IF_ERROR(prepare(db, "INSERT OR REPLACE INTO dims VALUES(?1, ?2, ?3)", put_dim));
    SB_RETURN_IF_ERROR(prepare(db, "INSERT OR REPLACE INTO meta VALUES(?1, ?2)", put_meta));
    if (migrate_from == 1) SB_RETURN_IF_ERROR(migrate_from_v1());
    if (migrate_from != 0 && migrate_from <= 2) SB_RETURN_IF_ERROR(migrate_from_v2());
    if (migrate_from != 0 && migrate_from <= 3) SB_RETURN_IF_ERROR(migrate_from_v3());
    agg = std::make_unique<Aggregator>(defs, settings);
    return {};
  }

  // Version 1 -> 2: the same rows keyed by queue first, the month rollup added up from the days
  // and the agent work from the cells (one transaction).
  Status migrate_from_v1() {
    SB_RETURN_IF_ERROR(exec(db, "BEGIN IMMEDIATE"));
    Status st = exec(db, R"sql(
      CREATE TABLE cells_v2(
        interval INTEGER NOT NULL, queue INTEGER NOT NULL, channel INTEGER NOT NULL,
        agent INTEGER NOT NULL, version INTEGER NOT NULL,
        fields BLOB NOT NULL, waits BLOB NOT NULL, handles BLOB NOT NULL,
        PRIMARY KEY(queue, interval, channel, agent, version)) WITHOUT ROWID;
      INSERT INTO cells_v2 SELECT * FROM cells ORDER BY queue, interval, channel, agent, version;
      DROP TABLE cells;
      ALTER TABLE cells_v2 RENAME TO cells;
      CREATE TABLE days_v2(
        day INTEGER NOT NULL, queue INTEGER NOT NULL, channel INTEGER NOT NULL,
        version INTEGER NOT NULL,
        fields BLOB NOT NULL, waits BLOB NOT NULL, handles BLOB NOT NULL, hourly BLOB NOT NULL,
        PRIMARY KEY(queue, day, channel, version)) WITHOUT ROWID;
      INSERT INTO days_v2 SELECT * FROM days ORDER BY queue, day, channel, version;
      DROP TABLE days;
      ALTER TABLE days_v2 RENAME TO days;
      DELETE FROM months;
      DELETE FROM agent_work;
      UPDATE meta SET value = 2 WHERE key = 'schema_version';
    )sql");
    if (st.ok()) st = months_from_days();
    if (st.ok()) st = agent_work_from_cells();
    if (st.ok()) st = exec(db, "COMMIT");
    if (!st.ok() && !sqlite3_get_autocommit(db)) (void)exec(db, "ROLLBACK");
    return st;
  }

  // Version 2 -> 3: the day rollup of all queues, added up from the days (one transaction).
  Status migrate_from_v2() {
    SB_RETURN_IF_ERROR(exec(db, "BEGIN IMMEDIATE"));
    Status st = exec(db,
                     "DELETE FROM day_totals; UPDATE meta SET value = 3 WHERE key = "
                     "'schema_version';");
    if (st.ok()) st = totals_from_days();
    if (st.ok()) st = exec(db, "COMMIT");
    if (!st.ok() && !sqlite3_get_autocommit(db)) (void)exec(db, "ROLLBACK");
    return st;
  }

  // A day of every queue per (day, channel): what write() adds up from the deltas.
  struct DayTotal {
    CellValues values;
    std::vector<std::int64_t> hours = std::vector<std::int64_t>(24, 0);
    QueueVersions queues;  // the (queue, version) pairs with contacts
  };
  using DayTotals = std::map<std::vector<std::int64_t>, DayTotal>;
  // An interval of every queue per (interval, channel).
  struct IntervalTotal {
    CellValues values;
    QueueVersions queues;
  };
  using IntervalTotals = std::map<std::vector<std::int64_t>, IntervalTotal>;

  Status totals_from_days() {
    Stmt st;
    SB_RETURN_IF_ERROR(prepare(
        db, "SELECT day, queue, channel, version, fields, waits, handles, hourly FROM days", st));
    DayTotals totals;
    int rc;
    std::vector<std::int64_t> hours;
    while ((rc = sqlite3_step(st.s)) == SQLITE_ROW) {
      auto& t = totals[{sqlite3_column_int64(st.s, 0), sqlite3_column_int64(st.s, 2)}];
      CellValues v;
      SB_RETURN_IF_ERROR(decode_fields(column_blob(st.s, 4), v.v));
      SB_RETURN_IF_ERROR(v.waits.merge_encoded(column_blob(st.s, 5)));
      SB_RETURN_IF_ERROR(v.handles.merge_encoded(column_blob(st.s, 6)));
      SB_RETURN_IF_ERROR(decode_hours(column_blob(st.s, 7), hours, 24));
      t.values.merge(v);
      for (std::size_t h = 0; h < 24; ++h) t.hours[h] += hours[h];
      const std::int64_t queue = sqlite3_column_int64(st.s, 1);
      if (queue != kNone && has_contacts(v.v))
        insert_pair(t.queues, {queue, sqlite3_column_int64(st.s, 3)});
    }
    if (rc != SQLITE_DONE) return db_error(db, "read days");
    for (const auto& [key, t] : totals)
      SB_RETURN_IF_ERROR(merge_row(get_total, put_total, key, t.values, &t.hours, &t.queues));
    return {};
  }

  // Version 3 -> 4: the interval rollup of all queues, added up from the cells one day at a time
  // (each queue's cells of the day found by their key), in one transaction.
  Status migrate_from_v3() {
    SB_RETURN_IF_ERROR(exec(db, "BEGIN IMMEDIATE"));
    Status st = exec(db,
                     "DELETE FROM interval_totals; UPDATE meta SET value = 4 WHERE key = "
                     "'schema_version';");
    if (st.ok()) st = interval_totals_from_cells();
    if (st.ok()) st = exec(db, "COMMIT");
    if (!st.ok() && !sqlite3_get_autocommit(db)) (void)exec(db, "ROLLBACK");
    return st;
  }

  Status interval_totals_from_cells() {
    // Every cell has its day row, so the days list the days to visit.
    Stmt days_st, next_queue, cells_st;
    SB_RETURN_IF_ERROR(prepare(db, "SELECT DISTINCT day FROM days ORDER BY day", days_st));
    SB_RETURN_IF_ERROR(
        prepare(db, "SELECT queue FROM cells WHERE queue > ?1 ORDER BY queue LIMIT 1", next_queue));
    SB_RETURN_IF_ERROR(prepare(db,
                               "SELECT interval, channel, queue, version, fields, waits, handles "
                               "FROM cells WHERE queue = ?1 AND interval >= ?2 AND interval < ?3",
                               cells_st));
    std::vector<Millis> days;
    int rc;
    while ((rc = sqlite3_step(days_st.s)) == SQLITE_ROW)
      days.push_back(sqlite3_column_int64(days_st.s, 0));
    if (rc != SQLITE_DONE) return db_error(db, "read days");
    std::vector<std::int64_t> queues;
    for (std::int64_t q = std::numeric_limits<std::int64_t>::min();;) {
      sqlite3_reset(next_queue.s);
      sqlite3_bind_int64(next_queue.s, 1, q);
      rc = sqlite3_step(next_queue.s);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return db_error(db, "read cells");
      q = sqlite3_column_int64(next_queue.s, 0);
      queues.push_back(q);
    }
    sqlite3_reset(next_queue.s);
    for (Millis day : days) {
      IntervalTotals totals;
      for (std::int64_t q : queues) {
        sqlite3_reset(cells_st.s);
        sqlite3_bind_int64(cells_st.s, 1, q);
        sqlite3_bind_int64(cells_st.s, 2, day);
        sqlite3_bind_int64(cells_st.s, 3, day + kMillisPerDay);
        while ((rc = sqlite3_step(cells_st.s)) == SQLITE_ROW) {
          auto& t =
              totals[{sqlite3_column_int64(cells_st.s, 0), sqlite3_column_int64(cells_st.s, 1)}];
          CellValues v;
          SB_RETURN_IF_ERROR(decode_fields(column_blob(cells_st.s, 4), v.v));
          SB_RETURN_IF_ERROR(v.waits.merge_encoded(column_blob(cells_st.s, 5)));
          SB_RETURN_IF_ERROR(v.handles.merge_encoded(column_blob(cells_st.s, 6)));
          t.values.merge(v);
          if (q != kNone && has_contacts(v.v))
            insert_pair(t.queues, {q, sqlite3_column_int64(cells_st.s, 3)});
        }
        if (rc != SQLITE_DONE) return db_error(db, "read cells");
      }
      sqlite3_reset(cells_st.s);
      for (const auto& [key, t] : totals)
        SB_RETURN_IF_ERROR(merge_row(get_itotal, put_itotal, key, t.values, nullptr, &t.queues));
    }
    return {};
  }

  Status agent_work_from_cells() {
    Stmt st;
    SB_RETURN_IF_ERROR(
        prepare(db, "SELECT interval, queue, agent, fields FROM cells WHERE agent != -1", st));
    int rc;
    while ((rc = sqlite3_step(st.s)) == SQLITE_ROW) {
      std::array<std::int64_t, kFieldCount> v;
      SB_RETURN_IF_ERROR(decode_fields(column_blob(st.s, 3), v));
      SB_RETURN_IF_ERROR(add_agent_work(sqlite3_column_int64(st.s, 0),
                                        sqlite3_column_int64(st.s, 1),
                                        sqlite3_column_int64(st.s, 2), v));
    }
    if (rc != SQLITE_DONE) return db_error(db, "read cells");
    return {};
  }

  // An agent's cell also goes into agent_work: its handle time on the queue, or (queue kNone)
  // its available and occupied time; per-queue occupancy apportions the latter by the former.
  Status add_agent_work(Millis interval, std::int64_t queue, std::int64_t agent,
                        const std::array<std::int64_t, kFieldCount>& v) {
    if (agent == kNone) return {};
    const std::int64_t handle = queue == kNone ? 0 : v[kTalkMs] + v[kHoldMs] + v[kWrapMs];
    const std::int64_t available = queue == kNone ? v[kAvailableMs] : 0;
    const std::int64_t occupied = queue == kNone ? v[kOccupiedMs] : 0;
    if (handle == 0 && available == 0 && occupied == 0) return {};
    sqlite3_reset(add_work.s);
    int i = 1;
    for (std::int64_t x : {interval, agent, queue, handle, available, occupied})
      sqlite3_bind_int64(add_work.s, i++, x);
    if (sqlite3_step(add_work.s) != SQLITE_DONE) return db_error(db, "write agent work");
    sqlite3_reset(add_work.s);
    return {};
  }

  Status months_from_days() {
    Stmt st;
    SB_RETURN_IF_ERROR(prepare(
        db, "SELECT day, queue, channel, version, fields, waits, handles, hourly FROM days", st));
    std::map<std::vector<std::int64_t>, std::pair<CellValues, std::vector<std::int64_t>>> months;
    int rc;
    std::vector<std::int64_t> hours;
    while ((rc = sqlite3_step(st.s)) == SQLITE_ROW) {
      const Millis day = sqlite3_column_int64(st.s, 0);
      const Millis month = month_of(day);
      auto& m = months[{month, sqlite3_column_int64(st.s, 1), sqlite3_column_int64(st.s, 2),
                        sqlite3_column_int64(st.s, 3)}];
      if (m.second.empty()) m.second.assign(kMonthHours, 0);
      CellValues v;
      SB_RETURN_IF_ERROR(decode_fields(column_blob(st.s, 4), v.v));
      SB_RETURN_IF_ERROR(v.waits.merge_encoded(column_blob(st.s, 5)));
      SB_RETURN_IF_ERROR(v.handles.merge_encoded(column_blob(st.s, 6)));
      SB_RETURN_IF_ERROR(decode_hours(column_blob(st.s, 7), hours, 24));
      m.first.merge(v);
      const auto first = static_cast<std::size_t>((day - month) / kMillisPerHour);
      for (std::size_t h = 0; h < 24; ++h) m.second[first + h] += hours[h];
    }
    if (rc != SQLITE_DONE) return db_error(db, "read days");
    for (const auto& [key, v] : months)
      SB_RETURN_IF_ERROR(merge_row(get_month, put_month, key, v.first, &v.second));
    return {};
  }

  Status load_definitions() {
    Stmt st;
    SB_RETURN_IF_ERROR(prepare(db, "SELECT body FROM definitions", st));
    std::vector<QueueDefinition> all;
    while (sqlite3_step(st.s) == SQLITE_ROW) {
      json j =
          json::parse(reinterpret_cast<const char*>(sqlite3_column_text(st.s, 0)), nullptr, false);
      if (j.is_discarded()) return Status::corruption("reports.db definition is not JSON");
      auto d = definition_from_json(j);
      if (!d.ok()) return d.status();
      all.push_back(*d);
    }
    defs.set(std::move(all));
    return {};
  }

  // Reads the stored cell (or day) and adds `delta` to it.
  // `hourly`: for days and months, offers per UTC hour of the row (peak hour), added to the
  // stored ones.
  // `queues`: for day totals, (queue, version) pairs added to the stored ones.
  Status merge_row(Stmt& get, Stmt& put, const std::vector<std::int64_t>& key,
                   const CellValues& delta, const std::vector<std::int64_t>* hourly = nullptr,
                   const QueueVersions* queues = nullptr) {
    std::vector<std::int64_t> hours;
    QueueVersions pairs;
    if (hourly) hours.assign(hourly->size(), 0);
    sqlite3_reset(get.s);
    for (std::size_t i = 0; i < key.size(); ++i)
      sqlite3_bind_int64(get.s, static_cast<int>(i + 1), key[i]);
    // The stored histograms plus the delta's, merged as encoded bucket lists (no paged Histogram
    // to decode into and encode out of: that was most of a batch's cost).
    std::array<std::int64_t, kFieldCount> v{};
    std::string waits, handles;
    const int rc = sqlite3_step(get.s);
    if (rc == SQLITE_ROW) {
      SB_RETURN_IF_ERROR(decode_fields(column_blob(get.s, 0), v));
      SB_RETURN_IF_ERROR(delta.waits.add_to_encoded(column_blob(get.s, 1), waits));
      SB_RETURN_IF_ERROR(delta.handles.add_to_encoded(column_blob(get.s, 2), handles));
      if (hourly) SB_RETURN_IF_ERROR(decode_hours(column_blob(get.s, 3), hours, hourly->size()));
      if (queues) SB_RETURN_IF_ERROR(decode_pairs(column_blob(get.s, hourly ? 4 : 3), pairs));
    } else if (rc != SQLITE_DONE) {
      return db_error(db, "read cell");
    } else {
      delta.waits.encode(waits);
      delta.handles.encode(handles);
    }
    sqlite3_reset(get.s);
    for (int f = 0; f < kFieldCount; ++f) {
      if (is_max_field(f)) {
        v[f] = std::max(v[f], delta.v[f]);
      } else {
        v[f] += delta.v[f];
      }
    }
    const std::string fields = encode_fields(v);
    sqlite3_reset(put.s);
    int i = 1;
    for (std::int64_t k : key) sqlite3_bind_int64(put.s, i++, k);
    sqlite3_bind_blob(put.s, i++, fields.data(), static_cast<int>(fields.size()), SQLITE_STATIC);
    sqlite3_bind_blob(put.s, i++, waits.data(), static_cast<int>(waits.size()), SQLITE_STATIC);
    sqlite3_bind_blob(put.s, i++, handles.data(), static_cast<int>(handles.size()), SQLITE_STATIC);
    std::string hour_blob;
    if (hourly) {
      for (std::size_t h = 0; h < hours.size(); ++h) hours[h] += (*hourly)[h];
      hour_blob = encode_hours(hours);
      sqlite3_bind_blob(put.s, i++, hour_blob.data(), static_cast<int>(hour_blob.size()),
                        SQLITE_STATIC);
    }
    std::string pair_blob;
    if (queues) {
      merge_pairs(pairs, *queues);
      pair_blob = encode_pairs(pairs);
      sqlite3_bind_blob(put.s, i++, pair_blob.data(), static_cast<int>(pair_blob.size()),
                        SQLITE_STATIC);
    }
    if (sqlite3_step(put.s) != SQLITE_DONE) return db_error(db, "write cell");
    sqlite3_reset(put.s);
    return {};
  }

  Status put_meta_value(const char* key, std::int64_t value) {
    sqlite3_reset(put_meta.s);
    sqlite3_bind_text(put_meta.s, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(put_meta.s, 2, value);
    if (sqlite3_step(put_meta.s) != SQLITE_DONE) return db_error(db, std::string("write ") + key);
    sqlite3_reset(put_meta.s);
    return {};
  }

  Status flush(std::uint64_t new_applied, Millis new_settled) {
    auto& deltas = agg->deltas();
    auto& dim_changes = agg->dimension_changes();
    if (deltas.empty() && dim_changes.empty() && new_applied == applied_seq) return {};
    SB_RETURN_IF_ERROR(exec(db, "BEGIN IMMEDIATE"));
    Status st = write(deltas, dim_changes, new_applied);
    if (st.ok()) st = put_meta_value("settled_at", new_settled);
    if (st.ok()) st = exec(db, "COMMIT");
    if (!st.ok()) {
      // The aggregator has moved past deltas the database does not hold: refuse further batches
      // until the store is reopened (which replays the log from what was committed).
      const Status rollback = exec(db, "ROLLBACK");
      failed = Status(st.code(), st.message() + (rollback.ok() ? "" : "; " + rollback.message()));
      return failed;
    }
    applied_seq = new_applied;
    settled_at = new_settled;
    for (const DimensionName& d : dim_changes) dims[{d.kind, d.key}] = d.name;
    deltas.clear();
    dim_changes.clear();
    return {};
  }

  Status write(const Aggregator::Deltas& deltas, const std::vector<DimensionName>& dim_changes,
               std::uint64_t new_applied) {
    // Sorted, so that the B-tree is written in order.
    std::vector<const std::pair<const CellKey, CellValues>*> sorted;
    sorted.reserve(deltas.size());
    for (const auto& kv : deltas) sorted.push_back(&kv);
    std::sort(sorted.begin(), sorted.end(),
              [](const auto* a, const auto* b) { return a->first < b->first; });
    using Rollup =
        std::map<std::vector<std::int64_t>, std::pair<CellValues, std::vector<std::int64_t>>>;
    Rollup days, months;
    DayTotals totals;
    IntervalTotals interval_totals;
    for (const auto* kv : sorted) {
      const CellKey& k = kv->first;
      SB_RETURN_IF_ERROR(merge_row(
          get_cell, put_cell, {k.interval, k.queue, k.channel, k.agent, k.version}, kv->second));
      auto& itotal = interval_totals[{k.interval, k.channel}];
      itotal.values.merge(kv->second);
      if (k.queue != kNone && has_contacts(kv->second.v))
        insert_pair(itotal.queues, {k.queue, k.version});
      auto& total = totals[{day_of(k.interval), k.channel}];
      total.values.merge(kv->second);
      total.hours[static_cast<std::size_t>((k.interval - day_of(k.interval)) / kMillisPerHour)] +=
          kv->second.v[kOffered];
      if (k.queue != kNone && has_contacts(kv->second.v))
        insert_pair(total.queues, {k.queue, k.version});
      auto& day = days[{day_of(k.interval), k.queue, k.channel, k.version}];
      if (day.second.empty()) day.second.assign(24, 0);
      day.first.merge(kv->second);
      day.second[static_cast<std::size_t>((k.interval - day_of(k.interval)) / kMillisPerHour)] +=
          kv->second.v[kOffered];
      const Millis month = month_of(k.interval);
      auto& mon = months[{month, k.queue, k.channel, k.version}];
      if (mon.second.empty()) mon.second.assign(kMonthHours, 0);
      mon.first.merge(kv->second);
      mon.second[static_cast<std::size_t>((k.interval - month) / kMillisPerHour)] +=
          kv->second.v[kOffered];
      SB_RETURN_IF_ERROR(add_agent_work(k.interval, k.queue, k.agent, kv->second.v));
      stats.cells_written++;
    }
    for (const auto& [key, v] : days)
      SB_RETURN_IF_ERROR(merge_row(get_day, put_day, key, v.first, &v.second));
    for (const auto& [key, v] : months)
      SB_RETURN_IF_ERROR(merge_row(get_month, put_month, key, v.first, &v.second));
    for (const auto& [key, t] : totals)
      SB_RETURN_IF_ERROR(merge_row(get_total, put_total, key, t.values, &t.hours, &t.queues));
    for (const auto& [key, t] : interval_totals)
      SB_RETURN_IF_ERROR(merge_row(get_itotal, put_itotal, key, t.values, nullptr, &t.queues));
    for (const DimensionName& d : dim_changes) {
      sqlite3_reset(put_dim.s);
      const char kind[2] = {d.kind, 0};
      sqlite3_bind_text(put_dim.s, 1, kind, 1, SQLITE_TRANSIENT);
      sqlite3_bind_int64(put_dim.s, 2, d.key);
      sqlite3_bind_text(put_dim.s, 3, d.name.data(), static_cast<int>(d.name.size()),
                        SQLITE_STATIC);
      if (sqlite3_step(put_dim.s) != SQLITE_DONE) return db_error(db, "write dimension");
    }
    return put_meta_value("applied_seq", static_cast<std::int64_t>(new_applied));
  }

  Result<ReportResult> query(const ReportRequest& r) const;
};

ReportStore::ReportStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ReportStore::~ReportStore() = default;

Result<std::unique_ptr<ReportStore>> ReportStore::open_data_dir(const std::string& data_dir) {
  return open(data_dir + "/reports.db");
}

Result<std::unique_ptr<ReportStore>> ReportStore::open(const std::string& path) {
  auto impl = std::make_unique<Impl>();
  if (sqlite3_open_v2(path.c_str(), &impl->db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK) {
    const std::string msg = impl->db ? sqlite3_errmsg(impl->db) : "out of memory";
    return Status::io_error("cannot open " + path + ": " + msg);
  }
  sqlite3_busy_timeout(impl->db, 5000);
  SB_RETURN_IF_ERROR(impl->init());
  return std::unique_ptr<ReportStore>(new ReportStore(std::move(impl)));
}

Status ReportStore::ingest(std::span<const Event> batch) {
  std::lock_guard lock(impl_->mu);
  Impl& m = *impl_;
  if (!m.failed.ok()) return m.failed;
  Aggregator& agg = *m.agg;
  std::uint64_t applied = m.applied_seq;
  Millis last_at = 0;
  bool last_recorded = false;
  for (const Event& e : batch) {
    if (e.seq <= agg.last_seq()) continue;
    if (e.seq != agg.last_seq() + 1)
      return Status::failed_precondition(
          "reports: event " + std::to_string(e.seq) + " after " + std::to_string(agg.last_seq()) +
          " (events must be fed in seq order from the start of the log)");
    const bool record = e.seq > m.applied_seq;
    agg.on_event(e, record);
    // The last event already in the cells: agent time was accounted up to the end of that batch.
    if (e.seq == m.applied_seq) agg.settle_agents(m.settled_at, false);
    if (record) applied = e.seq;
    last_at = e.at;
    last_recorded = record;
    m.stats.events++;
  }
  if (!last_recorded) return {};
  // Open presence spans are written on a fixed grid of event time, not at the end of every
  // batch: each settle touches every logged-in agent's cell and its day and month rows, and the
  // live server ingests a batch every 100 ms (2,000 agents made that most of the read model's
  // cost). A grid in event time keeps the tables independent of how the log was batched, so live
  // and rebuilt tables stay byte-identical; the current interval's agent time lags by less than
  // one step. Agents' own events still settle them exactly at the event.
  const Millis grid = last_at - last_at % kAgentSettleStep;
  Millis settled = m.settled_at;
  if (grid > settled) {
    agg.settle_agents(grid, true);
    settled = grid;
  }
  m.stats.batches++;
  return m.flush(applied, settled);
}

std::uint64_t ReportStore::applied_seq() const {
  std::lock_guard lock(impl_->mu);
  return impl_->applied_seq;
}

Status ReportStore::clear() {
  std::lock_guard lock(impl_->mu);
  Impl& m = *impl_;
  SB_RETURN_IF_ERROR(
      exec(m.db,
           "BEGIN IMMEDIATE; DELETE FROM cells; DELETE FROM days; DELETE FROM months; "
           "DELETE FROM day_totals; DELETE FROM interval_totals; "
           "DELETE FROM agent_work; DELETE FROM "
           "dims; DELETE FROM meta WHERE key IN ('applied_seq', 'settled_at'); "
           "COMMIT;"));
  m.applied_seq = 0;
  m.settled_at = 0;
  m.dims.clear();
  m.agg = std::make_unique<Aggregator>(m.defs, m.settings);
  return {};
}

Result<QueueDefinition> ReportStore::add_definition(QueueDefinition d) {
  if (d.queue.empty()) return Status::invalid_argument("definition: queue must not be empty");
  if (d.sl_threshold < 0) return Status::invalid_argument("definition: negative SL threshold");
  if (d.short_abandon < 0) return Status::invalid_argument("definition: negative short abandon");
  if (d.interval_minutes != 15 && d.interval_minutes != 30 && d.interval_minutes != 60)
    return Status::invalid_argument("definition: interval_minutes must be 15, 30 or 60");
  SB_RETURN_IF_ERROR(TimeZone::parse(d.time_zone).status());
  std::lock_guard lock(impl_->mu);
  Impl& m = *impl_;
  std::uint32_t version = 0;
  for (const QueueDefinition& x : m.defs.all())
    if (x.queue == d.queue) version = std::max(version, x.version);
  d.version = version + 1;
  Stmt st;
  SB_RETURN_IF_ERROR(prepare(m.db, "INSERT INTO definitions VALUES(?1, ?2, ?3)", st));
  const std::string body = definition_to_json(d).dump();
  sqlite3_bind_text(st.s, 1, d.queue.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st.s, 2, d.version);
  sqlite3_bind_text(st.s, 3, body.c_str(), -1, SQLITE_TRANSIENT);
  if (sqlite3_step(st.s) != SQLITE_DONE) return db_error(m.db, "add definition");
  std::vector<QueueDefinition> all = m.defs.all();
  all.push_back(d);
  m.defs.set(std::move(all));
  return d;
}

std::vector<QueueDefinition> ReportStore::definitions() const {
  std::lock_guard lock(impl_->mu);
  return impl_->defs.all();
}

Status ReportStore::set_center_settings(const CenterSettings& s) {
  if (s.repeat_window < 0) return Status::invalid_argument("settings: negative repeat window");
  std::lock_guard lock(impl_->mu);
  Impl& m = *impl_;
  Stmt st;
  SB_RETURN_IF_ERROR(prepare(m.db, "INSERT OR REPLACE INTO settings VALUES(1, ?1)", st));
  const std::string body = settings_to_json(s).dump();
  sqlite3_bind_text(st.s, 1, body.c_str(), -1, SQLITE_TRANSIENT);
  if (sqlite3_step(st.s) != SQLITE_DONE) return db_error(m.db, "save settings");
  m.settings = s;
  return {};
}

CenterSettings ReportStore::center_settings() const {
  std::lock_guard lock(impl_->mu);
  return impl_->settings;
}

IngestStats ReportStore::stats() const {
  std::lock_guard lock(impl_->mu);
  return impl_->stats;
}

Result<ReportResult> ReportStore::query(const ReportRequest& request) const {
  std::lock_guard lock(impl_->mu);
  return impl_->query(request);
}

// ---------------------------------------------------------------------------------------------
// Queries.

namespace {

double ratio(double a, double b) { return b > 0 ? a / b : 0.0; }

struct Accumulator {
  std::array<std::int64_t, kFieldCount> f{};
  HistogramSum waits, handles;
  double cost = 0;
  // (queue, version) pairs, sorted and unique. A flat vector: cells arrive queue by queue, so
  // nearly every insert is the last pair again or a new last one (a std::set node per pair and
  // row was a tenth of a report over all queues).
  std::vector<std::pair<std::int64_t, std::int64_t>> versions;
  void add_version(std::pair<std::int64_t, std::int64_t> qv) {
    if (versions.empty() || versions.back() < qv) {
      versions.push_back(qv);
      return;
    }
    if (versions.back() == qv) return;
    auto it = std::lower_bound(versions.begin(), versions.end(), qv);
    if (*it != qv) versions.insert(it, qv);
  }
  // Offers per local hour: a flat array from the first hour of the range for rows that span the
  // whole range (few rows), a small map for rows of one interval, day or time of day.
  std::unordered_map<Millis, std::uint64_t> hourly_offered;  // local hour start -> offered
  std::vector<std::uint32_t> hour_counts;                    // flat: index (hour - first) / 1 h
  Millis first_hour = 0;
  void add_hour(Millis hour, std::uint64_t n, bool flat, Millis first, std::size_t hours) {
    if (flat) {
      if (hour_counts.empty()) hour_counts.assign(hours, 0);
      const auto i = static_cast<std::size_t>((hour - first) / kMillisPerHour);
      if (hour >= first && i < hour_counts.size()) {
        hour_counts[i] += static_cast<std::uint32_t>(n);
        return;
      }
    }
    hourly_offered[hour] += n;
  }
  bool any = false;

  // Back to empty, keeping the buffers (one accumulator serves every row of a streamed report).
  void clear() {
    f.fill(0);
    waits.clear();
    handles.clear();
    cost = 0;
    versions.clear();
    hourly_offered.clear();
    hour_counts.clear();
    first_hour = 0;
    any = false;
  }

  void add(const std::array<std::int64_t, kFieldCount>& v) {
    for (int i = 0; i < kFieldCount; ++i) {
      if (is_max_field(i)) {
        f[i] = std::max(f[i], v[i]);
      } else {
        f[i] += v[i];
      }
    }
  }
};

double service_level_of(const std::array<std::int64_t, kFieldCount>& f, SlPreset p,
                        const GenesysOptions& g) {
  const double within = static_cast<double>(f[kAnsweredWithinSl]);
  const double handled = static_cast<double>(f[kHandled]);
  const double abandoned = static_cast<double>(f[kAbandoned]);
  const double short_ab = static_cast<double>(f[kShortAbandoned]);
  const double timed_out = static_cast<double>(f[kTimedOut]);
  switch (p) {
    case SlPreset::kSwitchboard:
      return ratio(within, handled + abandoned - short_ab + timed_out);
    case SlPreset::kAsteriskSl:
    case SlPreset::kAnsweredOnly:
      return ratio(within, handled);
    case SlPreset::kAsteriskSl2:
      return ratio(within + static_cast<double>(f[kAbandonedWithinSl]),
                   handled + abandoned - short_ab);
    case SlPreset::kAmazonConnect:
      return ratio(static_cast<double>(f[kRemovedWithinSl]), static_cast<double>(f[kOffered]));
    case SlPreset::kGenesys: {
      double den = handled;
      if (g.include_abandons)
        den += abandoned + timed_out - (g.exclude_short_abandons ? short_ab : 0.0);
      if (g.include_flow_outs) den += static_cast<double>(f[kFlowedOut]);
      return ratio(within, den);
    }
  }
  return 0.0;
}

std::vector<HistogramBucket> buckets_of(const ResolvedHistogram& h) {
  std::vector<HistogramBucket> out;
  out.reserve(h.buckets.size());
  for (const auto& [b, n] : h.buckets)
    out.push_back({metrics::Histogram::bucket_lower(b), metrics::Histogram::bucket_upper(b), n});
  return out;
}

// What finalize_kpis derives from a row's (queue, version) pairs: the labels, the presets and
// the Genesys options. Rows of one report nearly always sum the same pairs (every queue at its
// version), so the last row's answer is kept and reused while the pairs are the same.
struct VersionsMemo {
  bool valid = false;
  std::vector<std::pair<std::int64_t, std::int64_t>> versions;
  std::vector<std::string> labels;  // "queue:version", sorted
  std::set<SlPreset> presets;
  GenesysOptions genesys;
};

Kpis finalize_kpis(const Accumulator& a, const ResolvedHistogram& waits,
                   const ResolvedHistogram& handles, const ReportRequest& r,
                   const DefinitionTable& defs,
                   const std::map<std::pair<char, std::int64_t>, std::string>& dims,
                   VersionsMemo& memo) {
  constexpr double kMs = 1000.0;
  const auto& f = a.f;
  auto d = [&](int i) { return static_cast<double>(f[i]); };
  auto u = [&](int i) { return static_cast<std::uint64_t>(std::max<std::int64_t>(0, f[i])); };
  Kpis k;
  k.offered = u(kOffered);
  k.handled = u(kHandled);
  k.abandoned = u(kAbandoned);
  k.short_abandoned = u(kShortAbandoned);
  k.timed_out = u(kTimedOut);
  k.blocked = u(kBlocked);
  k.transferred = u(kTransferred);
  k.flowed_out = u(kFlowedOut);
  k.callbacks_requested = u(kCallbacksRequested);
  k.callbacks_completed = u(kCallbacksCompleted);
  k.self_served = u(kSelfServed);
  k.imported = u(kImported);
  k.answered_within_sl = u(kAnsweredWithinSl);
  k.abandoned_within_sl = u(kAbandonedWithinSl);
  k.removed_within_sl = u(kRemovedWithinSl);

  // The preset: the request's, or the one all the row's definitions share.
  if (!memo.valid || memo.versions != a.versions) {
    memo.versions = a.versions;
    memo.valid = true;
    memo.labels.clear();
    memo.presets.clear();
    memo.genesys = GenesysOptions{};
    auto name_of = [&](std::int64_t q) {
      auto it = dims.find({'q', q});
      return it == dims.end() ? "queue " + std::to_string(q) : it->second;
    };
    auto matches = [&](const QueueDefinition& def, std::int64_t q) {
      return def.queue == name_of(q) || (q < kSyntheticKeyBase && def.queue == std::to_string(q));
    };
    for (const auto& [q, v] : a.versions) {
      // Version v of this queue's own definitions, else version v of the "*" ones.
      SlPreset p = SlPreset::kSwitchboard;
      const QueueDefinition* found = nullptr;
      for (const QueueDefinition& def : defs.all())
        if (static_cast<std::int64_t>(def.version) == v && matches(def, q)) found = &def;
      if (!found)
        for (const QueueDefinition& def : defs.all())
          if (static_cast<std::int64_t>(def.version) == v && def.queue == "*") found = &def;
      if (found) {
        p = found->preset;
        memo.genesys = found->genesys;
      }
      memo.presets.insert(p);
      memo.labels.push_back(name_of(q) + ":" + std::to_string(v));
    }
    std::sort(memo.labels.begin(), memo.labels.end());
  }
  const std::set<SlPreset>& presets = memo.presets;
  const GenesysOptions& genesys = memo.genesys;
  k.definition_versions = memo.labels;
  SlPreset preset = SlPreset::kSwitchboard;
  if (r.preset) {
    preset = *r.preset;
    k.service_level_preset = std::string(sl_preset_name(preset));
  } else if (presets.size() <= 1) {
    if (!presets.empty()) preset = *presets.begin();
    k.service_level_preset = std::string(sl_preset_name(preset));
  } else {
    k.service_level_preset = "mixed";
  }
  for (int p = 0; p < kSlPresetCount; ++p)
    k.service_level_by_preset[p] = service_level_of(f, static_cast<SlPreset>(p), genesys);
  k.service_level = service_level_of(f, preset, genesys);

  k.asa_s = ratio(d(kWaitHandledMs), d(kHandled)) / kMs;
  k.avg_wait_s = ratio(d(kWaitHandledMs) + d(kWaitAbandonedMs) + d(kWaitTimedOutMs),
                       d(kHandled) + d(kAbandoned) + d(kTimedOut)) /
                 kMs;
  k.avg_abandon_wait_s = ratio(d(kWaitAbandonedMs), d(kAbandoned)) / kMs;
  k.longest_wait_s = d(kWaitMaxMs) / kMs;
  k.wait_p50_s = waits.percentile(0.50) / kMs;
  k.wait_p90_s = waits.percentile(0.90) / kMs;
  k.wait_p95_s = waits.percentile(0.95) / kMs;
  k.handle_samples = u(kLegs);
  const double legs = d(kLegs);
  k.aht_s = ratio(d(kTalkMs) + d(kHoldMs) + d(kWrapMs), legs) / kMs;
  k.avg_talk_s = ratio(d(kTalkMs), legs) / kMs;
  k.avg_hold_s = ratio(d(kHoldMs), legs) / kMs;
  k.avg_wrap_s = ratio(d(kWrapMs), legs) / kMs;
  k.longest_hold_s = d(kHoldMaxMs) / kMs;
  k.handle_p50_s = handles.percentile(0.50) / kMs;
  k.handle_p90_s = handles.percentile(0.90) / kMs;
  k.handle_p95_s = handles.percentile(0.95) / kMs;
  if (r.include_histograms) {
    k.wait_histogram = buckets_of(waits);
    k.handle_histogram = buckets_of(handles);
  }
  k.transfer_rate = ratio(d(kTransferred), d(kHandled));
  k.abandon_rate = ratio(d(kAbandoned), d(kOffered));
  k.customer_contacts = u(kCustomerContacts);
  k.repeat_contacts = u(kRepeatContacts);
  k.repeat_rate = ratio(d(kRepeatContacts), d(kCustomerContacts));
  k.fcr_eligible = u(kFcrEligible);
  k.fcr_resolved = u(kFcrResolved);
  k.fcr_rate = ratio(d(kFcrResolved), d(kFcrEligible));
  k.first_responses = u(kFirstResponses);
  k.avg_first_response_s = ratio(d(kFirstResponseMs), d(kFirstResponses)) / kMs;
  k.staffed_s = d(kStaffedMs) / kMs;
  k.available_s = d(kAvailableMs) / kMs;
  k.occupied_s = d(kOccupiedMs) / kMs;
  k.occupancy = ratio(d(kOccupiedMs), d(kAvailableMs));
  k.utilization = ratio(d(kOccupiedMs), d(kStaffedMs));
  k.dispositioned = u(kDispositioned);
  k.conversions = u(kConversions);
  k.conversion_rate = ratio(d(kConversions), d(kDispositioned));
  k.cost_total = a.cost;
  k.cost_per_contact = ratio(a.cost, d(kHandled));
  k.csat_responses = u(kCsatResponses);
  k.csat = ratio(d(kCsatGood), d(kCsatResponses));
  k.csat_avg = ratio(d(kCsatSum), d(kCsatResponses));
  k.nps_responses = u(kNpsResponses);
  k.nps = 100.0 * ratio(d(kNpsPromoters) - d(kNpsDetractors), d(kNpsResponses));
  k.ces_responses = u(kCesResponses);
  k.ces = ratio(d(kCesSum), d(kCesResponses));
  for (std::size_t i = 0; i < a.hour_counts.size(); ++i) {
    if (a.hour_counts[i] > k.peak_hour_offered) {
      k.peak_hour_offered = a.hour_counts[i];
      k.peak_hour_start = a.first_hour + static_cast<Millis>(i) * kMillisPerHour;
    }
  }
  for (const auto& [hour, n] : a.hourly_offered) {
    if (n > k.peak_hour_offered ||
        (n == k.peak_hour_offered && n > 0 && hour < k.peak_hour_start)) {
      k.peak_hour_offered = n;
      k.peak_hour_start = hour;
    }
  }
  return k;
}

}  // namespace

Result<ReportResult> ReportStore::Impl::query(const ReportRequest& r) const {
  SB_RETURN_IF_ERROR(validate(r));
  auto tz_or = TimeZone::parse(r.time_zone);
  if (!tz_or.ok()) return tz_or.status();
  const TimeZone tz = std::move(*tz_or);
  const Millis width = static_cast<Millis>(r.interval_minutes) * kMillisPerMinute;

  // Filters resolved to keys.
  auto resolve = [&](char kind, const std::vector<std::string>& names,
                     std::set<std::int64_t>& keys) -> Status {
    for (const std::string& n : names) {
      bool found = false;
      for (const auto& [k, name] : dims) {
        if (k.first == kind && (name == n || std::to_string(k.second) == n)) {
          keys.insert(k.second);
          found = true;
        }
      }
      if (!found)
        return Status::not_found(std::string(kind == 'q' ? "queue" : "agent") + " '" + n +
                                 "' has no report data");
    }
    return {};
  };
  std::set<std::int64_t> queue_keys, agent_keys;
  SB_RETURN_IF_ERROR(resolve('q', r.queues, queue_keys));
  SB_RETURN_IF_ERROR(resolve('a', r.agents, agent_keys));
  std::set<std::int64_t> channel_keys;
  for (Channel c : r.channels) channel_keys.insert(static_cast<std::int64_t>(c));
  std::vector<std::string> team_names;
  for (const auto& [agent, team] : r.team_of_agent) team_names.push_back(team);
  team_names.push_back("");
  std::sort(team_names.begin(), team_names.end());
  team_names.erase(std::unique(team_names.begin(), team_names.end()), team_names.end());
  auto agent_name = [&](std::int64_t key) -> std::string {
    if (key == kNone) return "";
    auto it = dims.find({'a', key});
    return it == dims.end() ? "agent " + std::to_string(key) : it->second;
  };
  auto team_index = [&](std::int64_t agent) -> std::int64_t {
    if (agent == kNone) return kNone;
    auto it = r.team_of_agent.find(agent_name(agent));
    const std::string team = it == r.team_of_agent.end() ? "" : it->second;
    return std::lower_bound(team_names.begin(), team_names.end(), team) - team_names.begin();
  };
  const std::set<std::string> team_filter(r.teams.begin(), r.teams.end());

  bool needs_cells = !r.agents.empty() || !r.teams.empty();
  for (Dimension dim : r.group_by) {
    if (dim == Dimension::kInterval || dim == Dimension::kTimeOfDay || dim == Dimension::kAgent ||
        dim == Dimension::kTeam)
      needs_cells = true;
    if ((dim == Dimension::kDay || dim == Dimension::kWeekday) && !tz.is_utc()) needs_cells = true;
  }
  // Rows that span the whole range (no time dimension) count offers per hour in a flat array.
  bool flat_groups = true;
  for (Dimension dim : r.group_by)
    if (dim == Dimension::kInterval || dim == Dimension::kTimeOfDay || dim == Dimension::kDay ||
        dim == Dimension::kWeekday)
      flat_groups = false;
  // Whole UTC days inside [from, to) come from the day rollup when no dimension needs finer
  // cells, and whole UTC months inside those days from the month rollup when no dimension needs
  // days; the edges come from the finer rows. Every rollup row is the sum of its cells
  // (docs/metrics.md, "Read model"), so the figures are the same either way.
  Millis day_from = 0, day_to = 0, month_from = 0, month_to = 0;
  if (!needs_cells && r.use_rollups) {
    day_from = day_of(r.from + kMillisPerDay - 1);
    day_to = day_of(r.to);
    if (day_to <= day_from) day_from = day_to = 0;
  }
  if (day_from < day_to && flat_groups) {
    month_from = month_of(day_from);
    if (month_from < day_from) month_from = next_month(month_from);
    month_to = month_of(day_to);
    if (month_to <= month_from) month_from = month_to = 0;
  }

  ReportResult result;
  result.request = r;
  for (Dimension dim : r.group_by) result.columns.emplace_back(dimension_name(dim));
  std::map<std::vector<std::int64_t>, Accumulator> groups;  // ordered: the rows' order
  // The same groups by hash: a heatmap's 67,200 cells each found their group by comparing keys
  // down the tree.
  struct KeyHash {
    std::size_t operator()(const std::vector<std::int64_t>& k) const {
      std::uint64_t h = 0x9E3779B97F4A7C15ull;
      for (std::int64_t x : k) h = (h ^ static_cast<std::uint64_t>(x)) * 0x100000001B3ull;
      return static_cast<std::size_t>(h ^ (h >> 29));
    }
  };
  std::unordered_map<std::vector<std::int64_t>, Accumulator*, KeyHash> group_index;
  Accumulator total;

  // Per-queue occupancy (filled from agent_work after the scan, for rows grouped by queue only).
  const bool by_queue_only = r.group_by.size() == 1 && r.group_by[0] == Dimension::kQueue;
  std::map<std::int64_t, std::pair<double, double>> queue_time;  // queue -> (available, occupied)
  auto set_queue_occupancy = [](Kpis& k, double available_ms, double occupied_ms) {
    k.queue_available_s = available_ms / 1000.0;
    k.queue_occupied_s = occupied_ms / 1000.0;
    k.queue_occupancy = available_ms > 0 ? occupied_ms / available_ms : 0.0;
  };
  auto queue_label = [&](std::int64_t q) -> std::string {
    if (q == kNone) return "";
    auto it = dims.find({'q', q});
    return it == dims.end() ? "queue " + std::to_string(q) : it->second;
  };
  ResolvedHistogram waits, handles;  // reused from row to row
  VersionsMemo versions_memo;
  // One finished group becomes a row (its histograms go into the total's on the way).
  auto emit_row = [&](const std::vector<std::int64_t>& key, const Accumulator& acc) -> Status {
    ReportRow row;
    row.start = r.from;
    for (std::size_t i = 0; i < key.size(); ++i) {
      const std::int64_t x = key[i];
      switch (r.group_by[i]) {
        case Dimension::kInterval:
        case Dimension::kDay:
          row.keys.push_back(tz.format(x));
          row.start = x;
          break;
        case Dimension::kWeekday:
          row.keys.push_back(std::to_string(x));
          break;
        case Dimension::kTimeOfDay: {
          char buf[8];
          std::snprintf(buf, sizeof buf, "%02d:%02d", static_cast<int>(x / 60),
                        static_cast<int>(x % 60));
          row.keys.emplace_back(buf);
          break;
        }
        case Dimension::kQueue:
          row.keys.push_back(queue_label(x));
          break;
        case Dimension::kChannel:
          row.keys.push_back(x == kNone ? "" : std::string(channel_name(static_cast<Channel>(x))));
          break;
        case Dimension::kTeam:
          row.keys.push_back(x == kNone ? "" : team_names[static_cast<std::size_t>(x)]);
          break;
        case Dimension::kAgent:
          row.keys.push_back(agent_name(x));
          break;
      }
    }
    // The row's sums, resolved once, also go into the total's.
    SB_RETURN_IF_ERROR(acc.waits.resolve(waits));
    SB_RETURN_IF_ERROR(acc.handles.resolve(handles));
    SB_RETURN_IF_ERROR(total.waits.add(waits));
    SB_RETURN_IF_ERROR(total.handles.add(handles));
    row.kpis = finalize_kpis(acc, waits, handles, r, defs, dims, versions_memo);
    if (by_queue_only)
      if (auto it = queue_time.find(key[0]); it != queue_time.end())
        set_queue_occupancy(row.kpis, it->second.first, it->second.second);
    result.rows.push_back(std::move(row));
    return {};
  };

  // One queue's cells grouped by interval arrive in interval order (the scan reads them by
  // (queue, interval)), so each row is finished as soon as the next interval starts instead of
  // every row waiting in the map until the end: a year of 15-minute rows kept 35,040
  // accumulators (tens of megabytes, each page a fault on this path) for nothing.
  const bool streaming = r.group_by.size() == 1 && r.group_by[0] == Dimension::kInterval &&
                         queue_keys.size() == 1 && !r.include_empty_intervals;
  Accumulator current;  // streaming: the group being summed
  std::vector<std::int64_t> current_key;
  if (streaming) result.rows.reserve(static_cast<std::size_t>((r.to - r.from) / width + 2));
  // Offers per hour of a group whose key has a time: its hours in a small flat window (the
  // interval's hour or two, or the local day's up to 26 hours) rather than a hash map per row.
  const bool by_interval =
      std::find(r.group_by.begin(), r.group_by.end(), Dimension::kInterval) != r.group_by.end();
  const bool by_day =
      std::find(r.group_by.begin(), r.group_by.end(), Dimension::kDay) != r.group_by.end();
  std::size_t time_index = 0;
  for (std::size_t i = 0; i < r.group_by.size(); ++i)
    if (r.group_by[i] == (by_interval ? Dimension::kInterval : Dimension::kDay)) time_index = i;
  std::vector<std::int64_t> key;  // reused: one allocation per new group, not per cell
  QueueVersions row_pairs;        // of a day of all queues
  std::vector<std::int64_t> hours;
  const bool utc = tz.is_utc();  // local hours are UTC hours
  const Millis first_hour = tz.interval_start(r.from, kMillisPerHour);
  const auto range_hours = static_cast<std::size_t>((r.to - first_hour) / kMillisPerHour + 2);
  auto consume = [&](Millis t, std::int64_t queue, std::int64_t channel, std::int64_t agent,
                     std::int64_t version, std::string_view fields, std::string_view waits,
                     std::string_view handles, std::string_view hourly, int source,
                     std::string_view pairs) -> Status {
    // 0: a cell, 1: a day, 2: a month; 3, 4: a day, an interval of all queues (`pairs`: the
    // queue versions it sums)
    const bool totals = source >= 3;
    const int level = source == 4 ? 0 : (source == 3 ? 1 : source);
    const bool is_day = level == 1;
    if (!queue_keys.empty() && !queue_keys.count(queue)) return {};
    if (!channel_keys.empty() && !channel_keys.count(channel)) return {};
    if (!agent_keys.empty() && !agent_keys.count(agent)) return {};
    if (!team_filter.empty()) {
      if (agent == kNone) return {};
      auto it = r.team_of_agent.find(agent_name(agent));
      if (!team_filter.count(it == r.team_of_agent.end() ? "" : it->second)) return {};
    }
    std::array<std::int64_t, kFieldCount> v;
    SB_RETURN_IF_ERROR(decode_fields(fields, v));
    key.clear();
    for (Dimension dim : r.group_by) {
      switch (dim) {
        case Dimension::kInterval:
          key.push_back(tz.interval_start(t, width));
          break;
        case Dimension::kDay:
          key.push_back(is_day ? t : tz.day_start(t));
          break;
        case Dimension::kWeekday: {
          const Millis local = t + tz.offset_at(t);
          key.push_back(weekday_of_days(day_of(local) / kMillisPerDay));
          break;
        }
        case Dimension::kTimeOfDay: {
          const Millis local = tz.interval_start(t, width) + tz.offset_at(t);
          key.push_back((local - day_of(local)) / kMillisPerMinute);
          break;
        }
        case Dimension::kQueue:
          key.push_back(queue);
          break;
        case Dimension::kChannel:
          key.push_back(channel);
          break;
        case Dimension::kTeam:
          key.push_back(team_index(agent));
          break;
        case Dimension::kAgent:
          key.push_back(agent);
          break;
      }
    }
    const double cost =
        static_cast<double>(v[kStaffedMs]) / kMillisPerHour * settings.agent_hourly_cost + [&] {
          if (channel == kNone) return 0.0;
          auto it = settings.channel_minute_cost.find(static_cast<Channel>(channel));
          if (it == settings.channel_minute_cost.end()) return 0.0;
          return static_cast<double>(v[kTalkMs] + v[kHoldMs]) / kMillisPerMinute * it->second;
        }();
    const Millis hour = level > 0 ? t : tz.interval_start(t, kMillisPerHour);
    if (level > 0) SB_RETURN_IF_ERROR(decode_hours(hourly, hours, level == 2 ? kMonthHours : 24));
    if (totals) SB_RETURN_IF_ERROR(decode_pairs(pairs, row_pairs));
    Accumulator* group = nullptr;
    if (streaming) {
      if (current.any && key != current_key) {
        if (key < current_key) return Status::internal("report: cells out of interval order");
        SB_RETURN_IF_ERROR(emit_row(current_key, current));
        current.clear();
      }
      if (!current.any) current_key = key;
      group = &current;
    } else {
      auto hit = group_index.find(key);
      if (hit == group_index.end())
        hit = group_index.emplace(key, &groups.try_emplace(key).first->second).first;
      group = hit->second;
    }
    // The total's histograms are the rows' ones added up when the rows are made.
    SB_RETURN_IF_ERROR(group->waits.add(waits));
    SB_RETURN_IF_ERROR(group->handles.add(handles));
    Millis group_first_hour = first_hour;
    std::size_t group_hours = range_hours;
    bool group_flat = flat_groups;
    if (!flat_groups && (by_interval || by_day)) {
      group_flat = true;
      group_first_hour =
          by_interval ? tz.interval_start(key[time_index], kMillisPerHour) : key[time_index];
      group_hours = by_interval ? 2 : 26;
    }
    for (Accumulator* acc : {group, &total}) {
      const bool is_total = acc == &total;
      const bool flat = is_total || group_flat;
      const Millis acc_first = is_total ? first_hour : group_first_hour;
      const std::size_t acc_hours = is_total ? range_hours : group_hours;
      acc->first_hour = acc_first;
      acc->add(v);
      acc->cost += cost;
      // Only cells with contacts carry a definition (agent time and surveys have none).
      if (totals) {
        for (const auto& qv : row_pairs) acc->add_version(qv);
      } else if (queue != kNone && has_contacts(v)) {
        acc->add_version({queue, version});
      }
      if (level > 0) {
        for (std::size_t h = 0; h < hours.size(); ++h) {
          if (hours[h] == 0) continue;
          const Millis utc_hour = t + static_cast<Millis>(h) * kMillisPerHour;
          acc->add_hour(utc ? utc_hour : tz.interval_start(utc_hour, kMillisPerHour),
                        static_cast<std::uint64_t>(hours[h]), flat, acc_first, acc_hours);
        }
      } else if (v[kOffered] != 0) {
        acc->add_hour(hour, static_cast<std::uint64_t>(v[kOffered]), flat, acc_first, acc_hours);
      }
      acc->any = true;
    }
    result.cells_scanned++;
    return {};
  };

  // Cells and days are keyed by queue first: one index range per queue, those of the filter or
  // every queue there is (found by seeking past the previous one).
  Stmt cells_of_queue, days_of_queue, months_of_queue, next_cell_queue, next_day_queue,
      next_month_queue;
  SB_RETURN_IF_ERROR(prepare(db,
                             "SELECT interval, queue, channel, agent, version, fields, waits, "
                             "handles FROM cells WHERE queue = ?3 AND interval >= ?1 AND "
                             "interval < ?2 ORDER BY interval",
                             cells_of_queue));
  SB_RETURN_IF_ERROR(prepare(db,
                             "SELECT day, queue, channel, version, fields, waits, handles, hourly "
                             "FROM days WHERE queue = ?3 AND day >= ?1 AND day < ?2",
                             days_of_queue));
  SB_RETURN_IF_ERROR(prepare(db,
                             "SELECT month, queue, channel, version, fields, waits, handles, "
                             "hourly FROM months WHERE queue = ?3 AND month >= ?1 AND month < ?2",
                             months_of_queue));
  SB_RETURN_IF_ERROR(prepare(db, "SELECT queue FROM months WHERE queue > ?1 ORDER BY queue LIMIT 1",
                             next_month_queue));
  SB_RETURN_IF_ERROR(prepare(db, "SELECT queue FROM cells WHERE queue > ?1 ORDER BY queue LIMIT 1",
                             next_cell_queue));
  SB_RETURN_IF_ERROR(prepare(db, "SELECT queue FROM days WHERE queue > ?1 ORDER BY queue LIMIT 1",
                             next_day_queue));
  auto scan_one = [&](int level, Millis from, Millis to, std::int64_t queue) -> Status {
    sqlite3_stmt* st = level == 0   ? cells_of_queue.s
                       : level == 1 ? days_of_queue.s
                                    : months_of_queue.s;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, from);
    sqlite3_bind_int64(st, 2, to);
    sqlite3_bind_int64(st, 3, queue);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      const std::int64_t agent = level > 0 ? kNone : sqlite3_column_int64(st, 3);
      const int base = level > 0 ? 3 : 4;
      SB_RETURN_IF_ERROR(consume(
          sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2),
          agent, sqlite3_column_int64(st, base), column_blob(st, base + 1),
          column_blob(st, base + 2), column_blob(st, base + 3),
          level > 0 ? column_blob(st, base + 4) : std::string_view(), level, std::string_view()));
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) return db_error(db, "query");
    return {};
  };
  // Whole days of every queue, when no queue is picked out (by filter or dimension), come from
  // the day rollup of all queues: one row per day and channel instead of one per queue; so do
  // intervals from the interval rollup of all queues when no agent or team is picked out either.
  // Both are the sums of the cells they replace (use_rollups = false reads only the cells).
  const bool all_queues =
      r.use_rollups && queue_keys.empty() &&
      std::find(r.group_by.begin(), r.group_by.end(), Dimension::kQueue) == r.group_by.end();
  bool all_agents = all_queues && agent_keys.empty() && team_filter.empty();
  for (Dimension dim : r.group_by)
    if (dim == Dimension::kAgent || dim == Dimension::kTeam) all_agents = false;
  Stmt totals_of_days, totals_of_intervals;
  SB_RETURN_IF_ERROR(prepare(db,
                             "SELECT day, channel, fields, waits, handles, hourly, queues FROM "
                             "day_totals WHERE day >= ?1 AND day < ?2",
                             totals_of_days));
  SB_RETURN_IF_ERROR(prepare(db,
                             "SELECT interval, channel, fields, waits, handles, queues FROM "
                             "interval_totals WHERE interval >= ?1 AND interval < ?2",
                             totals_of_intervals));
  auto scan_totals = [&](int level, Millis from, Millis to) -> Status {
    const bool days = level == 1;
    sqlite3_stmt* st = days ? totals_of_days.s : totals_of_intervals.s;
    sqlite3_bind_int64(st, 1, from);
    sqlite3_bind_int64(st, 2, to);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
      SB_RETURN_IF_ERROR(consume(sqlite3_column_int64(st, 0), kNone, sqlite3_column_int64(st, 1),
                                 kNone, 0, column_blob(st, 2), column_blob(st, 3),
                                 column_blob(st, 4), days ? column_blob(st, 5) : std::string_view(),
                                 days ? 3 : 4, column_blob(st, days ? 6 : 5)));
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) return db_error(db, "query totals");
    return {};
  };
  auto scan = [&](int level, Millis from, Millis to) -> Status {
    if (from >= to) return {};
    if ((level == 1 && all_queues) || (level == 0 && all_agents))
      return scan_totals(level, from, to);
    if (!queue_keys.empty()) {
      for (std::int64_t q : queue_keys) SB_RETURN_IF_ERROR(scan_one(level, from, to, q));
      return {};
    }
    sqlite3_stmt* next = level == 0   ? next_cell_queue.s
                         : level == 1 ? next_day_queue.s
                                      : next_month_queue.s;
    std::int64_t q = std::numeric_limits<std::int64_t>::min();
    for (;;) {
      sqlite3_reset(next);
      sqlite3_bind_int64(next, 1, q);
      const int rc = sqlite3_step(next);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return db_error(db, "query");
      q = sqlite3_column_int64(next, 0);
      sqlite3_reset(next);
      SB_RETURN_IF_ERROR(scan_one(level, from, to, q));
    }
    sqlite3_reset(next);
    return {};
  };
  if (month_from < month_to) {
    SB_RETURN_IF_ERROR(scan(0, r.from, day_from));
    SB_RETURN_IF_ERROR(scan(1, day_from, month_from));
    SB_RETURN_IF_ERROR(scan(2, month_from, month_to));
    SB_RETURN_IF_ERROR(scan(1, month_to, day_to));
    SB_RETURN_IF_ERROR(scan(0, day_to, r.to));
  } else if (day_from < day_to) {
    SB_RETURN_IF_ERROR(scan(0, r.from, day_from));
    SB_RETURN_IF_ERROR(scan(1, day_from, day_to));
    SB_RETURN_IF_ERROR(scan(0, day_to, r.to));
  } else {
    SB_RETURN_IF_ERROR(scan(0, r.from, r.to));
  }

  if (streaming && current.any) SB_RETURN_IF_ERROR(emit_row(current_key, current));

  // Per-queue occupancy: every (interval, agent) of the range, its available and occupied time
  // split over the queues in proportion to its handle time on each.
  if ((by_queue_only || r.group_by.empty()) && r.channels.empty()) {
    Stmt work;
    SB_RETURN_IF_ERROR(prepare(db,
                               "SELECT interval, agent, queue, handle_ms, available_ms, "
                               "occupied_ms FROM agent_work WHERE interval >= ?1 AND interval < ?2",
                               work));
    sqlite3_bind_int64(work.s, 1, r.from);
    sqlite3_bind_int64(work.s, 2, r.to);
    Millis cur_interval = 0;
    std::int64_t cur_agent = kNone;
    double available = 0, occupied = 0;
    std::vector<std::pair<std::int64_t, double>> handles_of;  // queue -> handle ms
    auto flush = [&] {
      double all = 0;
      for (const auto& [q, h] : handles_of) all += h;
      if (all > 0 && (available > 0 || occupied > 0))
        for (const auto& [q, h] : handles_of) {
          if (!queue_keys.empty() && !queue_keys.count(q)) continue;
          auto& t = queue_time[q];
          t.first += available * h / all;
          t.second += occupied * h / all;
        }
      handles_of.clear();
      available = occupied = 0;
    };
    auto agent_matches = [&](std::int64_t agent) {
      if (!agent_keys.empty() && !agent_keys.count(agent)) return false;
      if (team_filter.empty()) return true;
      auto it = r.team_of_agent.find(agent_name(agent));
      return team_filter.count(it == r.team_of_agent.end() ? "" : it->second) > 0;
    };
    int rc;
    while ((rc = sqlite3_step(work.s)) == SQLITE_ROW) {
      const Millis interval = sqlite3_column_int64(work.s, 0);
      const std::int64_t agent = sqlite3_column_int64(work.s, 1);
      if (interval != cur_interval || agent != cur_agent) {
        flush();
        cur_interval = interval;
        cur_agent = agent;
      }
      if (!agent_matches(agent)) continue;
      const std::int64_t queue = sqlite3_column_int64(work.s, 2);
      if (queue == kNone) {
        available += static_cast<double>(sqlite3_column_int64(work.s, 4));
        occupied += static_cast<double>(sqlite3_column_int64(work.s, 5));
      } else {
        handles_of.emplace_back(queue, static_cast<double>(sqlite3_column_int64(work.s, 3)));
      }
    }
    if (rc != SQLITE_DONE) return db_error(db, "query agent work");
    flush();
  }

  if (r.include_empty_intervals && r.group_by.size() == 1 &&
      r.group_by[0] == Dimension::kInterval) {
    for (Millis t = tz.interval_start(r.from, width); t < r.to;) {
      groups.try_emplace({t});
      // Step by local intervals (a DST change makes one UTC step longer or shorter).
      Millis next = t + width;
      next = tz.interval_start(next + width / 2, width);
      if (next <= t) next = t + width;
      t = next;
    }
  }
  result.rows.reserve(result.rows.size() + groups.size());
  for (const auto& [k, acc] : groups) SB_RETURN_IF_ERROR(emit_row(k, acc));

  SB_RETURN_IF_ERROR(total.waits.resolve(waits));
  SB_RETURN_IF_ERROR(total.handles.resolve(handles));
  result.total = finalize_kpis(total, waits, handles, r, defs, dims, versions_memo);
  {
    double available = 0, occupied = 0;
    for (const auto& [q, t] : queue_time) {
      available += t.first;
      occupied += t.second;
    }
    set_queue_occupancy(result.total, available, occupied);
  }
  return result;
}

}  // namespace sb::reports
