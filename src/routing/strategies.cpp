// The built-in agent-selection strategies. Each ranks the available members of a queue; the
// engine offers a contact to the best-ranked eligible member of the lowest eligible tier.

#include <array>

#include "routing/engine.h"

namespace sb {
namespace {

// Fewest contacts in progress first, then the agent whose load last dropped to zero earliest.
class LongestIdle : public SelectionStrategy {
 public:
  std::string_view name() const override { return "longest_idle"; }
  std::pair<std::int64_t, std::int64_t> rank(const RankInputs& in) const override {
    return {static_cast<std::int64_t>(in.load), in.idle_since};
  }
};

class MostProficient final : public LongestIdle {
 public:
  std::string_view name() const override { return "most_proficient"; }
  bool scores_contact() const override { return true; }
  // Sum of the agent's proficiency over the contact's effective requirements.
  std::int64_t score(const std::vector<SkillLevel>& agent_skills,
                     const Requirements& effective) const override {
    std::int64_t total = 0;
    for (const auto& r : effective)
      for (const auto& s : agent_skills)
        if (s.skill == r.skill) total += s.proficiency;
    return total;
  }
};

// The member this queue offered to least recently goes next; never-offered members first.
class RoundRobinMemory final : public SelectionStrategy {
 public:
  std::string_view name() const override { return "round_robin_memory"; }
  std::pair<std::int64_t, std::int64_t> rank(const RankInputs& in) const override {
    return {static_cast<std::int64_t>(in.last_offered_by_queue), 0};
  }
};

// Lowest load relative to capacity (in thousandths), then longest idle.
class LeastOccupied final : public SelectionStrategy {
 public:
  std::string_view name() const override { return "least_occupied"; }
  std::pair<std::int64_t, std::int64_t> rank(const RankInputs& in) const override {
    const std::int64_t cap = in.capacity == 0 ? 1 : in.capacity;
    return {static_cast<std::int64_t>(in.load) * 1000 / cap, in.idle_since};
  }
};

class RingAll final : public LongestIdle {
 public:
  std::string_view name() const override { return "ring_all"; }
  bool rings_all() const override { return true; }
};

}  // namespace

const SelectionStrategy& selection_strategy(AgentSelection s) {
  static const LongestIdle longest_idle;
  static const MostProficient most_proficient;
  static const RoundRobinMemory round_robin;
  static const LeastOccupied least_occupied;
  static const RingAll ring_all;
  static const std::array<const SelectionStrategy*, 5> all = {
      &longest_idle, &most_proficient, &round_robin, &least_occupied, &ring_all};
  return *all[static_cast<int>(s)];
}

}  // namespace sb
