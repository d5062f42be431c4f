#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <condition_variable>
#include <fstream>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "domain/codec.h"
#include "store/sqlite_event_store.h"
#include "temp_dir.h"

namespace sb {
namespace {

using store_testing::TempDir;

// Synthetic events: the store does not interpret payloads, but a few types keep the codec honest.
Event make_event(std::uint64_t seq) {
  const Millis at = 1'700'000'000'000 + static_cast<Millis>(seq) * 10;
  switch (seq % 3) {
    case 0:
      return Event{seq, at, ev::ContactQueued{seq * 7, static_cast<QueueId>(seq % 4)}};
    case 1:
      return Event{seq, at,
                   ev::AgentStateChanged{static_cast<AgentId>(seq % 10), Presence::kNotReady,
                                         reason::kBreak}};
    default:
      return Event{seq, at, ev::SkillConfigured{1, std::make_shared<const std::string>("s")}};
  }
}

std::vector<Event> batch(std::uint64_t first, std::size_t n) {
  std::vector<Event> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(make_event(first + i));
  return out;
}

std::string bytes_of(const Event& e) {
  std::string out;
  encode_event(e, out);
  return out;
}

Result<std::vector<Event>> read_all(EventStore& store, std::uint64_t from = 1,
                                    std::size_t batch_size = 1024) {
  std::vector<Event> out;
  Status s = store.read(
      from,
      [&](std::span<const Event> b) {
        EXPECT_LE(b.size(), batch_size);
        out.insert(out.end(), b.begin(), b.end());
        return Status();
      },
      batch_size);
  if (!s.ok()) return s;
  return out;
}

std::unique_ptr<SqliteEventStore> open_ok(const std::string& path, SqliteStoreOptions o = {}) {
  auto store = SqliteEventStore::open(path, o);
  EXPECT_TRUE(store.ok()) << store.status().to_string();
  return store.ok() ? std::move(*store) : nullptr;
}

// Runs SQL on the store file behind the store's back (to damage it, or inject failures).
void raw_sql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  EXPECT_EQ(rc, SQLITE_OK) << (err ? err : "");
  sqlite3_free(err);
  sqlite3_close(db);
}

TEST(SqliteEventStoreTest, AppendReadRoundTrip) {
  TempDir dir;
  auto store = open_ok(dir.file("log.db"));
  ASSERT_TRUE(store);
  EXPECT_EQ(store->last_seq(), 0u);
  EXPECT_EQ(store->next_seq(), 1u);
  ASSERT_TRUE(store->append(batch(1, 3)).ok());
  ASSERT_TRUE(store->append(batch(4, 1)).ok());
  ASSERT_TRUE(store->append(batch(5, 6)).ok());
  EXPECT_EQ(store->last_seq(), 10u);

  auto all = read_all(*store, 1, 4);
  ASSERT_TRUE(all.ok()) << all.status().to_string();
  ASSERT_EQ(all->size(), 10u);
  for (std::size_t i = 0; i < all->size(); ++i)
    EXPECT_EQ(bytes_of((*all)[i]), bytes_of(make_event(i + 1)));

  auto tail = read_all(*store, 7);
  ASSERT_TRUE(tail.ok());
  ASSERT_EQ(tail->size(), 4u);
  EXPECT_EQ(tail->front().seq, 7u);
  auto beyond = read_all(*store, 11);
  ASSERT_TRUE(beyond.ok());
  EXPECT_TRUE(beyond->empty());
  auto from_zero = read_all(*store, 0);
  ASSERT_TRUE(from_zero.ok());
  EXPECT_EQ(from_zero->size(), 10u);
}

TEST(SqliteEventStoreTest, ReadCallbackErrorStopsTheRead) {
  TempDir dir;
  auto store = open_ok(dir.file("log.db"));
  ASSERT_TRUE(store->append(batch(1, 10)).ok());
  int calls = 0;
  Status s = store->read(
      1,
      [&](std::span<const Event>) {
        ++calls;
        return Status::internal("enough");
      },
      3);
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(store
                ->read(
                    1, [](auto) { return Status(); }, 0)
                .code(),
            StatusCode::kInvalidArgument);
}

TEST(SqliteEventStoreTest, SeqContinuityIsEnforced) {
  TempDir dir;
  auto store = open_ok(dir.file("log.db"));
  Status gap_first = store->append(batch(2, 1));
  EXPECT_EQ(gap_first.code(), StatusCode::kFailedPrecondition) << gap_first.to_string();
  ASSERT_TRUE(store->append(batch(1, 3)).ok());

  Status dup = store->append(batch(3, 1));
  EXPECT_EQ(dup.code(), StatusCode::kAlreadyExists);
  EXPECT_NE(dup.message().find("seq 3 is already in the log (the next seq is 4)"),
            std::string::npos)
      << dup.message();
  Status gap = store->append(batch(5, 1));
  EXPECT_EQ(gap.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(gap.message().find("gap"), std::string::npos) << gap.message();
  std::vector<Event> holey = {make_event(4), make_event(6)};
  Status inner = store->append(holey);
  EXPECT_EQ(inner.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(inner.message().find("consecutive"), std::string::npos) << inner.message();
  bool called = false;
  Status async_dup = store->append_async(batch(2, 1), [&](const Status&) { called = true; });
  EXPECT_EQ(async_dup.code(), StatusCode::kAlreadyExists);

  // Refused appends change nothing: the log continues at 4.
  ASSERT_TRUE(store->append(batch(4, 2)).ok());
  EXPECT_EQ(store->last_seq(), 5u);
  EXPECT_FALSE(called);
  auto all = read_all(*store);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 5u);
}

TEST(SqliteEventStoreTest, EmptyAppendIsABarrier) {
  TempDir dir;
  auto store = open_ok(dir.file("log.db"));
  ASSERT_TRUE(store->append_async(batch(1, 2), nullptr).ok());
  ASSERT_TRUE(store->append({}).ok());
  EXPECT_EQ(store->last_seq(), 2u);
}

TEST(SqliteEventStoreTest, ReopenKeepsEverything) {
  TempDir dir;
  const std::string path = dir.file("log.db");
  {
    auto store = open_ok(path);
    ASSERT_TRUE(store->append(batch(1, 5)).ok());
    ASSERT_TRUE(store->save_snapshot({3, 0xabcdef, "state at 3"}).ok());
  }
  {
    auto store = open_ok(path);
    EXPECT_EQ(store->last_seq(), 5u);
    EXPECT_EQ(store->next_seq(), 6u);
    EXPECT_EQ(store->append(batch(5, 1)).code(), StatusCode::kAlreadyExists);
    ASSERT_TRUE(store->append(batch(6, 2)).ok());
    auto snap = store->latest_snapshot();
    ASSERT_TRUE(snap.ok());
    ASSERT_TRUE(snap->has_value());
    EXPECT_EQ((*snap)->seq, 3u);
  }
  auto store = open_ok(path);
  auto all = read_all(*store);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 7u);
  for (std::size_t i = 0; i < all->size(); ++i)
    EXPECT_EQ(bytes_of((*all)[i]), bytes_of(make_event(i + 1)));
}

TEST(SqliteEventStoreTest, AsyncCallbacksRunInSeqOrderAfterCommit) {
  TempDir dir;
  auto store = open_ok(dir.file("log.db"));
  std::mutex mu;
  std::vector<std::uint64_t> acked;
  std::vector<std::uint64_t> durable_at_ack;
  std::atomic<int> remaining = 200;
  std::promise<void> all_done;
  for (std::uint64_t seq = 1; seq <= 200; ++seq) {
    Status s = store->append_async(batch(seq, 1), [&, seq](const Status& st) {
      EXPECT_TRUE(st.ok()) << st.to_string();
      {
        std::lock_guard lock(mu);
        acked.push_back(seq);
        durable_at_ack.push_back(store->last_seq());
      }
      if (--remaining == 0) all_done.set_value();
    });
    ASSERT_TRUE(s.ok()) << s.to_string();
  }
  all_done.get_future().wait();
  ASSERT_EQ(acked.size(), 200u);
  for (std::size_t i = 0; i < acked.size(); ++i) {
    EXPECT_EQ(acked[i], i + 1);
    EXPECT_GE(durable_at_ack[i], acked[i]);  // acknowledged only once durable
  }
  // 200 appends queued faster than fsyncs complete: the writer must have grouped them.
  const StoreStats stats = store->stats();
  EXPECT_EQ(stats.appends, 200u);
  EXPECT_EQ(stats.events, 200u);
  EXPECT_LT(stats.transactions, stats.appends);
  EXPECT_GT(stats.max_appends_per_transaction, 1u);
}

// The live-server pattern: producers assign seqs and enqueue under one lock, then wait for their
// own acknowledgement outside it. Acks must come back to everyone, in order per producer, and the
// writer must have committed several appends per transaction.
TEST(SqliteEventStoreTest, ConcurrentAppendersAreGroupCommitted) {
  TempDir dir;
  auto store = open_ok(dir.file("log.db"));
  constexpr int kThreads = 8;
  constexpr int kAppendsPerThread = 150;
  std::mutex engine_mu;  // stands in for the engine's owner lock
  std::uint64_t next = 1;
  std::vector<std::vector<std::uint64_t>> acked(kThreads);
  std::atomic<int> failures = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kAppendsPerThread; ++i) {
        std::promise<Status> done;
        auto future = done.get_future();
        std::uint64_t last = 0;
        {
          std::lock_guard lock(engine_mu);
          const std::size_t n = 1 + (t + i) % 3;
          auto events = batch(next, n);
          next += n;
          last = events.back().seq;
          Status s = store->append_async(std::move(events),
                                         [&done](const Status& st) { done.set_value(st); });
          if (!s.ok()) {
            ++failures;
            return;
          }
        }
        if (!future.get().ok()) ++failures;
        acked[t].push_back(last);
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_EQ(failures.load(), 0);

  std::vector<std::uint64_t> every;
  for (const auto& v : acked) {
    ASSERT_EQ(v.size(), static_cast<std::size_t>(kAppendsPerThread));
    for (std::size_t i = 1; i < v.size(); ++i) EXPECT_LT(v[i - 1], v[i]);
    every.insert(every.end(), v.begin(), v.end());
  }
  std::sort(every.begin(), every.end());
  EXPECT_EQ(std::adjacent_find(every.begin(), every.end()), every.end()) << "duplicate ack";
  EXPECT_EQ(store->last_seq(), next - 1);
  auto all = read_all(*store);
  ASSERT_TRUE(all.ok()) << all.status().to_string();
  ASSERT_EQ(all->size(), next - 1);
  for (std::size_t i = 0; i < all->size(); ++i) EXPECT_EQ((*all)[i].seq, i + 1);

  const StoreStats stats = store->stats();
  EXPECT_EQ(stats.appends, static_cast<std::uint64_t>(kThreads * kAppendsPerThread));
  EXPECT_EQ(stats.events, next - 1);
  EXPECT_LT(stats.transactions, stats.appends)
      << "group commit never put two appends in one transaction";
  EXPECT_GT(stats.max_appends_per_transaction, 1u);
}

TEST(SqliteEventStoreTest, DestructorWritesWhatIsQueued) {
  TempDir dir;
  const std::string path = dir.file("log.db");
  std::atomic<int> ok_acks = 0;
  {
    auto store = open_ok(path);
    for (std::uint64_t seq = 1; seq <= 50; ++seq)
      ASSERT_TRUE(store
                      ->append_async(batch(seq, 1),
                                     [&](const Status& s) {
                                       if (s.ok()) ++ok_acks;
                                     })
                      .ok());
  }
  EXPECT_EQ(ok_acks.load(), 50);
  auto store = open_ok(path);
  EXPECT_EQ(store->last_seq(), 50u);
}

TEST(SqliteEventStoreTest, Snapshots) {
  TempDir dir;
  auto store = open_ok(dir.file("log.db"), {.verify_on_open = true, .keep_snapshots = 2});
  auto none = store->latest_snapshot();
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  EXPECT_EQ(store->load_snapshot(1).status().code(), StatusCode::kNotFound);

  ASSERT_TRUE(store->append(batch(1, 10)).ok());
  Status ahead = store->save_snapshot({11, 1, "x"});
  EXPECT_EQ(ahead.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(ahead.message().find("ahead of the log"), std::string::npos) << ahead.message();
  EXPECT_EQ(store->save_snapshot({0, 1, "x"}).code(), StatusCode::kInvalidArgument);

  std::string body(100000, '\0');  // binary bodies with NULs and some size
  for (std::size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>(i * 31);
  ASSERT_TRUE(store->save_snapshot({4, 0xffffffffffffffffULL, body}).ok());
  ASSERT_TRUE(store->save_snapshot({4, 0xffffffffffffffffULL, body}).ok());  // idempotent
  Status conflict = store->save_snapshot({4, 2, body});
  EXPECT_EQ(conflict.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(conflict.message().find("not deterministic"), std::string::npos) << conflict.message();
  ASSERT_TRUE(store->save_snapshot({7, 7, "seven"}).ok());
  EXPECT_EQ(store->save_snapshot({5, 5, "five"}).code(), StatusCode::kFailedPrecondition);

  auto four = store->load_snapshot(4);
  ASSERT_TRUE(four.ok()) << four.status().to_string();
  EXPECT_EQ(four->hash, 0xffffffffffffffffULL);
  EXPECT_EQ(four->body, body);

  ASSERT_TRUE(store->save_snapshot({10, 10, "ten"}).ok());
  auto latest = store->latest_snapshot();
  ASSERT_TRUE(latest.ok());
  ASSERT_TRUE(latest->has_value());
  EXPECT_EQ((*latest)->seq, 10u);
  EXPECT_EQ((*latest)->body, "ten");
  // keep_snapshots = 2: the one at 4 was pruned.
  EXPECT_EQ(store->load_snapshot(4).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(store->load_snapshot(7).ok());
  EXPECT_EQ(store->stats().snapshots, 3u);

  // A snapshot queued right behind its events is valid even before they are durable.
  std::promise<Status> appended;
  ASSERT_TRUE(
      store->append_async(batch(11, 2), [&](const Status& s) { appended.set_value(s); }).ok());
  ASSERT_TRUE(store->save_snapshot({12, 12, "twelve"}).ok());
  EXPECT_TRUE(appended.get_future().get().ok());
}

TEST(SqliteEventStoreTest, OpenErrors) {
  TempDir dir;
  auto missing_dir = SqliteEventStore::open(dir.file("no/such/dir/log.db"));
  ASSERT_FALSE(missing_dir.ok());
  EXPECT_EQ(missing_dir.status().code(), StatusCode::kIoError);
  EXPECT_NE(missing_dir.status().message().find("No such file or directory"), std::string::npos)
      << missing_dir.status().message();
  EXPECT_EQ(SqliteEventStore::open("").status().code(), StatusCode::kInvalidArgument);

  const std::string garbage = dir.file("garbage.db");
  {
    std::ofstream f(garbage, std::ios::binary);
    f << std::string(8192, 'z');
  }
  auto not_db = SqliteEventStore::open(garbage);
  ASSERT_FALSE(not_db.ok());
  EXPECT_EQ(not_db.status().code(), StatusCode::kCorruption) << not_db.status().to_string();
  EXPECT_NE(not_db.status().message().find("not a database"), std::string::npos)
      << not_db.status().message();

  const std::string foreign = dir.file("foreign.db");
  raw_sql(foreign, "CREATE TABLE customers(id INTEGER PRIMARY KEY)");
  auto not_store = SqliteEventStore::open(foreign);
  ASSERT_FALSE(not_store.ok());
  EXPECT_EQ(not_store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(not_store.status().message().find("not a Switchboard event store"), std::string::npos);

  const std::string future = dir.file("future.db");
  { open_ok(future); }
  raw_sql(future, "UPDATE schema_version SET version = 2");
  auto newer = SqliteEventStore::open(future);
  ASSERT_FALSE(newer.ok());
  EXPECT_EQ(newer.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(newer.status().message().find("schema version 2"), std::string::npos);
}

TEST(SqliteEventStoreTest, SecondOpenOfTheSameFileIsRefused) {
  TempDir dir;
  auto first = open_ok(dir.file("log.db"));
  auto second = SqliteEventStore::open(dir.file("log.db"));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  first.reset();
  EXPECT_TRUE(SqliteEventStore::open(dir.file("log.db")).ok());
}

TEST(SqliteEventStoreTest, DamagedLogIsCorruption) {
  TempDir dir;
  const std::string path = dir.file("log.db");
  {
    auto store = open_ok(path);
    ASSERT_TRUE(store->append(batch(1, 10)).ok());
  }
  raw_sql(path, "DELETE FROM events WHERE seq = 4");
  auto reopened = SqliteEventStore::open(path);
  ASSERT_FALSE(reopened.ok());
  EXPECT_EQ(reopened.status().code(), StatusCode::kCorruption);
  EXPECT_NE(reopened.status().message().find("gaps"), std::string::npos);

  // Without the open-time scan the read still notices.
  auto store = open_ok(path, {.verify_on_open = false});
  auto all = read_all(*store);
  ASSERT_FALSE(all.ok());
  EXPECT_EQ(all.status().code(), StatusCode::kCorruption);
  EXPECT_NE(all.status().message().find("expected seq 4, found 5"), std::string::npos)
      << all.status().message();
}

TEST(SqliteEventStoreTest, DamagedEventBodyIsCorruption) {
  TempDir dir;
  const std::string path = dir.file("log.db");
  {
    auto store = open_ok(path);
    ASSERT_TRUE(store->append(batch(1, 5)).ok());
  }
  raw_sql(path, "UPDATE events SET body = X'16010301' WHERE seq = 3");
  auto store = open_ok(path);
  auto all = read_all(*store);
  ASSERT_FALSE(all.ok());
  EXPECT_EQ(all.status().code(), StatusCode::kCorruption);
  EXPECT_NE(all.status().message().find("event seq 3"), std::string::npos)
      << all.status().message();
}

// A failed transaction (injected with a trigger) must fail every request in it, refuse later
// appends, and leave the durable log exactly as it was before.
TEST(SqliteEventStoreTest, FailedWriteRefusesFurtherAppends) {
  TempDir dir;
  const std::string path = dir.file("log.db");
  { open_ok(path); }
  raw_sql(path,
          "CREATE TRIGGER fail_at_5 BEFORE INSERT ON events WHEN NEW.seq = 5 "
          "BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
  {
    auto store = open_ok(path);
    ASSERT_TRUE(store->append(batch(1, 4)).ok());
    // Park the writer thread in a barrier's callback so that both requests below are queued
    // before it writes either: the one behind the failing batch must fail too, since writing it
    // would leave a gap.
    std::promise<void> parked, release;
    ASSERT_TRUE(store
                    ->append_async({},
                                   [&](const Status&) {
                                     parked.set_value();
                                     release.get_future().wait();
                                   })
                    .ok());
    parked.get_future().wait();
    std::promise<Status> first, second;
    ASSERT_TRUE(
        store->append_async(batch(5, 2), [&](const Status& s) { first.set_value(s); }).ok());
    ASSERT_TRUE(
        store->append_async(batch(7, 1), [&](const Status& s) { second.set_value(s); }).ok());
    release.set_value();
    EXPECT_FALSE(first.get_future().get().ok());
    EXPECT_FALSE(second.get_future().get().ok());
    EXPECT_EQ(store->last_seq(), 4u);
  }
  {
    auto store = open_ok(path);
    ASSERT_EQ(store->last_seq(), 4u);
    Status failed = store->append(batch(5, 2));
    ASSERT_FALSE(failed.ok());
    EXPECT_NE(failed.message().find("injected failure"), std::string::npos) << failed.message();
    Status refused = store->append(batch(7, 1));
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.message().find("refuses writes after an earlier failure"), std::string::npos)
        << refused.message();
    EXPECT_EQ(store->last_seq(), 4u);
  }
  raw_sql(path, "DROP TRIGGER fail_at_5");
  auto store = open_ok(path);
  EXPECT_EQ(store->last_seq(), 4u);
  ASSERT_TRUE(store->append(batch(5, 2)).ok());
}

TEST(SqliteEventStoreTest, SyncCallFromCallbackIsRefusedNotDeadlocked) {
  TempDir dir;
  auto store = open_ok(dir.file("log.db"));
  std::promise<Status> inner;
  ASSERT_TRUE(
      store->append_async(batch(1, 1), [&](const Status&) { inner.set_value(store->append({})); })
          .ok());
  Status s = inner.get_future().get();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("deadlock"), std::string::npos);
}

}  // namespace
}  // namespace sb
