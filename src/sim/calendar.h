#pragma once
// The simulator's future-event list, ordered by (time, insertion sequence). The sequence number
// makes simultaneous entries come out in the order they were scheduled, so a run is a pure function
// of its seed on every platform.
//
// The busy lane (the per-contact entries: arrivals, answers, ends of calls, engine timers) is a
// calendar queue: a ring of buckets, each covering 2.048 s of simulated time and the ring about
// 8.7 minutes, with the entries further out in a heap until the ring reaches them. Scheduling
// appends to a bucket; a bucket is sorted when it becomes current (it holds a handful of entries),
// so an entry costs O(1) instead of the O(log n) sifts of a heap, which dominated the simulator's
// profile. The quiet lane (shift actions of hundreds of agents, hours apart) stays a heap.
//
// Entries are never removed early: whoever handles an entry checks whether it is still current
// (lazy cancellation), which keeps scheduling allocation-free once the buckets have grown to the
// run's working size.
#include <algorithm>
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

// Two lanes share one sequence counter: the busy lane holds the per-contact entries, the quiet lane
// the rare ones (shift actions of hundreds of agents). pop() takes the earlier of the two, so the
// order is exactly that of a single queue.
enum class Lane : std::uint8_t { kBusy = 0, kQuiet };

class Calendar {
 public:
  Calendar() : buckets_(kBuckets) {}

  void clear() {
    for (Bucket& b : buckets_) b = Bucket{};
    cur_ = 0;
    ring_count_ = 0;
    far_.clear();
    quiet_.clear();
    payloads_.clear();
    free_.clear();
    next_seq_ = 0;
  }
  void reserve(std::size_t n) {
    payloads_.reserve(n);
    free_.reserve(n);
  }
  bool empty() const { return busy_empty() && quiet_.empty(); }
  std::size_t size() const { return ring_count_ + far_.size() + quiet_.size(); }
  // Time of the earliest entry. REQUIRES: !empty()
  Millis next_time() { return use_quiet() ? time_of(quiet_.front()) : busy_front().at; }

  void push(Entry e, Lane lane = Lane::kBusy) {
    e.seq = next_seq_++;
    if (lane == Lane::kQuiet)
      quiet_.push(park(e));
    else
      push_busy(e);
  }

  // Moves the earliest entry into `out` and removes it if it is due before `end`; otherwise (or
  // when empty) returns false. The same as checking next_time() and then pop(), finding the
  // earliest entry once.
  bool pop_before(Millis end, Entry& out) {
    if (empty()) return false;
    if (use_quiet()) {
      if (time_of(quiet_.front()) >= end) return false;
      out = unpark(quiet_.pop());
      return true;
    }
    Bucket& b = buckets_[cur_ & kMask];
    if (b.entries[b.pos].at >= end) return false;
    out = b.entries[b.pos++];
    --ring_count_;
    return true;
  }

  // Removes and returns the earliest entry. REQUIRES: !empty()
  Entry pop() {
    if (use_quiet()) return unpark(quiet_.pop());
    Bucket& b = buckets_[cur_ & kMask];
    --ring_count_;
    return b.entries[b.pos++];
  }

 private:
  // Keys are 16 bytes: the time with its sign bit flipped (so that negative times, before 1970,
  // order correctly as unsigned) and the scheduling sequence number shifted above the number of
  // the entry's payload slot. Sequence numbers are unique, so (hi, lo) orders exactly like
  // (time, sequence); the payloads stay put in `payloads_` while the keys move.
  static constexpr int kSlotBits = 24;  // up to 16.7 million pending entries
  static constexpr std::uint64_t kSlotMask = (std::uint64_t{1} << kSlotBits) - 1;
  static constexpr std::uint64_t kSign = std::uint64_t{1} << 63;
  struct Key {
    std::uint64_t hi;
    std::uint64_t lo;
  };
  static std::uint64_t flip(Millis t) { return static_cast<std::uint64_t>(t) ^ kSign; }
  static Key key_of(const Entry& e) { return Key{flip(e.at), e.seq << kSlotBits}; }
  static bool before(const Entry& a, const Entry& b) { return before(key_of(a), key_of(b)); }
  static Millis time_of(const Key& k) { return static_cast<Millis>(k.hi ^ kSign); }
  // (hi, lo) as one 128-bit key: a single comparison, which the compiler turns into flag
  // arithmetic instead of two data-dependent branches.
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

  // The ring: bucket number b = (flipped time) >> kBucketBits covers 2^kBucketBits ms; the ring
  // holds buckets cur_ .. cur_ + kBuckets - 1, bucket b in buckets_[b & kMask]. Buckets hold whole
  // entries (sorting a handful of them is cheap, and popping reads them in order); the far heap
  // and the quiet lane hold keys whose entries are parked in `payloads_`.
  static constexpr int kBucketBits = 11;  // 2.048 s
  // 256 buckets: most calls end within the ring, and the ring's storage stays small enough to
  // remain in cache (2048 buckets, 70 minutes, ran about 10 % slower).
  static constexpr std::uint64_t kBuckets = 256;
  static constexpr std::uint64_t kMask = kBuckets - 1;
  struct Bucket {
    std::vector<Entry> entries;  // entries[pos..] are pending; sorted once the bucket is current
    std::uint32_t pos = 0;
    bool sorted = false;
  };
  static std::uint64_t bucket_of(Millis at) { return flip(at) >> kBucketBits; }

  Key park(const Entry& e) {
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
    return Key{flip(e.at), (e.seq << kSlotBits) | slot};
  }
  Entry unpark(const Key& k) {
    const std::uint32_t slot = static_cast<std::uint32_t>(k.lo & kSlotMask);
    free_.push_back(slot);
    return payloads_[slot];
  }

  bool busy_empty() const { return ring_count_ == 0 && far_.empty(); }

  // Whether the quiet lane holds the earliest entry. Also advances the ring to its earliest entry,
  // which pop() then takes.
  bool use_quiet() {
    if (busy_empty()) return true;
    const Entry& busy = busy_front();
    return !quiet_.empty() && before(quiet_.front(), key_of(busy));
  }

  void push_busy(const Entry& e) {
    std::uint64_t b = bucket_of(e.at);
    if (busy_empty()) {
      // Nothing pending: the ring may start anywhere, so it starts at this entry.
      leave_bucket();
      cur_ = b;
    }
    if (b >= cur_ + kBuckets) {
      far_.push(park(e));
      return;
    }
    if (b < cur_) b = cur_;  // scheduled in the past: it comes next, in key order
    Bucket& bucket = buckets_[b & kMask];
    ++ring_count_;
    if (b == cur_ && bucket.sorted) {
      // The current bucket is being consumed in order: insert in place.
      std::size_t j = bucket.entries.size();
      bucket.entries.push_back(e);
      while (j > bucket.pos && before(e, bucket.entries[j - 1])) {
        bucket.entries[j] = bucket.entries[j - 1];
        --j;
      }
      bucket.entries[j] = e;
    } else {
      bucket.entries.push_back(e);
    }
  }

  // The earliest busy entry. REQUIRES: !busy_empty()
  const Entry& busy_front() {
    Bucket& b = buckets_[cur_ & kMask];
    if (b.sorted && b.pos < b.entries.size()) [[likely]]
      return b.entries[b.pos];
    return advance();
  }

  // Advances the ring to the earliest busy entry and sorts its bucket. REQUIRES: !busy_empty()
  [[gnu::noinline]] const Entry& advance() {
    for (;;) {
      if (ring_count_ == 0) {
        // Only far entries: jump the ring to the first of them.
        leave_bucket();
        cur_ = far_.front().hi >> kBucketBits;
        pull_far();
      }
      Bucket& b = buckets_[cur_ & kMask];
      if (b.pos < b.entries.size()) {
        if (!b.sorted) {
          sort(b.entries.begin() + b.pos, b.entries.end());
          b.sorted = true;
        }
        return b.entries[b.pos];
      }
      leave_bucket();
      ++cur_;
      pull_far();
    }
  }

  // Empties the current bucket (all its entries are gone) for its next turn.
  void leave_bucket() {
    Bucket& b = buckets_[cur_ & kMask];
    b.entries.clear();
    b.pos = 0;
    b.sorted = false;
  }

  // Moves far entries that the ring now covers into their buckets.
  void pull_far() {
    while (!far_.empty() && (far_.front().hi >> kBucketBits) < cur_ + kBuckets) {
      const Entry e = unpark(far_.pop());
      buckets_[bucket_of(e.at) & kMask].entries.push_back(e);
      ++ring_count_;
    }
  }

  static void sort(std::vector<Entry>::iterator first, std::vector<Entry>::iterator last) {
    if (last - first > 16) {
      std::sort(first, last, [](const Entry& a, const Entry& b) { return before(a, b); });
      return;
    }
    for (auto i = first + 1; i < last; ++i) {  // insertion sort: buckets are small
      if (!before(*i, *(i - 1))) continue;     // already in place: no copy
      const Entry e = *i;
      auto j = i;
      do {
        *j = *(j - 1);
        --j;
      } while (j > first && before(e, *(j - 1)));
      *j = e;
    }
  }

  std::vector<Bucket> buckets_;
  std::uint64_t cur_ = 0;       // the current bucket number
  std::size_t ring_count_ = 0;  // pending entries in the ring
  Heap far_;                    // busy entries beyond the ring
  Heap quiet_;
  std::vector<Entry> payloads_;  // by slot
  std::vector<std::uint32_t> free_;
  std::uint64_t next_seq_ = 0;
};

}  // namespace sb::sim
