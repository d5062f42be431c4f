// The crash test: a writer process (crash_writer.cpp) is killed with SIGKILL at >= 20 seeded
// random points under load (during writes, during snapshot saves, during startup and recovery),
// and restarted each time on the same store. After every kill:
//   - every acknowledged event is present, with exactly the bytes that were acknowledged,
//   - the log holds seqs 1..N with no gap and nothing duplicated (no seq twice, no contact
//     arriving twice),
//   - recovery (latest snapshot + tail) yields the same state hash as a reference replay of the
//     whole log from an empty engine,
//   - and the restarted writer reports recovering exactly that state.
//
// Real processes, real SIGKILL. SWITCHBOARD_CRASH_ROUNDS raises the number of kills (soak runs).

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cinttypes>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "base/random.h"
#include "center_workload.h"
#include "store/recovery.h"
#include "store/sqlite_event_store.h"
#include "temp_dir.h"

extern char** environ;

namespace sb {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

struct Ack {
  std::uint64_t first = 0;
  std::uint64_t last = 0;
  std::uint64_t digest = 0;
};

// A running writer with its stdout on a pipe; lines are handed to `on_line` as they complete.
class WriterProcess {
 public:
  WriterProcess(const std::string& db, std::uint64_t seed, const std::string& stderr_path) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
      ADD_FAILURE() << "pipe2 failed";
      return;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_path.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
    const std::string seed_text = std::to_string(seed);
    std::vector<char*> argv = {const_cast<char*>(SB_CRASH_WRITER), const_cast<char*>(db.c_str()),
                               const_cast<char*>(seed_text.c_str()), nullptr};
    const int rc = ::posix_spawn(&pid_, SB_CRASH_WRITER, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    fd_ = fds[0];
    if (rc != 0) {
      ADD_FAILURE() << "cannot start " << SB_CRASH_WRITER << ": " << std::strerror(rc);
      pid_ = -1;
    }
  }
  ~WriterProcess() {
    if (pid_ > 0) kill_and_wait();
    if (fd_ >= 0) ::close(fd_);
  }

  bool running() const { return pid_ > 0; }

  // Reads lines until `stop(line)` is true (returns true) or the deadline passes or the output
  // ends (returns false).
  bool read_until(Clock::time_point deadline, const std::function<bool(const std::string&)>& stop) {
    for (;;) {
      for (std::size_t nl; (nl = buffer_.find('\n')) != std::string::npos;) {
        std::string line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        if (stop(line)) return true;
      }
      if (eof_) return false;
      const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      const int ready = ::poll(&p, 1, static_cast<int>(left));
      if (ready < 0 && errno != EINTR) return false;
      if (ready <= 0) continue;
      char chunk[4096];
      const ssize_t n = ::read(fd_, chunk, sizeof chunk);
      if (n <= 0) {
        eof_ = n == 0 || errno != EINTR;
        continue;
      }
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }

  // SIGKILL, then hands every complete line still in the pipe to `on_line`. A torn last line
  // (the process died mid-write) is dropped: an ACK is only valid once fully printed.
  int kill_and_wait(const std::function<void(const std::string&)>& on_line = nullptr) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    if (on_line) {
      read_until(Clock::now() + std::chrono::seconds(5), [&](const std::string& line) {
        on_line(line);
        return false;
      });
    }
    return status;
  }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  std::string buffer_;
  bool eof_ = false;
};

std::string read_file(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::atoi(v) : fallback;
}

enum class KillPoint { kAfterDelay, kDuringSnapshot, kDuringStartup, kAfterAcks };

const char* kill_point_name(KillPoint k) {
  switch (k) {
    case KillPoint::kAfterDelay:
      return "after a random delay";
    case KillPoint::kDuringSnapshot:
      return "during a snapshot save";
    case KillPoint::kDuringStartup:
      return "during startup/recovery";
    case KillPoint::kAfterAcks:
      return "after a random number of acks";
  }
  return "?";
}

struct Verified {
  std::uint64_t last_seq = 0;
  std::uint64_t hash = 0;
  std::uint64_t snapshot_seq = 0;
};

// Opens the store left behind by a killed writer and checks everything the test promises.
Verified verify_store(const std::string& db, const std::vector<Ack>& acks) {
  Verified v;
  auto store = SqliteEventStore::open(db);
  EXPECT_TRUE(store.ok()) << store.status().to_string();
  if (!store.ok()) return v;
  v.last_seq = (*store)->last_seq();

  // The whole log, in order: seqs 1..last, each once, and no contact arriving twice.
  std::vector<Event> log;
  std::uint64_t expected = 1;
  std::unordered_set<ContactId> arrived;
  const Status read = (*store)->read(1, [&](std::span<const Event> batch) {
    for (const Event& e : batch) {
      EXPECT_EQ(e.seq, expected) << "gap or duplicate in the log";
      expected = e.seq + 1;
      if (const auto* a = std::get_if<ev::ContactArrived>(&e.payload)) {
        EXPECT_TRUE(arrived.insert(a->contact).second)
            << "contact " << a->contact << " arrived twice";
      }
      log.push_back(e);
    }
    return Status();
  });
  EXPECT_TRUE(read.ok()) << read.to_string();
  EXPECT_EQ(log.size(), v.last_seq);

  // Every acknowledged batch is there, byte for byte.
  for (const Ack& ack : acks) {
    if (ack.last > log.size()) {
      ADD_FAILURE() << "acknowledged seq " << ack.last << " is missing; the log ends at "
                    << log.size();
      return v;
    }
    const std::vector<Event> batch(log.begin() + static_cast<std::ptrdiff_t>(ack.first - 1),
                                   log.begin() + static_cast<std::ptrdiff_t>(ack.last));
    EXPECT_EQ(store_testing::events_digest(batch), ack.digest)
        << "acknowledged events " << ack.first << ".." << ack.last << " changed";
  }
  if (::testing::Test::HasFailure()) return v;

  // Recovery (snapshot + tail) equals the reference replay of everything.
  Engine engine;
  auto report = recover(**store, engine);
  EXPECT_TRUE(report.ok()) << report.status().to_string();
  auto reference = replay_all_hash(**store);
  EXPECT_TRUE(reference.ok()) << reference.status().to_string();
  if (!report.ok() || !reference.ok()) return v;
  EXPECT_EQ(report->final_seq, v.last_seq);
  EXPECT_EQ(report->final_hash, *reference);
  v.hash = report->final_hash;
  v.snapshot_seq = report->snapshot_seq;
  return v;
}

TEST(StoreCrashTest, SigkillAtRandomPointsLosesNothingAcknowledged) {
  const int rounds = std::max(20, env_int("SWITCHBOARD_CRASH_ROUNDS", 24));
  store_testing::TempDir dir;
  const std::string db = dir.file("crash.db");
  const std::string stderr_path = dir.file("writer.stderr");
  Random rng(20240601);

  std::vector<Ack> acks;  // every acknowledgement ever printed, across all rounds
  std::optional<Verified> previous;
  int snapshot_kills = 0, recovered_from_snapshot = 0, max_acks_in_round = 0;
  std::map<KillPoint, int> points;
  const auto started = Clock::now();

  for (int round = 0; round < rounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const auto point = static_cast<KillPoint>(round % 4);
    points[point]++;
    int round_acks = 0;
    bool snapshot_open = false;  // SNAPSHOT_BEGIN seen without its SNAPSHOT
    std::optional<std::pair<std::uint64_t, std::string>> recovered_line;

    auto on_line = [&](const std::string& line) {
      std::istringstream in(line);
      std::string tag;
      in >> tag;
      if (tag == "ACK") {
        Ack a;
        std::string digest;
        in >> a.first >> a.last >> digest;
        a.digest = std::stoull(digest, nullptr, 16);
        acks.push_back(a);
        ++round_acks;
      } else if (tag == "RECOVERED") {
        std::uint64_t seq = 0;
        std::string hash;
        in >> seq >> hash;
        recovered_line = std::pair(seq, hash);
      } else if (tag == "SNAPSHOT_BEGIN") {
        snapshot_open = true;
      } else if (tag == "SNAPSHOT") {
        snapshot_open = false;
      }
    };

    WriterProcess writer(db, 1000 + static_cast<std::uint64_t>(round), stderr_path);
    ASSERT_TRUE(writer.running());
    const auto spawned = Clock::now();
    auto wait_for_recovery = [&] {
      return writer.read_until(spawned + std::chrono::seconds(20), [&](const std::string& line) {
        on_line(line);
        return line.rfind("RECOVERED", 0) == 0;
      });
    };
    auto keep_reading_until = [&](Clock::time_point until) {
      writer.read_until(until, [&](const std::string& line) {
        on_line(line);
        return false;
      });
    };

    switch (point) {
      case KillPoint::kDuringStartup:
        // Anywhere from opening the file through recovery to the first writes.
        keep_reading_until(spawned + milliseconds(rng.below(25)));
        break;
      case KillPoint::kAfterDelay:
        ASSERT_TRUE(wait_for_recovery()) << read_file(stderr_path);
        keep_reading_until(Clock::now() + milliseconds(20 + rng.below(600)));
        break;
      case KillPoint::kAfterAcks: {
        ASSERT_TRUE(wait_for_recovery()) << read_file(stderr_path);
        const int target = 1 + static_cast<int>(rng.below(3000));
        writer.read_until(Clock::now() + std::chrono::seconds(10), [&](const std::string& line) {
          on_line(line);
          return round_acks >= target;
        });
        break;
      }
      case KillPoint::kDuringSnapshot: {
        ASSERT_TRUE(wait_for_recovery()) << read_file(stderr_path);
        // Skip a random number of snapshots, then kill right inside the next save.
        int skip = static_cast<int>(rng.below(3));
        writer.read_until(Clock::now() + std::chrono::seconds(10), [&](const std::string& line) {
          on_line(line);
          return line.rfind("SNAPSHOT_BEGIN", 0) == 0 && skip-- == 0;
        });
        if (rng.below(2) == 1)
          std::this_thread::sleep_for(std::chrono::microseconds(rng.below(1500)));
        break;
      }
    }
    const int status = writer.kill_and_wait(on_line);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "the writer ended by itself (status " << status << "):\n"
        << read_file(stderr_path);
    if (snapshot_open) ++snapshot_kills;
    max_acks_in_round = std::max(max_acks_in_round, round_acks);

    // The restarted writer recovered exactly what the previous verification saw.
    if (previous && recovered_line) {
      EXPECT_EQ(recovered_line->first, previous->last_seq);
      char hash[20];
      std::snprintf(hash, sizeof hash, "%016" PRIx64, previous->hash);
      EXPECT_EQ(recovered_line->second, hash);
    }

    const Verified v = verify_store(db, acks);
    ASSERT_FALSE(::testing::Test::HasFailure())
        << "after a kill " << kill_point_name(point) << "; writer stderr:\n"
        << read_file(stderr_path);
    if (v.snapshot_seq > 0) ++recovered_from_snapshot;
    if (previous) {
      EXPECT_GE(v.last_seq, previous->last_seq) << "durable events disappeared";
    }
    previous = v;
  }

  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  std::printf(
      "crash test: %d kills in %.1f s; log holds %" PRIu64
      " events, %zu acknowledged batches "
      "verified; %d kills inside a snapshot save, %d recoveries from a snapshot, at most %d acks "
      "in one round\n",
      rounds, seconds, previous ? previous->last_seq : 0, acks.size(), snapshot_kills,
      recovered_from_snapshot, max_acks_in_round);
  EXPECT_GT(acks.size(), 100u) << "the writer barely ran";
  EXPECT_GT(recovered_from_snapshot, 0) << "no round exercised snapshot + tail recovery";
  EXPECT_GT(snapshot_kills, 0) << "no kill landed inside a snapshot save";
}

}  // namespace
}  // namespace sb
