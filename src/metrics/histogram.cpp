#include "metrics/histogram.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

#include "base/varint.h"

namespace sb::metrics {
namespace {

constexpr int kLogBuckets = Histogram::kLogBucketsPerOctave * Histogram::kLogOctaves;

// Lower bounds of the logarithmic buckets, plus the end of the last regular one. Rounded to whole
// milliseconds once, so that add() and the percentile estimate agree exactly on every boundary.
const std::array<Millis, kLogBuckets + 1>& log_bounds() {
  static const std::array<Millis, kLogBuckets + 1> bounds = [] {
    std::array<Millis, kLogBuckets + 1> b{};
    for (int k = 0; k <= kLogBuckets; ++k) {
      const double factor = std::exp2(static_cast<double>(k) / Histogram::kLogBucketsPerOctave);
      b[k] = std::llround(static_cast<double>(Histogram::kLinearLimit) * factor);
    }
    return b;
  }();
  return bounds;
}

}  // namespace

int Histogram::bucket_of(Millis value) {
  if (value < kLinearLimit) return value <= 0 ? 0 : static_cast<int>(value / kLinearWidth);
  const auto& bounds = log_bounds();
  // The last bucket is open-ended: everything at or beyond its lower bound lands in it.
  const auto it = std::upper_bound(bounds.begin(), bounds.end() - 1, value);
  return kLinearBuckets + static_cast<int>(it - bounds.begin()) - 1;
}

Millis Histogram::bucket_lower(int bucket) {
  if (bucket < kLinearBuckets) return bucket * kLinearWidth;
  return log_bounds()[bucket - kLinearBuckets];
}

Millis Histogram::bucket_upper(int bucket) {
  if (bucket + 1 >= kBucketCount) return kNever;
  return bucket_lower(bucket + 1);
}

double Histogram::error_bound(double value) {
  return std::max(static_cast<double>(kLinearWidth), kMaxRelativeError * value);
}

void Histogram::add(Millis value) {
  if (value < 0) value = 0;
  if (pages_.empty()) {
    pages_.resize(kPageCount);
    page_totals_.assign(kPageCount, 0);
  }
  const int bucket = bucket_of(value);
  auto& page = pages_[bucket >> kPageBits];
  if (page.empty()) page.assign(kPageSize, 0);
  ++page[bucket & (kPageSize - 1)];
  ++page_totals_[bucket >> kPageBits];
  if (count_ == 0) {
    min_ = max_ = value;
  } else {
    min_ = std::min(min_, value);
    max_ = std::max(max_, value);
  }
  ++count_;
  sum_ += value;
}

void Histogram::merge(const Histogram& other) {
  if (other.count_ == 0) return;
  if (pages_.empty()) {
    pages_.resize(kPageCount);
    page_totals_.assign(kPageCount, 0);
  }
  for (int p = 0; p < kPageCount; ++p) {
    const auto& src = other.pages_[p];
    if (src.empty()) continue;
    auto& dst = pages_[p];
    if (dst.empty()) dst.assign(kPageSize, 0);
    for (int i = 0; i < kPageSize; ++i) dst[i] += src[i];
    page_totals_[p] += other.page_totals_[p];
  }
  if (count_ == 0) {
    min_ = other.min_;
    max_ = other.max_;
  } else {
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
  }
  count_ += other.count_;
  sum_ += other.sum_;
}

double Histogram::order_statistic(std::uint64_t k) const {
  std::uint64_t before = 0;
  for (int p = 0; p < kPageCount; ++p) {
    if (before + page_totals_[p] <= k) {
      before += page_totals_[p];
      continue;
    }
    const auto& page = pages_[p];
    for (int i = 0; i < kPageSize; ++i) {
      const std::uint64_t c = page[i];
      if (before + c <= k) {
        before += c;
        continue;
      }
      return estimate_in_bucket((p << kPageBits) + i, c, k - before, min_, max_);
    }
  }
  return static_cast<double>(max_);  // unreachable when k < count_
}

double Histogram::estimate_in_bucket(int bucket, std::uint64_t in_bucket, std::uint64_t rank,
                                     Millis min, Millis max) {
  // The bucket holds the integers [lower, upper - 1]; the exact extremes narrow that range,
  // which makes single-valued buckets (all zero waits, say) exact.
  const double lo = static_cast<double>(std::max(bucket_lower(bucket), min));
  const double hi = static_cast<double>(std::min(bucket_upper(bucket) - 1, max));
  if (in_bucket == 1) {
    // A lone value in the bucket of the minimum (or maximum) is that extreme.
    if (lo == static_cast<double>(min)) return lo;
    if (hi == static_cast<double>(max)) return hi;
    return (lo + hi) / 2;
  }
  const double position = static_cast<double>(rank) / static_cast<double>(in_bucket - 1);
  return lo + position * (hi - lo);
}

double Histogram::percentile(double q) const {
  return percentile_of(count_, q, [this](std::uint64_t k) { return order_statistic(k); });
}

std::vector<Histogram::Bucket> Histogram::buckets() const {
  std::vector<Bucket> out;
  for (int p = 0; p < static_cast<int>(pages_.size()); ++p) {
    if (page_totals_[p] == 0) continue;
    for (int i = 0; i < kPageSize; ++i) {
      const std::uint64_t c = pages_[p][i];
      if (c == 0) continue;
      const int bucket = (p << kPageBits) + i;
      out.push_back({bucket_lower(bucket), bucket_upper(bucket), c});
    }
  }
  return out;
}

void Histogram::encode(std::string& out) const {
  put_varint(out, count_);
  if (count_ == 0) return;
  put_varint(out, zigzag(sum_));
  put_varint(out, zigzag(min_));
  put_varint(out, zigzag(max_));
  int previous = -1;
  for (int p = 0; p < kPageCount; ++p) {
    if (pages_[p].empty() || page_totals_[p] == 0) continue;
    for (int i = 0; i < kPageSize; ++i) {
      const std::uint64_t n = pages_[p][i];
      if (n == 0) continue;
      const int bucket = p * kPageSize + i;
      put_varint(out, static_cast<std::uint64_t>(bucket - previous));
      put_varint(out, n);
      previous = bucket;
    }
  }
}

void Histogram::add_to_bucket(int bucket, std::uint64_t n) {
  if (pages_.empty()) {
    pages_.resize(kPageCount);
    page_totals_.assign(kPageCount, 0);
  }
  auto& page = pages_[bucket >> kPageBits];
  if (page.empty()) page.assign(kPageSize, 0);
  page[bucket & (kPageSize - 1)] += n;
  page_totals_[bucket >> kPageBits] += n;
}

Result<Histogram> Histogram::decode(std::string_view bytes) {
  Histogram h;
  SB_RETURN_IF_ERROR(h.merge_encoded(bytes));
  return h;
}

namespace {
// Walks the bucket list of an encoded histogram, which starts at `pos` (after the header), and
// calls on_bucket(bucket, n) for each bucket in ascending order; checks that the list is well
// formed and that its counts add up to `count`. A bad list may have been walked in part.
template <class OnBucket>
Status for_each_encoded_bucket(std::string_view bytes, std::size_t pos, std::uint64_t count,
                               OnBucket&& on_bucket) {
  auto bad = [](const char* why) { return Status::corruption(std::string("histogram: ") + why); };
  std::uint64_t seen = 0;
  std::int64_t bucket = -1;
  while (pos < bytes.size()) {
    std::uint64_t gap = 0, n = 0;
    if (!get_varint(bytes, pos, gap) || !get_varint(bytes, pos, n)) return bad("truncated bucket");
    if (gap == 0 || gap > static_cast<std::uint64_t>(Histogram::kBucketCount) || n == 0)
      return bad("invalid bucket");
    bucket += static_cast<std::int64_t>(gap);
    if (bucket >= Histogram::kBucketCount) return bad("bucket out of range");
    if (n > count - seen) return bad("bucket counts exceed the total");
    seen += n;
    on_bucket(static_cast<int>(bucket), n);
  }
  if (seen != count) return bad("bucket counts do not add up to the total");
  return {};
}
}  // namespace

Status Histogram::merge_encoded(std::string_view bytes, Histogram* also) {
  auto bad = [](const char* why) { return Status::corruption(std::string("histogram: ") + why); };
  std::size_t pos = 0;
  std::uint64_t count = 0;
  if (!get_varint(bytes, pos, count)) return bad("truncated count");
  if (count == 0) return pos == bytes.size() ? Status{} : bad("trailing bytes");
  std::uint64_t sum = 0, min = 0, max = 0;
  if (!get_varint(bytes, pos, sum) || !get_varint(bytes, pos, min) || !get_varint(bytes, pos, max))
    return bad("truncated summary");
  // Decoded and validated into a buffer first, so that a bad blob merges nothing.
  thread_local std::vector<std::pair<int, std::uint64_t>> decoded;
  decoded.clear();
  SB_RETURN_IF_ERROR(for_each_encoded_bucket(
      bytes, pos, count, [](int bucket, std::uint64_t n) { decoded.emplace_back(bucket, n); }));
  apply_decoded(decoded, count, unzigzag(sum), unzigzag(min), unzigzag(max));
  if (also) also->apply_decoded(decoded, count, unzigzag(sum), unzigzag(min), unzigzag(max));
  return {};
}

Status Histogram::add_to_encoded(std::string_view stored, std::string& out) const {
  auto bad = [](const char* why) { return Status::corruption(std::string("histogram: ") + why); };
  out.clear();
  std::size_t pos = 0;
  std::uint64_t count = 0;
  if (stored.empty()) {
    encode(out);
    return {};
  }
  if (!get_varint(stored, pos, count)) return bad("truncated count");
  if (count == 0) {
    if (pos != stored.size()) return bad("trailing bytes");
    encode(out);
    return {};
  }
  std::uint64_t zsum = 0, zmin = 0, zmax = 0;
  if (!get_varint(stored, pos, zsum) || !get_varint(stored, pos, zmin) ||
      !get_varint(stored, pos, zmax))
    return bad("truncated summary");
  Millis lo = unzigzag(zmin), hi = unzigzag(zmax);
  if (count_ != 0) {
    lo = std::min(lo, min_);
    hi = std::max(hi, max_);
  }
  put_varint(out, count + count_);
  put_varint(out, zigzag(unzigzag(zsum) + sum_));
  put_varint(out, zigzag(lo));
  put_varint(out, zigzag(hi));
  // Both bucket lists in ascending order, merged.
  int own_page = 0, own_i = -1;
  auto next_own = [&]() -> int {
    if (count_ == 0) return kBucketCount;
    for (;;) {
      if (++own_i >= kPageSize) {
        own_i = 0;
        ++own_page;
      }
      while (own_page < kPageCount && (pages_[own_page].empty() || page_totals_[own_page] == 0)) {
        ++own_page;
        own_i = 0;
      }
      if (own_page >= kPageCount) return kBucketCount;
      if (pages_[own_page][own_i] != 0) return own_page * kPageSize + own_i;
    }
  };
  int own = next_own();
  int previous = -1;
  auto put = [&](int bucket, std::uint64_t n) {
    put_varint(out, static_cast<std::uint64_t>(bucket - previous));
    put_varint(out, n);
    previous = bucket;
  };
  SB_RETURN_IF_ERROR(for_each_encoded_bucket(stored, pos, count, [&](int b, std::uint64_t n) {
    for (; own < b; own = next_own()) put(own, pages_[own >> kPageBits][own & (kPageSize - 1)]);
    if (own == b) {
      n += pages_[own >> kPageBits][own & (kPageSize - 1)];
      own = next_own();
    }
    put(b, n);
  }));
  for (; own < kBucketCount; own = next_own())
    put(own, pages_[own >> kPageBits][own & (kPageSize - 1)]);
  return {};
}

void Histogram::apply_decoded(const std::vector<std::pair<int, std::uint64_t>>& buckets,
                              std::uint64_t count, std::int64_t sum, Millis min, Millis max) {
  if (pages_.empty()) {
    pages_.resize(kPageCount);
    page_totals_.assign(kPageCount, 0);
  }
  int page_index = -1;
  std::uint64_t* page = nullptr;
  for (const auto& [b, n] : buckets) {
    if ((b >> kPageBits) != page_index) {
      page_index = b >> kPageBits;
      auto& p = pages_[page_index];
      if (p.empty()) p.assign(kPageSize, 0);
      page = p.data();
    }
    page[b & (kPageSize - 1)] += n;
    page_totals_[page_index] += n;
  }
  if (count_ == 0) {
    min_ = min;
    max_ = max;
  } else {
    min_ = std::min(min_, min);
    max_ = std::max(max_, max);
  }
  count_ += count;
  sum_ += sum;
}

}  // namespace sb::metrics
