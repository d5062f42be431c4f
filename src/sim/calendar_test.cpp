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

// The ring of buckets with entries far beyond it, entries in the past, long idle gaps and both
// lanes, against a sorted reference.
TEST(CalendarTest, MatchesAReferenceQueueOverWideTimeSpans) {
  for (int variant = 0; variant < 3; ++variant) {
    Random rng(7 + variant);
    Calendar c;
    std::vector<std::pair<Millis, std::uint32_t>> pending;
    std::uint32_t tag = 0;
    Millis now = -5000000;  // crosses zero (negative times order correctly)
    for (int step = 0; step < 60000; ++step) {
      if (pending.empty() || rng.below(2) != 0) {
        Entry e;
        switch (rng.below(6)) {
          case 0:  // far beyond the ring: hours ahead
            e.at = now + static_cast<Millis>(rng.below(20 * 3600 * 1000));
            break;
          case 1:  // in the past
            e.at = now - static_cast<Millis>(rng.below(10000));
            break;
          case 2:  // same millisecond
            e.at = now;
            break;
          default:  // seconds to minutes ahead
            e.at = now + static_cast<Millis>(rng.below(600000));
            break;
        }
        e.index = tag++;
        pending.push_back({e.at, e.index});
        const bool quiet = variant == 1 ? rng.below(4) == 0 : variant == 2;
        c.push(e, quiet ? Lane::kQuiet : Lane::kBusy);
      } else {
        auto best = std::min_element(pending.begin(), pending.end());
        ASSERT_EQ(c.next_time(), best->first);
        Entry e;
        if (rng.below(2) == 0) {
          e = c.pop();
        } else {
          ASSERT_FALSE(c.pop_before(best->first, e));  // not due before its own time
          ASSERT_TRUE(c.pop_before(best->first + 1, e));
        }
        ASSERT_EQ(e.at, best->first);
        ASSERT_EQ(e.index, best->second);
        now = std::max(now, e.at);
        pending.erase(best);
      }
      ASSERT_EQ(c.size(), pending.size());
    }
    while (!pending.empty()) {
      auto best = std::min_element(pending.begin(), pending.end());
      const Entry e = c.pop();
      ASSERT_EQ(e.index, best->second);
      pending.erase(best);
    }
    EXPECT_TRUE(c.empty());
  }
}

TEST(CalendarTest, BusyLaneAloneAndAfterAnEmptySpell) {
  Calendar c;
  auto entry = [](Millis at, std::uint32_t tag) {
    Entry e;
    e.at = at;
    e.index = tag;
    return e;
  };
  c.push(entry(1000, 1));
  c.push(entry(999999999, 2));  // far
  c.push(entry(1000, 3));
  EXPECT_EQ(c.pop().index, 1u);
  EXPECT_EQ(c.pop().index, 3u);
  c.push(entry(500, 4));  // before the current bucket: still comes first
  EXPECT_EQ(c.pop().index, 4u);
  EXPECT_EQ(c.next_time(), 999999999);
  EXPECT_EQ(c.pop().index, 2u);
  EXPECT_TRUE(c.empty());
  c.push(entry(10, 5));  // after the calendar ran empty, far back in time
  c.push(entry(5, 6));
  EXPECT_EQ(c.pop().index, 6u);
  EXPECT_EQ(c.pop().index, 5u);
}

}  // namespace
}  // namespace sb::sim
