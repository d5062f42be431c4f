#include "sqlite/sqlite.h"

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <utility>

namespace sb::sqlite {

Status status_from_code(int rc, std::string message) {
  switch (rc & 0xff) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::corruption(std::move(message));
    case SQLITE_FULL:
      return Status::resource_exhausted(std::move(message));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::unavailable(std::move(message));
    case SQLITE_CONSTRAINT:
      return Status::already_exists(std::move(message));
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return Status::io_error(std::move(message));
    default:
      return Status::internal(std::move(message));
  }
}

// ---------------------------------------------------------------------------------------------
// Statement

Statement::Statement(const Database& db, std::string_view sql) : db_(&db), sql_(sql) {
  rc_ =
      sqlite3_prepare_v2(db.handle(), sql_.c_str(), static_cast<int>(sql_.size()), &stmt_, nullptr);
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_),
      sql_(std::move(other.sql_)),
      stmt_(std::exchange(other.stmt_, nullptr)),
      rc_(other.rc_) {}

Statement& Statement::bind_int(int i, std::int64_t v) {
  if (rc_ == SQLITE_OK) rc_ = sqlite3_bind_int64(stmt_, i, v);
  return *this;
}

Statement& Statement::bind_double(int i, double v) {
  if (rc_ == SQLITE_OK) rc_ = sqlite3_bind_double(stmt_, i, v);
  return *this;
}

Statement& Statement::bind_text(int i, std::string_view v) {
  if (rc_ == SQLITE_OK)
    rc_ = sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bind_blob(int i, std::span<const std::uint8_t> v) {
  if (rc_ == SQLITE_OK)
    rc_ = sqlite3_bind_blob(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bind_null(int i) {
  if (rc_ == SQLITE_OK) rc_ = sqlite3_bind_null(stmt_, i);
  return *this;
}

Result<bool> Statement::step() {
  if (rc_ != SQLITE_OK) return db_->error(rc_, sql_);
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  rc_ = rc;
  return db_->error(rc, sql_);
}

Status Statement::run() {
  for (;;) {
    auto row = step();
    if (!row.ok()) return row.status();
    if (!*row) return {};
  }
}

Statement& Statement::reset() {
  if (stmt_ != nullptr) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    rc_ = SQLITE_OK;
  }
  return *this;
}

std::int64_t Statement::i64(int col) const { return sqlite3_column_int64(stmt_, col); }
double Statement::dbl(int col) const { return sqlite3_column_double(stmt_, col); }
bool Statement::is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

std::optional<std::int64_t> Statement::opt_i64(int col) const {
  if (is_null(col)) return std::nullopt;
  return i64(col);
}

std::string Statement::text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  if (p == nullptr) return {};
  return std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)));
}

std::span<const std::uint8_t> Statement::blob(int col) const {
  const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, col));
  if (p == nullptr) return {};
  return {p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))};
}

// ---------------------------------------------------------------------------------------------
// Database

Result<std::unique_ptr<Database>> Database::open(const std::string& path, OpenOptions options) {
  std::unique_ptr<Database> db(new Database(path, std::move(options)));
  SB_RETURN_IF_ERROR(db->init());
  return db;
}

Database::~Database() { sqlite3_close_v2(db_); }

Status Database::error(int rc, std::string_view what) const {
  std::string message = options_.label + " database '" + path_ + "': " + std::string(what) + ": " +
                        (db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
  return status_from_code(rc, std::move(message));
}

Status Database::init() {
  const bool in_memory = path_.empty() || path_ == ":memory:";
  const bool existed = !in_memory && ::access(path_.c_str(), F_OK) == 0;
  const int flags =
      options_.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  const int rc = sqlite3_open_v2(path_.c_str(), &db_, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) return error(rc, "cannot open");
  sqlite3_busy_timeout(db_, options_.busy_timeout_ms);
  sqlite3_extended_result_codes(db_, 1);

  // The first statement reads the file header, so a file that is not a database fails here.
  if (options_.wal && !options_.read_only) {
    Statement mode_query(*this, "PRAGMA journal_mode=WAL");
    auto row = mode_query.step();
    if (!row.ok()) return row.status();
    const std::string mode = *row ? mode_query.text(0) : "";
    if (!in_memory && mode != "wal")
      return Status::failed_precondition(options_.label + " database '" + path_ +
                                         "': cannot enable WAL mode (journal mode stays '" + mode +
                                         "'); it needs a local file system");
  } else {
    auto version = user_version();
    if (!version.ok()) return version.status();
  }
  if (options_.private_file && !in_memory && !existed) ::chmod(path_.c_str(), 0600);
  SB_RETURN_IF_ERROR(set_synchronous(options_.synchronous));
  if (options_.foreign_keys) SB_RETURN_IF_ERROR(exec("PRAGMA foreign_keys=ON"));
  return {};
}

Status Database::set_synchronous(Synchronous level) {
  if (options_.read_only) return {};
  switch (level) {
    case Synchronous::kOff:
      SB_RETURN_IF_ERROR(exec("PRAGMA synchronous=OFF"));
      break;
    case Synchronous::kNormal:
      SB_RETURN_IF_ERROR(exec("PRAGMA synchronous=NORMAL"));
      break;
    case Synchronous::kFull:
      SB_RETURN_IF_ERROR(exec("PRAGMA synchronous=FULL"));
      break;
  }
  options_.synchronous = level;
  return {};
}

Status Database::exec(std::string_view sql) {
  const std::string text(sql);
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return error(rc, text);
  return {};
}

Result<std::int64_t> Database::user_version() {
  Statement s(*this, "PRAGMA user_version");
  auto row = s.step();
  if (!row.ok()) return row.status();
  return *row ? s.i64(0) : 0;
}

Status Database::set_user_version(std::int64_t version) {
  return exec("PRAGMA user_version=" + std::to_string(version));
}

std::int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
int Database::changes() const { return sqlite3_changes(db_); }

// ---------------------------------------------------------------------------------------------
// Transaction

Transaction::~Transaction() {
  // A failed rollback leaves nothing to do: SQLite has already rolled back or the connection is
  // gone; the error that made us roll back is what the caller reports.
  if (open_) (void)db_.exec("ROLLBACK");
}

Status Transaction::begin(bool immediate) {
  SB_RETURN_IF_ERROR(db_.exec(immediate ? "BEGIN IMMEDIATE" : "BEGIN"));
  open_ = true;
  return {};
}

Status Transaction::commit() {
  SB_RETURN_IF_ERROR(db_.exec("COMMIT"));
  open_ = false;
  return {};
}

}  // namespace sb::sqlite
