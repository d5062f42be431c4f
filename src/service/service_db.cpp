#include "service/service_db.h"

#include "sqlite/sqlite.h"

namespace sb::service {
namespace {

std::int64_t to_sql(std::uint64_t v) { return static_cast<std::int64_t>(v); }
std::uint64_t from_sql(std::int64_t v) { return static_cast<std::uint64_t>(v); }

constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS service_meta(name TEXT PRIMARY KEY, value INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS reservations(idempotency_key TEXT PRIMARY KEY,"
    " contact INTEGER NOT NULL UNIQUE, created INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX IF NOT EXISTS reservations_unmarked ON reservations(created, contact);";

}  // namespace

Result<std::unique_ptr<ServiceDb>> ServiceDb::open(const std::string& path) {
  auto db = sqlite::Database::open(path, {.label = "service"});
  if (!db.ok()) return db.status();
  SB_RETURN_IF_ERROR((*db)->exec(kSchema));
  return std::unique_ptr<ServiceDb>(new ServiceDb(std::move(*db)));
}

ServiceDb::ServiceDb(std::unique_ptr<sqlite::Database> db) : db_(std::move(db)) {}
ServiceDb::~ServiceDb() = default;

Result<ContactId> ServiceDb::id_high_water() {
  auto s = db_->prepare("SELECT value FROM service_meta WHERE name = 'id_high_water'");
  auto row = s.step();
  if (!row.ok()) return row.status();
  return *row ? from_sql(s.i64(0)) : ContactId{0};
}

Status ServiceDb::set_id_high_water(ContactId high_water) {
  return db_
      ->prepare(
          "INSERT INTO service_meta(name, value) VALUES('id_high_water', ?1) "
          "ON CONFLICT(name) DO UPDATE SET value = excluded.value")
      .bind_int(1, to_sql(high_water))
      .run();
}

Result<std::optional<ServiceDb::Reservation>> ServiceDb::find(std::string_view key) {
  auto s = db_->prepare("SELECT contact, created FROM reservations WHERE idempotency_key = ?1");
  s.bind_text(1, key);
  auto row = s.step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<Reservation>{};
  Reservation r;
  r.key = std::string(key);
  r.id = from_sql(s.i64(0));
  r.created = s.i64(1) != 0;
  return std::optional<Reservation>(std::move(r));
}

Status ServiceDb::insert(std::string_view key, ContactId id) {
  return db_
      ->prepare("INSERT INTO reservations(idempotency_key, contact, created) VALUES(?1, ?2, 0)")
      .bind_text(1, key)
      .bind_int(2, to_sql(id))
      .run();
}

Result<std::vector<ServiceDb::Reservation>> ServiceDb::unmarked() {
  auto s = db_->prepare(
      "SELECT idempotency_key, contact FROM reservations WHERE created = 0 ORDER BY contact");
  std::vector<Reservation> out;
  for (;;) {
    auto row = s.step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    Reservation r;
    r.key = s.text(0);
    r.id = from_sql(s.i64(1));
    out.push_back(std::move(r));
  }
}

Result<ContactId> ServiceDb::max_reserved_id() {
  auto s = db_->prepare("SELECT COALESCE(MAX(contact), 0) FROM reservations");
  auto row = s.step();
  if (!row.ok()) return row.status();
  return from_sql(s.i64(0));
}

Status ServiceDb::mark_created(std::span<const ContactId> ids) {
  if (ids.empty()) return {};
  sqlite::Transaction tx(*db_);
  SB_RETURN_IF_ERROR(tx.begin());
  auto s = db_->prepare("UPDATE reservations SET created = 1 WHERE contact = ?1");
  for (ContactId id : ids) SB_RETURN_IF_ERROR(s.reset().bind_int(1, to_sql(id)).run());
  return tx.commit();
}

}  // namespace sb::service
