#pragma once
// Crash recovery: rebuilds an engine from the event store.
//
// The newest snapshot is restored (and its stored hash checked against the restored state, which
// catches both a damaged snapshot and a non-deterministic snapshot/restore pair), then the events
// after it are replayed with Engine::apply. Because the engine's state is a pure function of the
// events applied, the result must equal a replay of the whole log from an empty engine;
// replay_all_hash() computes that reference for tests and audits.

#include <cstdint>

#include "base/status.h"
#include "routing/engine.h"
#include "store/event_store.h"

namespace sb {

struct RecoveryReport {
  std::uint64_t snapshot_seq = 0;  // the snapshot restored; 0 when replayed from the start
  std::uint64_t snapshot_hash = 0;
  std::uint64_t replayed = 0;  // events applied after the snapshot
  std::uint64_t final_seq = 0;
  std::uint64_t final_hash = 0;  // Engine::state_hash() after recovery
};

// Recovers `engine`, which must be fresh (nothing applied yet). A snapshot that fails to restore or
// whose hash does not match is Corruption: it is reported, not silently skipped, because it means
// either a damaged file or an engine whose snapshots do not round-trip.
Result<RecoveryReport> recover(EventStore& store, Engine& engine);

// Replays the whole log into a fresh engine, ignoring snapshots, and returns its state hash.
Result<std::uint64_t> replay_all_hash(EventStore& store);

}  // namespace sb
