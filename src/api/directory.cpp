#include "api/directory.h"

#include <sqlite3.h>

namespace sb::api {

namespace {
// Finalizes a statement on every path out of a function.
struct Stmt {
  sqlite3_stmt* s = nullptr;
  ~Stmt() { sqlite3_finalize(s); }
};
Status sql_error(sqlite3* db, const std::string& what) {
  return Status::io_error("directory: " + what + ": " + sqlite3_errmsg(db));
}
}  // namespace

Result<std::unique_ptr<Directory>> Directory::open(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    Status s = Status::io_error("directory: cannot open " + path + ": " +
                                (db ? sqlite3_errmsg(db) : "out of memory"));
    sqlite3_close(db);
    return s;
  }
  std::unique_ptr<Directory> d(new Directory(db));
  Status s = d->exec(
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
      "CREATE TABLE IF NOT EXISTS documents (kind TEXT NOT NULL, id INTEGER NOT NULL,"
      " body TEXT NOT NULL, PRIMARY KEY (kind, id));"
      "CREATE TABLE IF NOT EXISTS contact_attributes (contact INTEGER PRIMARY KEY,"
      " body TEXT NOT NULL);");
  if (!s.ok()) return s;
  return d;
}

Directory::~Directory() { sqlite3_close(db_); }

Status Directory::exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    return Status::io_error("directory: " + msg);
  }
  return Status::ok_status();
}

Result<std::vector<nlohmann::json>> Directory::list(const std::string& kind) {
  std::lock_guard lock(mu_);
  Stmt st;
  if (sqlite3_prepare_v2(db_, "SELECT body FROM documents WHERE kind = ? ORDER BY id", -1, &st.s,
                         nullptr) != SQLITE_OK)
    return sql_error(db_, "list");
  sqlite3_bind_text(st.s, 1, kind.c_str(), -1, SQLITE_TRANSIENT);
  std::vector<nlohmann::json> out;
  int rc;
  while ((rc = sqlite3_step(st.s)) == SQLITE_ROW) {
    auto doc = nlohmann::json::parse(reinterpret_cast<const char*>(sqlite3_column_text(st.s, 0)),
                                     nullptr, false);
    if (doc.is_discarded()) return Status::corruption("directory: unreadable " + kind);
    out.push_back(std::move(doc));
  }
  if (rc != SQLITE_DONE) return sql_error(db_, "list");
  return out;
}

Result<nlohmann::json> Directory::get(const std::string& kind, std::int64_t id) {
  std::lock_guard lock(mu_);
  Stmt st;
  if (sqlite3_prepare_v2(db_, "SELECT body FROM documents WHERE kind = ? AND id = ?", -1, &st.s,
                         nullptr) != SQLITE_OK)
    return sql_error(db_, "get");
  sqlite3_bind_text(st.s, 1, kind.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st.s, 2, id);
  int rc = sqlite3_step(st.s);
  if (rc == SQLITE_DONE) return Status::not_found(kind + " " + std::to_string(id) + " not found");
  if (rc != SQLITE_ROW) return sql_error(db_, "get");
  auto doc = nlohmann::json::parse(reinterpret_cast<const char*>(sqlite3_column_text(st.s, 0)),
                                   nullptr, false);
  if (doc.is_discarded()) return Status::corruption("directory: unreadable " + kind);
  return doc;
}

Status Directory::put(const std::string& kind, std::int64_t id, nlohmann::json doc) {
  doc["id"] = id;
  const std::string body = doc.dump();
  std::lock_guard lock(mu_);
  Stmt st;
  if (sqlite3_prepare_v2(db_, "INSERT OR REPLACE INTO documents (kind, id, body) VALUES (?, ?, ?)",
                         -1, &st.s, nullptr) != SQLITE_OK)
    return sql_error(db_, "put");
  sqlite3_bind_text(st.s, 1, kind.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st.s, 2, id);
  sqlite3_bind_text(st.s, 3, body.c_str(), -1, SQLITE_TRANSIENT);
  if (sqlite3_step(st.s) != SQLITE_DONE) return sql_error(db_, "put");
  return Status::ok_status();
}

Result<std::int64_t> Directory::next_id(const std::string& kind, std::int64_t floor) {
  std::lock_guard lock(mu_);
  Stmt st;
  if (sqlite3_prepare_v2(db_, "SELECT MAX(id) FROM documents WHERE kind = ?", -1, &st.s, nullptr) !=
      SQLITE_OK)
    return sql_error(db_, "next_id");
  sqlite3_bind_text(st.s, 1, kind.c_str(), -1, SQLITE_TRANSIENT);
  if (sqlite3_step(st.s) != SQLITE_ROW) return sql_error(db_, "next_id");
  std::int64_t next =
      sqlite3_column_type(st.s, 0) == SQLITE_NULL ? floor : sqlite3_column_int64(st.s, 0) + 1;
  return next < floor ? floor : next;
}

Status Directory::set_contact_attributes(std::uint64_t contact, const nlohmann::json& attributes) {
  const std::string body = attributes.dump();
  std::lock_guard lock(mu_);
  Stmt st;
  if (sqlite3_prepare_v2(db_,
                         "INSERT OR REPLACE INTO contact_attributes (contact, body) VALUES (?, ?)",
                         -1, &st.s, nullptr) != SQLITE_OK)
    return sql_error(db_, "set_contact_attributes");
  sqlite3_bind_int64(st.s, 1, static_cast<sqlite3_int64>(contact));
  sqlite3_bind_text(st.s, 2, body.c_str(), -1, SQLITE_TRANSIENT);
  if (sqlite3_step(st.s) != SQLITE_DONE) return sql_error(db_, "set_contact_attributes");
  return Status::ok_status();
}

nlohmann::json Directory::contact_attributes(std::uint64_t contact) {
  std::lock_guard lock(mu_);
  Stmt st;
  if (sqlite3_prepare_v2(db_, "SELECT body FROM contact_attributes WHERE contact = ?", -1, &st.s,
                         nullptr) != SQLITE_OK)
    return nlohmann::json::object();
  sqlite3_bind_int64(st.s, 1, static_cast<sqlite3_int64>(contact));
  if (sqlite3_step(st.s) != SQLITE_ROW) return nlohmann::json::object();
  auto doc = nlohmann::json::parse(reinterpret_cast<const char*>(sqlite3_column_text(st.s, 0)),
                                   nullptr, false);
  return doc.is_discarded() ? nlohmann::json::object() : doc;
}

}  // namespace sb::api
