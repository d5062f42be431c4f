#pragma once
// A queue's index of available members, ordered by AgentKey (tier, rank1, rank2, agent).
//
// Most insertions come at the end of their tier: under longest-idle an agent re-enters with
// idle_since = now, which no key already in the index exceeds, and under round-robin the member
// just offered re-enters with the queue's newest offer counter. So each tier keeps an intrusive,
// sorted doubly-linked list that takes such an insertion in O(1) (a short walk back from the tail
// places keys that tie on time but not on id), and removal is an O(1) unlink. A key that would
// need a longer walk (multi-slot agents whose rank is not monotonic, reconfiguration, restore)
// goes to an ordered `spill` set instead. Iteration merges the lists (tier by tier) with the
// spill set, so the order seen by the engine is exactly the total order of the keys.
//
// Nodes live outside the index, in one vector owned by the engine state (one node per agent
// membership); the index stores node numbers, which stay valid when that vector grows.

#include <array>
#include <compare>
#include <cstdint>
#include <memory_resource>
#include <set>
#include <vector>

#include "domain/ids.h"

namespace sb::routing_internal {

// Position of an available member in a queue's agent index.
// Ordered by (tier, rank1, rank2, agent); laid out with the tier last so that it packs into 24
// bytes.
struct AgentKey {
  std::int64_t rank1 = 0;
  std::int64_t rank2 = 0;
  AgentId agent = kNoId;
  std::uint8_t tier = 1;
  friend std::strong_ordering operator<=>(const AgentKey& a, const AgentKey& b) {
    if (a.tier != b.tier) return a.tier <=> b.tier;
    if (a.rank1 != b.rank1) return a.rank1 <=> b.rank1;
    if (a.rank2 != b.rank2) return a.rank2 <=> b.rank2;
    return a.agent <=> b.agent;
  }
  friend bool operator==(const AgentKey&, const AgentKey&) = default;
};

inline constexpr std::uint32_t kNoNode = 0xffffffffu;

struct IndexNode {
  enum class Where : std::uint8_t { kNone = 0, kList, kSpill };
  AgentKey key;
  std::uint32_t prev = kNoNode;
  std::uint32_t next = kNoNode;
  QueueId queue = kNoId;
  Where where = Where::kNone;  // a spilled node is found in the spill set by its key
};

class AgentIndex {
 public:
  using Nodes = std::vector<IndexNode>;

  explicit AgentIndex(std::pmr::memory_resource* pool) : spill_(pool) {}

  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }

  // Inserts node `id` under nodes[id].key. REQUIRES: the node is in no index.
  [[gnu::always_inline]] void insert(Nodes& nodes, std::uint32_t id) {
    IndexNode& n = nodes[id];
    const std::uint8_t t = n.key.tier;
    if (t >= kInlineTiers && more_tiers_.size() <= t - kInlineTiers)
      more_tiers_.resize(static_cast<std::size_t>(t - kInlineTiers) + 1);
    Ends& e = ends(t);
    std::uint32_t after = e.tail;
    int steps = 0;
    while (after != kNoNode && n.key < nodes[after].key) {
      if (steps == kMaxWalk) {
        spill_.insert(n.key);
        n.where = IndexNode::Where::kSpill;
        ++size_;
        return;
      }
      after = nodes[after].prev;
      ++steps;
    }
    n.prev = after;
    if (after == kNoNode) {
      n.next = e.head;
      e.head = id;
    } else {
      n.next = nodes[after].next;
      nodes[after].next = id;
    }
    if (n.next == kNoNode)
      e.tail = id;
    else
      nodes[n.next].prev = id;
    n.where = IndexNode::Where::kList;
    ++size_;
  }

  // Removes node `id`. REQUIRES: the node is in this index.
  [[gnu::always_inline]] void erase(Nodes& nodes, std::uint32_t id) {
    IndexNode& n = nodes[id];
    if (n.where == IndexNode::Where::kSpill) {
      spill_.erase(n.key);
    } else {
      Ends& e = ends(n.key.tier);
      if (n.prev == kNoNode)
        e.head = n.next;
      else
        nodes[n.prev].next = n.next;
      if (n.next == kNoNode)
        e.tail = n.prev;
      else
        nodes[n.next].prev = n.prev;
      n.prev = n.next = kNoNode;
    }
    n.where = IndexNode::Where::kNone;
    --size_;
  }

  // Forgets every entry; the caller resets the nodes.
  void clear() {
    tiers_ = {};
    more_tiers_.clear();
    spill_.clear();
    size_ = 0;
  }

  // Walks the keys in ascending order: `for (auto c = index.cursor(nodes); c; c.next()) *c`.
  // The index must not change while a cursor is in use.
  class Cursor {
   public:
    Cursor(const AgentIndex& ix, const Nodes& nodes)
        : ix_(&ix), nodes_(&nodes), it_(ix.spill_.begin()) {
      node_ = first_from_tier(0);
      settle();
    }
    explicit operator bool() const { return cur_ != nullptr; }
    const AgentKey& operator*() const { return *cur_; }
    const AgentKey* operator->() const { return cur_; }
    void next() {
      if (from_list_) {
        const IndexNode& n = (*nodes_)[node_];
        node_ = n.next;
        if (node_ == kNoNode) node_ = first_from_tier(static_cast<std::size_t>(n.key.tier) + 1);
      } else {
        ++it_;
      }
      settle();
    }

   private:
    std::uint32_t first_from_tier(std::size_t t) const {
      for (; t < kInlineTiers; ++t)
        if (ix_->tiers_[t].head != kNoNode) return ix_->tiers_[t].head;
      for (t -= kInlineTiers; t < ix_->more_tiers_.size(); ++t)
        if (ix_->more_tiers_[t].head != kNoNode) return ix_->more_tiers_[t].head;
      return kNoNode;
    }
    void settle() {
      const AgentKey* a = node_ != kNoNode ? &(*nodes_)[node_].key : nullptr;
      const AgentKey* b = it_ != ix_->spill_.end() ? &*it_ : nullptr;
      if (a && (!b || *a < *b)) {
        cur_ = a;
        from_list_ = true;
      } else {
        cur_ = b;
        from_list_ = false;
      }
    }
    const AgentIndex* ix_;
    const Nodes* nodes_;
    std::uint32_t node_ = kNoNode;
    std::pmr::set<AgentKey>::const_iterator it_;
    const AgentKey* cur_ = nullptr;
    bool from_list_ = false;
  };

  Cursor cursor(const Nodes& nodes) const { return Cursor(*this, nodes); }

 private:
  // How far back from a tier's tail an insertion may walk before it goes to the spill set.
  static constexpr int kMaxWalk = 8;
  struct Ends {
    std::uint32_t head = kNoNode;
    std::uint32_t tail = kNoNode;
  };
  // Tiers 0-3 inline (centers rarely use more), higher ones in more_tiers_[tier - 4].
  static constexpr std::size_t kInlineTiers = 4;
  Ends& ends(std::uint8_t t) {
    return t < kInlineTiers ? tiers_[t] : more_tiers_[t - kInlineTiers];
  }
  std::array<Ends, kInlineTiers> tiers_{};
  std::vector<Ends> more_tiers_;
  std::pmr::set<AgentKey> spill_;
  std::size_t size_ = 0;
};

}  // namespace sb::routing_internal
