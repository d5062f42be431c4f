#pragma once
// service.db: the service's own small SQLite database next to the event log. It holds what the
// log cannot: the idempotency keys of contact creation (key -> reserved contact id, and whether
// that contact is known to have reached the log) and the high-water mark of handed-out contact
// ids, so that ids are never reused across restarts.
//
// WAL mode, synchronous=FULL: a reservation is durable before reserve_contact_id() answers.
// Thread safety: none; CenterService serialises every call under its id mutex.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "domain/ids.h"

namespace sb::sqlite {
class Database;
}

namespace sb::service {

class ServiceDb {
 public:
  struct Reservation {
    std::string key;
    ContactId id = kNoContact;
    bool created = false;  // the contact's ContactArrived (or SelfServed) is known to be durable
  };

  // Opens or creates the database. The caller holds the data directory (the event store's lock).
  static Result<std::unique_ptr<ServiceDb>> open(const std::string& path);
  ~ServiceDb();
  ServiceDb(const ServiceDb&) = delete;
  ServiceDb& operator=(const ServiceDb&) = delete;

  // Every contact id below the high-water mark may have been handed out (0 when none was).
  Result<ContactId> id_high_water();
  Status set_id_high_water(ContactId high_water);

  Result<std::optional<Reservation>> find(std::string_view key);
  // Durable before it returns. AlreadyExists if the key or the id is taken.
  Status insert(std::string_view key, ContactId id);
  // Reservations not yet marked created, and the largest reserved id (0 when none).
  Result<std::vector<Reservation>> unmarked();
  Result<ContactId> max_reserved_id();
  // Marks the reservations of these contact ids created, in one transaction. The marks are a
  // cache of what the log says: start-up re-checks unmarked reservations against the log.
  Status mark_created(std::span<const ContactId> ids);

 private:
  explicit ServiceDb(std::unique_ptr<sqlite::Database> db);

  std::unique_ptr<sqlite::Database> db_;
};

}  // namespace sb::service
