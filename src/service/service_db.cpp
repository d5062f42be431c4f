#include "service/service_db.h"

#include <sqlite3.h>

namespace sb::service {
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

std::int64_t to_sql(std::uint64_t v) { return static_cast<std::int64_t>(v); }
std::uint64_t from_sql(std::int64_t v) { return static_cast<std::uint64_t>(v); }

constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS service_meta(name TEXT PRIMARY KEY, value INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS reservations(idempotency_key TEXT PRIMARY KEY,"
    " contact INTEGER NOT NULL UNIQUE, created INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX IF NOT EXISTS reservations_unmarked ON reservations(created, contact);";

}  // namespace

Result<std::unique_ptr<ServiceDb>> ServiceDb::open(const std::string& path) {
  std::unique_ptr<ServiceDb> db(new ServiceDb(path));
  SB_RETURN_IF_ERROR(db->init());
  return db;
}

ServiceDb::~ServiceDb() { sqlite3_close_v2(db_); }

Status ServiceDb::error(int rc, const std::string& what) const {
  std::string message = "service database '" + path_ + "': " + what + ": " +
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

Status ServiceDb::exec(const char* sql) {
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return error(rc, sql);
  return {};
}

Status ServiceDb::init() {
  const int rc =
      sqlite3_open_v2(path_.c_str(), &db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) return error(rc, "cannot open");
  sqlite3_busy_timeout(db_, 5000);
  SB_RETURN_IF_ERROR(exec("PRAGMA journal_mode=WAL"));
  SB_RETURN_IF_ERROR(exec("PRAGMA synchronous=FULL"));
  return exec(kSchema);
}

Result<ContactId> ServiceDb::id_high_water() {
  Stmt s;
  int rc = sqlite3_prepare_v2(db_, "SELECT value FROM service_meta WHERE name = 'id_high_water'",
                              -1, s.out(), nullptr);
  if (rc != SQLITE_OK) return error(rc, "cannot read the id high-water mark");
  rc = sqlite3_step(s.get());
  if (rc == SQLITE_ROW) return from_sql(sqlite3_column_int64(s.get(), 0));
  if (rc == SQLITE_DONE) return ContactId{0};
  return error(rc, "cannot read the id high-water mark");
}

Status ServiceDb::set_id_high_water(ContactId high_water) {
  Stmt s;
  int rc = sqlite3_prepare_v2(db_,
                              "INSERT INTO service_meta(name, value) VALUES('id_high_water', ?1) "
                              "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                              -1, s.out(), nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(s.get(), 1, to_sql(high_water));
  if (rc == SQLITE_OK) rc = sqlite3_step(s.get());
  if (rc != SQLITE_DONE) return error(rc, "cannot store the id high-water mark");
  return {};
}

Result<std::optional<ServiceDb::Reservation>> ServiceDb::find(std::string_view key) {
  Stmt s;
  int rc = sqlite3_prepare_v2(
      db_, "SELECT contact, created FROM reservations WHERE idempotency_key = ?1", -1, s.out(),
      nullptr);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_text(s.get(), 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
  if (rc != SQLITE_OK) return error(rc, "cannot look up an idempotency key");
  rc = sqlite3_step(s.get());
  if (rc == SQLITE_DONE) return std::optional<Reservation>{};
  if (rc != SQLITE_ROW) return error(rc, "cannot look up an idempotency key");
  Reservation r;
  r.key = std::string(key);
  r.id = from_sql(sqlite3_column_int64(s.get(), 0));
  r.created = sqlite3_column_int64(s.get(), 1) != 0;
  return std::optional<Reservation>(std::move(r));
}

Status ServiceDb::insert(std::string_view key, ContactId id) {
  Stmt s;
  int rc = sqlite3_prepare_v2(
      db_, "INSERT INTO reservations(idempotency_key, contact, created) VALUES(?1, ?2, 0)", -1,
      s.out(), nullptr);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_text(s.get(), 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(s.get(), 2, to_sql(id));
  if (rc == SQLITE_OK) rc = sqlite3_step(s.get());
  if (rc != SQLITE_DONE) return error(rc, "cannot store an idempotency key");
  return {};
}

Result<std::vector<ServiceDb::Reservation>> ServiceDb::unmarked() {
  Stmt s;
  int rc = sqlite3_prepare_v2(
      db_, "SELECT idempotency_key, contact FROM reservations WHERE created = 0 ORDER BY contact",
      -1, s.out(), nullptr);
  if (rc != SQLITE_OK) return error(rc, "cannot list reservations");
  std::vector<Reservation> out;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    Reservation r;
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(s.get(), 0));
    r.key = text != nullptr ? text : "";
    r.id = from_sql(sqlite3_column_int64(s.get(), 1));
    out.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE) return error(rc, "cannot list reservations");
  return out;
}

Result<ContactId> ServiceDb::max_reserved_id() {
  Stmt s;
  int rc = sqlite3_prepare_v2(db_, "SELECT COALESCE(MAX(contact), 0) FROM reservations", -1,
                              s.out(), nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_step(s.get());
  if (rc != SQLITE_ROW) return error(rc, "cannot read the largest reserved id");
  return from_sql(sqlite3_column_int64(s.get(), 0));
}

Status ServiceDb::mark_created(std::span<const ContactId> ids) {
  if (ids.empty()) return {};
  SB_RETURN_IF_ERROR(exec("BEGIN IMMEDIATE"));
  Status st = [&]() -> Status {
    Stmt s;
    int rc = sqlite3_prepare_v2(db_, "UPDATE reservations SET created = 1 WHERE contact = ?1", -1,
                                s.out(), nullptr);
    if (rc != SQLITE_OK) return error(rc, "cannot mark reservations");
    for (ContactId id : ids) {
      sqlite3_reset(s.get());
      rc = sqlite3_bind_int64(s.get(), 1, to_sql(id));
      if (rc == SQLITE_OK) rc = sqlite3_step(s.get());
      if (rc != SQLITE_DONE) return error(rc, "cannot mark reservations");
    }
    return {};
  }();
  if (!st.ok()) {
    (void)exec("ROLLBACK");
    return st;
  }
  return exec("COMMIT");
}

}  // namespace sb::service
