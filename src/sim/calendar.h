#pragma once
// The simulator's future-event list: a 4-ary min-heap of compact keys in one flat vector, ordered
// by (time, insertion sequence). The sequence number makes simultaneous entries come out in the
// order they were scheduled, so a run is a pure function of its seed on every platform.
//
// Entries are never removed early: whoever handles an entry checks whether it is still current
// (lazy cancellation), which keeps scheduling O(log n) and allocation-free once the vector has
// grown to the run's working size.

#include <cstdint>
#include <stdexcept>
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
    payloads_.clear();
    free_.clear();
    next_seq_ = 0;
  }
  void reserve(std::size_t n) {
    busy_.reserve(n);
    payloads_.reserve(n);
    free_.reserve(n);
  }
  bool empty() const { return busy_.empty() && quiet_.empty(); }
  std::size_t size() const { return busy_.size() + quiet_.size(); }
  // Time of the earliest entry. REQUIRES: !empty()
  Millis next_time() const { return time_of(top_lane().front()); }

  void push(Entry e, Lane lane = Lane::kBusy) {
    e.seq = next_seq_++;
    std::uint32_t slot;
    if (free_.empty()) {
      if (payloads_.size() > kSlotMask)
        throw std::length_error("calendar: too many pending entries");
      slot = static_cast<std::uint32_t>(payloads_.size());
      payloads_.push_back(e);
    } else {
      slot = free_.back();
      free_.pop_back();
      payloads_[slot] = e;
    }
    sift_up(lane == Lane::kBusy ? busy_ : quiet_, Key{flip(e.at), (e.seq << kSlotBits) | slot});
  }

  // Removes and returns the earliest entry. REQUIRES: !empty()
  Entry pop() {
    const Key top = pop_from(top_lane_mut());
    const std::uint32_t slot = static_cast<std::uint32_t>(top.lo & kSlotMask);
    free_.push_back(slot);
    return payloads_[slot];
  }

 private:
  // The heaps hold 16-byte keys: the time with its sign bit flipped (so that negative times, before
  // 1970, order correctly as unsigned) and the scheduling sequence number shifted above the number
  // of the entry's payload slot. Sequence numbers are unique, so (hi, lo) orders exactly like
  // (time, sequence); the payloads stay put in `payloads_` while the keys move.
  static constexpr int kSlotBits = 24;  // up to 16.7 million pending entries
  static constexpr std::uint64_t kSlotMask = (std::uint64_t{1} << kSlotBits) - 1;
  static constexpr std::uint64_t kSign = std::uint64_t{1} << 63;
  struct Key {
    std::uint64_t hi;
    std::uint64_t lo;
  };
  static std::uint64_t flip(Millis t) { return static_cast<std::uint64_t>(t) ^ kSign; }
  static Millis time_of(const Key& k) { return static_cast<Millis>(k.hi ^ kSign); }
  // (hi, lo) as one 128-bit key: a single comparison, which the compiler turns into flag
  // arithmetic instead of two data-dependent branches in the sift loops.
  static bool before(const Key& a, const Key& b) {
    using K = unsigned __int128;
    return ((static_cast<K>(a.hi) << 64) | a.lo) < ((static_cast<K>(b.hi) << 64) | b.lo);
  }

  const std::vector<Key>& top_lane() const {
    if (quiet_.empty()) return busy_;
    if (busy_.empty()) return quiet_;
    return before(quiet_.front(), busy_.front()) ? quiet_ : busy_;
  }
  std::vector<Key>& top_lane_mut() {
    return const_cast<std::vector<Key>&>(static_cast<const Calendar*>(this)->top_lane());
  }

  // A 4-ary heap: half the depth of a binary one, and a node's four children share a cache line.
  static void sift_up(std::vector<Key>& heap, const Key& k) {
    // Moves a hole up instead of swapping.
    std::size_t i = heap.size();
    heap.push_back(k);
    while (i > 0) {
      const std::size_t parent = (i - 1) / 4;
      if (!before(k, heap[parent])) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = k;
  }

  static Key pop_from(std::vector<Key>& heap) {
    const Key top = heap.front();
    const Key last = heap.back();
    heap.pop_back();
    const std::size_t n = heap.size();
    if (n > 0) {
      std::size_t i = 0;
      for (;;) {
        const std::size_t first = 4 * i + 1;
        if (first >= n) break;
        std::size_t child = first;
        const std::size_t end = first + 4 < n ? first + 4 : n;
        for (std::size_t c = first + 1; c < end; ++c)
          if (before(heap[c], heap[child])) child = c;
        if (!before(heap[child], last)) break;
        heap[i] = heap[child];
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }

  std::vector<Key> busy_;
  std::vector<Key> quiet_;
  std::vector<Entry> payloads_;  // by slot
  std::vector<std::uint32_t> free_;
  std::uint64_t next_seq_ = 0;
};

}  // namespace sb::sim
