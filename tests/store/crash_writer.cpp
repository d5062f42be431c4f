// The victim process of the crash test (crash_test.cpp), also usable by hand:
//
//   store_crash_writer <db> <seed> [appenders=6] [snapshot_every=400] [max_events=0]
//
// Opens the store (creating it or continuing an existing one), recovers the engine from it, then
// drives the engine with the seeded center workload from several appender threads until killed
// (or until the log holds max_events events, if max_events > 0). Protocol on stdout, one flushed
// line each:
//   RECOVERED <last seq> <state hash hex> <snapshot seq> <replayed>
//   ACK <first seq> <last seq> <digest hex>   only after that batch is durable
//   SNAPSHOT_BEGIN <seq>                      a snapshot save is under way
//   SNAPSHOT <seq>                            ... and is durable
//   DONE <last seq>
// Errors go to stderr with a non-zero exit status, so that the test can tell a crash it caused
// from a failure of the writer.

#include <atomic>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "center_workload.h"
#include "store/recovery.h"
#include "store/sqlite_event_store.h"

namespace sb {
namespace {

std::mutex stdout_mu;

void say(const std::string& line) {
  std::lock_guard lock(stdout_mu);
  std::fputs(line.c_str(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

[[noreturn]] void die(const std::string& what, const Status& s) {
  std::lock_guard lock(stdout_mu);  // no ACK may follow a failure
  std::fprintf(stderr, "crash_writer: %s: %s\n", what.c_str(), s.to_string().c_str());
  std::fflush(stderr);
  std::_Exit(4);
}

std::string hex(std::uint64_t v) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, v);
  return buf;
}

bool parse_u64(const char* text, std::uint64_t& out) {
  char* end = nullptr;
  out = std::strtoull(text, &end, 10);
  return end != text && *end == '\0';
}

int run(int argc, char** argv) {
  std::uint64_t seed = 0, appenders = 6, snapshot_every = 400, max_events = 0;
  if (argc < 3 || !parse_u64(argv[2], seed) || (argc > 3 && !parse_u64(argv[3], appenders)) ||
      (argc > 4 && !parse_u64(argv[4], snapshot_every)) ||
      (argc > 5 && !parse_u64(argv[5], max_events)) || appenders == 0 || snapshot_every == 0) {
    std::fprintf(stderr,
                 "usage: %s <db> <seed> [appenders=6] [snapshot_every=400] [max_events=0]\n",
                 argv[0]);
    return 2;
  }

  auto opened = SqliteEventStore::open(argv[1]);
  if (!opened.ok()) die("open", opened.status());
  SqliteEventStore& store = **opened;
  Engine engine;
  auto report = recover(store, engine);
  if (!report.ok()) die("recover", report.status());
  say("RECOVERED " + std::to_string(report->final_seq) + " " + hex(report->final_hash) + " " +
      std::to_string(report->snapshot_seq) + " " + std::to_string(report->replayed));

  if (engine.queue_count() == 0) {
    // One batch, so that a crash leaves the whole configuration or none of it.
    Output out;
    const Millis start = std::max<Millis>(engine.last_event_time(), 1'700'000'000'000);
    Status s = store_testing::configure_center(engine, start, out);
    if (!s.ok()) die("configure", s);
    s = store.append(out.events);
    if (!s.ok()) die("append configuration", s);
    say("ACK " + std::to_string(out.events.front().seq) + " " +
        std::to_string(out.events.back().seq) + " " +
        hex(store_testing::events_digest(out.events)));
  }

  store_testing::CenterWorkload workload(seed, engine);
  std::mutex engine_mu;  // the engine and the workload belong to whoever holds this
  SnapshotSchedule schedule(snapshot_every, report->snapshot_seq);
  std::mutex snapshot_mu;  // snapshots are saved one at a time, newest wins
  std::uint64_t saved_snapshot = report->snapshot_seq;

  auto appender = [&] {
    Output out;
    for (;;) {
      std::promise<Status> done;
      auto acked = done.get_future();
      std::optional<Snapshot> snapshot;
      std::uint64_t first = 0, last = 0, digest = 0;
      {
        std::lock_guard lock(engine_mu);
        if (max_events > 0 && engine.last_seq() >= max_events) return;
        out.clear();
        workload.step(engine, out);
        if (out.events.empty()) continue;
        first = out.events.front().seq;
        last = out.events.back().seq;
        digest = store_testing::events_digest(out.events);
        if (schedule.due(engine.last_seq())) {
          schedule.taken(engine.last_seq());
          snapshot = capture_snapshot(engine);
        }
        // Enqueued under the engine lock so that seqs reach the store in order; the wait for
        // durability happens outside it, which is what lets group commit batch the appenders.
        Status s = store.append_async(std::move(out.events),
                                      [&done](const Status& st) { done.set_value(st); });
        if (!s.ok()) die("append", s);
      }
      const Status s = acked.get();
      if (!s.ok()) die("append of seq " + std::to_string(first), s);
      say("ACK " + std::to_string(first) + " " + std::to_string(last) + " " + hex(digest));
      if (snapshot) {
        std::lock_guard lock(snapshot_mu);
        if (snapshot->seq > saved_snapshot) {
          say("SNAPSHOT_BEGIN " + std::to_string(snapshot->seq));
          const Status saved = store.save_snapshot(*snapshot);
          if (!saved.ok()) die("snapshot at seq " + std::to_string(snapshot->seq), saved);
          saved_snapshot = snapshot->seq;
          say("SNAPSHOT " + std::to_string(snapshot->seq));
        }
      }
    }
  };
  std::vector<std::thread> threads;
  for (std::uint64_t i = 0; i < appenders; ++i) threads.emplace_back(appender);
  for (auto& t : threads) t.join();

  const StoreStats stats = store.stats();
  say("DONE " + std::to_string(engine.last_seq()));
  std::fprintf(stderr,
               "crash_writer: %" PRIu64 " events in %" PRIu64 " appends, %" PRIu64
               " transactions; %" PRIu64 " rejected commands\n",
               stats.events, stats.appends, stats.transactions, workload.rejected());
  return 0;
}

}  // namespace
}  // namespace sb

int main(int argc, char** argv) { return sb::run(argc, argv); }
