#pragma once
// A histogram of non-negative millisecond durations (waits) with a fixed bucket layout, so that
// histograms from different queues, intervals or replications merge by adding counts.
//
// Layout:
//   - 100 ms buckets from 0 up to 10 minutes (6000 buckets): a percentile estimate is off by less
//     than 100 ms for every value below 10 minutes;
//   - above 10 minutes, 32 buckets per doubling (each bucket 2^(1/32) = 1.0219 times the previous
//     one) for 24 doublings (up to about 318 years); the estimate is off by less than 2.19 % of
//     the value. The last bucket is open-ended.
// Buckets are allocated in pages of 256 on first use, so a histogram that only ever sees waits of
// a few seconds costs a few kilobytes, and adding a value never allocates after warm-up.
//
// Percentiles follow the "linear interpolation between closest ranks" definition (R type 7, the
// NumPy default): for q in [0, 1] and sorted values x_0..x_{n-1}, h = (n - 1) q and
// P(q) = x_floor(h) + (h - floor(h)) (x_floor(h)+1 - x_floor(h)). Each order statistic is estimated
// by spreading the bucket's values evenly over the bucket (narrowed to the exact minimum and
// maximum, which are kept), so it lies in the same bucket as the true value: the error of P(q) is
// below max(100 ms, 2.19 % of x_ceil(h)).

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "base/time.h"

namespace sb::metrics {

class Histogram {
 public:
  static constexpr Millis kLinearWidth = 100;
  static constexpr Millis kLinearLimit = 10 * kMillisPerMinute;
  static constexpr int kLinearBuckets = static_cast<int>(kLinearLimit / kLinearWidth);
  static constexpr int kLogBucketsPerOctave = 32;
  static constexpr int kLogOctaves = 24;
  static constexpr int kBucketCount = kLinearBuckets + kLogBucketsPerOctave * kLogOctaves;
  // 2^(1/32) - 1 = 0.021897..., rounded up (bucket bounds are rounded to whole milliseconds): the
  // largest relative width of a bucket above kLinearLimit.
  static constexpr double kMaxRelativeError = 0.0219;

  // Values below zero are recorded as zero.
  void add(Millis value);
  void merge(const Histogram& other);

  std::uint64_t count() const { return count_; }
  // Exact; 0 when empty.
  Millis min() const { return count_ ? min_ : 0; }
  Millis max() const { return count_ ? max_ : 0; }
  std::int64_t sum() const { return sum_; }
  double mean() const { return count_ ? static_cast<double>(sum_) / count_ : 0.0; }

  // The q-quantile in milliseconds (q in [0, 1], clamped), as described above; 0 when empty.
  double percentile(double q) const;
  // The bound on |percentile(q) - exact| when the upper neighbouring order statistic is `value`.
  static double error_bound(double value);

  struct Bucket {
    Millis lower = 0;  // inclusive
    Millis upper = 0;  // exclusive; kNever for the open-ended last bucket
    std::uint64_t count = 0;
  };
  // The non-empty buckets in ascending order (for reports and plots).
  std::vector<Bucket> buckets() const;

  // Compact, deterministic serialisation for read models (src/reports): the count, the exact sum,
  // minimum and maximum, then the non-empty buckets as (index gap, count) varint pairs. Equal
  // histograms encode to equal bytes. decode() rejects malformed input with Corruption.
  void encode(std::string& out) const;
  static Result<Histogram> decode(std::string_view bytes);
  // merge(decode(bytes)) without the temporary (into `also` as well, decoding once); on error
  // nothing is merged.
  Status merge_encoded(std::string_view bytes, Histogram* also = nullptr);

  // out = the encoding of decode(stored) merged with this histogram, without building the
  // merged Histogram (the read model adds each batch's delta to stored rows this way); an empty
  // `stored` is an empty histogram. Corruption for a malformed `stored` (out is then unspecified).
  Status add_to_encoded(std::string_view stored, std::string& out) const;
  static int bucket_of(Millis value);
  static Millis bucket_lower(int bucket);
  static Millis bucket_upper(int bucket);

  // The percentile rule above for bucket counts held in another form (reports::HistogramSum
  // reads them from blobs without building a Histogram): `order_statistic(k)` is the estimate of
  // the k-th smallest of `count` values, as estimate_in_bucket gives it.
  template <class OrderStatistic>
  static double percentile_of(std::uint64_t count, double q, OrderStatistic&& order_statistic);
  // The estimate of the value of rank `rank` (0-based) among the `in_bucket` values of `bucket`,
  // given the histogram's exact minimum and maximum.
  static double estimate_in_bucket(int bucket, std::uint64_t in_bucket, std::uint64_t rank,
                                   Millis min, Millis max);

 private:
  static constexpr int kPageBits = 8;
  static constexpr int kPageSize = 1 << kPageBits;
  static constexpr int kPageCount = (kBucketCount + kPageSize - 1) / kPageSize;

  void add_to_bucket(int bucket, std::uint64_t n);
  void apply_decoded(const std::vector<std::pair<int, std::uint64_t>>& buckets, std::uint64_t count,
                     std::int64_t sum, Millis min, Millis max);
  // The value of the k-th smallest sample (0-based), estimated inside its bucket.
  double order_statistic(std::uint64_t k) const;

  // pages_[p] is empty until a value falls in page p; pages_ itself is sized on the first add.
  std::vector<std::vector<std::uint64_t>> pages_;
  std::vector<std::uint64_t> page_totals_;
  std::uint64_t count_ = 0;
  std::int64_t sum_ = 0;
  Millis min_ = 0;
  Millis max_ = 0;
};

template <class OrderStatistic>
double Histogram::percentile_of(std::uint64_t count, double q, OrderStatistic&& order_statistic) {
  if (count == 0) return 0.0;
  q = q < 0.0 ? 0.0 : (q > 1.0 ? 1.0 : q);
  const double h = static_cast<double>(count - 1) * q;
  const auto k = static_cast<std::uint64_t>(h);  // floor: h >= 0
  const double frac = h - static_cast<double>(k);
  const double lower = order_statistic(k);
  if (frac == 0.0 || k + 1 >= count) return lower;
  return lower + frac * (order_statistic(k + 1) - lower);
}

}  // namespace sb::metrics
