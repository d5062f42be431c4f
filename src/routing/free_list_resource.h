#pragma once
// The engine's node allocator: per-size free lists carved from large blocks. Routing allocates
// and frees small nodes (waiting-line and spill set nodes, contact records) on nearly every
// command; std::pmr::unsynchronized_pool_resource spends most of a deallocation finding the chunk
// that owns the pointer, while a free list needs only the size, which pmr containers pass back.
// Memory returns to the system when the resource is destroyed (with the engine state).
//
// Thread safety: none, like the engine.

#include <cstddef>
#include <memory_resource>
#include <new>
#include <vector>

namespace sb::routing_internal {

class FreeListResource final : public std::pmr::memory_resource {
 public:
  FreeListResource() = default;
  FreeListResource(const FreeListResource&) = delete;
  FreeListResource& operator=(const FreeListResource&) = delete;
  ~FreeListResource() override {
    for (void* b : blocks_) ::operator delete(b, std::align_val_t(kGranule));
  }

 private:
  static constexpr std::size_t kGranule = 16;  // size classes are multiples of this
  static constexpr std::size_t kClasses = 32;  // up to 512 bytes; larger requests go to new
  static constexpr std::size_t kBlockBytes = 64 * 1024;
  struct FreeNode {
    FreeNode* next;
  };

  static std::size_t size_class(std::size_t bytes) {
    return bytes == 0 ? 1 : (bytes + kGranule - 1) / kGranule;
  }

  void* do_allocate(std::size_t bytes, std::size_t align) override {
    const std::size_t c = size_class(bytes);
    if (c > kClasses || align > kGranule) return ::operator new(bytes, std::align_val_t(align));
    if (FreeNode* n = free_[c - 1]) {
      free_[c - 1] = n->next;
      return n;
    }
    const std::size_t size = c * kGranule;
    if (left_ < size) {
      cursor_ = static_cast<std::byte*>(::operator new(kBlockBytes, std::align_val_t(kGranule)));
      blocks_.push_back(cursor_);
      left_ = kBlockBytes;  // the remainder of the previous block is abandoned (< 512 bytes)
    }
    void* p = cursor_;
    cursor_ += size;
    left_ -= size;
    return p;
  }

  void do_deallocate(void* p, std::size_t bytes, std::size_t align) override {
    const std::size_t c = size_class(bytes);
    if (c > kClasses || align > kGranule) {
      ::operator delete(p, std::align_val_t(align));
      return;
    }
    FreeNode* n = static_cast<FreeNode*>(p);
    n->next = free_[c - 1];
    free_[c - 1] = n;
  }

  bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override {
    return this == &other;
  }

  FreeNode* free_[kClasses] = {};
  std::byte* cursor_ = nullptr;
  std::size_t left_ = 0;
  std::vector<void*> blocks_;
};

}  // namespace sb::routing_internal
