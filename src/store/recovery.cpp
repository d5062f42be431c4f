#include "store/recovery.h"

#include <string>

namespace sb {
namespace {

std::string hex(std::uint64_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out = "0x";
  for (int shift = 60; shift >= 0; shift -= 4) out.push_back(kDigits[(v >> shift) & 0xf]);
  return out;
}

// Applies every durable event after the engine's last seq; returns how many were applied.
Result<std::uint64_t> replay_tail(EventStore& store, Engine& engine) {
  std::uint64_t applied = 0;
  const Status s = store.read(engine.last_seq() + 1, [&](std::span<const Event> batch) -> Status {
    for (const Event& e : batch) {
      const Status applied_ok = engine.apply(e);
      if (!applied_ok.ok())
        return Status(applied_ok.code(), "replaying event seq " + std::to_string(e.seq) + " (" +
                                             std::string(event_type_name(e.type())) +
                                             "): " + applied_ok.message());
      ++applied;
    }
    return {};
  });
  if (!s.ok()) return s;
  return applied;
}

}  // namespace

Result<RecoveryReport> recover(EventStore& store, Engine& engine) {
  if (engine.last_seq() != 0)
    return Status::failed_precondition("recover() needs a fresh engine; this one has applied " +
                                       std::to_string(engine.last_seq()) + " events");
  // Read before replaying: everything durable now must be in the recovered state.
  const std::uint64_t durable = store.last_seq();
  RecoveryReport report;

  auto latest = store.latest_snapshot();
  if (!latest.ok()) return latest.status();
  if (latest->has_value()) {
    const Snapshot& snap = **latest;
    const Status restored = engine.restore(snap.body);
    if (!restored.ok())
      return Status::corruption("cannot restore the snapshot at seq " + std::to_string(snap.seq) +
                                ": " + restored.to_string());
    if (engine.last_seq() != snap.seq)
      return Status::corruption("the snapshot stored at seq " + std::to_string(snap.seq) +
                                " restores an engine at seq " + std::to_string(engine.last_seq()));
    const std::uint64_t hash = engine.state_hash();
    if (hash != snap.hash)
      return Status::corruption("the snapshot at seq " + std::to_string(snap.seq) +
                                " restores state hash " + hex(hash) + " but was saved with " +
                                hex(snap.hash));
    report.snapshot_seq = snap.seq;
    report.snapshot_hash = snap.hash;
  }

  auto replayed = replay_tail(store, engine);
  if (!replayed.ok()) return replayed.status();
  report.replayed = *replayed;
  report.final_seq = engine.last_seq();
  report.final_hash = engine.state_hash();
  if (report.final_seq < durable)
    return Status::corruption("recovery stopped at seq " + std::to_string(report.final_seq) +
                              " but the log is durable up to seq " + std::to_string(durable));
  return report;
}

Snapshot capture_snapshot(const Engine& engine) {
  Snapshot s;
  s.seq = engine.last_seq();
  s.body = engine.snapshot();
  s.hash = snapshot_hash(s.body);
  return s;
}

Result<std::uint64_t> replay_all_hash(EventStore& store) {
  Engine engine;
  auto replayed = replay_tail(store, engine);
  if (!replayed.ok()) return replayed.status();
  return engine.state_hash();
}

}  // namespace sb
