#include "sim/calendar.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "base/random.h"

namespace sb::sim {
namespace {

TEST(CalendarTest, PopsByTimeThenBySchedulingOrder) {
  Calendar c;
  auto entry = [](Millis at, std::uint32_t tag) {
    Entry e;
    e.at = at;
    e.index = tag;
    return e;
  };
  c.push(entry(50, 1));
  c.push(entry(10, 2));
  c.push(entry(50, 3), Lane::kQuiet);
  c.push(entry(10, 4), Lane::kQuiet);
  c.push(entry(50, 5));
  std::vector<std::uint32_t> order;
  while (!c.empty()) order.push_back(c.pop().index);
  EXPECT_EQ(order, (std::vector<std::uint32_t>{2, 4, 1, 3, 5}));
}

TEST(CalendarTest, MatchesAReferenceQueueUnderInterleavedPushesAndPops) {
  Random rng(42);
  Calendar c;
  // The reference: pending (time, tag) pairs; tags grow with scheduling order, so the smallest
  // pair is the entry that must come out next.
  std::vector<std::pair<Millis, std::uint32_t>> pending;
  std::uint32_t tag = 0;
  Millis now = 0;
  for (int step = 0; step < 20000; ++step) {
    if (pending.empty() || rng.below(3) != 0) {
      Entry e;
      e.at = now + static_cast<Millis>(rng.below(100));  // never in the past, often tied
      e.index = tag++;
      pending.push_back({e.at, e.index});
      c.push(e, rng.below(5) == 0 ? Lane::kQuiet : Lane::kBusy);
    } else {
      auto best = std::min_element(pending.begin(), pending.end());
      ASSERT_EQ(c.next_time(), best->first);
      const Entry e = c.pop();
      ASSERT_EQ(e.at, best->first);
      ASSERT_EQ(e.index, best->second);
      now = e.at;
      pending.erase(best);
    }
    ASSERT_EQ(c.size(), pending.size());
  }
}

}  // namespace
}  // namespace sb::sim
