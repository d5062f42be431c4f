#pragma once
// Random but mostly valid command sequences over a small random contact center, shared by the
// property tests (driven by a seeded sb::Random) and the fuzzer (driven by the fuzzer's bytes).
//
// The generator looks at the engine's read-only views to pick plausible targets (a ringing offer to
// accept, a connected contact to end, ...); a few percent of the commands are deliberately invalid
// (wrong phase, unknown ids, bad configuration) and must be refused with no events.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "base/random.h"
#include "base/time.h"
#include "routing/commands.h"
#include "routing/engine.h"

namespace sb::testing_ref {

// Where the random choices come from.
class ChoiceSource {
 public:
  virtual ~ChoiceSource() = default;
  // Uniform in [0, n). REQUIRES: n > 0.
  virtual std::uint64_t below(std::uint64_t n) = 0;

  bool chance(unsigned percent) { return below(100) < percent; }
  // Uniform in [lo, hi]. REQUIRES: lo <= hi.
  std::int64_t between(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo) + 1));
  }
};

class RandomChoices final : public ChoiceSource {
 public:
  explicit RandomChoices(std::uint64_t seed) : rng_(seed) {}
  std::uint64_t below(std::uint64_t n) override { return rng_.below(n); }

 private:
  Random rng_;
};

// Reads choices from a byte string (fuzzer input); returns 0 once the bytes run out.
class ByteChoices final : public ChoiceSource {
 public:
  ByteChoices(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  std::uint64_t below(std::uint64_t n) override;
  bool exhausted() const { return pos_ >= size_; }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

struct GeneratorOptions {
  int min_queues = 2;
  int max_queues = 6;
  int min_agents = 3;
  int max_agents = 12;
  unsigned invalid_percent = 5;      // deliberately invalid commands
  unsigned reconfigure_percent = 3;  // configuration changes while contacts are live
  // Let a queue overflow to a queue id that was never configured.
  bool unknown_overflow_target = true;
  // Let a profile reconfiguration change which channels are exclusive.
  bool change_exclusive_mask = true;
};

// Timers as a host keeps them: delivered in (time, request order); never cancelled.
class HostTimers {
 public:
  struct Item {
    Millis at = 0;
    std::uint64_t order = 0;
    TimerKey key;
  };
  void add(const std::vector<TimerRequest>& requests);
  // Removes and returns the next timer due by `t`, if any.
  bool pop_due(Millis t, Item& out);
  bool contains(const TimerRequest& r) const;
  std::size_t size() const { return items_.size(); }

 private:
  std::vector<Item> items_;
  std::uint64_t next_ = 0;
};

class CommandGenerator {
 public:
  explicit CommandGenerator(ChoiceSource& choices, GeneratorOptions options = {});

  // When the sequence starts (a Monday morning, so that business hours matter).
  Millis start_time() const { return start_; }
  // The configuration of a fresh random center, followed by some logins.
  std::vector<Command> center();
  // How far to advance the clock before the next command.
  Millis next_delay();
  // The next command, chosen from the engine's current state.
  Command next(const Engine& engine);

 private:
  struct Live {
    std::vector<ContactId> queued;
    std::vector<std::pair<ContactId, AgentId>> ringing;
    std::vector<ContactId> connected;
    std::vector<ContactId> held;
    std::vector<ContactId> wrap_up;
    std::vector<AgentId> logged_in;
    std::vector<AgentId> logged_out;
  };
  Live observe(const Engine& engine) const;

  QueueConfig random_queue(QueueId id);
  RoutingProfile random_profile(ProfileId id);
  AgentConfig random_agent(AgentId id);
  Requirements random_requirements();
  std::vector<SkillLevel> random_skills();
  Channel random_channel();
  BusinessHours random_hours();
  Command invalid(const Live& live);
  Command reconfigure();
  Command arrival();

  template <class T>
  const T& pick(const std::vector<T>& v) {
    return v[choices_.below(v.size())];
  }

  ChoiceSource& choices_;
  GeneratorOptions options_;
  Millis start_;
  int skills_ = 0;
  std::vector<RoutingProfile> profiles_;
  std::vector<QueueConfig> queues_;
  std::vector<AgentConfig> agents_;
  ContactId next_contact_ = 1;
};

}  // namespace sb::testing_ref
