#include "alerts/alert_store.h"

#include <sqlite3.h>

namespace sb::alerts {
namespace {

class Stmt {
 public:
  Stmt() = default;
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  sqlite3_stmt** out() { return &stmt_; }
  sqlite3_stmt* get() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS alert_meta(name TEXT PRIMARY KEY, value INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS rules(id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS alerts(id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " rule_id INTEGER NOT NULL, rule_name TEXT NOT NULL, severity TEXT NOT NULL,"
    " metric TEXT NOT NULL, subject TEXT NOT NULL, queue INTEGER,"
    " fired_at INTEGER NOT NULL, fired_value REAL NOT NULL, threshold REAL NOT NULL,"
    " baseline REAL, change REAL, message TEXT NOT NULL,"
    " cleared_at INTEGER, cleared_value REAL, cleared_reason TEXT);"
    "CREATE UNIQUE INDEX IF NOT EXISTS alerts_one_active ON alerts(rule_id, subject)"
    " WHERE cleared_at IS NULL;"
    "CREATE TABLE IF NOT EXISTS interval_figures(start INTEGER NOT NULL, subject TEXT NOT NULL,"
    " metric TEXT NOT NULL, value REAL NOT NULL, PRIMARY KEY(start, subject, metric))"
    " WITHOUT ROWID;";

constexpr const char* kAlertColumns =
    "id, rule_id, rule_name, severity, metric, queue, fired_at, fired_value, threshold, baseline,"
    " change, message, cleared_at, cleared_value, cleared_reason";

std::string column_text(sqlite3_stmt* s, int i) {
  const unsigned char* t = sqlite3_column_text(s, i);
  return t == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(t));
}

std::optional<double> column_real(sqlite3_stmt* s, int i) {
  if (sqlite3_column_type(s, i) == SQLITE_NULL) return std::nullopt;
  return sqlite3_column_double(s, i);
}

Alert read_alert(sqlite3_stmt* s) {
  Alert a;
  a.id = sqlite3_column_int64(s, 0);
  a.rule_id = sqlite3_column_int64(s, 1);
  a.rule_name = column_text(s, 2);
  a.severity = column_text(s, 3) == "critical" ? Severity::kCritical : Severity::kWarning;
  a.metric = column_text(s, 4);
  if (sqlite3_column_type(s, 5) != SQLITE_NULL)
    a.subject.queue = static_cast<QueueId>(sqlite3_column_int64(s, 5));
  a.fired_at = sqlite3_column_int64(s, 6);
  a.fired_value = sqlite3_column_double(s, 7);
  a.threshold = sqlite3_column_double(s, 8);
  a.baseline = column_real(s, 9);
  a.change = column_real(s, 10);
  a.message = column_text(s, 11);
  if (sqlite3_column_type(s, 12) != SQLITE_NULL) a.cleared_at = sqlite3_column_int64(s, 12);
  a.cleared_value = column_real(s, 13);
  a.cleared_reason = column_text(s, 14);
  return a;
}

void bind_optional(sqlite3_stmt* s, int i, const std::optional<double>& v) {
  if (v) {
    sqlite3_bind_double(s, i, *v);
  } else {
    sqlite3_bind_null(s, i);
  }
}

}  // namespace

json alert_to_json(const Alert& a) {
  auto opt = [](const std::optional<double>& v) { return v ? json(*v) : json(nullptr); };
  return {{"id", a.id},
          {"rule_id", a.rule_id},
          {"rule_name", a.rule_name},
          {"severity", std::string(severity_name(a.severity))},
          {"metric", a.metric},
          {"queue", a.subject.queue == kNoId ? json(nullptr) : json(a.subject.queue)},
          {"state", a.active() ? "active" : "cleared"},
          {"fired_at", a.fired_at},
          {"value", a.fired_value},
          {"threshold", a.threshold},
          {"baseline", opt(a.baseline)},
          {"change", opt(a.change)},
          {"message", a.message},
          {"cleared_at", a.cleared_at ? json(*a.cleared_at) : json(nullptr)},
          {"cleared_value", opt(a.cleared_value)},
          {"cleared_reason", a.cleared_reason.empty() ? json(nullptr) : json(a.cleared_reason)}};
}

json transition_to_json(const Transition& t, const Alert& a) {
  json j = {{"event", t.type == TransitionType::kFired ? "fired" : "cleared"},
            {"at", t.at},
            {"message", t.message},
            {"alert", alert_to_json(a)}};
  return j;
}

Result<std::unique_ptr<AlertStore>> AlertStore::open(const std::string& path) {
  std::unique_ptr<AlertStore> store(new AlertStore(path));
  SB_RETURN_IF_ERROR(store->init());
  return store;
}

AlertStore::~AlertStore() { sqlite3_close_v2(db_); }

Status AlertStore::error(int rc, const std::string& what) const {
  std::string message = "alert database '" + path_ + "': " + what + ": " +
                        (db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::corruption(std::move(message));
    case SQLITE_FULL:
      return Status::resource_exhausted(std::move(message));
    case SQLITE_CONSTRAINT:
      return Status::already_exists(std::move(message));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::unavailable(std::move(message));
    default:
      return Status::io_error(std::move(message));
  }
}

Status AlertStore::exec(const char* sql) {
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return error(rc, sql);
  return {};
}

Status AlertStore::init() {
  const int rc =
      sqlite3_open_v2(path_.c_str(), &db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) return error(rc, "cannot open");
  sqlite3_busy_timeout(db_, 5000);
  if (path_ != ":memory:") SB_RETURN_IF_ERROR(exec("PRAGMA journal_mode=WAL"));
  SB_RETURN_IF_ERROR(exec("PRAGMA synchronous=NORMAL"));
  return exec(kSchema);
}

Result<Rule> AlertStore::create_rule(Rule rule) {
  std::lock_guard lock(mu_);
  Stmt s;
  int rc = sqlite3_prepare_v2(db_, "INSERT INTO rules(body) VALUES(?)", -1, s.out(), nullptr);
  if (rc != SQLITE_OK) return error(rc, "cannot save a rule");
  const std::string body = rule_to_json(rule).dump();
  sqlite3_bind_text(s.get(), 1, body.c_str(), -1, SQLITE_TRANSIENT);
  rc = sqlite3_step(s.get());
  if (rc != SQLITE_DONE) return error(rc, "cannot save a rule");
  rule.id = sqlite3_last_insert_rowid(db_);
  return rule;
}

Status AlertStore::update_rule(const Rule& rule) {
  std::lock_guard lock(mu_);
  Stmt s;
  int rc = sqlite3_prepare_v2(db_, "UPDATE rules SET body = ? WHERE id = ?", -1, s.out(), nullptr);
  if (rc != SQLITE_OK) return error(rc, "cannot update a rule");
  const std::string body = rule_to_json(rule).dump();
  sqlite3_bind_text(s.get(), 1, body.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(s.get(), 2, rule.id);
  rc = sqlite3_step(s.get());
  if (rc != SQLITE_DONE) return error(rc, "cannot update a rule");
  if (sqlite3_changes(db_) == 0)
    return Status::not_found("alert rule " + std::to_string(rule.id) + " does not exist");
  return {};
}

Status AlertStore::delete_rule(std::int64_t id) {
  std::lock_guard lock(mu_);
  Stmt s;
  int rc = sqlite3_prepare_v2(db_, "DELETE FROM rules WHERE id = ?", -1, s.out(), nullptr);
  if (rc != SQLITE_OK) return error(rc, "cannot delete a rule");
  sqlite3_bind_int64(s.get(), 1, id);
  rc = sqlite3_step(s.get());
  if (rc != SQLITE_DONE) return error(rc, "cannot delete a rule");
  if (sqlite3_changes(db_) == 0)
    return Status::not_found("alert rule " + std::to_string(id) + " does not exist");
  return {};
}

Result<Rule> AlertStore::rule(std::int64_t id) {
  auto all = rules();
  if (!all.ok()) return all.status();
  for (auto& r : *all)
    if (r.id == id) return r;
  return Status::not_found("alert rule " + std::to_string(id) + " does not exist");
}

Result<std::vector<Rule>> AlertStore::rules() {
  std::lock_guard lock(mu_);
  Stmt s;
  int rc = sqlite3_prepare_v2(db_, "SELECT id, body FROM rules ORDER BY id", -1, s.out(), nullptr);
  if (rc != SQLITE_OK) return error(rc, "cannot read the rules");
  std::vector<Rule> out;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    const std::int64_t id = sqlite3_column_int64(s.get(), 0);
    json body = json::parse(column_text(s.get(), 1), nullptr, false);
    auto r = rule_from_json(body);
    if (!r.ok())
      return Status::corruption("alert database '" + path_ + "': rule " + std::to_string(id) +
                                ": " + r.status().message());
    r->id = id;
    out.push_back(std::move(*r));
  }
  if (rc != SQLITE_DONE) return error(rc, "cannot read the rules");
  return out;
}

Result<Alert> AlertStore::record(const Transition& t) {
  std::lock_guard lock(mu_);
  const std::string subject = t.subject.key();
  if (t.type == TransitionType::kFired) {
    Stmt s;
    int rc = sqlite3_prepare_v2(db_,
                                "INSERT INTO alerts(rule_id, rule_name, severity, metric, subject,"
                                " queue, fired_at, fired_value, threshold, baseline, change,"
                                " message) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)",
                                -1, s.out(), nullptr);
    if (rc != SQLITE_OK) return error(rc, "cannot record an alert");
    sqlite3_bind_int64(s.get(), 1, t.rule_id);
    sqlite3_bind_text(s.get(), 2, t.rule_name.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s.get(), 3, std::string(severity_name(t.severity)).c_str(), -1,
                      SQLITE_TRANSIENT);
    sqlite3_bind_text(s.get(), 4, t.metric.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s.get(), 5, subject.c_str(), -1, SQLITE_TRANSIENT);
    if (t.subject.queue == kNoId) {
      sqlite3_bind_null(s.get(), 6);
    } else {
      sqlite3_bind_int64(s.get(), 6, t.subject.queue);
    }
    sqlite3_bind_int64(s.get(), 7, t.at);
    sqlite3_bind_double(s.get(), 8, t.value);
    sqlite3_bind_double(s.get(), 9, t.threshold);
    bind_optional(s.get(), 10, t.baseline);
    bind_optional(s.get(), 11, t.change);
    sqlite3_bind_text(s.get(), 12, t.message.c_str(), -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(s.get());
    if (rc != SQLITE_DONE) return error(rc, "cannot record an alert");
  } else {
    Stmt s;
    int rc = sqlite3_prepare_v2(db_,
                                "UPDATE alerts SET cleared_at = ?, cleared_value = ?,"
                                " cleared_reason = ? WHERE rule_id = ? AND subject = ? AND"
                                " cleared_at IS NULL",
                                -1, s.out(), nullptr);
    if (rc != SQLITE_OK) return error(rc, "cannot clear an alert");
    sqlite3_bind_int64(s.get(), 1, t.at);
    if (t.reason == "recovered") {
      sqlite3_bind_double(s.get(), 2, t.value);
    } else {
      sqlite3_bind_null(s.get(), 2);
    }
    sqlite3_bind_text(s.get(), 3, t.reason.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s.get(), 4, t.rule_id);
    sqlite3_bind_text(s.get(), 5, subject.c_str(), -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(s.get());
    if (rc != SQLITE_DONE) return error(rc, "cannot clear an alert");
    if (sqlite3_changes(db_) == 0)
      return Status::not_found("no active alert of rule " + std::to_string(t.rule_id) + " for " +
                               subject);
  }
  // The row just written: the newest of this rule and subject.
  Stmt q;
  const std::string sql = std::string("SELECT ") + kAlertColumns +
                          " FROM alerts WHERE rule_id = ? AND subject = ? ORDER BY id DESC LIMIT 1";
  int rc = sqlite3_prepare_v2(db_, sql.c_str(), -1, q.out(), nullptr);
  if (rc != SQLITE_OK) return error(rc, "cannot read an alert");
  sqlite3_bind_int64(q.get(), 1, t.rule_id);
  sqlite3_bind_text(q.get(), 2, subject.c_str(), -1, SQLITE_TRANSIENT);
  rc = sqlite3_step(q.get());
  if (rc != SQLITE_ROW) return error(rc, "cannot read an alert");
  return read_alert(q.get());
}

Result<std::vector<Alert>> AlertStore::active_alerts() {
  auto page = history(0, 100000, true, std::nullopt);
  if (!page.ok()) return page.status();
  return std::move(page->items);
}

Result<AlertPage> AlertStore::history(std::int64_t before_id, std::size_t limit, bool only_active,
                                      std::optional<std::int64_t> rule_id) {
  std::lock_guard lock(mu_);
  std::string sql = std::string("SELECT ") + kAlertColumns + " FROM alerts WHERE id < ?";
  if (only_active) sql += " AND cleared_at IS NULL";
  if (rule_id) sql += " AND rule_id = ?";
  sql += " ORDER BY id DESC LIMIT ?";
  Stmt s;
  int rc = sqlite3_prepare_v2(db_, sql.c_str(), -1, s.out(), nullptr);
  if (rc != SQLITE_OK) return error(rc, "cannot read the alert history");
  int i = 1;
  sqlite3_bind_int64(s.get(), i++, before_id > 0 ? before_id : INT64_MAX);
  if (rule_id) sqlite3_bind_int64(s.get(), i++, *rule_id);
  sqlite3_bind_int64(s.get(), i++, static_cast<std::int64_t>(limit) + 1);
  AlertPage page;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) page.items.push_back(read_alert(s.get()));
  if (rc != SQLITE_DONE) return error(rc, "cannot read the alert history");
  if (page.items.size() > limit) {
    page.items.pop_back();
    page.next_cursor = page.items.back().id;
  }
  return page;
}

Status AlertStore::record_interval(const Sample& interval, Millis keep) {
  std::lock_guard lock(mu_);
  SB_RETURN_IF_ERROR(exec("BEGIN"));
  auto fail = [&](int rc, const char* what) {
    Status st = error(rc, what);
    (void)exec("ROLLBACK");
    return st;
  };
  Stmt s;
  int rc = sqlite3_prepare_v2(
      db_, "INSERT OR REPLACE INTO interval_figures(start, subject, metric, value) VALUES(?,?,?,?)",
      -1, s.out(), nullptr);
  if (rc != SQLITE_OK) return fail(rc, "cannot record interval figures");
  auto put = [&](Subject subject, const Figures& figures) -> int {
    const std::string key = subject.key();
    for (const auto& [metric, value] : figures) {
      sqlite3_reset(s.get());
      sqlite3_bind_int64(s.get(), 1, interval.interval_start);
      sqlite3_bind_text(s.get(), 2, key.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(s.get(), 3, metric.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_double(s.get(), 4, value);
      const int step = sqlite3_step(s.get());
      if (step != SQLITE_DONE) return step;
    }
    return SQLITE_DONE;
  };
  rc = put(Subject{}, interval.center);
  for (auto it = interval.queues.begin(); rc == SQLITE_DONE && it != interval.queues.end(); ++it)
    rc = put(Subject{it->first}, it->second);
  if (rc != SQLITE_DONE) return fail(rc, "cannot record interval figures");
  Stmt prune;
  rc = sqlite3_prepare_v2(db_, "DELETE FROM interval_figures WHERE start < ?", -1, prune.out(),
                          nullptr);
  if (rc != SQLITE_OK) return fail(rc, "cannot prune interval figures");
  sqlite3_bind_int64(prune.get(), 1, interval.interval_start - keep);
  rc = sqlite3_step(prune.get());
  if (rc != SQLITE_DONE) return fail(rc, "cannot prune interval figures");
  return exec("COMMIT");
}

Result<std::optional<double>> AlertStore::interval_figure(std::string_view metric, Subject subject,
                                                          Millis interval_start) const {
  std::lock_guard lock(mu_);
  Stmt s;
  int rc = sqlite3_prepare_v2(
      db_, "SELECT value FROM interval_figures WHERE start = ? AND subject = ? AND metric = ?", -1,
      s.out(), nullptr);
  if (rc != SQLITE_OK) return error(rc, "cannot read a baseline figure");
  const std::string key = subject.key();
  sqlite3_bind_int64(s.get(), 1, interval_start);
  sqlite3_bind_text(s.get(), 2, key.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s.get(), 3, metric.data(), static_cast<int>(metric.size()), SQLITE_TRANSIENT);
  rc = sqlite3_step(s.get());
  if (rc == SQLITE_DONE) return std::optional<double>();
  if (rc != SQLITE_ROW) return error(rc, "cannot read a baseline figure");
  return std::optional<double>(sqlite3_column_double(s.get(), 0));
}

Result<Millis> AlertStore::last_interval_end() {
  std::lock_guard lock(mu_);
  Stmt s;
  int rc = sqlite3_prepare_v2(db_, "SELECT value FROM alert_meta WHERE name = 'last_interval_end'",
                              -1, s.out(), nullptr);
  if (rc != SQLITE_OK) return error(rc, "cannot read the last evaluated interval");
  rc = sqlite3_step(s.get());
  if (rc == SQLITE_ROW) return static_cast<Millis>(sqlite3_column_int64(s.get(), 0));
  if (rc != SQLITE_DONE) return error(rc, "cannot read the last evaluated interval");
  return Millis{0};
}

Status AlertStore::set_last_interval_end(Millis end) {
  std::lock_guard lock(mu_);
  Stmt s;
  int rc = sqlite3_prepare_v2(
      db_, "INSERT OR REPLACE INTO alert_meta(name, value) VALUES('last_interval_end', ?)", -1,
      s.out(), nullptr);
  if (rc != SQLITE_OK) return error(rc, "cannot save the last evaluated interval");
  sqlite3_bind_int64(s.get(), 1, end);
  rc = sqlite3_step(s.get());
  if (rc != SQLITE_DONE) return error(rc, "cannot save the last evaluated interval");
  return {};
}

}  // namespace sb::alerts
