#pragma once
// Adding up encoded histograms (the blobs of metrics::Histogram::encode) at query time.
//
// A report row sums the wait and handle-time histograms of every cell or rollup row it covers,
// and only needs the result for its percentiles and buckets. Decoding each blob into a paged
// metrics::Histogram and merging page by page was most of a report's time, and every row of a
// 35,040-row report held tens of kilobytes of pages. A HistogramSum instead
//   - keeps the blobs of a row that gets few of them (one 15-minute cell, four for an hour), and
//     adds them up only when histogram() is asked, one row at a time;
//   - switches a row that gets many (a queue over a year) to a flat array of bucket counts,
//     sized to the highest bucket seen, into which each blob is decoded once.
// Either way histogram() equals the blobs decoded and merged with metrics::Histogram (the same
// bucket counts, count, sum, minimum and maximum), so the figures do not depend on the path.
// A report row only needs percentiles and the non-empty buckets: resolve() gives those as a
// sorted list, without the paged Histogram (whose pages were most of a 15-minute report's time:
// a handle-time histogram of a few minutes spans 18 pages of 2 KB, zeroed for every row).

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "base/time.h"
#include "metrics/histogram.h"

namespace sb::reports {

// The non-empty buckets of a sum, ascending, with its exact count, sum and extremes; reused from
// row to row by the caller (its vector keeps its capacity).
struct ResolvedHistogram {
  std::vector<std::pair<int, std::uint64_t>> buckets;  // (bucket index, count)
  std::uint64_t count = 0;
  std::int64_t sum = 0;
  Millis min = 0, max = 0;
  // metrics::Histogram::percentile of the same counts (the same rule and estimates).
  double percentile(double q) const;
};

class HistogramSum {
 public:
  // Adds one encoded histogram. Corruption for a malformed blob (found when the blob is decoded:
  // by this or a later add(), or by histogram()).
  Status add(std::string_view blob);
  // Adds what `other` holds.
  Status add(const HistogramSum& other);
  // Adds a resolved sum (a report row's, into the total: its blobs are not decoded again).
  Status add(const ResolvedHistogram& resolved);
  bool empty() const { return blobs_ == 0; }
  // Back to empty, keeping the buffers' capacity.
  void clear();
  // The sum as a Histogram.
  Result<metrics::Histogram> histogram() const;
  // The sum as sorted buckets (what histogram() would hold); Corruption for a malformed blob.
  Status resolve(ResolvedHistogram& out) const;

 private:
  // Blobs are kept (copied in order, which is cache-friendly) until they take this much; a row
  // then decodes them one after the other into one array. Rows that get more spill into counts.
  static constexpr std::size_t kKeptBytes = 64 * 1024;

  struct Summary {
    std::uint64_t count = 0;
    std::int64_t sum = 0;
    Millis min = 0, max = 0;
    void add(std::uint64_t c, std::int64_t s, Millis lo, Millis hi);
  };
  // Decodes `blob` into `counts` (grown as needed) and `summary`.
  static Status decode_into(std::string_view blob, std::vector<std::uint64_t>& counts,
                            Summary& summary);
  Status spill();
  // Appends the buckets of `blob` (ascending) to `out` and adds its summary.
  static Status decode_sparse(std::string_view blob,
                              std::vector<std::pair<int, std::uint64_t>>& out, Summary& summary);

  int blobs_ = 0;
  std::string kept_;  // blobs not yet decoded, each with a varint length before it
  int kept_count_ = 0;
  bool spilled_ = false;               // blobs go straight into counts_
  std::vector<std::uint64_t> counts_;  // decoded bucket counts
  Summary decoded_;                    // of the decoded blobs
};

}  // namespace sb::reports
