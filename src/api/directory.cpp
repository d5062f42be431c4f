#include "api/directory.h"

#include "sqlite/sqlite.h"

namespace sb::api {

namespace {
Result<nlohmann::json> parse_body(const std::string& body, const std::string& kind) {
  auto doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_discarded()) return Status::corruption("directory: unreadable " + kind);
  return doc;
}
}  // namespace

Result<std::unique_ptr<Directory>> Directory::open(const std::string& path) {
  auto db = sqlite::Database::open(path, {.label = "directory"});
  if (!db.ok()) return db.status();
  SB_RETURN_IF_ERROR(
      (*db)->exec("CREATE TABLE IF NOT EXISTS documents (kind TEXT NOT NULL, id INTEGER NOT NULL,"
                  " body TEXT NOT NULL, PRIMARY KEY (kind, id));"
                  "CREATE TABLE IF NOT EXISTS contact_attributes (contact INTEGER PRIMARY KEY,"
                  " body TEXT NOT NULL);"));
  return std::unique_ptr<Directory>(new Directory(std::move(*db)));
}

Directory::Directory(std::unique_ptr<sqlite::Database> db) : db_(std::move(db)) {}
Directory::~Directory() = default;

Result<std::vector<nlohmann::json>> Directory::list(const std::string& kind) {
  std::lock_guard lock(mu_);
  auto st = db_->prepare("SELECT body FROM documents WHERE kind = ?1 ORDER BY id");
  st.bind_text(1, kind);
  std::vector<nlohmann::json> out;
  for (;;) {
    auto row = st.step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    auto doc = parse_body(st.text(0), kind);
    if (!doc.ok()) return doc.status();
    out.push_back(std::move(*doc));
  }
}

Result<nlohmann::json> Directory::get(const std::string& kind, std::int64_t id) {
  std::lock_guard lock(mu_);
  auto st = db_->prepare("SELECT body FROM documents WHERE kind = ?1 AND id = ?2");
  st.bind_text(1, kind).bind_int(2, id);
  auto row = st.step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::not_found(kind + " " + std::to_string(id) + " not found");
  return parse_body(st.text(0), kind);
}

Status Directory::put(const std::string& kind, std::int64_t id, nlohmann::json doc) {
  doc["id"] = id;
  std::lock_guard lock(mu_);
  return db_->prepare("INSERT OR REPLACE INTO documents (kind, id, body) VALUES (?1, ?2, ?3)")
      .bind_text(1, kind)
      .bind_int(2, id)
      .bind_text(3, doc.dump())
      .run();
}

Result<std::int64_t> Directory::next_id(const std::string& kind, std::int64_t floor) {
  std::lock_guard lock(mu_);
  auto st = db_->prepare("SELECT MAX(id) FROM documents WHERE kind = ?1");
  st.bind_text(1, kind);
  auto row = st.step();
  if (!row.ok()) return row.status();
  const std::int64_t next = st.is_null(0) ? floor : st.i64(0) + 1;
  return next < floor ? floor : next;
}

Status Directory::set_contact_attributes(std::uint64_t contact, const nlohmann::json& attributes) {
  std::lock_guard lock(mu_);
  return db_->prepare("INSERT OR REPLACE INTO contact_attributes (contact, body) VALUES (?1, ?2)")
      .bind_int(1, static_cast<std::int64_t>(contact))
      .bind_text(2, attributes.dump())
      .run();
}

Result<nlohmann::json> Directory::find_contact_attributes(std::uint64_t contact) {
  std::lock_guard lock(mu_);
  auto st = db_->prepare("SELECT body FROM contact_attributes WHERE contact = ?1");
  st.bind_int(1, static_cast<std::int64_t>(contact));
  auto row = st.step();
  if (!row.ok()) return row.status();
  if (!*row) return nlohmann::json::object();
  return parse_body(st.text(0), "contact attributes");
}

nlohmann::json Directory::contact_attributes(std::uint64_t contact) {
  auto found = find_contact_attributes(contact);
  return found.ok() ? std::move(*found) : nlohmann::json::object();
}

}  // namespace sb::api
