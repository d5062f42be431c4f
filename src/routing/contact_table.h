#pragma once
// Live contacts by id: an open-addressing hash table (linear probing, power-of-two size,
// Fibonacci hashing) whose records live in stable, pooled storage. Lookups by id happen several
// times per command; std::unordered_map's prime-modulo buckets and node hops dominated the
// routing profile. Records never move, so indexes may hold pointers to them until erase().
//
// Iteration order is unspecified: callers that decide anything from it must sort first.

#include <cstdint>
#include <memory_resource>
#include <vector>

#include "domain/ids.h"

namespace sb::routing_internal {

template <class Rec>
class ContactTable {
 public:
  explicit ContactTable(std::pmr::memory_resource* pool) : pool_(pool), slots_(16) {}
  ContactTable(const ContactTable&) = delete;
  ContactTable& operator=(const ContactTable&) = delete;
  ~ContactTable() {
    for (Slot& s : slots_)
      if (s.rec) destroy(s.rec);
  }

  std::size_t size() const { return size_; }

  Rec* find(ContactId id) const {
    for (std::size_t i = home(id);; i = next(i)) {
      const Slot& s = slots_[i];
      if (!s.rec) return nullptr;
      if (s.id == id) return s.rec;
    }
  }

  // A default-constructed record for `id`, built in place. REQUIRES: no live record with this id.
  Rec& emplace(ContactId id) {
    if ((size_ + 1) * 4 > slots_.size() * 3) grow();
    void* mem = pool_->allocate(sizeof(Rec), alignof(Rec));
    Rec* rec = new (mem) Rec();
    place(id, rec);
    ++size_;
    return *rec;
  }

  // REQUIRES: no live record with this id.
  Rec& insert(ContactId id, Rec value) {
    if ((size_ + 1) * 4 > slots_.size() * 3) grow();
    void* mem = pool_->allocate(sizeof(Rec), alignof(Rec));
    Rec* rec = new (mem) Rec(std::move(value));
    place(id, rec);
    ++size_;
    return *rec;
  }

  void erase(ContactId id) {
    std::size_t i = home(id);
    for (;; i = next(i)) {
      if (!slots_[i].rec) return;
      if (slots_[i].id == id) break;
    }
    destroy(slots_[i].rec);
    slots_[i] = Slot{};
    --size_;
    // Backward-shift deletion keeps every probe chain unbroken without tombstones.
    for (std::size_t j = next(i);; j = next(j)) {
      Slot& s = slots_[j];
      if (!s.rec) return;
      const std::size_t h = home(s.id);
      // Move s into the hole at i if its home position does not lie cyclically in (i, j].
      const bool stays = (i < j) ? (h > i && h <= j) : (h > i || h <= j);
      if (!stays) {
        slots_[i] = s;
        s = Slot{};
        i = j;
      }
    }
  }

  template <class F>
  void for_each(F&& f) const {
    for (const Slot& s : slots_)
      if (s.rec) f(s.id, *s.rec);
  }

 private:
  struct Slot {
    ContactId id = kNoContact;
    Rec* rec = nullptr;
  };

  std::size_t home(ContactId id) const {
    return static_cast<std::size_t>((id * 0x9e3779b97f4a7c15ULL) >> shift_);
  }
  std::size_t next(std::size_t i) const { return (i + 1) & (slots_.size() - 1); }

  void place(ContactId id, Rec* rec) {
    std::size_t i = home(id);
    while (slots_[i].rec) i = next(i);
    slots_[i] = Slot{id, rec};
  }

  void grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    --shift_;
    for (const Slot& s : old)
      if (s.rec) place(s.id, s.rec);
  }

  void destroy(Rec* rec) {
    rec->~Rec();
    pool_->deallocate(rec, sizeof(Rec), alignof(Rec));
  }

  std::pmr::memory_resource* pool_;
  std::vector<Slot> slots_;
  int shift_ = 64 - 4;  // log2(16) bits of hash select the home slot
  std::size_t size_ = 0;
};

}  // namespace sb::routing_internal
