#include "wfmstore/forecast_store.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "sqlite/sqlite.h"
#include "wfmstore/wfm_db.h"

namespace sb::wfmstore {

namespace {

constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS forecast (
  id INTEGER PRIMARY KEY,
  queue TEXT NOT NULL,
  channel TEXT NOT NULL,
  method TEXT NOT NULL,
  time_zone TEXT NOT NULL,
  source TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  interval_minutes INTEGER NOT NULL,
  history_from INTEGER NOT NULL,
  history_to INTEGER NOT NULL,
  mase_scale REAL NOT NULL,
  details TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS forecast_queue ON forecast(queue, id);
CREATE TABLE IF NOT EXISTS forecast_interval (
  forecast_id INTEGER NOT NULL REFERENCES forecast(id),
  start INTEGER NOT NULL,
  volume REAL NOT NULL,
  aht_s REAL,
  horizon_days INTEGER NOT NULL,
  lo80 REAL,
  hi80 REAL,
  lo95 REAL,
  hi95 REAL,
  PRIMARY KEY (forecast_id, start)
) WITHOUT ROWID;
)sql";

constexpr const char* kIntervalBounds[] = {"lo80", "hi80", "lo95", "hi95"};

// wfm.db files made before prediction intervals lack the bound columns: add them (NULL for the
// forecasts already stored, which had no intervals).
Status migrate(sqlite::Database& db) {
  std::vector<std::string> have;
  auto info = db.prepare("PRAGMA table_info(forecast_interval)");
  for (;;) {
    auto row = info.step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    have.push_back(info.text(1));
  }
  for (const char* column : kIntervalBounds) {
    if (std::find(have.begin(), have.end(), column) != have.end()) continue;
    SB_RETURN_IF_ERROR(
        db.exec("ALTER TABLE forecast_interval ADD COLUMN " + std::string(column) + " REAL"));
  }
  return {};
}

constexpr std::string_view kColumns =
    "id, queue, channel, method, time_zone, source, created_at, interval_minutes, history_from, "
    "history_to, mase_scale, details";

StoredForecast read_forecast(const sqlite::Statement& s) {
  StoredForecast f;
  f.id = s.i64(0);
  f.queue = s.text(1);
  f.channel = s.text(2);
  f.method = s.text(3);
  f.time_zone = s.text(4);
  f.source = s.text(5);
  f.created_at = s.i64(6);
  f.interval_minutes = static_cast<int>(s.i64(7));
  f.history_from = s.i64(8);
  f.history_to = s.i64(9);
  f.mase_scale = s.dbl(10);
  f.details = s.text(11);
  return f;
}

}  // namespace

void AccuracyAccumulator::add(int horizon, double forecast, double actual, double mase_scale) {
  for (Sums* s : {&by_horizon_[horizon], &overall_}) {
    const double e = std::fabs(forecast - actual);
    s->abs_err += e;
    s->actual += actual;
    s->forecast += forecast;
    ++s->n;
    if (actual > 0) {
      s->ape += e / actual;
      ++s->n_positive;
    }
    if (mase_scale > 0) {
      s->scaled += e / mase_scale;
      ++s->n_scaled;
    }
  }
}

AccuracyFigures AccuracyAccumulator::figures(const Sums& s) {
  AccuracyFigures f;
  f.intervals = s.n;
  f.actual_total = s.actual;
  f.forecast_total = s.forecast;
  f.mape = s.n_positive > 0 ? 100.0 * s.ape / s.n_positive : 0;
  f.wmape = s.actual > 0 ? 100.0 * s.abs_err / s.actual : 0;
  f.mase = s.n_scaled > 0 ? s.scaled / s.n_scaled : 0;
  f.bias = s.actual > 0 ? 100.0 * (s.forecast - s.actual) / s.actual : 0;
  return f;
}

AccuracyReport AccuracyAccumulator::finish(std::string queue, std::vector<std::int64_t> forecasts,
                                           int pending) const {
  AccuracyReport r;
  r.queue = std::move(queue);
  r.forecasts = std::move(forecasts);
  for (const auto& [h, s] : by_horizon_) r.by_horizon[h] = figures(s);
  r.overall = figures(overall_);
  r.intervals_pending = pending;
  return r;
}

ForecastStore::ForecastStore(std::unique_ptr<sqlite::Database> db) : db_(std::move(db)) {}
ForecastStore::~ForecastStore() = default;

Result<std::unique_ptr<ForecastStore>> ForecastStore::open_data_dir(const std::string& data_dir) {
  return open(wfm_db_path(data_dir));
}

Result<std::unique_ptr<ForecastStore>> ForecastStore::open(const std::string& path) {
  auto db = open_wfm_db(path, kSchema);
  if (!db.ok()) return db.status();
  // Columns added after the table was first created (prediction intervals).
  SB_RETURN_IF_ERROR(migrate(**db));
  return std::unique_ptr<ForecastStore>(new ForecastStore(std::move(*db)));
}

Result<StoredForecast> ForecastStore::publish(StoredForecast f, Millis now) {
  if (f.queue.empty()) return Status::invalid_argument("a forecast needs a queue");
  if (f.intervals.empty()) return Status::invalid_argument("a forecast needs intervals");
  if (f.interval_minutes <= 0 || 1440 % f.interval_minutes != 0)
    return Status::invalid_argument("interval_minutes must divide a day");
  for (const ForecastInterval& i : f.intervals)
    if (!(i.volume >= 0) || !std::isfinite(i.volume))
      return Status::invalid_argument("forecast volumes must be finite and >= 0");
  f.created_at = now;
  std::lock_guard lock(mu_);
  sqlite::Transaction tx(*db_);
  SB_RETURN_IF_ERROR(tx.begin());
  SB_RETURN_IF_ERROR(
      db_->prepare("INSERT INTO forecast (queue, channel, method, time_zone, source, created_at,"
                   " interval_minutes, history_from, history_to, mase_scale, details)"
                   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)")
          .bind_text(1, f.queue)
          .bind_text(2, f.channel)
          .bind_text(3, f.method)
          .bind_text(4, f.time_zone)
          .bind_text(5, f.source)
          .bind_int(6, f.created_at)
          .bind_int(7, f.interval_minutes)
          .bind_int(8, f.history_from)
          .bind_int(9, f.history_to)
          .bind_double(10, f.mase_scale)
          .bind_text(11, f.details)
          .run());
  f.id = db_->last_insert_rowid();
  auto ins = db_->prepare(
      "INSERT INTO forecast_interval (forecast_id, start, volume, aht_s, horizon_days, lo80, hi80,"
      " lo95, hi95) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  for (const ForecastInterval& i : f.intervals) {
    ins.reset().bind_int(1, f.id).bind_int(2, i.start).bind_double(3, i.volume);
    int col = 4;
    for (const auto* v : {&i.aht_s, &i.lo80, &i.hi80, &i.lo95, &i.hi95}) {
      if (*v && std::isfinite(**v)) {
        ins.bind_double(col, **v);
      } else {
        ins.bind_null(col);
      }
      col += col == 4 ? 2 : 1;  // horizon_days sits between aht_s and the bounds
    }
    ins.bind_int(5, i.horizon_days);
    auto st = ins.run();
    if (!st.ok()) {
      if (st.code() == StatusCode::kAlreadyExists)
        return Status::invalid_argument("a forecast has two intervals starting at the same time");
      return st;
    }
  }
  SB_RETURN_IF_ERROR(tx.commit());
  return f;
}

Result<StoredForecast> ForecastStore::get(std::int64_t id) const {
  std::lock_guard lock(mu_);
  auto st = db_->prepare("SELECT " + std::string(kColumns) + " FROM forecast WHERE id = ?1");
  st.bind_int(1, id);
  auto row = st.step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::not_found("forecast " + std::to_string(id) + " does not exist");
  StoredForecast f = read_forecast(st);
  auto is = db_->prepare(
      "SELECT start, volume, aht_s, horizon_days, lo80, hi80, lo95, hi95 FROM forecast_interval"
      " WHERE forecast_id = ?1 ORDER BY start");
  is.bind_int(1, id);
  for (;;) {
    auto r = is.step();
    if (!r.ok()) return r.status();
    if (!*r) break;
    ForecastInterval i;
    i.start = is.i64(0);
    i.volume = is.dbl(1);
    if (!is.is_null(2)) i.aht_s = is.dbl(2);
    i.horizon_days = static_cast<int>(is.i64(3));
    int col = 4;
    for (auto* v : {&i.lo80, &i.hi80, &i.lo95, &i.hi95}) {
      if (!is.is_null(col)) *v = is.dbl(col);
      ++col;
    }
    f.intervals.push_back(i);
  }
  return f;
}

Result<std::vector<StoredForecast>> ForecastStore::list(const std::string& queue) const {
  std::lock_guard lock(mu_);
  auto st = db_->prepare("SELECT " + std::string(kColumns) +
                         " FROM forecast WHERE ?1 = '' OR queue = ?1 ORDER BY id DESC");
  st.bind_text(1, queue);
  std::vector<StoredForecast> out;
  for (;;) {
    auto row = st.step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back(read_forecast(st));
  }
  return out;
}

}  // namespace sb::wfmstore
