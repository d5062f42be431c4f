#pragma once
// The directory: configuration that is not routing state — not-ready reason codes, disposition
// (wrap-up) codes, teams — and the attributes attached to contacts (what an IVR or CRM dip learned,
// shown to the agent). Kept in SQLite (`<data-dir>/directory.db`) as JSON documents per kind.
//
// Thread safety: all methods may be called from any thread.

#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/status.h"

namespace sb::sqlite {
class Database;
}

namespace sb::api {

class Directory {
 public:
  static Result<std::unique_ptr<Directory>> open(const std::string& path);
  ~Directory();

  // Documents of one kind ("reason_code", "disposition", "team"), ascending by id.
  Result<std::vector<nlohmann::json>> list(const std::string& kind);
  Result<nlohmann::json> get(const std::string& kind, std::int64_t id);
  // Inserts or replaces; the document's "id" is set to `id`.
  Status put(const std::string& kind, std::int64_t id, nlohmann::json doc);
  // max(existing ids of the kind) + 1, but at least `floor`.
  Result<std::int64_t> next_id(const std::string& kind, std::int64_t floor);

  Status set_contact_attributes(std::uint64_t contact, const nlohmann::json& attributes);
  // An empty object when the contact has none; an error status when the database cannot answer.
  Result<nlohmann::json> find_contact_attributes(std::uint64_t contact);
  // For display paths (agent pushes) that show what is known and carry on: an empty object when
  // the contact has none or the database cannot answer.
  nlohmann::json contact_attributes(std::uint64_t contact);

 private:
  explicit Directory(std::unique_ptr<sqlite::Database> db);
  std::mutex mu_;
  std::unique_ptr<sqlite::Database> db_;
};

}  // namespace sb::api
