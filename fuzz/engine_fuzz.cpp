// libFuzzer target for the routing engine. The input bytes drive the property tests' command
// generator (tests/routing/command_generator.h) instead of a seeded random source, so the fuzzer
// explores command sequences with coverage guidance. Checked on every input:
//   - no crash and no sanitizer report (built with ASan and UBSan);
//   - a refused command emits no events; sequence numbers are consecutive, times never go back;
//   - replaying the event log into a fresh Engine gives the same state_hash(), and so does a
//     snapshot()/restore() round trip;
//   - unless SB_FUZZ_DIFFERENTIAL=0: the engine agrees event for event with the reference router
//     (docs/testing.md), with the known deviations reproduced or avoided.
//   - a damaged copy of the log (an event dropped, duplicated, swapped or pointed at another
//     contact/agent/queue) replays without a crash: apply() refuses it or accepts it.
// A failed check aborts, so libFuzzer keeps the input (replay: ./engine_fuzz crash-<hash>).
//
// SB_FUZZ_KNOWN_BUGS=1 also generates the inputs that hit known engine bugs (D8, D9).

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <type_traits>
#include <vector>

#include "routing/engine.h"
#include "tests/routing/command_generator.h"
#include "tests/routing/reference_router.h"

namespace {

using sb::testing_ref::ByteChoices;
using sb::testing_ref::CommandGenerator;
using sb::testing_ref::GeneratorOptions;
using sb::testing_ref::HostTimers;
using sb::testing_ref::ReferenceOptions;
using sb::testing_ref::ReferenceRouter;

constexpr int kMaxSteps = 1500;

bool env_flag(const char* name, bool fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  return v[0] != '0';
}

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "engine_fuzz: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

void check_events(const std::vector<sb::Event>& events, std::uint64_t& last_seq,
                  sb::Millis& last_time) {
  for (const auto& e : events) {
    if (e.seq != last_seq + 1)
      die("non-consecutive sequence number: " + sb::testing_ref::to_string(e));
    if (e.at < last_time) die("event goes back in time: " + sb::testing_ref::to_string(e));
    last_seq = e.seq;
    last_time = e.at;
  }
}

void compare(const std::vector<sb::Event>& engine, const std::vector<sb::Event>& reference,
             const std::string& where) {
  const std::size_t n = std::max(engine.size(), reference.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (i < engine.size() && i < reference.size() &&
        sb::testing_ref::same_event(engine[i], reference[i]))
      continue;
    std::string s =
        where + ": engine and reference differ at event " + std::to_string(i) + "\n  engine:\n";
    for (const auto& e : engine) s += "    " + sb::testing_ref::to_string(e) + "\n";
    s += "  reference:\n";
    for (const auto& e : reference) s += "    " + sb::testing_ref::to_string(e) + "\n";
    die(s);
  }
}

// Damages one event of `log` as the bytes say; sequence numbers are renumbered so that the damage
// reaches the referential checks of Engine::apply rather than the sequence check.
std::vector<sb::Event> damaged(std::vector<sb::Event> log, ByteChoices& choices) {
  if (log.empty()) return log;
  const std::size_t i = choices.below(log.size());
  switch (choices.below(4)) {
    case 0:
      log.erase(log.begin() + static_cast<std::ptrdiff_t>(i));
      break;
    case 1:
      log.insert(log.begin() + static_cast<std::ptrdiff_t>(i), log[i]);
      break;
    case 2:
      if (i + 1 < log.size()) std::swap(log[i], log[i + 1]);
      break;
    default: {
      const auto value = static_cast<std::uint32_t>(choices.below(8));
      const auto field = choices.below(3);
      std::visit(
          [&](auto& p) {
            if constexpr (requires { p.contact; })
              if (field == 0) p.contact = value;
            if constexpr (requires { p.agent; })
              if constexpr (std::is_integral_v<decltype(p.agent)>)
                if (field == 1) p.agent = value;
            if constexpr (requires { p.queue; })
              if constexpr (std::is_integral_v<decltype(p.queue)>)
                if (field == 2) p.queue = value;
          },
          log[i].payload);
      break;
    }
  }
  for (std::size_t k = 0; k < log.size(); ++k) log[k].seq = k + 1;
  for (std::size_t k = 1; k < log.size(); ++k) log[k].at = std::max(log[k].at, log[k - 1].at);
  return log;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool differential = env_flag("SB_FUZZ_DIFFERENTIAL", true);
  static const bool known_bugs = env_flag("SB_FUZZ_KNOWN_BUGS", false);

  ByteChoices choices(data, size);
  GeneratorOptions options;
  options.change_exclusive_mask = known_bugs;    // D8
  options.unknown_overflow_target = known_bugs;  // D9
  CommandGenerator generator(choices, options);
  sb::Engine engine;
  // The documented behaviour (docs/routing.md): D1-D7 are fixed in the engine, so the reference
  // must not reproduce them (it did until 2026-12-01, which made every deferred overflow a
  // false deviation).
  ReferenceRouter reference(ReferenceOptions{});
  HostTimers engine_timers, reference_timers;
  std::vector<sb::Event> log;
  std::uint64_t last_seq = 0;
  sb::Millis last_time = 0;
  sb::Millis clock = generator.start_time();

  auto execute = [&](const sb::Command& c) {
    sb::Output eo, ro;
    const sb::Status es = engine.handle(c, clock, eo);
    if (!es.ok() && !eo.events.empty()) die("refused command emitted events");
    check_events(eo.events, last_seq, last_time);
    if (differential) {
      const sb::Status rs = reference.handle(c, clock, ro);
      if (rs.ok() != es.ok())
        die("accept/refuse differs on " + sb::testing_ref::to_string(c) + ": engine " +
            es.to_string() + ", reference " + rs.to_string());
      compare(eo.events, ro.events, sb::testing_ref::to_string(c));
      reference_timers.add(ro.timers);
    }
    log.insert(log.end(), eo.events.begin(), eo.events.end());
    engine_timers.add(eo.timers);
  };

  auto advance = [&](sb::Millis t) {
    std::vector<sb::Event> ee, re;
    HostTimers::Item item;
    sb::Millis now = clock;
    while (engine_timers.pop_due(t, item)) {
      now = std::max(now, item.at);
      sb::Output o;
      engine.on_timer(item.key, now, o);
      check_events(o.events, last_seq, last_time);
      ee.insert(ee.end(), o.events.begin(), o.events.end());
      engine_timers.add(o.timers);
    }
    if (differential) {
      now = clock;
      while (reference_timers.pop_due(t, item)) {
        now = std::max(now, item.at);
        sb::Output o;
        reference.on_timer(item.key, now, o);
        re.insert(re.end(), o.events.begin(), o.events.end());
        reference_timers.add(o.timers);
      }
      compare(ee, re, "timers up to " + std::to_string(t));
    }
    log.insert(log.end(), ee.begin(), ee.end());
    clock = t;
  };

  for (const sb::Command& c : generator.center()) execute(c);
  for (int step = 0; step < kMaxSteps && !choices.exhausted(); ++step) {
    advance(clock + generator.next_delay());
    execute(generator.next(engine));
  }
  advance(clock + 10 * sb::kMillisPerMinute);

  sb::Engine replayed;
  for (const auto& e : log) {
    const sb::Status s = replayed.apply(e);
    if (!s.ok()) die("replay refused " + sb::testing_ref::to_string(e) + ": " + s.to_string());
  }
  if (replayed.state_hash() != engine.state_hash()) die("replay gives a different state hash");
  ByteChoices damage(data, size);
  sb::Engine victim;
  for (const auto& e : damaged(log, damage))
    if (!victim.apply(e).ok()) break;
  sb::Engine restored;
  if (!restored.restore(engine.snapshot()).ok()) die("restore refused a snapshot");
  if (restored.state_hash() != engine.state_hash()) die("restore changes the state hash");
  return 0;
}
