#pragma once
// A deterministic, seeded stream of commands and timers for a small contact center, generated from
// the engine's current state. Because it only looks at the engine (and its seed), a writer that is
// killed and restarted on the recovered state carries on with a valid workload.

#include <cstdint>
#include <map>
#include <utility>

#include "base/random.h"
#include "base/status.h"
#include "routing/engine.h"

namespace sb::store_testing {

// Configures 3 skills, 2 routing profiles, 3 queues and 10 agents if `engine` has no queues yet;
// the caused events land in `out`. Append them as one batch so a crash keeps all or none.
Status configure_center(Engine& engine, Millis now, Output& out);

class CenterWorkload {
 public:
  // Continues from `engine`'s state: arms the timers it still owes, starts the clock at its last
  // event, and derives the random stream from `seed` and the engine's last seq.
  CenterWorkload(std::uint64_t seed, const Engine& engine);

  // Runs one step against `engine`: a due timer, or one random command. Caused events are appended
  // to `out` (possibly none: rejected commands and stale timers are part of the workload).
  void step(Engine& engine, Output& out);

  Millis now() const { return now_; }
  std::uint64_t rejected() const { return rejected_; }

 private:
  Command next_command(const Engine& engine);
  void remember_timers(const Output& out, std::size_t from);

  Random rng_;
  Millis now_;
  // Ordered by due time, then by arrival (a sequence number), so delivery order is deterministic.
  std::map<std::pair<Millis, std::uint64_t>, TimerKey> timers_;
  std::uint64_t timer_seq_ = 0;
  std::uint64_t rejected_ = 0;
};

// FNV-1a over the binary encodings of `events`, as printed in the crash writer's ACK lines.
std::uint64_t events_digest(const std::vector<Event>& events);

}  // namespace sb::store_testing
