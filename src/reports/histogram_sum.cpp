#include "reports/histogram_sum.h"

#include <algorithm>

#include "base/varint.h"

namespace sb::reports {

using metrics::Histogram;

void HistogramSum::Summary::add(std::uint64_t c, std::int64_t s, Millis lo, Millis hi) {
  if (c == 0) return;
  if (count == 0) {
    min = lo;
    max = hi;
  } else {
    min = std::min(min, lo);
    max = std::max(max, hi);
  }
  count += c;
  sum += s;
}

Status HistogramSum::decode_into(std::string_view blob, std::vector<std::uint64_t>& counts,
                                 Summary& summary) {
  auto bad = [](const char* why) { return Status::corruption(std::string("histogram: ") + why); };
  std::size_t pos = 0;
  std::uint64_t count = 0;
  if (!get_varint(blob, pos, count)) return bad("truncated count");
  if (count == 0) return pos == blob.size() ? Status{} : bad("trailing bytes");
  std::uint64_t sum = 0, min = 0, max = 0;
  if (!get_varint(blob, pos, sum) || !get_varint(blob, pos, min) || !get_varint(blob, pos, max))
    return bad("truncated summary");
  std::uint64_t seen = 0;
  std::int64_t bucket = -1;
  const auto* p = reinterpret_cast<const std::uint8_t*>(blob.data());
  const std::size_t size = blob.size();
  while (pos < size) {
    std::uint64_t gap = 0, n = 0;
    // One-byte varints (gaps and counts below 128) are by far the most common.
    if (pos + 1 < size && p[pos] < 0x80 && p[pos + 1] < 0x80) {
      gap = p[pos];
      n = p[pos + 1];
      pos += 2;
    } else if (!get_varint(blob, pos, gap) || !get_varint(blob, pos, n)) {
      return bad("truncated bucket");
    }
    if (gap == 0 || gap > static_cast<std::uint64_t>(Histogram::kBucketCount) || n == 0)
      return bad("invalid bucket");
    bucket += static_cast<std::int64_t>(gap);
    if (bucket >= Histogram::kBucketCount) return bad("bucket out of range");
    const auto b = static_cast<std::size_t>(bucket);
    if (b >= counts.size())
      counts.resize(std::min<std::size_t>(Histogram::kBucketCount, std::max(b + 1, 2 * b)), 0);
    counts[b] += n;
    seen += n;
  }
  if (seen != count) return bad("bucket counts do not add up to the total");
  summary.add(count, unzigzag(sum), unzigzag(min), unzigzag(max));
  return {};
}

Status HistogramSum::decode_sparse(std::string_view blob,
                                   std::vector<std::pair<int, std::uint64_t>>& out,
                                   Summary& summary) {
  auto bad = [](const char* why) { return Status::corruption(std::string("histogram: ") + why); };
  std::size_t pos = 0;
  std::uint64_t count = 0;
  if (!get_varint(blob, pos, count)) return bad("truncated count");
  if (count == 0) return pos == blob.size() ? Status{} : bad("trailing bytes");
  std::uint64_t sum = 0, min = 0, max = 0;
  if (!get_varint(blob, pos, sum) || !get_varint(blob, pos, min) || !get_varint(blob, pos, max))
    return bad("truncated summary");
  std::uint64_t seen = 0;
  std::int64_t bucket = -1;
  const auto* p = reinterpret_cast<const std::uint8_t*>(blob.data());
  const std::size_t size = blob.size();
  const std::size_t first = out.size();
  while (pos < size) {
    std::uint64_t gap = 0, n = 0;
    if (pos + 1 < size && p[pos] < 0x80 && p[pos + 1] < 0x80) {
      gap = p[pos];
      n = p[pos + 1];
      pos += 2;
    } else if (!get_varint(blob, pos, gap) || !get_varint(blob, pos, n)) {
      out.resize(first);
      return bad("truncated bucket");
    }
    if (gap == 0 || gap > static_cast<std::uint64_t>(Histogram::kBucketCount) || n == 0) {
      out.resize(first);
      return bad("invalid bucket");
    }
    bucket += static_cast<std::int64_t>(gap);
    if (bucket >= Histogram::kBucketCount) {
      out.resize(first);
      return bad("bucket out of range");
    }
    out.emplace_back(static_cast<int>(bucket), n);
    seen += n;
  }
  if (seen != count) {
    out.resize(first);
    return bad("bucket counts do not add up to the total");
  }
  summary.add(count, unzigzag(sum), unzigzag(min), unzigzag(max));
  return {};
}

namespace {

// Calls f(blob) for each length-prefixed blob of `kept`.
template <class F>
Status for_each_kept(std::string_view kept, F&& f) {
  std::size_t pos = 0;
  while (pos < kept.size()) {
    std::uint64_t n = 0;
    if (!get_varint(kept, pos, n) || n > kept.size() - pos)
      return Status::internal("histogram sum: bad kept blob");
    SB_RETURN_IF_ERROR(f(kept.substr(pos, n)));
    pos += n;
  }
  return {};
}

}  // namespace

Status HistogramSum::spill() {
  SB_RETURN_IF_ERROR(
      for_each_kept(kept_, [&](std::string_view b) { return decode_into(b, counts_, decoded_); }));
  kept_.clear();
  kept_.shrink_to_fit();
  kept_count_ = 0;
  spilled_ = true;
  return {};
}

void HistogramSum::clear() {
  blobs_ = 0;
  kept_.clear();
  kept_count_ = 0;
  spilled_ = false;
  counts_.clear();
  decoded_ = Summary{};
}

Status HistogramSum::add(std::string_view blob) {
  // An empty histogram encodes as the single byte 0.
  if (blob.size() == 1 && blob[0] == 0) return {};
  ++blobs_;
  if (spilled_) return decode_into(blob, counts_, decoded_);
  put_varint(kept_, blob.size());
  kept_.append(blob);
  ++kept_count_;
  if (kept_.size() > kKeptBytes) return spill();
  return {};
}

Status HistogramSum::add(const HistogramSum& other) {
  if (other.blobs_ == 0) return {};
  // A HistogramSum holds either kept blobs or decoded counts, never both.
  if (!other.spilled_)
    return for_each_kept(other.kept_, [&](std::string_view b) { return add(b); });
  if (blobs_ == 0) {
    counts_ = other.counts_;
    decoded_ = other.decoded_;
    blobs_ = other.blobs_;
    spilled_ = true;
    return {};
  }
  if (!spilled_) SB_RETURN_IF_ERROR(spill());
  if (counts_.size() < other.counts_.size()) counts_.resize(other.counts_.size(), 0);
  for (std::size_t i = 0; i < other.counts_.size(); ++i) counts_[i] += other.counts_[i];
  decoded_.add(other.decoded_.count, other.decoded_.sum, other.decoded_.min, other.decoded_.max);
  blobs_ += other.blobs_;
  return {};
}

Status HistogramSum::add(const ResolvedHistogram& resolved) {
  if (resolved.count == 0) return {};
  if (!spilled_) {
    if (blobs_ == 0) {
      spilled_ = true;
    } else {
      SB_RETURN_IF_ERROR(spill());
    }
  }
  if (!resolved.buckets.empty()) {
    const auto top = static_cast<std::size_t>(resolved.buckets.back().first);
    if (counts_.size() <= top) counts_.resize(top + 1, 0);
  }
  for (const auto& [b, n] : resolved.buckets) counts_[static_cast<std::size_t>(b)] += n;
  decoded_.add(resolved.count, resolved.sum, resolved.min, resolved.max);
  ++blobs_;
  return {};
}

Result<Histogram> HistogramSum::histogram() const {
  if (blobs_ == 0) return Histogram();
  // One kept blob: it is the histogram.
  if (!spilled_ && kept_count_ == 1) {
    std::size_t pos = 0;
    std::uint64_t n = 0;
    if (!get_varint(kept_, pos, n)) return Status::internal("histogram sum: bad kept blob");
    return Histogram::decode(std::string_view(kept_).substr(pos, n));
  }
  std::vector<std::uint64_t> counts = counts_;
  Summary s = decoded_;
  SB_RETURN_IF_ERROR(
      for_each_kept(kept_, [&](std::string_view b) { return decode_into(b, counts, s); }));
  // Back into Histogram::encode's format, which Histogram::decode checks and loads.
  std::string blob;
  put_varint(blob, s.count);
  if (s.count != 0) {
    put_varint(blob, zigzag(s.sum));
    put_varint(blob, zigzag(s.min));
    put_varint(blob, zigzag(s.max));
    int previous = -1;
    for (std::size_t b = 0; b < counts.size(); ++b) {
      if (counts[b] == 0) continue;
      put_varint(blob, static_cast<std::uint64_t>(static_cast<int>(b) - previous));
      put_varint(blob, counts[b]);
      previous = static_cast<int>(b);
    }
  }
  return Histogram::decode(blob);
}

Status HistogramSum::resolve(ResolvedHistogram& out) const {
  out.buckets.clear();
  Summary s = decoded_;
  // One kept blob, or a few small ones (a 15-minute cell's, the four of an hour): their sorted
  // bucket lists, merged. Anything bigger (months of a queue: thousands of buckets each) is
  // decoded into an array and read back in order; sorting those lists cost more than the array.
  constexpr std::size_t kMergeAtMostBytes = 1024;
  if (!spilled_ && (kept_count_ <= 1 || kept_.size() <= kMergeAtMostBytes)) {
    SB_RETURN_IF_ERROR(
        for_each_kept(kept_, [&](std::string_view b) { return decode_sparse(b, out.buckets, s); }));
    if (kept_count_ > 1) {
      std::sort(out.buckets.begin(), out.buckets.end(),
                [](const auto& x, const auto& y) { return x.first < y.first; });
      std::size_t w = 0;
      for (std::size_t i = 0; i < out.buckets.size(); ++i) {
        if (w > 0 && out.buckets[w - 1].first == out.buckets[i].first) {
          out.buckets[w - 1].second += out.buckets[i].second;
        } else {
          out.buckets[w++] = out.buckets[i];
        }
      }
      out.buckets.resize(w);
    }
  } else {
    thread_local std::vector<std::uint64_t> counts;
    counts.assign(counts_.begin(), counts_.end());
    SB_RETURN_IF_ERROR(
        for_each_kept(kept_, [&](std::string_view b) { return decode_into(b, counts, s); }));
    for (std::size_t b = 0; b < counts.size(); ++b)
      if (counts[b] != 0) out.buckets.emplace_back(static_cast<int>(b), counts[b]);
  }
  out.count = s.count;
  out.sum = s.sum;
  out.min = s.count ? s.min : 0;
  out.max = s.count ? s.max : 0;
  return {};
}

double ResolvedHistogram::percentile(double q) const {
  return Histogram::percentile_of(count, q, [this](std::uint64_t k) {
    std::uint64_t before = 0;
    for (const auto& [bucket, c] : buckets) {
      if (before + c <= k) {
        before += c;
        continue;
      }
      return Histogram::estimate_in_bucket(bucket, c, k - before, min, max);
    }
    return static_cast<double>(max);  // unreachable when k < count
  });
}

}  // namespace sb::reports
