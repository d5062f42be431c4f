// Event store benchmark: durable appends per second through SqliteEventStore's group commit.
//
// Each configuration opens a fresh store and runs for a fixed time:
//   - "waiting" rows: N appender threads, each assigning seqs and enqueueing a batch under one lock
//     (as the live server does with its engine lock), then waiting for its own acknowledgement,
//     so at most N appends are in flight;
//   - "pipelined" rows: one producer keeps up to W appends in flight without waiting for each
//     (the async API), which shows the writer's ceiling.
// Every acknowledgement means committed and fsync'ed (WAL, synchronous=FULL). Figures depend on
// the disk's fsync latency: run it on the file system that will hold the store.
//
// Usage: store_bench [directory=.] [seconds per configuration=1]

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite_event_store.h"

namespace sb {
namespace {

using Clock = std::chrono::steady_clock;

// A realistic mix of small routing events (the bulk of a live log).
Event make_event(std::uint64_t seq) {
  const Millis at = 1'700'000'000'000 + static_cast<Millis>(seq);
  const ContactId contact = 1 + seq / 5;
  switch (seq % 5) {
    case 0:
      return Event{seq, at, ev::ContactArrived{contact, Channel::kVoice, 3, 1, {}, 42}};
    case 1:
      return Event{seq, at, ev::ContactQueued{contact, 3}};
    case 2:
      return Event{seq, at, ev::ContactOffered{contact, 17, 3, at + 20000}};
    case 3:
      return Event{seq, at, ev::OfferAccepted{contact, 17}};
    default:
      return Event{seq, at, ev::ContactConnected{contact, 17}};
  }
}

struct Figures {
  double seconds = 0;
  StoreStats stats;
  std::vector<double> ack_micros;  // per-append acknowledgement latency
};

std::unique_ptr<SqliteEventStore> fresh_store(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm", ".lock"}) std::filesystem::remove(path + suffix);
  auto store = SqliteEventStore::open(path);
  if (!store.ok()) {
    std::fprintf(stderr, "store_bench: %s\n", store.status().to_string().c_str());
    std::exit(1);
  }
  return std::move(*store);
}

void fail(const Status& s) {
  std::fprintf(stderr, "store_bench: append failed: %s\n", s.to_string().c_str());
  std::exit(1);
}

Figures run_waiting(const std::string& path, int threads, std::size_t batch, double seconds) {
  auto store = fresh_store(path);
  std::mutex mu;
  std::uint64_t next = 1;
  std::atomic<bool> stop = false;
  std::vector<std::vector<double>> latencies(threads);
  const auto start = Clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      while (!stop.load(std::memory_order_relaxed)) {
        std::promise<Status> done;
        auto acked = done.get_future();
        const auto t0 = Clock::now();
        {
          std::lock_guard lock(mu);
          std::vector<Event> events;
          events.reserve(batch);
          for (std::size_t i = 0; i < batch; ++i) events.push_back(make_event(next + i));
          next += batch;
          const Status s = store->append_async(std::move(events),
                                               [&done](const Status& st) { done.set_value(st); });
          if (!s.ok()) fail(s);
        }
        const Status s = acked.get();
        if (!s.ok()) fail(s);
        latencies[t].push_back(
            std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& th : pool) th.join();
  Figures f;
  f.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  f.stats = store->stats();
  for (auto& l : latencies) f.ack_micros.insert(f.ack_micros.end(), l.begin(), l.end());
  return f;
}

Figures run_pipelined(const std::string& path, std::size_t window, std::size_t batch,
                      double seconds) {
  auto store = fresh_store(path);
  std::mutex mu;
  std::condition_variable cv;
  std::size_t in_flight = 0;
  std::uint64_t next = 1;
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration<double>(seconds);
  while (Clock::now() < end) {
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return in_flight < window; });
      ++in_flight;
    }
    std::vector<Event> events;
    events.reserve(batch);
    for (std::size_t i = 0; i < batch; ++i) events.push_back(make_event(next + i));
    next += batch;
    const Status s = store->append_async(std::move(events), [&](const Status& st) {
      if (!st.ok()) fail(st);
      std::lock_guard lock(mu);
      --in_flight;
      cv.notify_one();
    });
    if (!s.ok()) fail(s);
  }
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return in_flight == 0; });
  }
  Figures f;
  f.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  f.stats = store->stats();
  return f;
}

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  const auto k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

void print_row(const char* mode, int concurrency, std::size_t batch, Figures f) {
  const double tx = static_cast<double>(std::max<std::uint64_t>(f.stats.transactions, 1));
  std::printf("%-10s %6d %6zu %12.0f %12.0f %10.1f %10.1f %10.0f %10.0f\n", mode, concurrency,
              batch, static_cast<double>(f.stats.events) / f.seconds,
              static_cast<double>(f.stats.appends) / f.seconds,
              static_cast<double>(f.stats.appends) / tx, static_cast<double>(f.stats.events) / tx,
              percentile(f.ack_micros, 0.5), percentile(f.ack_micros, 0.99));
  std::fflush(stdout);
}

}  // namespace
}  // namespace sb

int main(int argc, char** argv) {
  using namespace sb;
  const std::string dir = argc > 1 ? argv[1] : ".";
  const double seconds = argc > 2 ? std::atof(argv[2]) : 1.0;
  const std::string path =
      (std::filesystem::path(dir) / ("store_bench-" + std::to_string(::getpid()) + ".db")).string();
  std::printf("durable appends (WAL, synchronous=FULL) to %s, %.1f s per row\n", path.c_str(),
              seconds);
  std::printf("%-10s %6s %6s %12s %12s %10s %10s %10s %10s\n", "mode", "conc", "batch", "events/s",
              "appends/s", "appends/tx", "events/tx", "p50 us", "p99 us");
  for (int threads : {1, 4, 16})
    for (std::size_t batch : {1, 10, 100})
      print_row("waiting", threads, batch, run_waiting(path, threads, batch, seconds));
  for (std::size_t batch : {1, 10})
    print_row("pipelined", 1024, batch, run_pipelined(path, 1024, batch, seconds));
  for (const char* suffix : {"", "-wal", "-shm", ".lock"}) std::filesystem::remove(path + suffix);
  return 0;
}
