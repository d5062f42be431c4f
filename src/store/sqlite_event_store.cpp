#include "store/sqlite_event_store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <future>
#include <set>
#include <system_error>

#include "domain/codec.h"
#include "sqlite/sqlite.h"

namespace sb {
namespace {

constexpr std::int64_t kSchemaVersion = 1;

// Owns a prepared statement for one-off queries.
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

std::string errno_message(int e) { return std::error_code(e, std::generic_category()).message(); }

std::string hex(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%016" PRIx64, v);
  return buf;
}

// The store keeps unsigned seqs and hashes in SQLite's signed 64-bit integers, bit for bit.
std::int64_t to_sql(std::uint64_t v) { return static_cast<std::int64_t>(v); }
std::uint64_t from_sql(std::int64_t v) { return static_cast<std::uint64_t>(v); }

}  // namespace

SqliteEventStore::SqliteEventStore(std::string path, SqliteStoreOptions options)
    : path_(std::move(path)), options_(options) {}

Result<std::unique_ptr<SqliteEventStore>> SqliteEventStore::open(const std::string& path,
                                                                 SqliteStoreOptions options) {
  if (path.empty()) return Status::invalid_argument("event store path is empty");
  // The lock is taken before SQLite touches the file, so a second writer fails cleanly instead of
  // racing the first one's seqs. flock locks die with the process, even on SIGKILL.
  const std::string lock_path = path + ".lock";
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return Status::io_error("cannot open event store '" + path + "': cannot create lock file '" +
                            lock_path + "': " + errno_message(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int e = errno;
    ::close(fd);
    if (e == EWOULDBLOCK)
      return Status::unavailable("event store '" + path +
                                 "' is already open (by this or another process)");
    return Status::io_error("cannot lock event store '" + path + "': " + errno_message(e));
  }
  std::unique_ptr<SqliteEventStore> store(new SqliteEventStore(path, options));
  SB_RETURN_IF_ERROR(store->init(fd));
  return store;
}

Status SqliteEventStore::sqlite_error(sqlite3* db, int rc, const std::string& what) const {
  return sqlite::status_from_code(rc,
                                  "event store '" + path_ + "': " + what + ": " +
                                      (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
}

Status SqliteEventStore::exec(sqlite3* db, const char* sql) {
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(db, rc, sql);
  return {};
}

Status SqliteEventStore::init(int lock_fd) {
  lock_fd_ = lock_fd;  // from here on the destructor releases everything init acquired
  int rc =
      sqlite3_open_v2(path_.c_str(), &writer_db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(writer_db_, rc, "cannot open");
  sqlite3_busy_timeout(writer_db_, 5000);

  // The first statement reads the file header: a file that is not a database fails here.
  {
    Stmt s;
    rc = sqlite3_prepare_v2(writer_db_, "PRAGMA journal_mode=WAL", -1, s.out(), nullptr);
    if (rc == SQLITE_OK) rc = sqlite3_step(s.get());
    if (rc != SQLITE_ROW) return sqlite_error(writer_db_, rc, "cannot read database");
    const auto* mode = reinterpret_cast<const char*>(sqlite3_column_text(s.get(), 0));
    if (mode == nullptr || std::string(mode) != "wal")
      return Status::failed_precondition(
          "event store '" + path_ + "': cannot enable WAL mode (journal mode stays '" +
          (mode ? mode : "?") + "'); the store needs a local file system");
  }
  // FULL: in WAL mode every commit fsyncs the WAL, which is what makes an acknowledgement durable.
  SB_RETURN_IF_ERROR(exec(writer_db_, "PRAGMA synchronous=FULL"));

  SB_RETURN_IF_ERROR(exec(writer_db_, "BEGIN IMMEDIATE"));
  Status schema = [&]() -> Status {
    std::set<std::string> tables;
    {
      Stmt s;
      rc = sqlite3_prepare_v2(writer_db_, "SELECT name FROM sqlite_master WHERE type = 'table'", -1,
                              s.out(), nullptr);
      if (rc == SQLITE_OK) {
        while ((rc = sqlite3_step(s.get())) == SQLITE_ROW)
          tables.insert(reinterpret_cast<const char*>(sqlite3_column_text(s.get(), 0)));
      }
      if (rc != SQLITE_DONE) return sqlite_error(writer_db_, rc, "cannot read the schema");
    }
    if (tables.empty()) {
      SB_RETURN_IF_ERROR(exec(writer_db_,
                              "CREATE TABLE schema_version(version INTEGER NOT NULL);"
                              "INSERT INTO schema_version VALUES(1);"
                              "CREATE TABLE events(seq INTEGER PRIMARY KEY, at INTEGER NOT NULL,"
                              " type INTEGER NOT NULL, body BLOB NOT NULL);"
                              "CREATE TABLE snapshots(seq INTEGER PRIMARY KEY,"
                              " hash INTEGER NOT NULL, body BLOB NOT NULL);"));
      return {};
    }
    if (!tables.contains("schema_version"))
      return Status::failed_precondition("'" + path_ +
                                         "' is an SQLite database but not a Switchboard event "
                                         "store (it has no schema_version table)");
    Stmt s;
    rc = sqlite3_prepare_v2(writer_db_, "SELECT version FROM schema_version", -1, s.out(), nullptr);
    if (rc == SQLITE_OK) rc = sqlite3_step(s.get());
    if (rc != SQLITE_ROW) return sqlite_error(writer_db_, rc, "cannot read the schema version");
    const std::int64_t version = sqlite3_column_int64(s.get(), 0);
    if (version != kSchemaVersion)
      return Status::failed_precondition("event store '" + path_ + "' has schema version " +
                                         std::to_string(version) + ", this build reads version " +
                                         std::to_string(kSchemaVersion));
    if (!tables.contains("events") || !tables.contains("snapshots"))
      return Status::corruption("event store '" + path_ + "' lacks its events or snapshots table");
    return {};
  }();
  if (!schema.ok()) {
    // The schema error is what the caller needs to see; a failing rollback adds nothing to it.
    (void)exec(writer_db_, "ROLLBACK");
    return schema;
  }
  SB_RETURN_IF_ERROR(exec(writer_db_, "COMMIT"));

  // Where the log ends, and whether it is whole.
  std::uint64_t last = 0;
  {
    Stmt s;
    rc = sqlite3_prepare_v2(writer_db_, "SELECT COALESCE(MAX(seq), 0) FROM events", -1, s.out(),
                            nullptr);
    if (rc == SQLITE_OK) rc = sqlite3_step(s.get());
    if (rc != SQLITE_ROW) return sqlite_error(writer_db_, rc, "cannot read the end of the log");
    last = from_sql(sqlite3_column_int64(s.get(), 0));
  }
  if (options_.verify_on_open) {
    Stmt s;
    rc = sqlite3_prepare_v2(writer_db_, "SELECT COUNT(*), COALESCE(MIN(seq), 1) FROM events", -1,
                            s.out(), nullptr);
    if (rc == SQLITE_OK) rc = sqlite3_step(s.get());
    if (rc != SQLITE_ROW) return sqlite_error(writer_db_, rc, "cannot verify the log");
    const auto count = from_sql(sqlite3_column_int64(s.get(), 0));
    const auto first = from_sql(sqlite3_column_int64(s.get(), 1));
    if (first != 1 || count != last)
      return Status::corruption("event store '" + path_ + "': the log has gaps (" +
                                std::to_string(count) + " events between seq " +
                                std::to_string(first) + " and " + std::to_string(last) + ")");
  }
  {
    Stmt s;
    rc = sqlite3_prepare_v2(writer_db_, "SELECT seq, hash FROM snapshots ORDER BY seq DESC LIMIT 1",
                            -1, s.out(), nullptr);
    if (rc == SQLITE_OK) rc = sqlite3_step(s.get());
    if (rc == SQLITE_ROW) {
      snapshot_seq_ = from_sql(sqlite3_column_int64(s.get(), 0));
      snapshot_hash_ = from_sql(sqlite3_column_int64(s.get(), 1));
    } else if (rc != SQLITE_DONE) {
      return sqlite_error(writer_db_, rc, "cannot read the latest snapshot");
    }
  }
  if (snapshot_seq_ > last)
    return Status::corruption("event store '" + path_ + "': the latest snapshot (seq " +
                              std::to_string(snapshot_seq_) +
                              ") is beyond the end of the log (seq " + std::to_string(last) + ")");

  rc = sqlite3_prepare_v2(writer_db_,
                          "INSERT INTO events(seq, at, type, body) VALUES(?1, ?2, ?3, ?4)", -1,
                          &insert_event_, nullptr);
  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v2(writer_db_, "INSERT INTO snapshots(seq, hash, body) VALUES(?1, ?2, ?3)",
                            -1, &insert_snapshot_, nullptr);
  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v2(writer_db_,
                            "DELETE FROM snapshots WHERE seq < (SELECT seq FROM snapshots "
                            "ORDER BY seq DESC LIMIT 1 OFFSET ?1)",
                            -1, &prune_snapshots_, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(writer_db_, rc, "cannot prepare statements");

  rc = sqlite3_open_v2(path_.c_str(), &reader_db_, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
                       nullptr);
  if (rc != SQLITE_OK) return sqlite_error(reader_db_, rc, "cannot open a reader");
  sqlite3_busy_timeout(reader_db_, 5000);

  // A freshly created file must also be reachable after a power cut: sync its directory entry.
  const auto dir = std::filesystem::absolute(path_).parent_path();
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0 || ::fsync(dir_fd) != 0) {
    const int e = errno;
    if (dir_fd >= 0) ::close(dir_fd);
    return Status::io_error("event store '" + path_ + "': cannot sync directory '" + dir.string() +
                            "': " + errno_message(e));
  }
  ::close(dir_fd);

  written_seq_ = last;
  durable_seq_ = last;
  next_seq_ = last + 1;
  writer_ = std::thread([this] { writer_loop(); });
  return {};
}

SqliteEventStore::~SqliteEventStore() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_writer_.notify_one();
  if (writer_.joinable()) writer_.join();
  sqlite3_finalize(insert_event_);
  sqlite3_finalize(insert_snapshot_);
  sqlite3_finalize(prune_snapshots_);
  sqlite3_close_v2(reader_db_);
  // Closing the last connection checkpoints the WAL into the database file.
  sqlite3_close_v2(writer_db_);
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

Status SqliteEventStore::enqueue(Pending pending) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return Status::unavailable("event store '" + path_ + "' is closing");
    if (!failed_.ok())
      return Status(failed_.code(), "event store '" + path_ +
                                        "' refuses writes after an earlier failure (" +
                                        failed_.message() + "); reopen it and recover");
    if (!pending.rows.empty()) {
      const std::uint64_t first = pending.rows.front().seq;
      if (first < next_seq_)
        return Status::already_exists("event seq " + std::to_string(first) +
                                      " is already in the log (the next seq is " +
                                      std::to_string(next_seq_) + ")");
      if (first > next_seq_)
        return Status::failed_precondition("event seq " + std::to_string(first) +
                                           " would leave a gap in the log (the next seq is " +
                                           std::to_string(next_seq_) + ")");
      next_seq_ += pending.rows.size();
    }
    if (pending.snapshot && pending.snapshot->seq >= next_seq_)
      return Status::invalid_argument("snapshot at seq " + std::to_string(pending.snapshot->seq) +
                                      " is ahead of the log (the last appended seq is " +
                                      std::to_string(next_seq_ - 1) + ")");
    queue_.push_back(std::move(pending));
  }
  wake_writer_.notify_one();
  return {};
}

Status SqliteEventStore::encode_rows(std::span<const Event> events, std::vector<Row>& rows) {
  rows.reserve(events.size());
  for (std::size_t i = 0; i < events.size(); ++i) {
    const Event& e = events[i];
    if (i > 0 && e.seq != events[0].seq + i)
      return Status::invalid_argument("events of a batch must carry consecutive seqs: event " +
                                      std::to_string(i) + " has seq " + std::to_string(e.seq) +
                                      ", expected " + std::to_string(events[0].seq + i));
    Row row{e.seq, e.at, e.type(), {}};
    encode_event(e, row.body);
    rows.push_back(std::move(row));
  }
  return {};
}

Status SqliteEventStore::append_async(std::vector<Event> events, AppendCallback done) {
  Pending pending;
  SB_RETURN_IF_ERROR(encode_rows(events, pending.rows));
  pending.done = std::move(done);
  return enqueue(std::move(pending));
}

Status SqliteEventStore::wait_for(Pending pending) {
  // The writer thread would wait for itself.
  if (std::this_thread::get_id() == writer_.get_id())
    return Status::failed_precondition(
        "synchronous event store calls from an append callback would deadlock");
  std::promise<Status> result;
  auto future = result.get_future();
  pending.done = [&result](const Status& s) { result.set_value(s); };
  SB_RETURN_IF_ERROR(enqueue(std::move(pending)));
  return future.get();
}

Status SqliteEventStore::append(std::span<const Event> events) {
  Pending pending;
  SB_RETURN_IF_ERROR(encode_rows(events, pending.rows));
  return wait_for(std::move(pending));
}

Status SqliteEventStore::save_snapshot(const Snapshot& snapshot) {
  if (snapshot.seq == 0)
    return Status::invalid_argument("a snapshot at seq 0 holds no events; nothing to save");
  Pending pending;
  pending.snapshot = snapshot;
  return wait_for(std::move(pending));
}

std::uint64_t SqliteEventStore::next_seq() const {
  std::lock_guard lock(mu_);
  return next_seq_;
}

std::uint64_t SqliteEventStore::last_seq() const {
  std::lock_guard lock(mu_);
  return durable_seq_;
}

StoreStats SqliteEventStore::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void SqliteEventStore::writer_loop() {
  for (;;) {
    std::deque<Pending> group;
    {
      std::unique_lock lock(mu_);
      wake_writer_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued has been written
      // Group commit: everything that queued up while the previous transaction was committing.
      group.swap(queue_);
    }
    write_group(group);
  }
}

Status SqliteEventStore::write_rows(const std::vector<Row>& rows, std::uint64_t& seq) {
  for (const Row& row : rows) {
    // enqueue() already guarantees this; a mismatch here is a bug in the store itself.
    if (row.seq != seq + 1)
      return Status::internal("event store writer got seq " + std::to_string(row.seq) + " after " +
                              std::to_string(seq));
    sqlite3_bind_int64(insert_event_, 1, to_sql(row.seq));
    sqlite3_bind_int64(insert_event_, 2, row.at);
    sqlite3_bind_int64(insert_event_, 3, row.type);
    sqlite3_bind_blob(insert_event_, 4, row.body.data(), static_cast<int>(row.body.size()),
                      SQLITE_STATIC);
    const int rc = sqlite3_step(insert_event_);
    Status s;
    if (rc != SQLITE_DONE)
      s = sqlite_error(writer_db_, rc, "cannot append seq " + std::to_string(row.seq));
    sqlite3_reset(insert_event_);
    if (!s.ok()) return s;
    seq = row.seq;
  }
  return {};
}

Status SqliteEventStore::write_snapshot(const Snapshot& snapshot) {
  sqlite3_bind_int64(insert_snapshot_, 1, to_sql(snapshot.seq));
  sqlite3_bind_int64(insert_snapshot_, 2, to_sql(snapshot.hash));
  sqlite3_bind_blob(insert_snapshot_, 3, snapshot.body.data(),
                    static_cast<int>(snapshot.body.size()), SQLITE_STATIC);
  int rc = sqlite3_step(insert_snapshot_);
  Status s;
  if (rc != SQLITE_DONE)
    s = sqlite_error(writer_db_, rc, "cannot save snapshot at seq " + std::to_string(snapshot.seq));
  sqlite3_reset(insert_snapshot_);
  if (!s.ok()) return s;

  const std::size_t keep = options_.keep_snapshots == 0 ? 1 : options_.keep_snapshots;
  sqlite3_bind_int64(prune_snapshots_, 1, static_cast<std::int64_t>(keep - 1));
  rc = sqlite3_step(prune_snapshots_);
  if (rc != SQLITE_DONE) s = sqlite_error(writer_db_, rc, "cannot prune old snapshots");
  sqlite3_reset(prune_snapshots_);
  return s;
}

void SqliteEventStore::write_group(std::deque<Pending>& group) {
  std::vector<Status> results(group.size());
  Status failed;
  {
    std::lock_guard lock(mu_);
    // Requests queued behind a failed transaction cannot be written either: they would leave a
    // gap where the failed events should be.
    if (!failed_.ok())
      failed = Status(failed_.code(), "event store '" + path_ +
                                          "' refuses writes after an earlier failure (" +
                                          failed_.message() + "); reopen it and recover");
  }
  std::uint64_t seq = written_seq_;
  std::uint64_t snapshot_seq = snapshot_seq_;
  std::uint64_t snapshot_hash = snapshot_hash_;
  std::uint64_t events = 0;
  std::uint64_t appends = 0;
  std::uint64_t snapshots = 0;
  bool wrote = false;

  bool has_writes = false;
  for (const Pending& p : group) has_writes |= !p.rows.empty() || p.snapshot.has_value();

  if (failed.ok() && has_writes) {
    Status txn = exec(writer_db_, "BEGIN IMMEDIATE");
    for (std::size_t i = 0; i < group.size() && txn.ok(); ++i) {
      Pending& p = group[i];
      if (!p.rows.empty()) {
        txn = write_rows(p.rows, seq);
        events += p.rows.size();
      }
      if (p.snapshot && txn.ok()) {
        const Snapshot& snap = *p.snapshot;
        // A rejected snapshot fails only its own request; the transaction goes on.
        if (snap.seq > seq) {
          results[i] = Status::invalid_argument("snapshot at seq " + std::to_string(snap.seq) +
                                                " is ahead of the log (last seq " +
                                                std::to_string(seq) + ")");
        } else if (snap.seq == snapshot_seq && snap.hash == snapshot_hash) {
          // Saving the latest snapshot again is a no-op.
        } else if (snap.seq == snapshot_seq) {
          results[i] = Status::failed_precondition(
              "a snapshot at seq " + std::to_string(snap.seq) + " already exists with hash " +
              hex(snapshot_hash) + ", not " + hex(snap.hash) +
              ": the engine is not deterministic or its state diverged from the log");
        } else if (snap.seq < snapshot_seq) {
          results[i] = Status::failed_precondition("snapshot at seq " + std::to_string(snap.seq) +
                                                   " is older than the latest snapshot (seq " +
                                                   std::to_string(snapshot_seq) + ")");
        } else {
          txn = write_snapshot(snap);
          snapshot_seq = snap.seq;
          snapshot_hash = snap.hash;
          ++snapshots;
        }
      }
    }
    if (txn.ok()) txn = exec(writer_db_, "COMMIT");
    if (!txn.ok()) {
      // The transaction's own error is what matters; after a failed COMMIT SQLite may already
      // have rolled back, in which case this ROLLBACK fails harmlessly.
      (void)exec(writer_db_, "ROLLBACK");
      failed = Status(txn.code(),
                      "write failed, nothing of this transaction was stored: " + txn.message());
    } else {
      written_seq_ = seq;
      snapshot_seq_ = snapshot_seq;
      snapshot_hash_ = snapshot_hash;
      wrote = true;
    }
  }
  for (const Pending& p : group) appends += p.snapshot ? 0 : 1;

  {
    std::lock_guard lock(mu_);
    if (!failed.ok()) {
      if (failed_.ok()) failed_ = failed;
    } else {
      durable_seq_ = written_seq_;
      stats_.appends += appends;
      stats_.events += events;
      stats_.snapshots += snapshots;
      if (wrote) ++stats_.transactions;
      stats_.max_appends_per_transaction = std::max(stats_.max_appends_per_transaction, appends);
    }
  }
  for (std::size_t i = 0; i < group.size(); ++i) {
    if (!group[i].done) continue;
    group[i].done(failed.ok() ? results[i] : failed);
  }
}

Status SqliteEventStore::read(std::uint64_t from_seq, const ReadCallback& on_batch,
                              std::size_t batch_size) {
  if (batch_size == 0) return Status::invalid_argument("read batch size must be positive");
  if (from_seq == 0) from_seq = 1;
  if (from_seq > static_cast<std::uint64_t>(INT64_MAX)) return {};
  std::lock_guard lock(reader_mu_);
  Stmt s;
  int rc = sqlite3_prepare_v2(reader_db_,
                              "SELECT seq, at, type, body FROM events WHERE seq >= ?1 ORDER BY seq",
                              -1, s.out(), nullptr);
  if (rc != SQLITE_OK) return sqlite_error(reader_db_, rc, "cannot read events");
  sqlite3_bind_int64(s.get(), 1, to_sql(from_seq));
  std::vector<Event> batch;
  batch.reserve(std::min<std::size_t>(batch_size, 4096));
  std::uint64_t expected = from_seq;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    const std::uint64_t seq = from_sql(sqlite3_column_int64(s.get(), 0));
    if (seq != expected)
      return Status::corruption("event store '" + path_ + "': the log has a gap: expected seq " +
                                std::to_string(expected) + ", found " + std::to_string(seq));
    const auto* data = static_cast<const char*>(sqlite3_column_blob(s.get(), 3));
    const int size = sqlite3_column_bytes(s.get(), 3);
    auto event = decode_event(std::string_view(data == nullptr ? "" : data, size));
    if (!event.ok())
      return Status::corruption("event store '" + path_ + "': event seq " + std::to_string(seq) +
                                ": " + event.status().message());
    if (event->seq != seq || event->at != sqlite3_column_int64(s.get(), 1) ||
        event->type() != sqlite3_column_int64(s.get(), 2))
      return Status::corruption("event store '" + path_ + "': row seq " + std::to_string(seq) +
                                " disagrees with the event it holds (seq " +
                                std::to_string(event->seq) + ", type " +
                                std::string(event_type_name(event->type())) + ")");
    batch.push_back(std::move(*event));
    ++expected;
    if (batch.size() == batch_size) {
      SB_RETURN_IF_ERROR(on_batch(batch));
      batch.clear();
    }
  }
  if (rc != SQLITE_DONE) return sqlite_error(reader_db_, rc, "cannot read events");
  if (!batch.empty()) SB_RETURN_IF_ERROR(on_batch(batch));
  return {};
}

Result<Snapshot> SqliteEventStore::load_snapshot(std::uint64_t seq) {
  std::lock_guard lock(reader_mu_);
  Stmt s;
  int rc = sqlite3_prepare_v2(reader_db_, "SELECT hash, body FROM snapshots WHERE seq = ?1", -1,
                              s.out(), nullptr);
  if (rc != SQLITE_OK) return sqlite_error(reader_db_, rc, "cannot read snapshots");
  sqlite3_bind_int64(s.get(), 1, to_sql(seq));
  rc = sqlite3_step(s.get());
  if (rc == SQLITE_DONE)
    return Status::not_found("event store '" + path_ + "' has no snapshot at seq " +
                             std::to_string(seq));
  if (rc != SQLITE_ROW) return sqlite_error(reader_db_, rc, "cannot read snapshots");
  Snapshot snap;
  snap.seq = seq;
  snap.hash = from_sql(sqlite3_column_int64(s.get(), 0));
  const auto* data = static_cast<const char*>(sqlite3_column_blob(s.get(), 1));
  snap.body.assign(data == nullptr ? "" : data, sqlite3_column_bytes(s.get(), 1));
  return snap;
}

Result<std::optional<Snapshot>> SqliteEventStore::latest_snapshot() {
  std::lock_guard lock(reader_mu_);
  Stmt s;
  int rc = sqlite3_prepare_v2(reader_db_,
                              "SELECT seq, hash, body FROM snapshots ORDER BY seq DESC LIMIT 1", -1,
                              s.out(), nullptr);
  if (rc != SQLITE_OK) return sqlite_error(reader_db_, rc, "cannot read snapshots");
  rc = sqlite3_step(s.get());
  if (rc == SQLITE_DONE) return std::optional<Snapshot>();
  if (rc != SQLITE_ROW) return sqlite_error(reader_db_, rc, "cannot read snapshots");
  Snapshot snap;
  snap.seq = from_sql(sqlite3_column_int64(s.get(), 0));
  snap.hash = from_sql(sqlite3_column_int64(s.get(), 1));
  const auto* data = static_cast<const char*>(sqlite3_column_blob(s.get(), 2));
  snap.body.assign(data == nullptr ? "" : data, sqlite3_column_bytes(s.get(), 2));
  return std::optional<Snapshot>(std::move(snap));
}

}  // namespace sb
