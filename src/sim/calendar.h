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
    (lane == Lane::kBusy ? busy_ : quiet_).push(Key{flip(e.at), (e.seq << kSlotBits) | slot});
  }

  // Removes and returns the earliest entry. REQUIRES: !empty()
  Entry pop() {
    const Key top = top_lane_mut().pop();
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

  // A 4-ary min-heap: half the depth of a binary one, and a node's four children share a cache
  // line. Three sentinel keys that compare after everything follow the last entry, so the sift
  // loop reads all four children without bounds checks and picks the least without branches.
  class Heap {
   public:
    Heap() : h_(kPad, kMax) {}
    bool empty() const { return n_ == 0; }
    std::size_t size() const { return n_; }
    const Key& front() const { return h_[0]; }
    void clear() {
      h_.assign(kPad, kMax);
      n_ = 0;
    }
    void reserve(std::size_t n) { h_.reserve(n + kPad); }

    void push(const Key& k) {
      h_.push_back(kMax);  // keeps kPad sentinels after the new last entry
      std::size_t i = n_++;
      // Moves a hole up instead of swapping.
      while (i > 0) {
        const std::size_t parent = (i - 1) / 4;
        if (!before(k, h_[parent])) break;
        h_[i] = h_[parent];
        i = parent;
      }
      h_[i] = k;
    }

    Key pop() {
      const Key top = h_[0];
      const Key last = h_[--n_];
      h_[n_] = kMax;
      h_.pop_back();
      const std::size_t n = n_;
      std::size_t i = 0;
      for (;;) {
        const std::size_t f = 4 * i + 1;
        if (f >= n) break;
        const std::size_t a = before(h_[f + 1], h_[f]) ? f + 1 : f;
        const std::size_t b = before(h_[f + 3], h_[f + 2]) ? f + 3 : f + 2;
        const std::size_t m = before(h_[b], h_[a]) ? b : a;
        if (!before(h_[m], last)) break;
        h_[i] = h_[m];
        i = m;
      }
      if (n > 0) h_[i] = last;
      return top;
    }

   private:
    static constexpr std::size_t kPad = 3;
    static constexpr Key kMax = {~std::uint64_t{0}, ~std::uint64_t{0}};
    std::vector<Key> h_;  // n_ entries, then kPad sentinels
    std::size_t n_ = 0;
  };

  const Heap& top_lane() const {
    if (quiet_.empty()) return busy_;
    if (busy_.empty()) return quiet_;
    return before(quiet_.front(), busy_.front()) ? quiet_ : busy_;
  }
  Heap& top_lane_mut() { return const_cast<Heap&>(static_cast<const Calendar*>(this)->top_lane()); }

  Heap busy_;
  Heap quiet_;
  std::vector<Entry> payloads_;  // by slot
  std::vector<std::uint32_t> free_;
  std::uint64_t next_seq_ = 0;
};

}  // namespace sb::sim
