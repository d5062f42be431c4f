#pragma once
// The event store: the durable, append-only log of engine events plus engine snapshots.
//
// Durability contract (see docs/store.md): an append is acknowledged (append() returns ok, or the
// append_async callback receives ok) only after the transaction holding it is committed and
// fsync'ed. Everything acknowledged survives a process crash or SIGKILL; something not yet
// acknowledged may or may not survive, but never partially: a batch is all there or not at all.
//
// The log is gap-free: the first event has seq 1 and each appended event must carry exactly the
// next seq. Seqs are assigned by the engine, so a mismatch means the caller and the log disagree
// about history (a duplicate, a lost batch, two writers) and is refused rather than repaired.
//
// This is an interface so that a server-grade backend (PostgreSQL) can replace the embedded
// SQLite one without touching hosts or recovery.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "domain/events.h"
#include "routing/engine.h"

namespace sb {

// An engine snapshot taken right after applying event `seq`.
struct Snapshot {
  std::uint64_t seq = 0;
  std::uint64_t hash = 0;  // Engine::state_hash() at `seq`, verified on recovery
  std::string body;        // Engine::snapshot()
};

// Captures the engine's current state as a Snapshot (serialising it once).
Snapshot capture_snapshot(const Engine& engine);

// When to snapshot: every `every_events` events (a snapshot bounds recovery's replay to that many
// events). Hosts call due() after appending and capture when it says so.
class SnapshotSchedule {
 public:
  explicit SnapshotSchedule(std::uint64_t every_events, std::uint64_t last_snapshot_seq = 0)
      : every_(every_events == 0 ? 1 : every_events), last_(last_snapshot_seq) {}
  bool due(std::uint64_t last_seq) const { return last_seq >= last_ + every_; }
  void taken(std::uint64_t seq) { last_ = seq > last_ ? seq : last_; }

 private:
  std::uint64_t every_;
  std::uint64_t last_;
};

// Counters for observing group commit.
struct StoreStats {
  std::uint64_t appends = 0;       // acknowledged append calls (sync or async), empty ones too
  std::uint64_t events = 0;        // events committed
  std::uint64_t snapshots = 0;     // snapshots committed
  std::uint64_t transactions = 0;  // committed write transactions (= fsyncs of the log)
  std::uint64_t max_appends_per_transaction = 0;
};

class EventStore {
 public:
  // Called exactly once with the outcome of an accepted asynchronous append.
  using AppendCallback = std::function<void(const Status&)>;
  // Receives events in seq order, a batch at a time. A non-ok return stops the read and becomes
  // its result.
  using ReadCallback = std::function<Status(std::span<const Event> batch)>;

  virtual ~EventStore() = default;

  // Appends `events` (seqs next_seq(), next_seq()+1, ...) and returns once they are durable.
  // An empty batch waits until everything appended before it is durable.
  virtual Status append(std::span<const Event> events) = 0;

  // Queues `events` for the writer and returns at once. If the batch is refused up front (seq
  // discontinuity, store failed or closed) the error is returned and `done` is never called;
  // otherwise `done` is called exactly once, from the store's writer thread, after the batch is
  // durable (or the write failed). Callbacks run in seq order and must not block on the store.
  //
  // Seq continuity is checked against batches already queued, so concurrent producers must
  // assign seqs and call append_async under one lock (as the engine's owner does anyway); they
  // can then wait for their acknowledgements outside it, which is what lets group commit batch.
  virtual Status append_async(std::vector<Event> events, AppendCallback done) = 0;

  // The seq the next appended event must carry: 1 + the last event accepted (queued or durable).
  virtual std::uint64_t next_seq() const = 0;

  // The last durable seq; 0 for an empty log.
  virtual std::uint64_t last_seq() const = 0;

  // Streams every durable event with seq >= from_seq, in order, in batches of at most
  // `batch_size`. The log being gap-free, a missing or out-of-order seq is Corruption.
  virtual Status read(std::uint64_t from_seq, const ReadCallback& on_batch,
                      std::size_t batch_size = 1024) = 0;

  // Stores a snapshot durably. Its seq must not be beyond the events appended so far (it is
  // written after them, never before) and must be newer than the latest stored snapshot; saving
  // the latest one again with the same hash is a no-op, with another hash an error.
  virtual Status save_snapshot(const Snapshot& snapshot) = 0;
  // The snapshot taken at exactly `seq`; NotFound if there is none.
  virtual Result<Snapshot> load_snapshot(std::uint64_t seq) = 0;
  // The newest snapshot, or nullopt if none was ever saved.
  virtual Result<std::optional<Snapshot>> latest_snapshot() = 0;

  virtual StoreStats stats() const = 0;
};

}  // namespace sb
