#include "store/recovery.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "center_workload.h"
#include "store/sqlite_event_store.h"
#include "temp_dir.h"

namespace sb {
namespace {

using store_testing::CenterWorkload;
using store_testing::TempDir;

// Drives a live engine for `steps` workload steps, appending each step's events, and snapshots
// every `snapshot_every` steps (0 = never). Returns the live engine's final hash.
std::uint64_t run_live(EventStore& store, Engine& engine, int steps, int snapshot_every,
                       std::uint64_t seed = 7) {
  Output out;
  EXPECT_TRUE(store_testing::configure_center(engine, 1'700'000'000'000, out).ok());
  EXPECT_TRUE(store.append(out.events).ok());
  CenterWorkload workload(seed, engine);
  for (int i = 1; i <= steps; ++i) {
    out.clear();
    workload.step(engine, out);
    if (!out.events.empty()) {
      const Status s = store.append(out.events);
      EXPECT_TRUE(s.ok()) << s.to_string();
    }
    if (snapshot_every > 0 && i % snapshot_every == 0 && engine.last_seq() > 0) {
      const Status s =
          store.save_snapshot({engine.last_seq(), engine.state_hash(), engine.snapshot()});
      EXPECT_TRUE(s.ok()) << s.to_string();
    }
  }
  return engine.state_hash();
}

TEST(RecoveryTest, SnapshotPlusTailEqualsLiveStateAndReferenceReplay) {
  TempDir dir;
  auto store = SqliteEventStore::open(dir.file("log.db"));
  ASSERT_TRUE(store.ok()) << store.status().to_string();
  Engine live;
  const std::uint64_t live_hash = run_live(**store, live, 3000, 700);
  ASSERT_GT(live.last_seq(), 3000u) << "the workload should produce a fair number of events";

  Engine recovered;
  auto report = recover(**store, recovered);
  ASSERT_TRUE(report.ok()) << report.status().to_string();
  EXPECT_GT(report->snapshot_seq, 0u);
  EXPECT_GT(report->replayed, 0u);
  EXPECT_EQ(report->snapshot_seq + report->replayed, live.last_seq());
  EXPECT_EQ(report->final_seq, live.last_seq());
  EXPECT_EQ(report->final_hash, live_hash);
  EXPECT_EQ(recovered.state_hash(), live_hash);

  auto reference = replay_all_hash(**store);
  ASSERT_TRUE(reference.ok()) << reference.status().to_string();
  EXPECT_EQ(*reference, live_hash);
}

TEST(RecoveryTest, WithoutSnapshotReplaysEverything) {
  TempDir dir;
  auto store = SqliteEventStore::open(dir.file("log.db"));
  ASSERT_TRUE(store.ok());
  Engine live;
  const std::uint64_t live_hash = run_live(**store, live, 500, 0);
  Engine recovered;
  auto report = recover(**store, recovered);
  ASSERT_TRUE(report.ok()) << report.status().to_string();
  EXPECT_EQ(report->snapshot_seq, 0u);
  EXPECT_EQ(report->replayed, live.last_seq());
  EXPECT_EQ(report->final_hash, live_hash);
}

TEST(RecoveryTest, EmptyStoreRecoversAnEmptyEngine) {
  TempDir dir;
  auto store = SqliteEventStore::open(dir.file("log.db"));
  ASSERT_TRUE(store.ok());
  Engine engine;
  auto report = recover(**store, engine);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->final_seq, 0u);
  EXPECT_EQ(report->final_hash, Engine().state_hash());
}

TEST(RecoveryTest, RecoveredEngineCarriesOnLikeTheLiveOne) {
  TempDir dir;
  auto store = SqliteEventStore::open(dir.file("log.db"));
  ASSERT_TRUE(store.ok());
  Engine live;
  run_live(**store, live, 800, 300);
  Engine recovered;
  ASSERT_TRUE(recover(**store, recovered).ok());
  // Same workload continuation against both: identical events.
  CenterWorkload a(99, live), b(99, recovered);
  Output out_a, out_b;
  for (int i = 0; i < 300; ++i) {
    a.step(live, out_a);
    b.step(recovered, out_b);
  }
  ASSERT_EQ(out_a.events.size(), out_b.events.size());
  EXPECT_EQ(store_testing::events_digest(out_a.events), store_testing::events_digest(out_b.events));
  EXPECT_EQ(live.state_hash(), recovered.state_hash());
}

TEST(RecoveryTest, NeedsAFreshEngine) {
  TempDir dir;
  auto store = SqliteEventStore::open(dir.file("log.db"));
  ASSERT_TRUE(store.ok());
  Engine live;
  run_live(**store, live, 10, 0);
  auto report = recover(**store, live);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kFailedPrecondition);
}

TEST(RecoveryTest, SnapshotWithWrongHashIsCorruption) {
  TempDir dir;
  auto store = SqliteEventStore::open(dir.file("log.db"));
  ASSERT_TRUE(store.ok());
  Engine live;
  run_live(**store, live, 200, 0);
  ASSERT_TRUE(
      (*store)->save_snapshot({live.last_seq(), live.state_hash() ^ 1, live.snapshot()}).ok());
  Engine recovered;
  auto report = recover(**store, recovered);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kCorruption);
  EXPECT_NE(report.status().message().find("restores state hash"), std::string::npos)
      << report.status().message();
}

TEST(RecoveryTest, UnreadableSnapshotIsCorruption) {
  TempDir dir;
  auto store = SqliteEventStore::open(dir.file("log.db"));
  ASSERT_TRUE(store.ok());
  Engine live;
  run_live(**store, live, 200, 0);
  std::string body = live.snapshot();
  body.resize(body.size() / 2);
  ASSERT_TRUE((*store)->save_snapshot({live.last_seq(), live.state_hash(), body}).ok());
  Engine recovered;
  auto report = recover(**store, recovered);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kCorruption);
  EXPECT_NE(report.status().message().find("cannot restore the snapshot"), std::string::npos)
      << report.status().message();
}

TEST(RecoveryTest, SnapshotFromAnotherSeqIsCorruption) {
  TempDir dir;
  auto store = SqliteEventStore::open(dir.file("log.db"));
  ASSERT_TRUE(store.ok());
  Engine live;
  run_live(**store, live, 200, 0);
  Engine early;
  ASSERT_TRUE(recover(**store, early).ok());
  // The body of the state at the end, filed under an earlier seq.
  ASSERT_TRUE(
      (*store)->save_snapshot({live.last_seq() - 5, live.state_hash(), live.snapshot()}).ok());
  Engine recovered;
  auto report = recover(**store, recovered);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kCorruption);
  EXPECT_NE(report.status().message().find("restores an engine at seq"), std::string::npos)
      << report.status().message();
}

}  // namespace
}  // namespace sb

namespace sb {
namespace {

TEST(SnapshotScheduleTest, DueEveryNEventsAfterTheLastSnapshot) {
  SnapshotSchedule s(100, 250);
  EXPECT_FALSE(s.due(349));
  EXPECT_TRUE(s.due(350));
  s.taken(360);
  EXPECT_FALSE(s.due(459));
  EXPECT_TRUE(s.due(460));
  s.taken(10);  // an older snapshot never moves the schedule back
  EXPECT_FALSE(s.due(459));
}

TEST(SnapshotScheduleTest, CaptureHashesTheBodyItSerialised) {
  Engine engine;
  Output out;
  ASSERT_TRUE(engine.handle(cmd::ConfigureSkill{0, "billing"}, 5, out).ok());
  const Snapshot snap = capture_snapshot(engine);
  EXPECT_EQ(snap.seq, 1u);
  EXPECT_EQ(snap.hash, engine.state_hash());
  EXPECT_EQ(snap.body, engine.snapshot());
}

}  // namespace
}  // namespace sb
