#pragma once
// A thin RAII layer over SQLite for Switchboard's small databases (accounts, service, directory,
// read models, alerts, ...): opening with the house settings, statements with chained binds, and
// transactions that roll back unless committed. Every failure becomes a Status whose message names
// the database ("accounts database '/var/lib/sb/accounts.db': cannot open: ..."), so callers never
// build SQLite error strings themselves.
//
// Thread safety: a Database is used by one thread at a time (the callers serialise); SQLite is
// opened with SQLITE_OPEN_NOMUTEX.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace sb::sqlite {

enum class Synchronous : std::uint8_t { kOff, kNormal, kFull };

struct OpenOptions {
  // Names the database in messages: "<label> database '<path>'".
  std::string label = "sqlite";
  bool read_only = false;
  // WAL lets readers run beside the writer. Required (open fails if the file system cannot do it)
  // unless the path is ":memory:" or empty.
  bool wal = true;
  // FULL: a committed transaction survives a power cut. NORMAL in WAL mode may lose the last
  // transactions but never corrupts; right for read models that can be rebuilt.
  Synchronous synchronous = Synchronous::kFull;
  int busy_timeout_ms = 5000;
  bool foreign_keys = false;
  // chmod 0600 when the file is created (credentials, hashes).
  bool private_file = false;
};

// Maps an SQLite result code to a Status: corrupt/not-a-database -> Corruption, full ->
// ResourceExhausted, busy/locked -> Unavailable, constraint -> AlreadyExists, I/O, permission and
// open failures -> IoError, anything else -> Internal.
Status status_from_code(int rc, std::string message);

class Database;

// One prepared statement. Errors in preparing or binding are kept and reported by step()/run(),
// so binds chain without checks in between.
class Statement {
 public:
  Statement(const Database& db, std::string_view sql);
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters are numbered from 1, as in SQL (?1, ?2, ...).
  Statement& bind_int(int i, std::int64_t v);
  Statement& bind_double(int i, double v);
  Statement& bind_text(int i, std::string_view v);
  Statement& bind_blob(int i, std::span<const std::uint8_t> v);
  Statement& bind_null(int i);
  Statement& bind_opt(int i, std::optional<std::int64_t> v) {
    return v ? bind_int(i, *v) : bind_null(i);
  }

  // true: a row is available; false: done.
  Result<bool> step();
  // Runs a statement whose rows (if any) do not matter.
  Status run();
  // Ready for new binds and another run (keeps the compiled statement).
  Statement& reset();

  // Columns are numbered from 0.
  std::int64_t i64(int col) const;
  double dbl(int col) const;
  bool is_null(int col) const;
  std::optional<std::int64_t> opt_i64(int col) const;
  std::string text(int col) const;
  std::span<const std::uint8_t> blob(int col) const;  // valid until the next step/reset

 private:
  const Database* db_;
  std::string sql_;
  sqlite3_stmt* stmt_ = nullptr;
  int rc_ = 0;
};

class Database {
 public:
  static Result<std::unique_ptr<Database>> open(const std::string& path, OpenOptions options);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs one or more statements that return no rows.
  Status exec(std::string_view sql);
  Statement prepare(std::string_view sql) const { return Statement(*this, sql); }

  // Changes how hard commits wait for the disk from now on (PRAGMA synchronous), for writes whose
  // loss in a power cut is harmless (a "last used" time) and which should not pay for an fsync.
  // Not inside a transaction. Read-only databases ignore it.
  Status set_synchronous(Synchronous level);
  Synchronous synchronous() const { return options_.synchronous; }

  // The schema version kept in the file header (PRAGMA user_version).
  Result<std::int64_t> user_version();
  Status set_user_version(std::int64_t version);

  std::int64_t last_insert_rowid() const;
  int changes() const;  // rows changed by the last statement

  // A Status for result code `rc` of an operation described by `what`, with SQLite's message.
  Status error(int rc, std::string_view what) const;

  const std::string& path() const { return path_; }
  const std::string& label() const { return options_.label; }
  sqlite3* handle() const { return db_; }

 private:
  Database(std::string path, OpenOptions options)
      : path_(std::move(path)), options_(std::move(options)) {}
  Status init();

  std::string path_;
  OpenOptions options_;
  sqlite3* db_ = nullptr;
};

// BEGIN on construction (IMMEDIATE by default: writers queue at the start instead of failing at
// the first write), ROLLBACK on destruction unless commit() succeeded.
class Transaction {
 public:
  explicit Transaction(Database& db) : db_(db) {}
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  Status begin(bool immediate = true);
  Status commit();

 private:
  Database& db_;
  bool open_ = false;
};

}  // namespace sb::sqlite
