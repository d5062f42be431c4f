#include "alerts/alert_store.h"

#include "sqlite/sqlite.h"

namespace sb::alerts {
namespace {

using sqlite::Statement;

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

std::optional<double> column_real(const Statement& s, int i) {
  if (s.is_null(i)) return std::nullopt;
  return s.dbl(i);
}

Alert read_alert(const Statement& s) {
  Alert a;
  a.id = s.i64(0);
  a.rule_id = s.i64(1);
  a.rule_name = s.text(2);
  a.severity = s.text(3) == "critical" ? Severity::kCritical : Severity::kWarning;
  a.metric = s.text(4);
  if (!s.is_null(5)) a.subject.queue = static_cast<QueueId>(s.i64(5));
  a.fired_at = s.i64(6);
  a.fired_value = s.dbl(7);
  a.threshold = s.dbl(8);
  a.baseline = column_real(s, 9);
  a.change = column_real(s, 10);
  a.message = s.text(11);
  if (!s.is_null(12)) a.cleared_at = s.i64(12);
  a.cleared_value = column_real(s, 13);
  a.cleared_reason = s.text(14);
  return a;
}

Statement& bind_optional(Statement& s, int i, const std::optional<double>& v) {
  return v ? s.bind_double(i, *v) : s.bind_null(i);
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
  // NORMAL: the history and the baselines are worth keeping but not an fsync per transition.
  auto db =
      sqlite::Database::open(path, {.label = "alert", .synchronous = sqlite::Synchronous::kNormal});
  if (!db.ok()) return db.status();
  SB_RETURN_IF_ERROR((*db)->exec(kSchema));
  return std::unique_ptr<AlertStore>(new AlertStore(std::move(*db)));
}

AlertStore::AlertStore(std::unique_ptr<sqlite::Database> db) : db_(std::move(db)) {}
AlertStore::~AlertStore() = default;

Result<Rule> AlertStore::create_rule(Rule rule) {
  std::lock_guard lock(mu_);
  SB_RETURN_IF_ERROR(db_->prepare("INSERT INTO rules(body) VALUES(?1)")
                         .bind_text(1, rule_to_json(rule).dump())
                         .run());
  rule.id = db_->last_insert_rowid();
  return rule;
}

Status AlertStore::update_rule(const Rule& rule) {
  std::lock_guard lock(mu_);
  SB_RETURN_IF_ERROR(db_->prepare("UPDATE rules SET body = ?1 WHERE id = ?2")
                         .bind_text(1, rule_to_json(rule).dump())
                         .bind_int(2, rule.id)
                         .run());
  if (db_->changes() == 0)
    return Status::not_found("alert rule " + std::to_string(rule.id) + " does not exist");
  return {};
}

Status AlertStore::delete_rule(std::int64_t id) {
  std::lock_guard lock(mu_);
  SB_RETURN_IF_ERROR(db_->prepare("DELETE FROM rules WHERE id = ?1").bind_int(1, id).run());
  if (db_->changes() == 0)
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
  auto s = db_->prepare("SELECT id, body FROM rules ORDER BY id");
  std::vector<Rule> out;
  for (;;) {
    auto row = s.step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    const std::int64_t id = s.i64(0);
    json body = json::parse(s.text(1), nullptr, false);
    auto r = rule_from_json(body);
    if (!r.ok())
      return Status::corruption("alert database '" + db_->path() + "': rule " + std::to_string(id) +
                                ": " + r.status().message());
    r->id = id;
    out.push_back(std::move(*r));
  }
}

Result<Alert> AlertStore::record(const Transition& t) {
  std::lock_guard lock(mu_);
  const std::string subject = t.subject.key();
  if (t.type == TransitionType::kFired) {
    auto s = db_->prepare(
        "INSERT INTO alerts(rule_id, rule_name, severity, metric, subject, queue, fired_at,"
        " fired_value, threshold, baseline, change, message)"
        " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
    s.bind_int(1, t.rule_id)
        .bind_text(2, t.rule_name)
        .bind_text(3, severity_name(t.severity))
        .bind_text(4, t.metric)
        .bind_text(5, subject)
        .bind_opt(6, t.subject.queue == kNoId ? std::nullopt
                                              : std::optional<std::int64_t>(t.subject.queue))
        .bind_int(7, t.at)
        .bind_double(8, t.value)
        .bind_double(9, t.threshold);
    bind_optional(s, 10, t.baseline);
    bind_optional(s, 11, t.change);
    SB_RETURN_IF_ERROR(s.bind_text(12, t.message).run());
  } else {
    auto s = db_->prepare(
        "UPDATE alerts SET cleared_at = ?1, cleared_value = ?2, cleared_reason = ?3"
        " WHERE rule_id = ?4 AND subject = ?5 AND cleared_at IS NULL");
    s.bind_int(1, t.at);
    if (t.reason == "recovered") {
      s.bind_double(2, t.value);
    } else {
      s.bind_null(2);
    }
    SB_RETURN_IF_ERROR(s.bind_text(3, t.reason).bind_int(4, t.rule_id).bind_text(5, subject).run());
    if (db_->changes() == 0)
      return Status::not_found("no active alert of rule " + std::to_string(t.rule_id) + " for " +
                               subject);
  }
  // The row just written: the newest of this rule and subject.
  auto q =
      db_->prepare(std::string("SELECT ") + kAlertColumns +
                   " FROM alerts WHERE rule_id = ?1 AND subject = ?2 ORDER BY id DESC LIMIT 1");
  q.bind_int(1, t.rule_id).bind_text(2, subject);
  auto row = q.step();
  if (!row.ok()) return row.status();
  if (!*row)
    return Status::internal("alert database '" + db_->path() + "': the alert just written is gone");
  return read_alert(q);
}

Result<std::vector<Alert>> AlertStore::active_alerts() {
  auto page = history(0, 100000, true, std::nullopt);
  if (!page.ok()) return page.status();
  return std::move(page->items);
}

Result<AlertPage> AlertStore::history(std::int64_t before_id, std::size_t limit, bool only_active,
                                      std::optional<std::int64_t> rule_id) {
  std::lock_guard lock(mu_);
  std::string sql = std::string("SELECT ") + kAlertColumns + " FROM alerts WHERE id < ?1";
  if (only_active) sql += " AND cleared_at IS NULL";
  if (rule_id) sql += " AND rule_id = ?3";
  sql += " ORDER BY id DESC LIMIT ?2";
  auto s = db_->prepare(sql);
  s.bind_int(1, before_id > 0 ? before_id : INT64_MAX)
      .bind_int(2, static_cast<std::int64_t>(limit) + 1);
  if (rule_id) s.bind_int(3, *rule_id);
  AlertPage page;
  for (;;) {
    auto row = s.step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    page.items.push_back(read_alert(s));
  }
  if (page.items.size() > limit) {
    page.items.pop_back();
    page.next_cursor = page.items.back().id;
  }
  return page;
}

Status AlertStore::record_interval(const Sample& interval, Millis keep) {
  std::lock_guard lock(mu_);
  sqlite::Transaction tx(*db_);
  SB_RETURN_IF_ERROR(tx.begin());
  auto s = db_->prepare(
      "INSERT OR REPLACE INTO interval_figures(start, subject, metric, value)"
      " VALUES(?1, ?2, ?3, ?4)");
  auto put = [&](Subject subject, const Figures& figures) -> Status {
    const std::string key = subject.key();
    for (const auto& [metric, value] : figures)
      SB_RETURN_IF_ERROR(s.reset()
                             .bind_int(1, interval.interval_start)
                             .bind_text(2, key)
                             .bind_text(3, metric)
                             .bind_double(4, value)
                             .run());
    return {};
  };
  SB_RETURN_IF_ERROR(put(Subject{}, interval.center));
  for (const auto& [queue, figures] : interval.queues)
    SB_RETURN_IF_ERROR(put(Subject{queue}, figures));
  SB_RETURN_IF_ERROR(db_->prepare("DELETE FROM interval_figures WHERE start < ?1")
                         .bind_int(1, interval.interval_start - keep)
                         .run());
  return tx.commit();
}

Result<std::optional<double>> AlertStore::interval_figure(std::string_view metric, Subject subject,
                                                          Millis interval_start) const {
  std::lock_guard lock(mu_);
  auto s = db_->prepare(
      "SELECT value FROM interval_figures WHERE start = ?1 AND subject = ?2 AND metric = ?3");
  s.bind_int(1, interval_start).bind_text(2, subject.key()).bind_text(3, metric);
  auto row = s.step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<double>();
  return std::optional<double>(s.dbl(0));
}

Result<Millis> AlertStore::last_interval_end() {
  std::lock_guard lock(mu_);
  auto s = db_->prepare("SELECT value FROM alert_meta WHERE name = 'last_interval_end'");
  auto row = s.step();
  if (!row.ok()) return row.status();
  return *row ? static_cast<Millis>(s.i64(0)) : Millis{0};
}

Status AlertStore::set_last_interval_end(Millis end) {
  std::lock_guard lock(mu_);
  return db_
      ->prepare("INSERT OR REPLACE INTO alert_meta(name, value) VALUES('last_interval_end', ?1)")
      .bind_int(1, end)
      .run();
}

}  // namespace sb::alerts
