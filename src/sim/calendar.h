#pragma once
// The simulator's future-event list: a binary min-heap in one flat vector, ordered by (time,
// insertion sequence). The sequence number makes simultaneous entries come out in the order they
// were scheduled, so a run is a pure function of its seed on every platform.
//
// Entries are never removed early: whoever handles an entry checks whether it is still current
// (lazy cancellation), which keeps scheduling O(log n) and allocation-free once the vector has
// grown to the run's working size.

#include <cstdint>
#include <vector>

#include "base/time.h"
#include "domain/ids.h"
#include "routing/commands.h"

namespace sb::sim {

enum class EntryKind : std::uint8_t {
  kArrival = 0,  // next arrival of queue `index`
  kPatience,     // contact `contact` runs out of patience
  kAccept,       // agent `index` answers the offer of `contact`
  kEndHandle,    // the conversation of `contact` is over
  kEndWrapUp,    // the random wrap-up of `contact` is over
  kEngineTimer,  // a timer the engine asked for (`timer` and `index` = agent)
  kSchedule,     // the next shift or break action of agent `index`
};

struct Entry {
  Millis at = 0;
  std::uint64_t seq = 0;
  ContactId contact = kNoContact;
  std::uint32_t index = 0;
  std::uint32_t generation = 0;  // engine timers only
  EntryKind kind = EntryKind::kArrival;
  TimerKind timer = TimerKind::kOfferExpiry;
};

// Two heaps ("lanes") share one sequence counter: the busy lane holds the per-contact entries, the
// quiet lane the rare ones (shift actions of hundreds of agents) that would otherwise deepen every
// sift of the busy heap. pop() takes the earlier of the two tops, so the order is exactly that of a
// single heap.
enum class Lane : std::uint8_t { kBusy = 0, kQuiet };

class Calendar {
 public:
  void clear() {
    busy_.clear();
    quiet_.clear();
    next_seq_ = 0;
  }
  void reserve(std::size_t n) { busy_.reserve(n); }
  bool empty() const { return busy_.empty() && quiet_.empty(); }
  std::size_t size() const { return busy_.size() + quiet_.size(); }
  // Time of the earliest entry. REQUIRES: !empty()
  Millis next_time() const { return top_lane().front().at; }

  void push(Entry e, Lane lane = Lane::kBusy) {
    e.seq = next_seq_++;
    sift_up(lane == Lane::kBusy ? busy_ : quiet_, e);
  }

  // Removes and returns the earliest entry. REQUIRES: !empty()
  Entry pop() { return pop_from(top_lane_mut()); }

 private:
  // (time, seq) as one 128-bit key: a single comparison, which the compiler turns into
  // flag arithmetic instead of two data-dependent branches in the sift loops.
  static bool before(const Entry& a, const Entry& b) {
    using Key = unsigned __int128;
    // Flipping the sign bit orders negative times (before 1970) correctly as unsigned.
    constexpr std::uint64_t kSign = std::uint64_t{1} << 63;
    const Key ka = (static_cast<Key>(static_cast<std::uint64_t>(a.at) ^ kSign) << 64) | a.seq;
    const Key kb = (static_cast<Key>(static_cast<std::uint64_t>(b.at) ^ kSign) << 64) | b.seq;
    return ka < kb;
  }

  const std::vector<Entry>& top_lane() const {
    if (quiet_.empty()) return busy_;
    if (busy_.empty()) return quiet_;
    return before(quiet_.front(), busy_.front()) ? quiet_ : busy_;
  }
  std::vector<Entry>& top_lane_mut() {
    return const_cast<std::vector<Entry>&>(static_cast<const Calendar*>(this)->top_lane());
  }

  static void sift_up(std::vector<Entry>& heap, const Entry& e) {
    // Moves a hole up instead of swapping.
    std::size_t i = heap.size();
    heap.push_back(e);
    while (i > 0) {
      const std::size_t parent = (i - 1) / 2;
      if (!before(e, heap[parent])) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = e;
  }

  static Entry pop_from(std::vector<Entry>& heap) {
    const Entry top = heap.front();
    const Entry last = heap.back();
    heap.pop_back();
    const std::size_t n = heap.size();
    if (n > 0) {
      std::size_t i = 0;
      for (;;) {
        std::size_t child = 2 * i + 1;
        if (child >= n) break;
        if (child + 1 < n && before(heap[child + 1], heap[child])) ++child;
        if (!before(heap[child], last)) break;
        heap[i] = heap[child];
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }

  std::vector<Entry> busy_;
  std::vector<Entry> quiet_;
  std::uint64_t next_seq_ = 0;
};

}  // namespace sb::sim
