#include "wfmstore/schedule_store.h"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <set>

#include "sqlite/sqlite.h"
#include "wfmstore/wfm_db.h"

namespace sb::wfmstore {

namespace {

constexpr std::array<std::string_view, kActivityKindCount> kKindNames = {
    "work", "break", "lunch", "training", "meeting", "off"};

// The schedule tables; forecast_store.cpp adds its own to the same file.
constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS schedule (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  team TEXT NOT NULL,
  queues TEXT NOT NULL,
  agents TEXT NOT NULL,
  time_zone TEXT NOT NULL,
  start INTEGER NOT NULL,
  interval_minutes INTEGER NOT NULL,
  required TEXT NOT NULL,
  state INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  published_at INTEGER NOT NULL,
  forecast_id INTEGER,
  solver_summary TEXT NOT NULL,
  revision INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS schedule_activity (
  id INTEGER PRIMARY KEY,
  schedule_id INTEGER NOT NULL REFERENCES schedule(id),
  agent TEXT NOT NULL,
  kind INTEGER NOT NULL,
  start INTEGER NOT NULL,
  end INTEGER NOT NULL,
  label TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS schedule_activity_agent ON schedule_activity(agent, start);
CREATE INDEX IF NOT EXISTS schedule_activity_schedule ON schedule_activity(schedule_id, agent);
)sql";

std::string to_json_text(const std::vector<std::string>& v) { return nlohmann::json(v).dump(); }
std::string to_json_text(const std::vector<double>& v) { return nlohmann::json(v).dump(); }

template <typename T>
Result<std::vector<T>> from_json_text(const std::string& text, const char* what) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_array())
    return Status::corruption(std::string("wfm database: bad ") + what + " column");
  try {
    return j.get<std::vector<T>>();
  } catch (const nlohmann::json::exception&) {
    return Status::corruption(std::string("wfm database: bad ") + what + " column");
  }
}

constexpr std::string_view kHeaderColumns =
    "id, name, team, queues, agents, time_zone, start, interval_minutes, required, state, "
    "created_at, updated_at, published_at, forecast_id, solver_summary, revision";

Result<ScheduleHeader> read_header(const sqlite::Statement& s, std::vector<std::string>* agents) {
  ScheduleHeader h;
  h.id = s.i64(0);
  h.name = s.text(1);
  h.team = s.text(2);
  auto queues = from_json_text<std::string>(s.text(3), "queues");
  if (!queues.ok()) return queues.status();
  h.queues = std::move(*queues);
  if (agents != nullptr) {
    auto a = from_json_text<std::string>(s.text(4), "agents");
    if (!a.ok()) return a.status();
    *agents = std::move(*a);
  }
  h.time_zone = s.text(5);
  h.start = s.i64(6);
  h.interval_minutes = static_cast<int>(s.i64(7));
  auto required = from_json_text<double>(s.text(8), "required");
  if (!required.ok()) return required.status();
  h.required = std::move(*required);
  const std::int64_t state = s.i64(9);
  if (state < 0 || state > 2) return Status::corruption("wfm database: bad schedule state");
  h.state = static_cast<ScheduleState>(state);
  h.created_at = s.i64(10);
  h.updated_at = s.i64(11);
  h.published_at = s.i64(12);
  h.forecast_id = s.opt_i64(13);
  h.solver_summary = s.text(14);
  h.revision = s.i64(15);
  return h;
}

Result<Activity> read_activity(const sqlite::Statement& s) {
  Activity a;
  a.id = s.i64(0);
  a.schedule_id = s.i64(1);
  a.agent = s.text(2);
  const std::int64_t kind = s.i64(3);
  if (kind < 0 || kind >= kActivityKindCount)
    return Status::corruption("wfm database: bad activity kind");
  a.kind = static_cast<ActivityKind>(kind);
  a.start = s.i64(4);
  a.end = s.i64(5);
  a.label = s.text(6);
  return a;
}

constexpr std::string_view kActivityColumns = "id, schedule_id, agent, kind, start, end, label";

std::string qualified_activity_columns() {
  return "a.id, a.schedule_id, a.agent, a.kind, a.start, a.end, a.label";
}

Status insert_activity(sqlite::Database& db, const Activity& a, bool keep_id) {
  auto st = db.prepare(
      "INSERT INTO schedule_activity (id, schedule_id, agent, kind, start, end, label) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  if (keep_id && a.id != 0) {
    st.bind_int(1, a.id);
  } else {
    st.bind_null(1);
  }
  return st.bind_int(2, a.schedule_id)
      .bind_text(3, a.agent)
      .bind_int(4, static_cast<int>(a.kind))
      .bind_int(5, a.start)
      .bind_int(6, a.end)
      .bind_text(7, a.label)
      .run();
}

std::string format_utc(Millis t) {
  // Messages only: "at epoch ms N" keeps this file free of time-zone code.
  return std::to_string(t);
}

}  // namespace

std::string_view activity_kind_name(ActivityKind k) {
  return kKindNames[static_cast<std::size_t>(k)];
}

Result<ActivityKind> parse_activity_kind(std::string_view name) {
  for (std::size_t i = 0; i < kKindNames.size(); ++i)
    if (kKindNames[i] == name) return static_cast<ActivityKind>(i);
  return Status::invalid_argument("unknown activity '" + std::string(name) +
                                  "' (work, break, lunch, training, meeting, off)");
}

std::string_view schedule_state_name(ScheduleState s) {
  switch (s) {
    case ScheduleState::kDraft:
      return "draft";
    case ScheduleState::kPublished:
      return "published";
    case ScheduleState::kSuperseded:
      return "superseded";
  }
  return "draft";
}

std::vector<Activity> paint(std::vector<Activity> existing, const Activity& a) {
  std::vector<Activity> out;
  out.reserve(existing.size() + 2);
  for (Activity& e : existing) {
    if (e.end <= a.start || e.start >= a.end) {
      out.push_back(std::move(e));
      continue;
    }
    const bool left = e.start < a.start;
    const bool right = e.end > a.end;
    if (left && right) {
      Activity tail = e;
      tail.id = 0;
      tail.start = a.end;
      e.end = a.start;
      out.push_back(std::move(e));
      out.push_back(std::move(tail));
    } else if (left) {
      e.end = a.start;
      out.push_back(std::move(e));
    } else if (right) {
      e.start = a.end;
      out.push_back(std::move(e));
    }
    // else: entirely covered, dropped
  }
  out.push_back(a);
  std::sort(out.begin(), out.end(),
            [](const Activity& x, const Activity& y) { return x.start < y.start; });
  return out;
}

Coverage compute_coverage(const ScheduleHeader& h, const std::vector<Activity>& activities) {
  Coverage c;
  const std::size_t n = h.required.size();
  c.scheduled.assign(n, 0.0);
  c.required = h.required;
  const Millis width = static_cast<Millis>(h.interval_minutes) * kMillisPerMinute;
  if (width > 0) {
    for (const Activity& a : activities) {
      if (!is_on_phones(a.kind) || a.end <= h.start) continue;
      const Millis from = std::max(a.start, h.start);
      const Millis to = std::min(a.end, h.end());
      for (Millis i = (from - h.start) / width; i < static_cast<Millis>(n); ++i) {
        const Millis is = h.start + i * width;
        if (is >= to) break;
        const Millis overlap = std::min(to, is + width) - std::max(from, is);
        if (overlap > 0)
          c.scheduled[static_cast<std::size_t>(i)] +=
              static_cast<double>(overlap) / static_cast<double>(width);
      }
    }
  }
  c.difference.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    c.difference[i] = c.scheduled[i] - c.required[i];
    if (c.difference[i] < 0) c.under -= c.difference[i];
    if (c.difference[i] > 0) c.over += c.difference[i];
  }
  return c;
}

ScheduleStore::ScheduleStore(std::unique_ptr<sqlite::Database> db) : db_(std::move(db)) {}
ScheduleStore::~ScheduleStore() = default;

Result<std::unique_ptr<ScheduleStore>> ScheduleStore::open_data_dir(const std::string& data_dir) {
  return open(wfm_db_path(data_dir));
}

Result<std::unique_ptr<ScheduleStore>> ScheduleStore::open(const std::string& path) {
  auto db = open_wfm_db(path, kSchema);
  if (!db.ok()) return db.status();
  return std::unique_ptr<ScheduleStore>(new ScheduleStore(std::move(*db)));
}

Result<std::optional<Activity>> ScheduleStore::activity_at(std::string_view agent, Millis t) const {
  std::lock_guard lock(mu_);
  auto st = db_->prepare("SELECT " + qualified_activity_columns() +
                         " FROM schedule_activity a JOIN schedule s ON s.id = a.schedule_id"
                         " WHERE s.state = 1 AND a.agent = ?1 AND a.start <= ?2 AND a.end > ?2"
                         " ORDER BY a.start DESC LIMIT 1");
  st.bind_text(1, agent).bind_int(2, t);
  auto row = st.step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<Activity>();
  auto a = read_activity(st);
  if (!a.ok()) return a.status();
  return std::optional<Activity>(std::move(*a));
}

Result<std::vector<Activity>> ScheduleStore::published_activities(std::string_view agent,
                                                                  Millis from, Millis to) const {
  std::lock_guard lock(mu_);
  auto st = db_->prepare("SELECT " + qualified_activity_columns() +
                         " FROM schedule_activity a JOIN schedule s ON s.id = a.schedule_id"
                         " WHERE s.state = 1 AND a.agent = ?1 AND a.start < ?3 AND a.end > ?2"
                         " ORDER BY a.start, a.id");
  st.bind_text(1, agent).bind_int(2, from).bind_int(3, to);
  std::vector<Activity> out;
  for (;;) {
    auto row = st.step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    auto a = read_activity(st);
    if (!a.ok()) return a.status();
    out.push_back(std::move(*a));
  }
  return out;
}

Result<std::vector<std::string>> ScheduleStore::published_agents(Millis from, Millis to) const {
  std::lock_guard lock(mu_);
  auto st = db_->prepare(
      "SELECT DISTINCT a.agent FROM schedule_activity a JOIN schedule s ON s.id = a.schedule_id"
      " WHERE s.state = 1 AND a.start < ?2 AND a.end > ?1 ORDER BY a.agent");
  st.bind_int(1, from).bind_int(2, to);
  std::vector<std::string> out;
  for (;;) {
    auto row = st.step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back(st.text(0));
  }
  return out;
}

Status ScheduleStore::check_activity(const ScheduleHeader& h, const Activity& a) const {
  if (a.agent.empty()) return Status::invalid_argument("an activity needs an agent");
  if (a.end <= a.start)
    return Status::invalid_argument("activity of " + a.agent + ": end " + format_utc(a.end) +
                                    " is not after start " + format_utc(a.start));
  if (a.start % kMillisPerMinute != 0 || a.end % kMillisPerMinute != 0)
    return Status::invalid_argument("activity of " + a.agent +
                                    ": start and end must be whole minutes");
  if (a.start < h.start || a.end > h.end())
    return Status::invalid_argument("activity of " + a.agent +
                                    " lies outside the schedule's period");
  return Status::ok_status();
}

Result<Schedule> ScheduleStore::load(std::int64_t id) const {
  auto hs = db_->prepare("SELECT " + std::string(kHeaderColumns) + " FROM schedule WHERE id = ?1");
  hs.bind_int(1, id);
  auto row = hs.step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::not_found("schedule " + std::to_string(id) + " does not exist");
  Schedule s;
  auto h = read_header(hs, &s.agents);
  if (!h.ok()) return h.status();
  s.header = std::move(*h);
  auto as = db_->prepare("SELECT " + std::string(kActivityColumns) +
                         " FROM schedule_activity WHERE schedule_id = ?1 ORDER BY agent, start");
  as.bind_int(1, id);
  for (;;) {
    auto r = as.step();
    if (!r.ok()) return r.status();
    if (!*r) break;
    auto a = read_activity(as);
    if (!a.ok()) return a.status();
    s.activities.push_back(std::move(*a));
  }
  return s;
}

Result<Schedule> ScheduleStore::create(Schedule s, Millis now) {
  ScheduleHeader& h = s.header;
  if (h.interval_minutes <= 0 || 1440 % h.interval_minutes != 0)
    return Status::invalid_argument("interval_minutes must divide a day");
  if (h.required.empty()) return Status::invalid_argument("a schedule needs a period");
  for (double r : h.required)
    if (!(r >= 0)) return Status::invalid_argument("required headcount must be >= 0");
  std::set<std::string> agents(s.agents.begin(), s.agents.end());
  std::sort(s.activities.begin(), s.activities.end(), [](const Activity& a, const Activity& b) {
    return a.agent != b.agent ? a.agent < b.agent : a.start < b.start;
  });
  for (std::size_t i = 0; i < s.activities.size(); ++i) {
    const Activity& a = s.activities[i];
    SB_RETURN_IF_ERROR(check_activity(h, a));
    if (i > 0 && s.activities[i - 1].agent == a.agent && s.activities[i - 1].end > a.start)
      return Status::invalid_argument("activities of " + a.agent + " overlap");
    agents.insert(a.agent);
  }
  s.agents.assign(agents.begin(), agents.end());
  h.state = ScheduleState::kDraft;
  h.created_at = h.updated_at = now;
  h.published_at = 0;
  h.revision = 1;

  std::lock_guard lock(mu_);
  sqlite::Transaction tx(*db_);
  SB_RETURN_IF_ERROR(tx.begin());
  auto ins = db_->prepare(
      "INSERT INTO schedule (name, team, queues, agents, time_zone, start, interval_minutes,"
      " required, state, created_at, updated_at, published_at, forecast_id, solver_summary,"
      " revision) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0, ?9, ?9, 0, ?10, ?11, 1)");
  ins.bind_text(1, h.name)
      .bind_text(2, h.team)
      .bind_text(3, to_json_text(h.queues))
      .bind_text(4, to_json_text(s.agents))
      .bind_text(5, h.time_zone)
      .bind_int(6, h.start)
      .bind_int(7, h.interval_minutes)
      .bind_text(8, to_json_text(h.required))
      .bind_int(9, now)
      .bind_opt(10, h.forecast_id)
      .bind_text(11, h.solver_summary);
  SB_RETURN_IF_ERROR(ins.run());
  h.id = db_->last_insert_rowid();
  for (Activity& a : s.activities) {
    a.schedule_id = h.id;
    SB_RETURN_IF_ERROR(insert_activity(*db_, a, false));
    a.id = db_->last_insert_rowid();
  }
  SB_RETURN_IF_ERROR(tx.commit());
  return s;
}

Result<Schedule> ScheduleStore::get(std::int64_t id) const {
  std::lock_guard lock(mu_);
  return load(id);
}

Result<std::vector<ScheduleHeader>> ScheduleStore::list() const {
  std::lock_guard lock(mu_);
  auto st =
      db_->prepare("SELECT " + std::string(kHeaderColumns) + " FROM schedule ORDER BY id DESC");
  std::vector<ScheduleHeader> out;
  for (;;) {
    auto row = st.step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    auto h = read_header(st, nullptr);
    if (!h.ok()) return h.status();
    out.push_back(std::move(*h));
  }
  return out;
}

Result<Schedule> ScheduleStore::edit(std::int64_t id, const ActivityEdit& e, Millis now) {
  std::lock_guard lock(mu_);
  sqlite::Transaction tx(*db_);
  SB_RETURN_IF_ERROR(tx.begin());
  auto current = load(id);
  if (!current.ok()) return current.status();
  Schedule& s = *current;
  if (s.header.state == ScheduleState::kSuperseded)
    return Status::failed_precondition("schedule " + std::to_string(id) +
                                       " was superseded by a newer published schedule");

  auto agent_list = [&](const std::string& agent) {
    std::vector<Activity> v;
    for (const Activity& a : s.activities)
      if (a.agent == agent) v.push_back(a);
    return v;
  };
  // Writes one agent's new list: rows no longer present are deleted, others updated or inserted.
  auto write_agent = [&](const std::string& agent, const std::vector<Activity>& before,
                         const std::vector<Activity>& after) -> Status {
    std::set<std::int64_t> kept;
    for (const Activity& a : after)
      if (a.id != 0) kept.insert(a.id);
    for (const Activity& a : before) {
      if (kept.count(a.id) != 0) continue;
      SB_RETURN_IF_ERROR(
          db_->prepare("DELETE FROM schedule_activity WHERE id = ?1").bind_int(1, a.id).run());
    }
    for (Activity a : after) {
      a.schedule_id = id;
      a.agent = agent;
      const bool existed = std::any_of(before.begin(), before.end(),
                                       [&](const Activity& b) { return b.id == a.id; });
      if (a.id != 0 && existed) {
        SB_RETURN_IF_ERROR(db_->prepare("UPDATE schedule_activity SET kind = ?2, start = ?3,"
                                        " end = ?4, label = ?5 WHERE id = ?1")
                               .bind_int(1, a.id)
                               .bind_int(2, static_cast<int>(a.kind))
                               .bind_int(3, a.start)
                               .bind_int(4, a.end)
                               .bind_text(5, a.label)
                               .run());
      } else {
        SB_RETURN_IF_ERROR(insert_activity(*db_, a, true));
      }
    }
    return Status::ok_status();
  };

  std::vector<std::string> agents = s.agents;
  switch (e.op) {
    case ActivityEdit::Op::kAdd: {
      Activity a{.id = 0,
                 .schedule_id = id,
                 .agent = e.agent,
                 .kind = e.kind,
                 .start = e.start,
                 .end = e.end,
                 .label = e.label};
      SB_RETURN_IF_ERROR(check_activity(s.header, a));
      auto before = agent_list(a.agent);
      SB_RETURN_IF_ERROR(write_agent(a.agent, before, paint(before, a)));
      if (std::find(agents.begin(), agents.end(), a.agent) == agents.end())
        agents.push_back(a.agent);
      break;
    }
    case ActivityEdit::Op::kUpdate:
    case ActivityEdit::Op::kRemove: {
      auto it = std::find_if(s.activities.begin(), s.activities.end(),
                             [&](const Activity& a) { return a.id == e.activity_id; });
      if (it == s.activities.end())
        return Status::not_found("activity " + std::to_string(e.activity_id) +
                                 " is not in schedule " + std::to_string(id));
      const Activity old = *it;
      auto before_old = agent_list(old.agent);
      std::vector<Activity> without_old;
      for (const Activity& a : before_old)
        if (a.id != old.id) without_old.push_back(a);
      if (e.op == ActivityEdit::Op::kRemove) {
        SB_RETURN_IF_ERROR(write_agent(old.agent, before_old, without_old));
        break;
      }
      Activity a{.id = old.id,
                 .schedule_id = id,
                 .agent = e.agent.empty() ? old.agent : e.agent,
                 .kind = e.kind,
                 .start = e.start,
                 .end = e.end,
                 .label = e.label};
      SB_RETURN_IF_ERROR(check_activity(s.header, a));
      if (a.agent == old.agent) {
        SB_RETURN_IF_ERROR(write_agent(a.agent, before_old, paint(without_old, a)));
      } else {
        SB_RETURN_IF_ERROR(write_agent(old.agent, before_old, without_old));
        auto before_new = agent_list(a.agent);
        // The moved activity is a new row for its new agent (its id is kept).
        SB_RETURN_IF_ERROR(write_agent(a.agent, before_new, paint(before_new, a)));
        if (std::find(agents.begin(), agents.end(), a.agent) == agents.end())
          agents.push_back(a.agent);
      }
      break;
    }
  }
  std::sort(agents.begin(), agents.end());
  SB_RETURN_IF_ERROR(db_->prepare("UPDATE schedule SET updated_at = ?2, revision = revision + 1,"
                                  " agents = ?3 WHERE id = ?1")
                         .bind_int(1, id)
                         .bind_int(2, now)
                         .bind_text(3, to_json_text(agents))
                         .run());
  auto after = load(id);
  if (!after.ok()) return after.status();
  SB_RETURN_IF_ERROR(tx.commit());
  return after;
}

Result<Schedule> ScheduleStore::publish(std::int64_t id, Millis now) {
  std::lock_guard lock(mu_);
  sqlite::Transaction tx(*db_);
  SB_RETURN_IF_ERROR(tx.begin());
  auto current = load(id);
  if (!current.ok()) return current.status();
  const ScheduleHeader& h = current->header;
  if (h.state == ScheduleState::kPublished) return current;
  if (h.state == ScheduleState::kSuperseded)
    return Status::failed_precondition("schedule " + std::to_string(id) +
                                       " was superseded; generate or copy a new one");
  const std::set<std::string> mine(current->agents.begin(), current->agents.end());
  auto others = db_->prepare(
      "SELECT id, agents, start, interval_minutes, required FROM schedule"
      " WHERE state = 1 AND id != ?1");
  others.bind_int(1, id);
  std::vector<std::int64_t> superseded;
  for (;;) {
    auto row = others.step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    auto agents = from_json_text<std::string>(others.text(1), "agents");
    auto required = from_json_text<double>(others.text(4), "required");
    if (!agents.ok()) return agents.status();
    if (!required.ok()) return required.status();
    const Millis start = others.i64(2);
    const Millis end =
        start + static_cast<Millis>(required->size()) * others.i64(3) * kMillisPerMinute;
    if (end <= h.start || start >= h.end()) continue;
    if (std::any_of(agents->begin(), agents->end(),
                    [&](const std::string& a) { return mine.count(a) != 0; }))
      superseded.push_back(others.i64(0));
  }
  for (std::int64_t other : superseded)
    SB_RETURN_IF_ERROR(db_->prepare("UPDATE schedule SET state = 2, updated_at = ?2 WHERE id = ?1")
                           .bind_int(1, other)
                           .bind_int(2, now)
                           .run());
  SB_RETURN_IF_ERROR(
      db_->prepare(
             "UPDATE schedule SET state = 1, published_at = ?2, updated_at = ?2 WHERE id = ?1")
          .bind_int(1, id)
          .bind_int(2, now)
          .run());
  auto after = load(id);
  if (!after.ok()) return after.status();
  SB_RETURN_IF_ERROR(tx.commit());
  return after;
}

Status ScheduleStore::remove(std::int64_t id) {
  std::lock_guard lock(mu_);
  sqlite::Transaction tx(*db_);
  SB_RETURN_IF_ERROR(tx.begin());
  auto current = load(id);
  if (!current.ok()) return current.status();
  if (current->header.state != ScheduleState::kDraft)
    return Status::failed_precondition("schedule " + std::to_string(id) +
                                       " is not a draft; published schedules are kept");
  SB_RETURN_IF_ERROR(
      db_->prepare("DELETE FROM schedule_activity WHERE schedule_id = ?1").bind_int(1, id).run());
  SB_RETURN_IF_ERROR(db_->prepare("DELETE FROM schedule WHERE id = ?1").bind_int(1, id).run());
  return tx.commit();
}

}  // namespace sb::wfmstore
