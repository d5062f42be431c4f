#pragma once
// A vector of trivially copyable values that keeps its first N elements inline. A contact rings
// at one agent at a time (unless its queue rings all), so its list of ringing agents fits inline
// and an offer no longer costs an allocation and a free.

#include <cstdint>
#include <cstring>
#include <memory>
#include <type_traits>

namespace sb::routing_internal {

template <class T, std::uint32_t N>
class SmallVector {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  SmallVector() = default;
  SmallVector(const SmallVector& o) { assign(o.begin(), o.end()); }
  SmallVector& operator=(const SmallVector& o) {
    if (this != &o) {
      clear();
      assign(o.begin(), o.end());
    }
    return *this;
  }
  SmallVector(SmallVector&& o) noexcept { take(o); }
  SmallVector& operator=(SmallVector&& o) noexcept {
    if (this != &o) {
      release();
      take(o);
    }
    return *this;
  }
  ~SmallVector() { release(); }

  T* begin() { return data_; }
  T* end() { return data_ + size_; }
  const T* begin() const { return data_; }
  const T* end() const { return data_ + size_; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T& operator[](std::size_t i) { return data_[i]; }
  const T& operator[](std::size_t i) const { return data_[i]; }

  void push_back(const T& v) {
    if (size_ == cap_) grow();
    data_[size_++] = v;
  }
  void clear() { size_ = 0; }
  // Erases [first, last), like std::vector::erase.
  T* erase(T* first, T* last) {
    const std::size_t tail = static_cast<std::size_t>(end() - last);
    if (first != last && tail > 0) std::memmove(first, last, tail * sizeof(T));
    size_ -= static_cast<std::uint32_t>(last - first);
    return first;
  }
  template <class It>
  void assign(It first, It last) {
    clear();
    for (; first != last; ++first) push_back(*first);
  }

 private:
  bool on_heap() const { return data_ != inline_; }
  void release() {
    if (on_heap()) delete[] data_;
    data_ = inline_;
    size_ = 0;
    cap_ = N;
  }
  void take(SmallVector& o) {
    if (o.on_heap()) {
      data_ = o.data_;
      size_ = o.size_;
      cap_ = o.cap_;
      o.data_ = o.inline_;
      o.size_ = 0;
      o.cap_ = N;
    } else {
      data_ = inline_;
      cap_ = N;
      size_ = o.size_;
      std::memcpy(inline_, o.inline_, o.size_ * sizeof(T));
      o.size_ = 0;
    }
  }
  void grow() {
    const std::uint32_t cap = cap_ * 2;
    T* fresh = new T[cap];
    std::memcpy(fresh, data_, size_ * sizeof(T));
    if (on_heap()) delete[] data_;
    data_ = fresh;
    cap_ = cap;
  }

  T inline_[N];
  T* data_ = inline_;
  std::uint32_t size_ = 0;
  std::uint32_t cap_ = N;
};

}  // namespace sb::routing_internal
