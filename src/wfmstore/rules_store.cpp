#include "wfmstore/rules_store.h"

#include <nlohmann/json.hpp>

#include "sqlite/sqlite.h"
#include "wfmstore/breaks_json.h"
#include "wfmstore/wfm_db.h"

namespace sb::wfmstore {

namespace {

// Added in schema version 2 (wfm_db.h).
constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS shift_template (
  name TEXT PRIMARY KEY,
  definition TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS agent_contract (
  agent TEXT PRIMARY KEY,
  definition TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS time_off (
  id INTEGER PRIMARY KEY,
  agent TEXT NOT NULL,
  first_day INTEGER NOT NULL,
  last_day INTEGER NOT NULL,
  reason TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS time_off_agent ON time_off(agent, first_day);
)sql";

using json = nlohmann::json;

// The stored definitions: the structs' fields in minutes (not the API's "HH:MM" text).
json to_json(const wfm::ShiftTemplate& t) {
  return {{"length_min", t.length_min},
          {"earliest_start_min", t.earliest_start_min},
          {"latest_start_min", t.latest_start_min},
          {"start_step_min", t.start_step_min},
          {"weekdays", t.weekdays},
          {"breaks", breaks_to_json(t.breaks)}};
}

json to_json(const AgentContract& c) {
  json availability = json::array();
  for (const auto& day : c.availability) {
    json windows = json::array();
    for (const auto& w : day) windows.push_back({w.from_min, w.to_min});
    availability.push_back(windows);
  }
  return {{"templates", c.templates},
          {"min_paid_min", c.min_paid_min},
          {"max_paid_min", c.max_paid_min},
          {"max_days", c.max_days},
          {"availability", availability},
          {"unavailable", c.unavailable},
          {"skills", c.skills}};
}

Status corrupt(const std::string& what) {
  return Status::corruption("wfm database: bad stored " + what);
}

Result<wfm::ShiftTemplate> template_from(const std::string& name, const std::string& text) {
  auto j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return corrupt("template '" + name + "'");
  try {
    wfm::ShiftTemplate t;
    t.name = name;
    t.length_min = j.at("length_min").get<int>();
    t.earliest_start_min = j.at("earliest_start_min").get<int>();
    t.latest_start_min = j.at("latest_start_min").get<int>();
    t.start_step_min = j.at("start_step_min").get<int>();
    t.weekdays = j.at("weekdays").get<std::array<bool, 7>>();
    for (const auto& b : j.at("breaks"))
      t.breaks.push_back(wfm::BreakRule{.name = b.at("name").get<std::string>(),
                                        .length_min = b.at("length_min").get<int>(),
                                        .earliest_after_min = b.at("earliest_after_min").get<int>(),
                                        .latest_after_min = b.at("latest_after_min").get<int>(),
                                        .paid = b.at("paid").get<bool>()});
    return t;
  } catch (const json::exception&) {
    return corrupt("template '" + name + "'");
  }
}

Result<AgentContract> contract_from(const std::string& agent, const std::string& text) {
  auto j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return corrupt("contract of '" + agent + "'");
  try {
    AgentContract c;
    c.id = agent;
    c.templates = j.at("templates").get<std::vector<std::string>>();
    c.min_paid_min = j.at("min_paid_min").get<int>();
    c.max_paid_min = j.at("max_paid_min").get<int>();
    c.max_days = j.at("max_days").get<int>();
    const json& av = j.at("availability");
    if (!av.is_array() || av.size() != 7) return corrupt("contract of '" + agent + "'");
    for (std::size_t d = 0; d < 7; ++d)
      for (const auto& w : av[d])
        c.availability[d].push_back({w.at(0).get<int>(), w.at(1).get<int>()});
    c.unavailable = j.at("unavailable").get<std::array<bool, 7>>();
    c.skills = j.at("skills").get<std::vector<std::string>>();
    return c;
  } catch (const json::exception&) {
    return corrupt("contract of '" + agent + "'");
  }
}

TimeOff read_time_off(const sqlite::Statement& s) {
  return TimeOff{.id = s.i64(0),
                 .agent = s.text(1),
                 .first_day = static_cast<wfm::Date>(s.i64(2)),
                 .last_day = static_cast<wfm::Date>(s.i64(3)),
                 .reason = s.text(4)};
}

}  // namespace

nlohmann::json breaks_to_json(const std::vector<wfm::BreakRule>& breaks) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& b : breaks)
    out.push_back({{"name", b.name},
                   {"length_min", b.length_min},
                   {"earliest_after_min", b.earliest_after_min},
                   {"latest_after_min", b.latest_after_min},
                   {"paid", b.paid}});
  return out;
}

RulesStore::RulesStore(std::unique_ptr<sqlite::Database> db) : db_(std::move(db)) {}
RulesStore::~RulesStore() = default;

Result<std::unique_ptr<RulesStore>> RulesStore::open(const std::string& path) {
  auto db = open_wfm_db(path, kSchema);
  if (!db.ok()) return db.status();
  return std::unique_ptr<RulesStore>(new RulesStore(std::move(*db)));
}

// ---- Templates ---------------------------------------------------------------------------

Result<std::vector<wfm::ShiftTemplate>> RulesStore::templates() const {
  std::lock_guard lock(mu_);
  auto st = db_->prepare("SELECT name, definition FROM shift_template ORDER BY name");
  std::vector<wfm::ShiftTemplate> out;
  for (;;) {
    auto row = st.step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    auto t = template_from(st.text(0), st.text(1));
    if (!t.ok()) return t.status();
    out.push_back(std::move(*t));
  }
  return out;
}

Result<wfm::ShiftTemplate> RulesStore::get_template(const std::string& name) const {
  std::lock_guard lock(mu_);
  auto st = db_->prepare("SELECT definition FROM shift_template WHERE name = ?1");
  st.bind_text(1, name);
  auto row = st.step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::not_found("no shift template '" + name + "'");
  return template_from(name, st.text(0));
}

Result<bool> RulesStore::put_template(const wfm::ShiftTemplate& t, Millis now) {
  SB_RETURN_IF_ERROR(wfm::check_shift_template(t, kRulesGridMinutes));
  std::lock_guard lock(mu_);
  sqlite::Transaction tx(*db_);
  SB_RETURN_IF_ERROR(tx.begin());
  auto exists = db_->prepare("SELECT 1 FROM shift_template WHERE name = ?1");
  exists.bind_text(1, t.name);
  auto row = exists.step();
  if (!row.ok()) return row.status();
  const bool created = !*row;
  SB_RETURN_IF_ERROR(db_->prepare("INSERT INTO shift_template (name, definition, updated_at) "
                                  "VALUES (?1, ?2, ?3) ON CONFLICT(name) DO UPDATE SET "
                                  "definition = excluded.definition, updated_at = ?3")
                         .bind_text(1, t.name)
                         .bind_text(2, to_json(t).dump())
                         .bind_int(3, now)
                         .run());
  SB_RETURN_IF_ERROR(tx.commit());
  return created;
}

Status RulesStore::remove_template(const std::string& name) {
  std::lock_guard lock(mu_);
  sqlite::Transaction tx(*db_);
  SB_RETURN_IF_ERROR(tx.begin());
  // A contract that names the template would become impossible to schedule.
  auto users = db_->prepare("SELECT agent, definition FROM agent_contract ORDER BY agent");
  for (;;) {
    auto row = users.step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    auto c = contract_from(users.text(0), users.text(1));
    if (!c.ok()) return c.status();
    for (const auto& t : c->templates)
      if (t == name)
        return Status::failed_precondition("shift template '" + name + "' is in the contract of '" +
                                           c->id + "': change the contract first");
  }
  SB_RETURN_IF_ERROR(
      db_->prepare("DELETE FROM shift_template WHERE name = ?1").bind_text(1, name).run());
  if (db_->changes() == 0) return Status::not_found("no shift template '" + name + "'");
  return tx.commit();
}

// ---- Contracts ---------------------------------------------------------------------------

Status RulesStore::check_contract(const AgentContract& c) const {
  const std::string who = "contract of '" + c.id + "': ";
  if (c.id.empty()) return Status::invalid_argument("a contract needs an agent");
  if (c.min_paid_min < 0 || c.max_paid_min < 0)
    return Status::invalid_argument(who + "hours must be >= 0");
  if (c.min_paid_min > c.max_paid_min)
    return Status::invalid_argument(
        who + "the minimum hours (" + std::to_string(c.min_paid_min / 60.0) +
        ") are above the maximum (" + std::to_string(c.max_paid_min / 60.0) + ")");
  if (c.max_days < 0 || c.max_days > 14)
    return Status::invalid_argument(who + "max days must be 0..14");
  if (c.max_days == 0 && c.min_paid_min > 0)
    return Status::invalid_argument(who + "a minimum of hours needs at least one day");
  for (std::size_t d = 0; d < 7; ++d) {
    for (const auto& w : c.availability[d])
      if (w.from_min < 0 || w.to_min > 1440 || w.from_min >= w.to_min)
        return Status::invalid_argument(who + "an availability window is empty or not in a day");
    if (c.unavailable[d] && !c.availability[d].empty())
      return Status::invalid_argument(who + "a weekday is both unavailable and available");
  }
  for (const auto& name : c.templates) {
    auto st = db_->prepare("SELECT 1 FROM shift_template WHERE name = ?1");
    st.bind_text(1, name);
    auto row = st.step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::invalid_argument(who + "unknown shift template '" + name + "'");
  }
  return {};
}

Result<std::vector<AgentContract>> RulesStore::contracts() const {
  std::lock_guard lock(mu_);
  auto st = db_->prepare("SELECT agent, definition FROM agent_contract ORDER BY agent");
  std::vector<AgentContract> out;
  for (;;) {
    auto row = st.step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    auto c = contract_from(st.text(0), st.text(1));
    if (!c.ok()) return c.status();
    out.push_back(std::move(*c));
  }
  return out;
}

Result<AgentContract> RulesStore::get_contract(const std::string& agent) const {
  std::lock_guard lock(mu_);
  auto st = db_->prepare("SELECT definition FROM agent_contract WHERE agent = ?1");
  st.bind_text(1, agent);
  auto row = st.step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::not_found("no contract for '" + agent + "'");
  return contract_from(agent, st.text(0));
}

Result<bool> RulesStore::put_contract(const AgentContract& c, Millis now) {
  std::lock_guard lock(mu_);
  sqlite::Transaction tx(*db_);
  SB_RETURN_IF_ERROR(tx.begin());
  SB_RETURN_IF_ERROR(check_contract(c));
  auto exists = db_->prepare("SELECT 1 FROM agent_contract WHERE agent = ?1");
  exists.bind_text(1, c.id);
  auto row = exists.step();
  if (!row.ok()) return row.status();
  const bool created = !*row;
  SB_RETURN_IF_ERROR(db_->prepare("INSERT INTO agent_contract (agent, definition, updated_at) "
                                  "VALUES (?1, ?2, ?3) ON CONFLICT(agent) DO UPDATE SET "
                                  "definition = excluded.definition, updated_at = ?3")
                         .bind_text(1, c.id)
                         .bind_text(2, to_json(c).dump())
                         .bind_int(3, now)
                         .run());
  SB_RETURN_IF_ERROR(tx.commit());
  return created;
}

Status RulesStore::remove_contract(const std::string& agent) {
  std::lock_guard lock(mu_);
  SB_RETURN_IF_ERROR(
      db_->prepare("DELETE FROM agent_contract WHERE agent = ?1").bind_text(1, agent).run());
  if (db_->changes() == 0) return Status::not_found("no contract for '" + agent + "'");
  return {};
}

// ---- Time off ----------------------------------------------------------------------------

Result<std::vector<TimeOff>> RulesStore::time_off(const std::string& agent) const {
  std::lock_guard lock(mu_);
  auto st = db_->prepare(
      "SELECT id, agent, first_day, last_day, reason FROM time_off"
      " WHERE ?1 = '' OR agent = ?1 ORDER BY agent, first_day, id");
  st.bind_text(1, agent);
  std::vector<TimeOff> out;
  for (;;) {
    auto row = st.step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back(read_time_off(st));
  }
  return out;
}

Result<TimeOff> RulesStore::add_time_off(TimeOff t) {
  if (t.agent.empty()) return Status::invalid_argument("time off needs an agent");
  if (t.last_day < t.first_day)
    return Status::invalid_argument("time off of '" + t.agent + "': the last day " +
                                    wfm::format_date(t.last_day) + " is before the first " +
                                    wfm::format_date(t.first_day));
  std::lock_guard lock(mu_);
  sqlite::Transaction tx(*db_);
  SB_RETURN_IF_ERROR(tx.begin());
  auto overlap = db_->prepare(
      "SELECT id, agent, first_day, last_day, reason FROM time_off"
      " WHERE agent = ?1 AND first_day <= ?3 AND last_day >= ?2 ORDER BY first_day LIMIT 1");
  overlap.bind_text(1, t.agent).bind_int(2, t.first_day).bind_int(3, t.last_day);
  auto row = overlap.step();
  if (!row.ok()) return row.status();
  if (*row) {
    const TimeOff other = read_time_off(overlap);
    return Status::invalid_argument(
        "time off of '" + t.agent + "' " + wfm::format_date(t.first_day) + ".." +
        wfm::format_date(t.last_day) + " overlaps the time off " +
        wfm::format_date(other.first_day) + ".." + wfm::format_date(other.last_day) + " (id " +
        std::to_string(other.id) + ")");
  }
  SB_RETURN_IF_ERROR(db_->prepare("INSERT INTO time_off (agent, first_day, last_day, reason) "
                                  "VALUES (?1, ?2, ?3, ?4)")
                         .bind_text(1, t.agent)
                         .bind_int(2, t.first_day)
                         .bind_int(3, t.last_day)
                         .bind_text(4, t.reason)
                         .run());
  t.id = db_->last_insert_rowid();
  SB_RETURN_IF_ERROR(tx.commit());
  return t;
}

Status RulesStore::remove_time_off(std::int64_t id) {
  std::lock_guard lock(mu_);
  SB_RETURN_IF_ERROR(db_->prepare("DELETE FROM time_off WHERE id = ?1").bind_int(1, id).run());
  if (db_->changes() == 0) return Status::not_found("no time off " + std::to_string(id));
  return {};
}

}  // namespace sb::wfmstore
