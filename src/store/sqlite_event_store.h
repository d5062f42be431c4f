#pragma once
// The embedded event store: one SQLite file in WAL mode with synchronous=FULL.
//
// Writes go through a single writer thread that practises group commit: it takes every append
// (and snapshot) queued while its previous transaction was committing and writes them all in one
// transaction, so one fsync acknowledges many callers. Reads use a second, read-only connection
// and never wait for the writer.
//
// One process at a time: open() takes an exclusive lock on "<path>.lock" (released by the kernel
// even on SIGKILL), so two writers can never interleave their logs.
//
// After a failed write (disk full, I/O error) the store refuses further appends: the caller's
// engine has moved past events the log does not hold, and the only way back to agreement is to
// reopen the store and recover from it.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "store/event_store.h"

struct sqlite3;
struct sqlite3_stmt;

namespace sb {

struct SqliteStoreOptions {
  // Checks on open that the log holds exactly seqs 1..last (a scan of the seq index, about a
  // second per 10^7 events). Off only for very large logs whose integrity is checked elsewhere.
  bool verify_on_open = true;
  // Snapshots older than the newest `keep_snapshots` are deleted when a new one is saved. At least
  // one is always kept.
  std::size_t keep_snapshots = 3;
};

class SqliteEventStore final : public EventStore {
 public:
  // Opens (creating if needed) the store at `path`. Errors: IoError when the file or its lock
  // cannot be created, Unavailable when another process holds it, Corruption when the file is
  // not an SQLite database or the log is damaged, FailedPrecondition for a foreign database or
  // an unsupported schema version.
  static Result<std::unique_ptr<SqliteEventStore>> open(const std::string& path,
                                                        SqliteStoreOptions options = {});

  // Writes everything still queued, then closes. Appends made concurrently with destruction are
  // refused with Unavailable.
  ~SqliteEventStore() override;

  SqliteEventStore(const SqliteEventStore&) = delete;
  SqliteEventStore& operator=(const SqliteEventStore&) = delete;

  Status append(std::span<const Event> events) override;
  Status append_async(std::vector<Event> events, AppendCallback done) override;
  std::uint64_t next_seq() const override;
  std::uint64_t last_seq() const override;
  Status read(std::uint64_t from_seq, const ReadCallback& on_batch,
              std::size_t batch_size = 1024) override;
  Status save_snapshot(const Snapshot& snapshot) override;
  Result<Snapshot> load_snapshot(std::uint64_t seq) override;
  Result<std::optional<Snapshot>> latest_snapshot() override;
  StoreStats stats() const override;

  const std::string& path() const { return path_; }

 private:
  struct Row {
    std::uint64_t seq;
    std::int64_t at;
    std::int64_t type;
    std::string body;  // binary codec, encoded by the appending thread to offload the writer
  };
  // One queued request: an event batch or a snapshot.
  struct Pending {
    std::vector<Row> rows;
    std::optional<Snapshot> snapshot;
    AppendCallback done;
  };
  // Outcome of writing one request inside a group transaction.
  struct Written {
    Status status;
    std::uint64_t events = 0;
  };

  SqliteEventStore(std::string path, SqliteStoreOptions options);
  Status init(int lock_fd);
  Status enqueue(Pending pending);
  Status wait_for(Pending pending);
  void writer_loop();
  void write_group(std::deque<Pending>& group);
  Status write_rows(const std::vector<Row>& rows, std::uint64_t& seq);
  Status write_snapshot(const Snapshot& snapshot);
  static Status encode_rows(std::span<const Event> events, std::vector<Row>& rows);
  Status exec(sqlite3* db, const char* sql);
  Status sqlite_error(sqlite3* db, int rc, const std::string& what) const;

  const std::string path_;
  const SqliteStoreOptions options_;
  int lock_fd_ = -1;
  sqlite3* writer_db_ = nullptr;  // used only by the writer thread once it runs
  sqlite3* reader_db_ = nullptr;  // guarded by reader_mu_
  sqlite3_stmt* insert_event_ = nullptr;
  sqlite3_stmt* insert_snapshot_ = nullptr;
  sqlite3_stmt* prune_snapshots_ = nullptr;

  // Writer-thread state: the durable end of the log and the newest durable snapshot.
  std::uint64_t written_seq_ = 0;
  std::uint64_t snapshot_seq_ = 0;
  std::uint64_t snapshot_hash_ = 0;

  mutable std::mutex mu_;  // guards everything below
  std::condition_variable wake_writer_;
  std::deque<Pending> queue_;
  std::uint64_t next_seq_ = 1;  // seq the next accepted event must carry
  std::uint64_t durable_seq_ = 0;
  Status failed_;  // sticky: set by the first failed write
  bool stopping_ = false;
  StoreStats stats_;

  std::mutex reader_mu_;
  std::thread writer_;
};

}  // namespace sb
